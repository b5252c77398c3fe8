/*
 * hoso_buf.c: growable byte buffer and the two escapings hoso writes
 * (PostgreSQL COPY text fields and JSON strings).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_bytes.h"
#include "hoso_log.h"

char hoso_buf_empty[1];

void
hoso_buf_init(struct hoso_buf *b)
{
	b->data = hoso_buf_empty;
	b->len = 0;
	b->cap = 0;
	b->max = 0;
	b->too_big = false;
}

void
hoso_buf_init_max(struct hoso_buf *b, size_t max)
{
	hoso_buf_init(b);
	b->max = max;
}

void
hoso_buf_release(struct hoso_buf *b)
{
	size_t max = b->max;

	if (b->cap)
		free(b->data);
	hoso_buf_init(b);
	b->max = max;
}

void
hoso_buf_reset(struct hoso_buf *b)
{
	b->len = 0;
	b->too_big = false;
	if (b->cap)
		b->data[0] = '\0';
	else
		b->data = hoso_buf_empty;	/* also mends a zeroed struct */
}

bool
hoso_buf_grow(struct hoso_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (b->max && b->len + extra > b->max) {
		b->too_big = true;
		return false;
	}
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = hoso_xrealloc(b->cap ? b->data : NULL, cap);
	if (!b->cap)
		b->data[0] = '\0';
	b->cap = cap;
	return true;
}

/* How much of len more bytes fits under the cap (all without one); grown for it. */
static size_t
fit(struct hoso_buf *b, size_t len)
{
	if (!b->data)
		b->data = hoso_buf_empty;	/* a zeroed struct */
	if (b->max && b->len + len > b->max) {
		b->too_big = true;
		len = b->max - b->len;
	}
	hoso_buf_grow(b, len);
	return len;
}

void
hoso_buf_add(struct hoso_buf *b, const void *data, size_t len)
{
	len = fit(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	if (b->cap)
		b->data[b->len] = '\0';
}

void
hoso_buf_addstr(struct hoso_buf *b, const char *s)
{
	hoso_buf_add(b, s, strlen(s));
}

void
hoso_buf_addch(struct hoso_buf *b, char c)
{
	hoso_buf_add(b, &c, 1);
}

void
hoso_buf_addf(struct hoso_buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256], *tmp = small;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n >= sizeof(small)) {
		tmp = hoso_xmalloc((size_t) n + 1);
		va_start(ap, fmt);
		vsnprintf(tmp, (size_t) n + 1, fmt, ap);
		va_end(ap);
	}
	hoso_buf_add(b, tmp, (size_t) n);
	if (tmp != small)
		free(tmp);
}

/* Bytes that COPY text format escapes: backslash, TAB, LF, CR. */
static const char copy_escape[256] = {
	['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r',
};

char *
hoso_copy_escape(char *o, const char *s, size_t len)
{
	const char *end;

	if (len == 0)
		return o;	/* s may be NULL */
	end = s + len;
	for (;;) {
		/* copy the run before the next byte to escape, many bytes at a time */
#if HOSO_BYTES16
		while (end - s >= 16) {
			hoso_bytes16 v = hoso_bytes16_load(s);
			unsigned stops = hoso_bytes16_mask(_mm_or_si128(
				_mm_or_si128(hoso_bytes16_equal(v, '\\'), hoso_bytes16_equal(v, '\t')),
				_mm_or_si128(hoso_bytes16_equal(v, '\n'), hoso_bytes16_equal(v, '\r'))));

			if (stops) {
				unsigned k = (unsigned) __builtin_ctz(stops);

				memcpy(o, s, k);
				o += k;
				s += k;
				goto escape;
			}
			_mm_storeu_si128((__m128i *) o, v);
			o += 16;
			s += 16;
		}
#endif
		while (HOSO_BYTES_WORDS && end - s >= 8) {
			uint64_t w = hoso_bytes_load(s);
			uint64_t stops = hoso_bytes_equal(w, '\\') | hoso_bytes_equal(w, '\t') |
				hoso_bytes_equal(w, '\n') | hoso_bytes_equal(w, '\r');
			unsigned k;

			if (!stops) {
				memcpy(o, &w, 8);
				o += 8;
				s += 8;
				continue;
			}
			k = hoso_bytes_first(stops);
			memcpy(o, s, k);
			o += k;
			s += k;
			break;
		}
		if (s >= end)
			return o;
#if HOSO_BYTES16
escape:
#endif
		if (copy_escape[(unsigned char) *s]) {
			*o++ = '\\';
			*o++ = copy_escape[(unsigned char) *s];
		} else {
			*o++ = *s;
		}
		s++;
	}
}

/*
 * Hot: every staging field goes through here.  One reservation for the
 * worst case (every byte doubled), then a plain loop.
 */
void
hoso_buf_add_copy_field(struct hoso_buf *b, const char *s, size_t len)
{
	char *o;

	if (len == 0) {
		hoso_buf_add(b, "", 0);
		return;
	}
	if (b->max && b->len + 2 * len > b->max) {
		/* near the cap: byte by byte, cut where it is reached */
		for (size_t i = 0; i < len && !b->too_big; i++) {
			char esc[2];

			hoso_buf_add(b, esc, (size_t) (hoso_copy_escape(esc, s + i, 1) - esc));
		}
		return;
	}
	hoso_buf_grow(b, 2 * len);
	o = hoso_copy_escape(b->data + b->len, s, len);
	b->len = (size_t) (o - b->data);
	b->data[b->len] = '\0';
}

void
hoso_buf_add_json_string(struct hoso_buf *b, const char *s, size_t len)
{
	hoso_buf_addch(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		if (c == '"' || c == '\\') {
			hoso_buf_addch(b, '\\');
			hoso_buf_addch(b, (char) c);
		} else if (c == '\n') {
			hoso_buf_add(b, "\\n", 2);
		} else if (c == '\r') {
			hoso_buf_add(b, "\\r", 2);
		} else if (c == '\t') {
			hoso_buf_add(b, "\\t", 2);
		} else if (c < 0x20) {
			hoso_buf_addf(b, "\\u%04x", c);
		} else {
			hoso_buf_addch(b, (char) c);
		}
	}
	hoso_buf_addch(b, '"');
}

bool
hoso_buf_read_file(struct hoso_buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int err;

	if (!f)
		return false;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		hoso_buf_add(b, chunk, n);
	err = ferror(f) ? errno : 0;
	fclose(f);
	errno = err;
	return err == 0;
}
