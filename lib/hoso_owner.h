/*
 * hoso_owner.h: which warehouse and which run a staging directory belongs
 * to.
 *
 * The runner writes DIR/OWNER when it makes a staging directory; hoso-load
 * refuses a directory whose OWNER does not name its own warehouse and run,
 * and a runner removes only staging directories whose OWNER names its own
 * warehouse.  A warehouse is known by the cluster's system identifier
 * (pg_control_system()) and the database's oid: two clusters, or two
 * databases of one cluster, never share both.
 */
#ifndef HOSO_OWNER_H
#define HOSO_OWNER_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct hoso_warehouse_id {
	char system_identifier[24];	/* decimal, as pg_control_system() gives it */
	char database_oid[16];
	char database[128];		/* the name, for people; the oid is what is compared */
};

/* The identity of the warehouse conn is connected to; logs on failure. */
bool hoso_warehouse_id_query(PGconn *conn, struct hoso_warehouse_id *id);

/* "SYSID-OID": the part of staging names that says which warehouse. */
void hoso_warehouse_id_tag(const struct hoso_warehouse_id *id, char *out, size_t outlen);

/* Writes DIR/OWNER (mode 0600) for run_id of warehouse id; logs on failure. */
bool hoso_owner_write(const char *dir, const struct hoso_warehouse_id *id, long long run_id);

/*
 * Reads DIR/OWNER: true when it names warehouse id; *run_id (may be NULL)
 * receives the run it names.  Logs why when it does not, unless quiet.
 */
bool hoso_owner_matches(const char *dir, const struct hoso_warehouse_id *id,
			long long *run_id, bool quiet);

#endif
