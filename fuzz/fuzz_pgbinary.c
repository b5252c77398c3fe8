/*
 * fuzz_pgbinary: one staging field encoded for binary COPY, on arbitrary
 * bytes.  The first byte picks the column (its staging kind and the type it
 * goes into); the rest is the field.  A value is either encoded whole (its
 * length word says how many bytes follow, or -1 for NULL) or refused with a
 * reason and nothing appended.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_pgbinary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct { enum hoso_kind kind; unsigned type, elem; } columns[] = {
	{ HOSO_KIND_INT, HOSO_PG_INT2, 0 }, { HOSO_KIND_INT, HOSO_PG_INT4, 0 },
	{ HOSO_KIND_INT, HOSO_PG_INT8, 0 }, { HOSO_KIND_INT, HOSO_PG_NUMERIC, 0 },
	{ HOSO_KIND_BOOL, HOSO_PG_BOOL, 0 }, { HOSO_KIND_TEXT, HOSO_PG_TEXT, 0 },
	{ HOSO_KIND_CODE, HOSO_PG_CHAR, 0 }, { HOSO_KIND_DATE, HOSO_PG_DATE, 0 },
	{ HOSO_KIND_TIME, HOSO_PG_TIMESTAMPTZ, 0 }, { HOSO_KIND_JSON, HOSO_PG_JSONB, 0 },
	{ HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, HOSO_PG_TEXT },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hoso_pgbin_column c;
	struct hoso_buf out = HOSO_BUF_INIT;
	char err[128] = "";
	size_t pick;

	if (size == 0)
		return 0;
	pick = data[0] % (sizeof(columns) / sizeof(columns[0]));
	if (!hoso_pgbin_column_for(columns[pick].kind, columns[pick].type, columns[pick].elem, &c))
		abort();
	hoso_buf_addstr(&out, "kept");
	if (hoso_pgbin_field(&out, &c, (const char *) data + 1, size - 1, err, sizeof(err))) {
		const unsigned char *p = (const unsigned char *) out.data + 4;
		uint32_t n = (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];

		if (out.len < 8 || (n == 0xffffffffu ? out.len != 8 : out.len != 8 + (size_t) n))
			abort();	/* the length word covers the value exactly */
	} else if (out.len != 4 || memcmp(out.data, "kept", 4) != 0 || err[0] == '\0') {
		abort();		/* refused: nothing appended, and why */
	}
	hoso_buf_release(&out);
	return 0;
}
