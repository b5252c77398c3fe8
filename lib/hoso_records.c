/*
 * hoso_records.c: writing and reading the record stream (docs/design.md §1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "hoso_log.h"
#include "hoso_records.h"
#include "hoso_time.h"

/*
 * Output is handed to stdio in blocks of this size: large enough that the
 * pipe to transform sees few write(2) calls, small enough to stay in cache.
 */
#define WRITER_FLUSH_AT (256 * 1024)

void
hoso_records_writer_init(struct hoso_records_writer *w, FILE *out)
{
	w->out = out;
	w->cap = 2 * WRITER_FLUSH_AT;
	w->buf = hoso_xmalloc(w->cap);
	w->len = 0;
	w->nfields = 0;
	w->failed = false;
}

void
hoso_records_writer_release(struct hoso_records_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

static void
write_out(struct hoso_records_writer *w)
{
	if (w->len && !w->failed && fwrite(w->buf, 1, w->len, w->out) != w->len)
		w->failed = true;
	w->len = 0;
}

bool
hoso_records_writer_flush(struct hoso_records_writer *w)
{
	write_out(w);
	if (fflush(w->out) != 0 || ferror(w->out))
		w->failed = true;
	return !w->failed;
}

static inline void
reserve(struct hoso_records_writer *w, size_t extra)
{
	if (w->len + extra > w->cap) {
		while (w->len + extra > w->cap)
			w->cap *= 2;
		w->buf = hoso_xrealloc(w->buf, w->cap);
	}
}

static inline void
separator(struct hoso_records_writer *w)
{
	reserve(w, 1);
	w->buf[w->len++] = '\t';
}

void
hoso_records_begin(struct hoso_records_writer *w, char type)
{
	reserve(w, 1);
	w->buf[w->len++] = type;
	w->nfields = 1;
}

void
hoso_records_field(struct hoso_records_writer *w, const char *s, size_t len)
{
	char *o;

	/* worst case every byte doubles */
	reserve(w, 1 + 2 * len);
	o = w->buf + w->len;
	*o++ = '\t';
	o = hoso_copy_escape(o, s, len);
	w->len = (size_t) (o - w->buf);
	w->nfields++;
}

void
hoso_records_field_str(struct hoso_records_writer *w, const char *s)
{
	if (s)
		hoso_records_field(w, s, strlen(s));
	else
		hoso_records_null(w);
}

void
hoso_records_null(struct hoso_records_writer *w)
{
	reserve(w, 3);
	memcpy(w->buf + w->len, "\t\\N", 3);
	w->len += 3;
	w->nfields++;
}

void
hoso_records_int(struct hoso_records_writer *w, long long v)
{
	char tmp[24];
	int n = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;

	do {
		tmp[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	separator(w);
	reserve(w, (size_t) n);
	while (n)
		w->buf[w->len++] = tmp[--n];
	w->nfields++;
}

void
hoso_records_bool(struct hoso_records_writer *w, bool v)
{
	reserve(w, 2);
	w->buf[w->len++] = '\t';
	w->buf[w->len++] = v ? '1' : '0';
	w->nfields++;
}

void
hoso_records_end(struct hoso_records_writer *w)
{
	reserve(w, 1);
	w->buf[w->len++] = '\n';
	if (w->len >= WRITER_FLUSH_AT)
		write_out(w);
}

void
hoso_records_write(struct hoso_records_writer *w, char type, const struct hoso_value *values,
		   int nvalues)
{
	hoso_records_begin(w, type);
	for (int i = 1; i < nvalues; i++) {
		const struct hoso_value *v = &values[i];
		char compact[16];

		switch (v->type) {
		case HOSO_VALUE_NULL:
			hoso_records_null(w);
			break;
		case HOSO_VALUE_TEXT:
			hoso_records_field(w, v->s, v->len);
			break;
		case HOSO_VALUE_INT:
			hoso_records_int(w, v->i);
			break;
		case HOSO_VALUE_BOOL:
			hoso_records_bool(w, v->i != 0);
			break;
		case HOSO_VALUE_TIME:
			hoso_time_format_compact(v->i, compact);
			hoso_records_field(w, compact, 14);
			break;
		}
	}
	hoso_records_end(w);
}

void
hoso_records_header(struct hoso_records_writer *w)
{
	hoso_records_begin(w, 'H');
	hoso_records_field_str(w, HOSO_RECORDS_MAGIC);
	hoso_records_field_str(w, HOSO_RECORDS_VERSION);
	hoso_records_end(w);
}

void
hoso_records_reader_init(struct hoso_records_reader *r, FILE *in)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
}

void
hoso_records_reader_release(struct hoso_records_reader *r)
{
	free(r->line);
	free(r->fields);
	memset(r, 0, sizeof(*r));
}

long
hoso_records_unescape(char *s, size_t len)
{
	char *o = s;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c != '\\') {
			*o++ = c;
			continue;
		}
		if (++i == len)
			return -1;
		switch (s[i]) {
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'v': *o++ = '\v'; break;
		default: *o++ = s[i]; break;	/* COPY: any other char stands for itself */
		}
	}
	return (long) (o - s);
}

int
hoso_records_next(struct hoso_records_reader *r)
{
	ssize_t n;
	char *p, *end;
	int nf = 0;

	errno = 0;
	n = getline(&r->line, &r->linecap, r->in);
	if (n < 0) {
		if (ferror(r->in)) {
			hoso_error("record stream:%ld: read error: %s", r->lineno + 1, strerror(errno));
			return -1;
		}
		return 0;
	}
	r->lineno++;
	if (n == 0 || r->line[n - 1] != '\n') {
		hoso_error("record stream:%ld: truncated record (no end of line)", r->lineno);
		return -1;
	}
	r->line[--n] = '\0';
	p = r->line;
	end = r->line + n;
	for (;;) {
		char *tab = memchr(p, '\t', (size_t) (end - p));
		size_t flen = tab ? (size_t) (tab - p) : (size_t) (end - p);
		long ulen;

		if (nf == r->fieldcap) {
			r->fieldcap = r->fieldcap ? 2 * r->fieldcap : 32;
			r->fields = hoso_xrealloc(r->fields, (size_t) r->fieldcap * sizeof(*r->fields));
		}
		if (flen == 2 && p[0] == '\\' && p[1] == 'N') {
			r->fields[nf++] = NULL;
		} else {
			ulen = hoso_records_unescape(p, flen);
			if (ulen < 0) {
				hoso_error("record stream:%ld: field %d ends in a lone backslash",
					   r->lineno, nf + 1);
				return -1;
			}
			p[ulen] = '\0';
			r->fields[nf++] = p;
		}
		if (!tab)
			break;
		p = tab + 1;
	}
	r->nfields = nf;
	return 1;
}
