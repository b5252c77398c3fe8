/*
 * hoso_buf.c: growable byte buffer and the two escapings hoso writes
 * (PostgreSQL COPY text fields and JSON strings).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_log.h"

void
hoso_buf_init(struct hoso_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
hoso_buf_release(struct hoso_buf *b)
{
	free(b->data);
	hoso_buf_init(b);
}

void
hoso_buf_reset(struct hoso_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
hoso_buf_grow(struct hoso_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = hoso_xrealloc(b->data, cap);
	b->cap = cap;
}

void
hoso_buf_add(struct hoso_buf *b, const void *data, size_t len)
{
	hoso_buf_grow(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
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
	hoso_buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
hoso_buf_addf(struct hoso_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	hoso_buf_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n >= b->cap - b->len) {
		hoso_buf_grow(b, (size_t) n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t) n;
}

/* Bytes that COPY text format escapes: backslash, TAB, LF, CR. */
static const char copy_escape[256] = {
	['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r',
};

/*
 * Hot: every staging field goes through here.  One reservation for the
 * worst case (every byte doubled), then a plain loop.
 */
void
hoso_buf_add_copy_field(struct hoso_buf *b, const char *s, size_t len)
{
	char *o;

	hoso_buf_grow(b, 2 * len);
	o = b->data + b->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];

		if (copy_escape[c]) {
			*o++ = '\\';
			*o++ = copy_escape[c];
		} else {
			*o++ = (char) c;
		}
	}
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
