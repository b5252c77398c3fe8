/*
 * hoso_pgbinary.c: staging rows in PostgreSQL's binary COPY format (the
 * manual's COPY, "Binary Format"; each type's wire form is its _send
 * function's: network byte order, dates and timestamps counted from
 * 2000-01-01, timestamps in microseconds).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hoso_pgbinary.h"
#include "hoso_time.h"

/* PostgreSQL's epoch, 2000-01-01, in days since 1970-01-01 */
#define PG_EPOCH_DAY 10957

static const char signature[11] = "PGCOPY\n\377\r\n";	/* and its NUL: 11 bytes */

static unsigned char *
room(struct hoso_buf *out, size_t n)
{
	if (out->len + n >= out->cap)	/* called for every field: grow only when short */
		hoso_buf_grow(out, n);
	out->len += n;
	out->data[out->len] = '\0';
	return (unsigned char *) out->data + out->len - n;
}

static void
put_be(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--) {
		p[i] = (unsigned char) (v & 0xff);
		v >>= 8;
	}
}

static void
add_be(struct hoso_buf *out, uint64_t v, int bytes)
{
	put_be(room(out, (size_t) bytes), v, bytes);
}

/* A field's length word and value of a fixed width. */
static void
add_fixed(struct hoso_buf *out, uint64_t v, int bytes)
{
	unsigned char *p = room(out, 4 + (size_t) bytes);

	put_be(p, (uint64_t) bytes, 4);
	put_be(p + 4, v, bytes);
}

void
hoso_pgbin_header(struct hoso_buf *out)
{
	hoso_buf_add(out, signature, sizeof(signature));
	add_be(out, 0, 4);	/* flags: no OIDs */
	add_be(out, 0, 4);	/* no header extension */
}

void
hoso_pgbin_trailer(struct hoso_buf *out)
{
	add_be(out, 0xffff, 2);
}

void
hoso_pgbin_row(struct hoso_buf *out, int nfields)
{
	add_be(out, (uint64_t) nfields, 2);
}

void
hoso_pgbin_null(struct hoso_buf *out)
{
	add_be(out, 0xffffffffu, 4);
}

void
hoso_pgbin_int8(struct hoso_buf *out, int64_t v)
{
	add_fixed(out, (uint64_t) v, 8);
}

void
hoso_pgbin_text(struct hoso_buf *out, const char *s, size_t len)
{
	add_be(out, len, 4);
	hoso_buf_add(out, s, len);
}

bool
hoso_pgbin_column_for(enum hoso_kind kind, unsigned type_oid, unsigned elem_oid,
		      struct hoso_pgbin_column *c)
{
	bool ok = false;

	switch (kind) {
	case HOSO_KIND_INT:
		ok = type_oid == HOSO_PG_INT2 || type_oid == HOSO_PG_INT4 ||
			type_oid == HOSO_PG_INT8 || type_oid == HOSO_PG_NUMERIC;
		break;
	case HOSO_KIND_CODE:
	case HOSO_KIND_TEXT:
		ok = type_oid == HOSO_PG_TEXT || type_oid == HOSO_PG_VARCHAR ||
			type_oid == HOSO_PG_CHAR;
		break;
	case HOSO_KIND_TIME: ok = type_oid == HOSO_PG_TIMESTAMPTZ; break;
	case HOSO_KIND_BOOL: ok = type_oid == HOSO_PG_BOOL; break;
	case HOSO_KIND_JSON: ok = type_oid == HOSO_PG_JSON || type_oid == HOSO_PG_JSONB; break;
	case HOSO_KIND_DATE: ok = type_oid == HOSO_PG_DATE; break;
	case HOSO_KIND_PATH:
		ok = type_oid == HOSO_PG_TEXT_ARRAY && elem_oid == HOSO_PG_TEXT;
		break;
	}
	c->kind = kind;
	c->type_oid = type_oid;
	c->elem_oid = elem_oid;
	return ok;
}

/*
 * Appends the COPY text field s (len bytes) unescaped: \b \f \n \r \t \v,
 * \ and one to three octal digits, \x and one or two hex digits, and \
 * before any other byte that byte.  False for a backslash ending it.
 */
