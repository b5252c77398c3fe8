/*
 * fuzz_source_schema: the CSV source schema loader on arbitrary bytes.  It
 * must either load (and then hold what extract relies on, and release
 * cleanly) or fail with a message that starts with the file name.  A
 * loaded schema's date formats also parse a fixed date without trouble.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_source_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hoso_source_schema s;
	struct hoso_buf err = HOSO_BUF_INIT;

	if (hoso_source_schema_load_buffer("fuzz.yaml", (const char *) data, size, &s, &err)) {
		hoso_time t;

		if (!s.name || !s.src || s.ncolumns == 0 || s.column_of[HOSO_SF_MAHOSO] < 0)
			abort();
		for (size_t i = 0; i < s.ncolumns; i++) {
			const struct hoso_source_column *c = &s.columns[i];

			if (!c->title || !c->key ||
			    hoso_source_schema_find(&s, c->key, strlen(c->key)) != (int) i)
				abort();
			for (size_t k = 0; k < c->ndate_formats; k++)
				hoso_source_date_parse(c->date_formats[k], "27/10/2023 10:15:03", 19, &t);
		}
		for (size_t k = 0; k < s.ndate_formats; k++)
			if (hoso_source_date_check(s.date_formats[k]))
				abort();
		hoso_source_schema_release(&s);
	} else if (!err.data || strncmp(err.data, "fuzz.yaml:", 10) != 0) {
		abort();
	}
	hoso_buf_release(&err);
	return 0;
}
