/*
 * test_pgbinary.c: staging fields encoded for binary COPY.
 *
 * The expected bytes are not this encoder's: each value's are what
 * PostgreSQL 15's own send function gives for it (SELECT
 * timestamptz_send('2023-10-20 08:15:00+07'), date_send, int2send,
 * numeric_send, array_send('{KT,KT.STP}'::text[]), textsend ...), written
 * here behind the four-byte length each field has in a COPY row; the
 * header is the manual's (COPY, "Binary Format").  Timestamps count
 * microseconds and dates days from 2000-01-01, so the epoch itself is 0.
 */
#include <stdio.h>
#include <string.h>

#include "hoso_pgbinary.h"
#include "unit.h"

/* A field's expected bytes: the length word, then the value. */
struct expect {
	const char *bytes;
	size_t len;
};
#define BYTES(s) { s, sizeof(s) - 1 }

static struct hoso_pgbin_column
column(enum hoso_kind kind, unsigned type_oid, unsigned elem_oid)
{
	struct hoso_pgbin_column c;

	CHECK(hoso_pgbin_column_for(kind, type_oid, elem_oid, &c), "the kind goes into the type");
	return c;
}

static void
encodes(enum hoso_kind kind, unsigned type_oid, const char *field, struct expect want,
	const char *what)
{
	struct hoso_pgbin_column c = column(kind, type_oid, type_oid == HOSO_PG_TEXT_ARRAY ? HOSO_PG_TEXT : 0);
	struct hoso_buf out = HOSO_BUF_INIT;
	char err[128] = "";
	bool ok = hoso_pgbin_field(&out, &c, field, strlen(field), err, sizeof(err));

	if (!ok)
		fprintf(stderr, "  %s: refused: %s\n", what, err);
	CHECK(ok && out.len == want.len && memcmp(out.data, want.bytes, want.len) == 0, what);
	hoso_buf_release(&out);
}

static void
refuses(enum hoso_kind kind, unsigned type_oid, const char *field, const char *why,
	const char *what)
{
	struct hoso_pgbin_column c = column(kind, type_oid, type_oid == HOSO_PG_TEXT_ARRAY ? HOSO_PG_TEXT : 0);
	struct hoso_buf out = HOSO_BUF_INIT;
	char err[128] = "";

	hoso_buf_addstr(&out, "kept");
	CHECK(!hoso_pgbin_field(&out, &c, field, strlen(field), err, sizeof(err)), what);
	CHECK(strstr(err, why) != NULL, why);
	CHECK(out.len == 4 && memcmp(out.data, "kept", 4) == 0, "a refused value leaves nothing");
	hoso_buf_release(&out);
}

