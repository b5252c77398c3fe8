/*
 * hoso_buf.h: a growable byte buffer, always NUL-terminated, whose data is
 * never NULL: an empty buffer points at a shared static "" (as git's
 * STRBUF_INIT does), so b.data is always a string to read.
 *
 * A buffer whose growth input decides can be given a cap (as curl's
 * Curl_dyn_init(s, toobig)): what would pass it is cut there, and too_big
 * stays set until the next reset, so one runaway line cannot take the
 * memory.
 */
#ifndef HOSO_BUF_H
#define HOSO_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct hoso_buf {
	char *data;		/* never NULL; owned when cap > 0 */
	size_t len;
	size_t cap;		/* allocated bytes, 0 while data is the shared "" */
	size_t max;		/* longest content allowed; 0 = no cap */
	bool too_big;		/* something was cut at max since the last reset */
};

/* The shared empty string of every empty buffer: never written. */
extern char hoso_buf_empty[1];

#define HOSO_BUF_INIT { hoso_buf_empty, 0, 0, 0, false }

void hoso_buf_init(struct hoso_buf *b);
/* An empty buffer whose content never grows past max bytes. */
void hoso_buf_init_max(struct hoso_buf *b, size_t max);
void hoso_buf_release(struct hoso_buf *b);	/* frees the storage */
void hoso_buf_reset(struct hoso_buf *b);	/* len = 0, too_big false, keeps the storage */
/* Room for extra more bytes; false (nothing grown) when that passes the cap. */
bool hoso_buf_grow(struct hoso_buf *b, size_t extra);
void hoso_buf_add(struct hoso_buf *b, const void *data, size_t len);
void hoso_buf_addstr(struct hoso_buf *b, const char *s);
void hoso_buf_addch(struct hoso_buf *b, char c);
void hoso_buf_addf(struct hoso_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s (len bytes) escaped for PostgreSQL COPY text format. */
void hoso_buf_add_copy_field(struct hoso_buf *b, const char *s, size_t len);
/*
 * s[0..len) escaped as COPY text format escapes a field (backslash, TAB, LF,
 * CR) at o, which has room for 2 * len bytes; returns the end.
 */
char *hoso_copy_escape(char *o, const char *s, size_t len);
/* Append s escaped as a JSON string, with the quotes. */
void hoso_buf_add_json_string(struct hoso_buf *b, const char *s, size_t len);
/*
 * Append the whole file at path.  False, with errno set, when it cannot be
 * opened or read; the caller says so in its own words.
 */
bool hoso_buf_read_file(struct hoso_buf *b, const char *path);

#endif
