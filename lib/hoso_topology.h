/*
 * hoso_topology.h: the topology file of a national warehouse
 * (docs/national.md):
 *
 *   coordinator: "service=hoso-national"
 *   shards:
 *     - name: north
 *       conninfo: "host=db1 dbname=hoso"
 *       provinces: [H01, H02]
 *
 * Connection strings carry no secret; a province is on one shard at most.
 */
#ifndef HOSO_TOPOLOGY_H
#define HOSO_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"

struct hoso_topology_shard {
	char *name;			/* [a-z0-9_]+: the coordinator's server hoso_shard_NAME */
	char *conninfo;			/* libpq, without a password */
	char **provinces;		/* may be empty: a shard just added */
	size_t nprovinces;
};
struct hoso_topology {
	char *coordinator;		/* libpq, without a password */
	struct hoso_topology_shard *shards;
	size_t nshards;
};

/* Parse data (name for messages); false with the message in err ("NAME:LINE:..."). */
bool hoso_topology_load_buffer(const char *name, const char *data, size_t len,
			       struct hoso_topology *t, struct hoso_buf *err);
bool hoso_topology_load(const char *path, struct hoso_topology *t);	/* logs */
void hoso_topology_release(struct hoso_topology *t);
const struct hoso_topology_shard *hoso_topology_shard_of(const struct hoso_topology *t,
							 const char *province);
/* A province code: [A-Za-z0-9_-]{1,32} */
bool hoso_province_code_ok(const char *s);

#endif