static bool
add_unescaped(struct hoso_buf *out, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *bs = memchr(s, '\\', (size_t) (end - s));
		int c;

		if (!bs) {
			hoso_buf_add(out, s, (size_t) (end - s));
			break;
		}
		hoso_buf_add(out, s, (size_t) (bs - s));
		s = bs + 1;
		if (s == end)
			return false;
		c = (unsigned char) *s++;
		switch (c) {
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'v': c = '\v'; break;
		case 'x':
			if (s < end && ((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f'))) {
				c = 0;
				for (int i = 0; i < 2 && s < end; i++, s++) {
					int d = *s >= '0' && *s <= '9' ? *s - '0'
						: ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f') ? (*s | 0x20) - 'a' + 10 : -1;

					if (d < 0)
						break;
					c = c * 16 + d;
				}
			}
			break;
		default:
			if (c >= '0' && c <= '7') {
				c -= '0';
				for (int i = 0; i < 2 && s < end && *s >= '0' && *s <= '7'; i++, s++)
					c = c * 8 + (*s - '0');
				c &= 0xff;
			}
			break;
		}
		hoso_buf_addch(out, (char) c);
	}
	return true;
}

static bool
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* A whole decimal integer: an optional sign, then digits, nothing else. */
static bool
parse_int64(const char *s, size_t len, int64_t *v)
{
	const char *end = s + len;
	bool negative = false;
	uint64_t u = 0;

	if (s < end && (*s == '-' || *s == '+'))
		negative = *s++ == '-';
	if (s == end)
		return false;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9' || u > (UINT64_C(1) << 63) / 10)
			return false;
		u = u * 10 + (uint64_t) (*s - '0');
	}
	if (u > (negative ? UINT64_C(1) << 63 : (UINT64_C(1) << 63) - 1))
		return false;
	*v = negative ? (int64_t) (0 - u) : (int64_t) u;
	return true;
}

/* numeric_send's form: ndigits, weight, sign, dscale, base-10000 digits */
static void
add_numeric(struct hoso_buf *out, int64_t v)
{
	uint64_t u = v < 0 ? 0 - (uint64_t) v : (uint64_t) v;
	uint16_t d[5];
	int n = 0, weight;
	unsigned char *p;

	while (u) {		/* least significant first */
		d[n++] = (uint16_t) (u % 10000);
		u /= 10000;
	}
	weight = n - 1;
	while (n > 0 && d[0] == 0) {	/* trailing zero digits are implied */
		memmove(d, d + 1, (size_t) --n * sizeof(d[0]));
	}
	p = room(out, 4 + 8 + 2 * (size_t) n);
	put_be(p, 8 + 2 * (uint64_t) n, 4);
	put_be(p + 4, (uint64_t) n, 2);
	put_be(p + 6, (uint64_t) (uint16_t) (n ? weight : 0), 2);
	put_be(p + 8, v < 0 ? 0x4000 : 0, 2);
	put_be(p + 10, 0, 2);
	for (int i = 0; i < n; i++)
		put_be(p + 12 + 2 * i, d[n - 1 - i], 2);
}

/* boolin's words, case-insensitively: t true y yes on 1, f false n no off 0 (prefixes too) */
static bool
parse_bool(const char *s, size_t len, bool *b)
{
	static const struct { const char *word; size_t min; bool value; } words[] = {
		{ "true", 1, true }, { "false", 1, false }, { "yes", 1, true }, { "no", 1, false },
		{ "on", 2, true }, { "off", 2, false }, { "1", 1, true }, { "0", 1, false },
	};

	if (len == 1 && (*s == 't' || *s == 'f' || *s == '1' || *s == '0')) {
		/* what the staging writers write */
		*b = *s == 't' || *s == '1';
		return true;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].word);
		size_t k;

		if (len < words[i].min || len > n)
			continue;
		for (k = 0; k < len && (s[k] | 0x20) == words[i].word[k]; k++)
			;
		if (k == len) {
			*b = words[i].value;
			return true;
		}
	}
	return false;
}

static bool
parse_date(const char *s, size_t len, int32_t *days)
{
	hoso_date d;

	if (!hoso_date_parse_iso(s, len, &d))
		return false;
	*days = d - PG_EPOCH_DAY;
	return true;
}

/*
 * "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]]" (a 'T' for the space too):
 * microseconds since 2000-01-01 00:00 UTC.  The offset is required: the
 * session's time zone must not decide what a staged instant means.
 */
