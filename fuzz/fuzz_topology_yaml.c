/*
 * fuzz_topology_yaml: the topology loader (lib/hoso_topology.c) on
 * arbitrary bytes.  It must either load what "hoso shard" relies on (a
 * coordinator, named shards with a connection string, valid province
 * codes, none on two shards) and release it cleanly, or fail with a
 * message that starts with the file name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hoso_topology t;
	struct hoso_buf err = HOSO_BUF_INIT;

	if (hoso_topology_load_buffer("fuzz.yaml", (const char *) data, size, &t, &err)) {
		if (!t.coordinator || t.nshards == 0)
			abort();
		for (size_t i = 0; i < t.nshards; i++) {
			const struct hoso_topology_shard *s = &t.shards[i];

			if (!s->name || !s->conninfo)
				abort();
			for (size_t j = 0; j < s->nprovinces; j++)
				if (!hoso_province_code_ok(s->provinces[j]) ||
				    hoso_topology_shard_of(&t, s->provinces[j]) != s)
					abort();
		}
		hoso_topology_release(&t);
	} else if (!err.data || strncmp(err.data, "fuzz.yaml:", 10) != 0) {
		abort();
	}
	hoso_buf_release(&err);
	return 0;
}
