/*
 * hoso_csv.h: a streaming RFC 4180 reader, for the reference data
 * (docs/design.md §4) and CSV case exports (docs/input.md §3).
 *
 * Bytes come through a read callback, so the reader can sit on a file, a
 * gzip stream or memory.  Accepted: ',' or ';' as delimiter, fields in
 * double quotes with "" for a quote, delimiters and line breaks inside
 * quotes, LF or CRLF line breaks, a UTF-8 BOM at the start (skipped).  A
 * line with no bytes at all is skipped (spreadsheets leave them at the
 * end).  A lone CR outside quotes is data.
 *
 * Memory: the input buffer (HOSO_CSV_CHUNK) plus the longest record read,
 * at most max_record_bytes.
 *
 * Errors are "LINE:COLUMN: message" (1-based; the column counts
 * characters, not bytes); the caller puts the file name in front.
 */
#ifndef HOSO_CSV_H
#define HOSO_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "hoso_buf.h"

#define HOSO_CSV_CHUNK 65536
#define HOSO_CSV_DEFAULT_MAX_RECORD (16 * 1024 * 1024)

/*
 * Fill buf with up to cap bytes; return how many (0 at the end of input),
 * or -1 on a read error (which the callback's owner can explain).
 */
typedef ssize_t (*hoso_csv_read_fn)(void *ctx, char *buf, size_t cap);

enum hoso_csv_status {
	HOSO_CSV_ERROR = -1,		/* message in the err buffer */
	HOSO_CSV_END = 0,		/* no more records */
	HOSO_CSV_RECORD = 1,		/* fields are in csv->fields */
};

struct hoso_csv {
	/* configuration; set after hoso_csv_init, before the first record */
	char delimiter;			/* ',' (default) or ';' */
	size_t columns;			/* 0 = any; else every record must have this many */
	size_t max_record_bytes;	/* longer records are an error */

	/* the current record, valid until the next call of hoso_csv_next */
	char **fields;			/* NUL-terminated, in the reader's own buffer */
	size_t *lengths;		/* byte length of each field (a field may hold NUL) */
	size_t nfields;
	unsigned long line;		/* line where the record starts */

	/* private */
	hoso_csv_read_fn read;
	void *ctx;
	char *in;
	size_t in_len, in_pos;
	bool eof, failed, started;
	int pushed[2];			/* bytes given back, read again first (a stack) */
	int npushed;
	unsigned long cur_line, cur_col;	/* of the next byte to read */
	char *rec;
	size_t rec_len, rec_cap;
	size_t *starts;
	size_t fields_cap;
};

/* Reads through read(ctx, ...); ctx stays the caller's. */
void hoso_csv_init(struct hoso_csv *csv, hoso_csv_read_fn read, void *ctx);
void hoso_csv_release(struct hoso_csv *csv);

/*
 * Read the next record.  A record with the wrong number of fields (when
 * csv->columns is set) or a quote inside an unquoted field is reported as
 * an error, and the next call goes on with the following record; after an
 * unterminated quote, an over-long record or a read error every further
 * call fails.  The message is appended to err.
 */
enum hoso_csv_status hoso_csv_next(struct hoso_csv *csv, struct hoso_buf *err);

/* True when the last error ended the input (nothing more can be read). */
bool hoso_csv_failed(const struct hoso_csv *csv);

/* Read callbacks: a stdio stream (ctx is the FILE *), and memory. */
ssize_t hoso_csv_read_stdio(void *ctx, char *buf, size_t cap);

struct hoso_csv_memory {
	const char *data;
	size_t len, pos;
	size_t chunk;			/* at most this many bytes per call; 0 = no limit */
};
ssize_t hoso_csv_read_memory(void *ctx, char *buf, size_t cap);

#endif
