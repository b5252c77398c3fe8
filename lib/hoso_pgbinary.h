/*
 * hoso_pgbinary.h: staging rows (COPY text, typed by hoso_layout.h) encoded
 * in PostgreSQL's binary COPY format, so that the server stores each value
 * without parsing its text (timestamps above all).
 *
 * A column's staging kind says how its text reads; the server's type of the
 * column it goes into says how wide it is sent (an INT is an int2, int4,
 * int8 or numeric column).  Values are checked as the server's text input
 * would check them, and a refused one comes back with why.
 */
#ifndef HOSO_PGBINARY_H
#define HOSO_PGBINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso_buf.h"
#include "hoso_layout.h"

/* The built-in type oids (pg_type.dat) a staging kind may be sent as. */
#define HOSO_PG_BOOL 16
#define HOSO_PG_CHAR 18
#define HOSO_PG_INT8 20
#define HOSO_PG_INT2 21
#define HOSO_PG_INT4 23
#define HOSO_PG_TEXT 25
#define HOSO_PG_JSON 114
#define HOSO_PG_TEXT_ARRAY 1009
#define HOSO_PG_VARCHAR 1043
#define HOSO_PG_DATE 1082
#define HOSO_PG_TIMESTAMPTZ 1184
#define HOSO_PG_NUMERIC 1700
#define HOSO_PG_JSONB 3802

/* One column as sent: the kind its text is read as, the type it is sent as. */
struct hoso_pgbin_column {
	enum hoso_kind kind;
	unsigned type_oid;	/* one of HOSO_PG_* */
	unsigned elem_oid;	/* an array's element type */
};

/*
 * Whether a column of staging kind kind can go into a column of type
 * type_oid (elem_oid: its element type, 0 if not an array); fills c.
 */
bool hoso_pgbin_column_for(enum hoso_kind kind, unsigned type_oid, unsigned elem_oid,
			   struct hoso_pgbin_column *c);

/* The file's header and trailer, around its rows. */
void hoso_pgbin_header(struct hoso_buf *out);
void hoso_pgbin_trailer(struct hoso_buf *out);
/* A row of nfields fields begins. */
void hoso_pgbin_row(struct hoso_buf *out, int nfields);

/* A NULL; a bigint; a text value of len bytes as it is (no COPY escapes). */
void hoso_pgbin_null(struct hoso_buf *out);
void hoso_pgbin_int8(struct hoso_buf *out, int64_t v);
void hoso_pgbin_text(struct hoso_buf *out, const char *s, size_t len);

/*
 * One COPY text field (escapes as COPY writes them; \N is NULL), len bytes,
 * appended as column c's value.  False, with out as it was and why in err,
 * for a value the column's type would refuse.
 */
bool hoso_pgbin_field(struct hoso_buf *out, const struct hoso_pgbin_column *c,
		      const char *s, size_t len, char *err, size_t errlen);

#endif
