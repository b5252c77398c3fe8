/*
 * hoso_buf.h: a growable byte buffer, always NUL-terminated.
 */
#ifndef HOSO_BUF_H
#define HOSO_BUF_H

#include <stddef.h>

struct hoso_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define HOSO_BUF_INIT { NULL, 0, 0 }

void hoso_buf_init(struct hoso_buf *b);
void hoso_buf_release(struct hoso_buf *b);	/* frees the storage */
void hoso_buf_reset(struct hoso_buf *b);	/* len = 0, keeps the storage */
void hoso_buf_grow(struct hoso_buf *b, size_t extra);
void hoso_buf_add(struct hoso_buf *b, const void *data, size_t len);
void hoso_buf_addstr(struct hoso_buf *b, const char *s);
void hoso_buf_addch(struct hoso_buf *b, char c);
void hoso_buf_addf(struct hoso_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s (len bytes) escaped for PostgreSQL COPY text format. */
void hoso_buf_add_copy_field(struct hoso_buf *b, const char *s, size_t len);
/* Append s escaped as a JSON string, with the quotes. */
void hoso_buf_add_json_string(struct hoso_buf *b, const char *s, size_t len);

#endif
