/*
 * fuzz_pipeline_yaml: the pipeline loader on arbitrary bytes.  It must
 * either load (and then release cleanly) or fail with a message that
 * starts with the file name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hoso_pipeline p;
	struct hoso_buf err = HOSO_BUF_INIT;

	if (hoso_pipeline_load_buffer("fuzz.yaml", (const char *) data, size, &p, &err)) {
		/* what the runner relies on after a successful load */
		if (!p.name || !p.source.format || p.source.npaths == 0 || !p.personal_data ||
		    !p.staging || !p.target.schema)
			abort();
		for (size_t i = 0; i < p.source.npaths; i++)
			if (!p.source.paths[i])
				abort();
		for (size_t s = 0; s < p.nmore_sources; s++)
			if (!p.more_sources[s].format || p.more_sources[s].npaths == 0)
				abort();
		hoso_pipeline_release(&p);
	} else if (!err.data || strncmp(err.data, "fuzz.yaml:", 10) != 0) {
		abort();
	}
	hoso_buf_release(&err);
	return 0;
}