static bool
parse_timestamptz(const char *s, size_t len, int64_t *usec)
{
	const char *p = s + 19, *end = s + len;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, os = 0, sign;
	int64_t frac = 0, seconds;

	if (len < 22 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != ' ' && s[10] != 'T') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec) || !hoso_ymd_valid(y, mo, d) || h > 23 || mi > 59 || sec > 59)
		return false;
	if (*p == '.') {
		int n = 0;

		for (p++; p < end && *p >= '0' && *p <= '9'; p++, n++)
			if (n < 6)
				frac = frac * 10 + (*p - '0');
		if (n == 0)
			return false;
		for (; n < 6; n++)
			frac *= 10;
	}
	if (end - p < 3 || (*p != '+' && *p != '-') || !digits(p + 1, 2, &oh))
		return false;
	sign = *p == '-' ? -1 : 1;
	p += 3;
	if (p < end) {
		p += *p == ':';
		if (end - p < 2 || !digits(p, 2, &om))
			return false;
		p += 2;
	}
	if (p < end) {
		p += *p == ':';
		if (end - p != 2 || !digits(p, 2, &os))
			return false;
		p += 2;
	}
	if (p != end || oh > 15 || om > 59 || os > 59)
		return false;
	seconds = (int64_t) (hoso_date_from_ymd(y, mo, d) - PG_EPOCH_DAY) * 86400 +
		h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60 + os);
	*usec = seconds * 1000000 + frac;
	return true;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * An array literal "{a,\"b c\",NULL}" (after COPY's unescaping) as a
 * one-dimensional text[] of array_send's form: ndim, has-nulls, element
 * type, then the length and lower bound, then each element.
 */
static bool
add_text_array(struct hoso_buf *out, unsigned elem_oid, const char *s, size_t len,
	       const char **why)
{
	const char *p = s, *end = s + len;
	size_t start = out->len, header;
	long long n = 0;
	bool nulls = false;

	*why = "not an array literal {a,b}";
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p++ != '{')
		return false;
	room(out, 4);		/* the field's length, set at the end */
	add_be(out, 1, 4);
	header = out->len;
	add_be(out, 0, 4);	/* has nulls, set at the end */
	add_be(out, elem_oid, 4);
	add_be(out, 0, 4);	/* the length, set at the end */
	add_be(out, 1, 4);
	while (p < end && is_space(*p))
		p++;
	if (p < end && *p == '}') {
		p++;
	} else {
		for (;;) {
			size_t at = out->len, kept;
			bool quoted = false, unquoted_text = false;

			while (p < end && is_space(*p))
				p++;
			room(out, 4);
			kept = out->len;
			if (p < end && *p == '"') {
				quoted = true;
				for (p++; p < end && *p != '"'; p++) {
					const char *run = p;

					/* runs without quote or backslash are copied whole */
					while (p < end && *p != '"' && *p != '\\')
						p++;
					hoso_buf_add(out, run, (size_t) (p - run));
					if (p == end || *p == '"')
						break;
					if (++p == end)
						break;
					hoso_buf_addch(out, *p);
				}
				if (p == end)
					goto bad;
				p++;
				while (p < end && is_space(*p))
					p++;
			} else {
				while (p < end && *p != ',' && *p != '}') {
					const char *run = p, *last;

					if (*p == '{' || *p == '"')
						goto bad;
					if (*p == '\\') {
						if (++p == end)
							goto bad;
						hoso_buf_addch(out, *p++);
						kept = out->len;
						unquoted_text = true;
						continue;
					}
					while (p < end && *p != ',' && *p != '}' && *p != '{' && *p != '"' &&
					       *p != '\\')
						p++;
					hoso_buf_add(out, run, (size_t) (p - run));
					for (last = p; last > run && is_space(last[-1]); last--)
						;
					if (last > run)
						kept = out->len - (size_t) (p - last);
				}
				out->len = kept;	/* trailing white space is not the element's */
				out->data[out->len] = '\0';
				if (kept == at + 4)
					goto bad;	/* an empty element */
			}
			if (!quoted && !unquoted_text && kept - at - 4 == 4 &&
			    strncasecmp(out->data + at + 4, "NULL", 4) == 0) {
				out->len = at + 4;
				put_be((unsigned char *) out->data + at, 0xffffffffu, 4);
				nulls = true;
			} else {
				put_be((unsigned char *) out->data + at, out->len - at - 4, 4);
			}
			n++;
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			if (p < end && *p == '}') {
				p++;
				break;
			}
			goto bad;
		}
	}
	while (p < end && is_space(*p))
		p++;
	if (p != end)
		goto bad;
	if (n == 0) {		/* an empty array has no dimension */
		out->len = header + 8;
		put_be((unsigned char *) out->data + header - 4, 0, 4);
	} else {
		put_be((unsigned char *) out->data + header + 8, (uint64_t) n, 4);
	}
	put_be((unsigned char *) out->data + header, nulls, 4);
	put_be((unsigned char *) out->data + start, out->len - start - 4, 4);
	out->data[out->len] = '\0';
	return true;
bad:
	*why = "not a one-dimensional array literal {a,b}";
	return false;
}

