/*
 * hoso_input.h: the byte source of extract: one landing file read as lines.
 *
 * The content decides the decoding (docs/input.md §1): gzip magic means gzip,
 * possibly several members one after the other; anything else must be UTF-8
 * text.  A byte-order mark at the start of the file or of any gzip member is
 * dropped.  Lines end in LF or CRLF (the end of line is not part of the
 * line); empty lines are skipped but counted.  Byte offsets count bytes of
 * the decompressed stream (BOMs included) from 0.
 *
 * Opening hashes the file (kept in memory when it fits in one read of
 * 1 MiB).  With threads, a second thread inflates it into a ring of large
 * chunks while the caller splits and parses lines, so inflating and parsing
 * overlap (also across files, when the caller opens the next file before
 * parsing this one).  A gzip member held whole in memory and inflating to
 * at most 8 MiB is inflated in one libdeflate call, others stream through
 * zlib.  Memory is bounded by the read buffer, the ring, one such member
 * and one line of at most max_line_bytes, whatever the file size.
 */
#ifndef HOSO_INPUT_H
#define HOSO_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hoso_line_flaw {
	HOSO_LINE_OK,
	HOSO_LINE_TOO_LONG,	/* data holds the first max_line_bytes only */
	HOSO_LINE_NUL,		/* a NUL byte at flaw_column */
	HOSO_LINE_BAD_UTF8	/* invalid UTF-8 starting at flaw_column */
};

struct hoso_input_line {
	const char *data;	/* not NUL-terminated; valid until the next call */
	size_t len;
	long lineno;		/* 1-based */
	uint64_t offset;	/* of the line's first byte in the decompressed stream */
	enum hoso_line_flaw flaw;
	size_t flaw_column;	/* 1-based byte column, for NUL and BAD_UTF8 */
	uint64_t full_len;	/* length of the whole line (differs for TOO_LONG) */
};

struct hoso_input_source;

struct hoso_input {
	/* after a failure: the whole message, "PATH: why" or "PATH:LINE: byte offset N: why" */
	char error[512];
	/* valid once opened (a first pass hashes the file) */
	uint64_t size;		/* bytes on disk */
	char sha256[65];	/* of the bytes on disk */
	bool gzip;		/* content was gzip */
	long lines;		/* lines read so far, empty ones included */
	/* private */
	struct hoso_input_source *src;	/* owned */
};

/* Default maximum line length (docs/input.md §1). */
#define HOSO_INPUT_MAX_LINE_DEFAULT (1024 * 1024)

/*
 * Open path ("-" = standard input) for reading lines of at most
 * max_line_bytes.  threaded: inflate in a second thread.  Returns false
 * with in->error set when the file cannot be opened or is not gzip or text;
 * in must still be closed.
 */
bool hoso_input_open(struct hoso_input *in, const char *path, size_t max_line_bytes,
		     bool threaded);
/* The same over bytes in memory (not copied; must outlive in); never threaded. */
bool hoso_input_open_memory(struct hoso_input *in, const char *name, const void *data,
			    size_t len, size_t max_line_bytes);

/*
 * The next non-empty line: 1 = a line (flaws are reported in line, not as
 * errors), 0 = end of file, -1 = the file cannot be read or decompressed to
 * its end (in->error set).
 */
int hoso_input_next(struct hoso_input *in, struct hoso_input_line *line);

/* Stops the reading thread if any and frees everything. */
void hoso_input_close(struct hoso_input *in);

/*
 * What a file that is neither gzip nor text looks like ("a zip archive",
 * "binary data (NUL bytes)", ...), judged from its first bytes, or NULL when
 * it may be text.  Exposed for tests.
 */
const char *hoso_input_sniff(const unsigned char *data, size_t len);

/* Offset of the first invalid UTF-8 sequence in s, or len when valid. */
size_t hoso_utf8_check(const char *s, size_t len);

/* Whether s is valid UTF-8 without a NUL byte: the quick verdict on each line. */
bool hoso_utf8_no_nul(const char *s, size_t len);

#endif
