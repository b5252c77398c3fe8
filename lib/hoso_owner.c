/*
 * hoso_owner.c: the OWNER file of a staging directory (hoso_owner.h).
 *
 * Its lines are "key value": system_identifier, database_oid, database,
 * run_id.  Unknown keys are ignored so that a later version may add some.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoso_layout.h"
#include "hoso_log.h"
#include "hoso_owner.h"

bool
hoso_warehouse_id_query(PGconn *conn, struct hoso_warehouse_id *id)
{
	PGresult *res = PQexec(conn,
			       "SELECT system_identifier::text, d.oid::text, d.datname"
			       " FROM pg_control_system(), pg_database d"
			       " WHERE d.datname = current_database()");

	memset(id, 0, sizeof(*id));
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		hoso_error("cannot read the warehouse's identity (pg_control_system()): %s",
			   PQerrorMessage(conn));
		PQclear(res);
		return false;
	}
	snprintf(id->system_identifier, sizeof(id->system_identifier), "%s", PQgetvalue(res, 0, 0));
	snprintf(id->database_oid, sizeof(id->database_oid), "%s", PQgetvalue(res, 0, 1));
	snprintf(id->database, sizeof(id->database), "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	return true;
}

void
hoso_warehouse_id_tag(const struct hoso_warehouse_id *id, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s-%s", id->system_identifier, id->database_oid);
}

static char *
owner_path(const char *dir)
{
	size_t n = strlen(dir) + sizeof("/" HOSO_STAGING_OWNER);
	char *p = hoso_xmalloc(n);

	snprintf(p, n, "%s/%s", dir, HOSO_STAGING_OWNER);
	return p;
}

bool
hoso_owner_write(const char *dir, const struct hoso_warehouse_id *id, long long run_id)
{
	char *path = owner_path(dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	bool ok;

	if (!f) {
		hoso_error("cannot create \"%s\": %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return false;
	}
	fprintf(f, "system_identifier %s\ndatabase_oid %s\ndatabase %s\nrun_id %lld\n",
		id->system_identifier, id->database_oid, id->database, run_id);
	ok = fclose(f) == 0;
	if (!ok)
		hoso_error("cannot write \"%s\": %s", path, strerror(errno));
	free(path);
	return ok;
}

bool
hoso_owner_matches(const char *dir, const struct hoso_warehouse_id *id, long long *run_id,
		   bool quiet)
{
	char *path = owner_path(dir);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	char line[256], sysid[sizeof(line)] = "", oid[sizeof(line)] = "";
	long long run = -1;
	bool ok = false;

	if (!f) {
		if (!quiet)
			hoso_error("%s: cannot read: %s; this staging directory was not made by a "
				   "hoso runner for this warehouse", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		char *value = strchr(line, ' ');

		if (!value)
			continue;
		*value++ = '\0';
		value[strcspn(value, "\n")] = '\0';
		if (strcmp(line, "system_identifier") == 0)
			snprintf(sysid, sizeof(sysid), "%s", value);
		else if (strcmp(line, "database_oid") == 0)
			snprintf(oid, sizeof(oid), "%s", value);
		else if (strcmp(line, "run_id") == 0)
			run = atoll(value);
	}
	fclose(f);
	if (strcmp(sysid, id->system_identifier) != 0 || strcmp(oid, id->database_oid) != 0) {
		if (!quiet)
			hoso_error("%s: the staging directory belongs to another warehouse (system "
				   "%s, database oid %s), not to this one (system %s, database \"%s\", "
				   "oid %s); refusing it", path, sysid[0] ? sysid : "?",
				   oid[0] ? oid : "?", id->system_identifier, id->database,
				   id->database_oid);
	} else {
		ok = true;
	}
	if (run_id)
		*run_id = run;
	free(path);
	return ok;
}