bool
hoso_pgbin_field(struct hoso_buf *out, const struct hoso_pgbin_column *c,
		 const char *s, size_t len, char *err, size_t errlen)
{
	size_t start = out->len;
	const char *why = NULL;
	int64_t i;
	int32_t days;
	bool b;

	if (len == 2 && s[0] == '\\' && s[1] == 'N') {
		hoso_pgbin_null(out);
		return true;
	}
	switch (c->kind) {
	case HOSO_KIND_INT:
		if (!parse_int64(s, len, &i)) {
			why = "not an integer";
		} else if (c->type_oid == HOSO_PG_INT2) {
			if (i < INT16_MIN || i > INT16_MAX)
				why = "out of range for smallint";
			else
				add_fixed(out, (uint64_t) i, 2);
		} else if (c->type_oid == HOSO_PG_INT4) {
			if (i < INT32_MIN || i > INT32_MAX)
				why = "out of range for integer";
			else
				add_fixed(out, (uint64_t) i, 4);
		} else if (c->type_oid == HOSO_PG_INT8) {
			add_fixed(out, (uint64_t) i, 8);
		} else {
			add_numeric(out, i);
		}
		break;
	case HOSO_KIND_BOOL:
		if (parse_bool(s, len, &b))
			add_fixed(out, b, 1);
		else
			why = "not a boolean (t or f)";
		break;
	case HOSO_KIND_DATE:
		if (parse_date(s, len, &days))
			add_fixed(out, (uint32_t) days, 4);
		else
			why = "not a date (YYYY-MM-DD)";
		break;
	case HOSO_KIND_TIME:
		if (parse_timestamptz(s, len, &i))
			add_fixed(out, (uint64_t) i, 8);
		else
			why = "not a time with its offset (YYYY-MM-DD HH:MM:SS+07)";
		break;
	case HOSO_KIND_PATH: {
		struct hoso_buf text = HOSO_BUF_INIT;
		const char *why_not;

		/* COPY's escapes first, then the array literal's own quoting */
		if (memchr(s, '\\', len) && !add_unescaped(&text, s, len))
			why = "a backslash ends the field";
		else if (!add_text_array(out, c->elem_oid, text.len ? text.data : s,
					 text.len ? text.len : len, &why_not))
			why = why_not;
		hoso_buf_release(&text);
		break;
	}
	case HOSO_KIND_CODE:
	case HOSO_KIND_TEXT:
	case HOSO_KIND_JSON:
		if (c->type_oid != HOSO_PG_JSONB && c->type_oid != HOSO_PG_CHAR &&
		    !memchr(s, '\\', len)) {
			/* most text has no escape: its bytes are the value */
			unsigned char *p = room(out, 4 + len);

			put_be(p, len, 4);
			memcpy(p + 4, s, len);
			break;
		}
		room(out, 4);
		if (c->type_oid == HOSO_PG_JSONB)
			hoso_buf_addch(out, 1);		/* jsonb's version */
		if (!add_unescaped(out, s, len))
			why = "a backslash ends the field";
		else if (c->type_oid == HOSO_PG_CHAR && out->len - start - 4 != 1)
			why = "not one character";
		else
			put_be((unsigned char *) out->data + start, out->len - start - 4, 4);
		break;
	}
	if (why) {
		out->len = start;
		out->data[out->len] = '\0';
		snprintf(err, errlen, "%s", why);
		return false;
	}
	return true;
}