int
main(void)
{
	struct hoso_buf b = HOSO_BUF_INIT;
	struct hoso_pgbin_column c;

	/* the file around the rows */
	hoso_pgbin_header(&b);
	hoso_pgbin_row(&b, 3);
	hoso_pgbin_trailer(&b);
	CHECK(b.len == 11 + 4 + 4 + 2 + 2 &&
	      memcmp(b.data, "PGCOPY\n\xff\r\n\0" "\0\0\0\0" "\0\0\0\0" "\0\3" "\xff\xff", b.len) == 0,
	      "header (signature, flags, extension), a row's field count, trailer");
	hoso_buf_release(&b);

	/* timestamptz: int8 microseconds since 2000-01-01 00:00 UTC */
	encodes(HOSO_KIND_TIME, HOSO_PG_TIMESTAMPTZ, "2000-01-01 07:00:00+07",
		(struct expect) BYTES("\0\0\0\x08" "\0\0\0\0\0\0\0\0"), "the epoch in +07 is 0");
	encodes(HOSO_KIND_TIME, HOSO_PG_TIMESTAMPTZ, "2023-10-20 08:15:00+07",
		(struct expect) BYTES("\0\0\0\x08" "\x00\x02\xab\x1a\x5e\xb7\x6d\x00"), "a staged time");
	encodes(HOSO_KIND_TIME, HOSO_PG_TIMESTAMPTZ, "1999-12-31 23:59:59.5+00",
		(struct expect) BYTES("\0\0\0\x08" "\xff\xff\xff\xff\xff\xf8\x5e\xe0"),
		"half a second before the epoch");
	encodes(HOSO_KIND_TIME, HOSO_PG_TIMESTAMPTZ, "2024-02-29 23:30:00.000001-05:30",
		(struct expect) BYTES("\0\0\0\x08" "\x00\x02\xb5\x91\x04\x45\xf4\x01"),
		"a leap day, microseconds, a negative offset with minutes");
	/* date: int4 days since 2000-01-01 */
	encodes(HOSO_KIND_DATE, HOSO_PG_DATE, "2000-01-01",
		(struct expect) BYTES("\0\0\0\x04" "\0\0\0\0"), "the epoch day is 0");
	encodes(HOSO_KIND_DATE, HOSO_PG_DATE, "1999-12-31",
		(struct expect) BYTES("\0\0\0\x04" "\xff\xff\xff\xff"), "the day before is -1");
	encodes(HOSO_KIND_DATE, HOSO_PG_DATE, "2023-10-20",
		(struct expect) BYTES("\0\0\0\x04" "\x00\x00\x21\xf5"), "a staged day");
	/* NULL: length -1, whatever the type */
	encodes(HOSO_KIND_TIME, HOSO_PG_TIMESTAMPTZ, "\\N", (struct expect) BYTES("\xff\xff\xff\xff"),
		"\\N is NULL (time)");
	encodes(HOSO_KIND_TEXT, HOSO_PG_TEXT, "\\N", (struct expect) BYTES("\xff\xff\xff\xff"),
		"\\N is NULL (text)");
	encodes(HOSO_KIND_TEXT, HOSO_PG_TEXT, "\\\\N", (struct expect) BYTES("\0\0\0\x02" "\\N"),
		"an escaped backslash before N is text");
	/* text: COPY's escapes undone, UTF-8 kept byte for byte */
	encodes(HOSO_KIND_TEXT, HOSO_PG_TEXT, "Ph\xc3\xb2ng\\nM\xe1\xbb\x99t",
		(struct expect) BYTES("\0\0\0\x0c" "\x50\x68\xc3\xb2\x6e\x67\x0a\x4d\xe1\xbb\x99\x74"),
		"multibyte UTF-8 with an escaped newline");
	encodes(HOSO_KIND_TEXT, HOSO_PG_TEXT, "a\\tb\\\\c\\rd\\101\\x42",
		(struct expect) BYTES("\0\0\0\x09" "a\tb\\c\rdAB"), "tab, backslash, CR, octal, hex");
	encodes(HOSO_KIND_CODE, HOSO_PG_TEXT, "", (struct expect) BYTES("\0\0\0\0"),
		"an empty string is not NULL");
	encodes(HOSO_KIND_CODE, HOSO_PG_CHAR, "R", (struct expect) BYTES("\0\0\0\x01" "R"), "\"char\"");
	/* integers as wide as their column */
	encodes(HOSO_KIND_INT, HOSO_PG_INT2, "-2", (struct expect) BYTES("\0\0\0\x02" "\xff\xfe"), "smallint");
	encodes(HOSO_KIND_INT, HOSO_PG_INT4, "10", (struct expect) BYTES("\0\0\0\x04" "\0\0\0\x0a"), "integer");
	encodes(HOSO_KIND_INT, HOSO_PG_INT8, "180000",
		(struct expect) BYTES("\0\0\0\x08" "\0\0\0\0\0\x02\xbf\x20"), "bigint");
	encodes(HOSO_KIND_INT, HOSO_PG_INT8, "-9223372036854775808",
		(struct expect) BYTES("\0\0\0\x08" "\x80\0\0\0\0\0\0\0"), "the smallest bigint");
	encodes(HOSO_KIND_INT, HOSO_PG_NUMERIC, "400000",
		(struct expect) BYTES("\0\0\0\x0a" "\x00\x01\x00\x01\x00\x00\x00\x00\x00\x28"),
		"numeric: one base-10000 digit of weight 1");
	encodes(HOSO_KIND_INT, HOSO_PG_NUMERIC, "0",
		(struct expect) BYTES("\0\0\0\x08" "\0\0\0\0\0\0\0\0"), "numeric zero");
	encodes(HOSO_KIND_INT, HOSO_PG_NUMERIC, "-123456789",
		(struct expect) BYTES("\0\0\0\x0e" "\x00\x03\x00\x02\x40\x00\x00\x00\x00\x01\x09\x29\x1a\x85"),
		"negative numeric");
	encodes(HOSO_KIND_INT, HOSO_PG_NUMERIC, "10000",
		(struct expect) BYTES("\0\0\0\x0a" "\x00\x01\x00\x01\x00\x00\x00\x00\x00\x01"),
		"numeric with a trailing zero digit");
	/* booleans as the server's input reads them */
	encodes(HOSO_KIND_BOOL, HOSO_PG_BOOL, "t", (struct expect) BYTES("\0\0\0\x01" "\x01"), "t");
	encodes(HOSO_KIND_BOOL, HOSO_PG_BOOL, "f", (struct expect) BYTES("\0\0\0\x01" "\x00"), "f");
	encodes(HOSO_KIND_BOOL, HOSO_PG_BOOL, "0", (struct expect) BYTES("\0\0\0\x01" "\x00"), "0");
	encodes(HOSO_KIND_BOOL, HOSO_PG_BOOL, "1", (struct expect) BYTES("\0\0\0\x01" "\x01"), "1");
	encodes(HOSO_KIND_BOOL, HOSO_PG_BOOL, "TRUE", (struct expect) BYTES("\0\0\0\x01" "\x01"), "TRUE");
	encodes(HOSO_KIND_BOOL, HOSO_PG_BOOL, "off", (struct expect) BYTES("\0\0\0\x01" "\x00"), "off");
	/* a unit path: a one-dimensional text[] */
	encodes(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "{KT,KT.STP}",
		(struct expect) BYTES("\0\0\0\x24" "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x19"
				      "\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x02\x4b\x54"
				      "\x00\x00\x00\x06\x4b\x54\x2e\x53\x54\x50"), "{KT,KT.STP}");
	encodes(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "{ a b ,c}",
		(struct expect) BYTES("\0\0\0\x20" "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x19"
				      "\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x03\x61\x20\x62"
				      "\x00\x00\x00\x01\x63"), "unquoted elements lose their outer white space");
	encodes(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "{}",
		(struct expect) BYTES("\0\0\0\x0c" "\0\0\0\0" "\0\0\0\0" "\0\0\0\x19"), "the empty array");
	encodes(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "{\"a b\",NULL,\" c\\\\\"d\"}",
		(struct expect) BYTES("\0\0\0\x27" "\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x00\x19"
				      "\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x03\x61\x20\x62"
				      "\xff\xff\xff\xff\x00\x00\x00\x04\x20\x63\x22\x64"),
		"quoted elements, a NULL, an escaped quote (COPY's escape first)");
	/* jsonb: its version byte, then the text */
	encodes(HOSO_KIND_JSON, HOSO_PG_JSONB, "{\"TruongLa\": 2}",
		(struct expect) BYTES("\0\0\0\x10" "\x01{\"TruongLa\": 2}"), "jsonb");

	/* what the server's input would refuse, refused here with why */
	refuses(HOSO_KIND_INT, HOSO_PG_INT2, "t", "not an integer", "a boolean in a smallint");
	refuses(HOSO_KIND_INT, HOSO_PG_INT2, "40000", "out of range for smallint", "smallint overflow");
	refuses(HOSO_KIND_INT, HOSO_PG_INT8, "9223372036854775808", "not an integer", "bigint overflow");
	refuses(HOSO_KIND_INT, HOSO_PG_INT4, "", "not an integer", "an empty integer");
	refuses(HOSO_KIND_BOOL, HOSO_PG_BOOL, "x", "not a boolean", "x for a boolean");
	refuses(HOSO_KIND_BOOL, HOSO_PG_BOOL, "o", "not a boolean", "o is neither on nor off");
	refuses(HOSO_KIND_DATE, HOSO_PG_DATE, "2023-02-29", "not a date", "no 29 February in 2023");
	refuses(HOSO_KIND_TIME, HOSO_PG_TIMESTAMPTZ, "2023-10-20 08:15:00", "offset",
		"a time without its offset");
	refuses(HOSO_KIND_TIME, HOSO_PG_TIMESTAMPTZ, "2023-10-20 24:15:00+07", "offset", "hour 24");
	refuses(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "{a,{b}}", "array", "a nested array");
	refuses(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "KT", "array", "no braces");
	refuses(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "{a,}", "array", "an empty element");
	refuses(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "{\"ab}", "array", "a quote never closed");
	refuses(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, "{\"ab\\\\", "array",
		"a quoted element ending in its escape");
	refuses(HOSO_KIND_TEXT, HOSO_PG_TEXT, "ab\\", "backslash", "a backslash ending the field");
	refuses(HOSO_KIND_CODE, HOSO_PG_CHAR, "RC", "one character", "two characters for \"char\"");

	/* a kind never goes into a type that would read it otherwise */
	CHECK(!hoso_pgbin_column_for(HOSO_KIND_TIME, HOSO_PG_TEXT, 0, &c), "a time is no text column's");
	CHECK(!hoso_pgbin_column_for(HOSO_KIND_INT, HOSO_PG_BOOL, 0, &c), "an integer is no boolean");
	CHECK(!hoso_pgbin_column_for(HOSO_KIND_PATH, HOSO_PG_TEXT_ARRAY, HOSO_PG_INT4, &c),
	      "a path is text[], not int[]");
	return unit_summary("test_pgbinary");
}
