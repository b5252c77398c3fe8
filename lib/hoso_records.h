/*
 * hoso_records.h: the record stream between extract and transform
 * (docs/design.md §1): one record per line, TAB-separated fields escaped as
 * in PostgreSQL's COPY text format, \N for no value, the type letter first.
 */
#ifndef HOSO_RECORDS_H
#define HOSO_RECORDS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hoso_layout.h"

#define HOSO_RECORDS_MAGIC "hoso-records"
#define HOSO_RECORDS_VERSION "1"

/*
 * Writer: records are assembled in one large buffer that is written out in
 * big blocks.  Errors are sticky: check hoso_records_writer_flush() once at
 * the end.
 */
struct hoso_records_writer {
	FILE *out;		/* not owned */
	char *buf;		/* owned */
	size_t len;
	size_t cap;
	int nfields;		/* fields of the record being written */
	bool failed;		/* a write failed (sticky) */
};

void hoso_records_writer_init(struct hoso_records_writer *w, FILE *out);
/* Flushes nothing: call hoso_records_writer_flush first. */
void hoso_records_writer_release(struct hoso_records_writer *w);
/* Writes out buffered records and fflush()es; false if any write failed. */
bool hoso_records_writer_flush(struct hoso_records_writer *w);

void hoso_records_begin(struct hoso_records_writer *w, char type);
/* A text field of len bytes (escaped here). */
void hoso_records_field(struct hoso_records_writer *w, const char *s, size_t len);
/* A NUL-terminated text field, or \N for NULL. */
void hoso_records_field_str(struct hoso_records_writer *w, const char *s);
void hoso_records_null(struct hoso_records_writer *w);
void hoso_records_int(struct hoso_records_writer *w, long long v);
void hoso_records_bool(struct hoso_records_writer *w, bool v);
void hoso_records_end(struct hoso_records_writer *w);

/*
 * One whole record: the type letter, then values[1..nvalues-1] in the order
 * of the type's layout (hoso_layout.h): TEXT escaped, INT in digits, BOOL
 * 0/1, TIME in the 14-digit local form, NULL as \N.
 */
void hoso_records_write(struct hoso_records_writer *w, char type,
			const struct hoso_value *values, int nvalues);

/* The stream's first record: H hoso-records 1 */
void hoso_records_header(struct hoso_records_writer *w);

/*
 * Reader: fields[i] is the unescaped text of field i (fields[0] the type
 * letter), NULL for \N; valid until the next call.  lineno is the stream
 * line of the current record.
 */
struct hoso_records_reader {
	char **fields;
	int nfields;
	long lineno;
	/* private */
	FILE *in;		/* not owned */
	char *line;		/* owned (getline) */
	size_t linecap;
	int fieldcap;
};

void hoso_records_reader_init(struct hoso_records_reader *r, FILE *in);
/* 1 = a record in fields, 0 = end of stream, -1 = error (logged with hoso_error) */
int hoso_records_next(struct hoso_records_reader *r);
void hoso_records_reader_release(struct hoso_records_reader *r);

/*
 * Read-ahead reader: a thread reads the stream from a file descriptor,
 * splits and unescapes its records in batches of about
 * HOSO_RECORDS_AHEAD_BYTES of input, and hands each to hook (on that
 * thread, in stream order; hook may be NULL) before the caller takes it
 * with hoso_records_ahead_next, which works as hoso_records_next does
 * (errors are logged by the caller's thread, when it reaches them).
 * Memory: HOSO_RECORDS_AHEAD_BATCHES batches, each grown only to hold a
 * record longer than a batch.
 */
#define HOSO_RECORDS_AHEAD_BATCHES 4
#define HOSO_RECORDS_AHEAD_BYTES (256 * 1024)

struct records_batch;

struct hoso_records_ahead {
	char **fields;
	int nfields;
	long lineno;
	/* private */
	struct records_batch *batches;	/* a ring of HOSO_RECORDS_AHEAD_BATCHES */
	size_t head;			/* the batch the caller reads */
	size_t ready;			/* batches filled and not yet given back */
	size_t next_record;		/* in the batch at head */
	bool holding;			/* the caller reads the batch at head */
	bool stopping;			/* the caller wants no more batches */
	int fd;				/* not owned */
	int stop_fd;			/* an eventfd that wakes the thread to stop */
	void (*hook)(void *arg, char *const *fields, int nfields);
	void *hook_arg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

/* Start reading fd; false (logged) when the thread cannot be started. */
bool hoso_records_ahead_start(struct hoso_records_ahead *a, int fd,
			      void (*hook)(void *arg, char *const *fields, int nfields),
			      void *hook_arg);
/* 1 = a record in fields, 0 = end of stream, -1 = error (logged) */
int hoso_records_ahead_next(struct hoso_records_ahead *a);
/* Stop the thread (at once, wherever it is) and free everything. */
void hoso_records_ahead_stop(struct hoso_records_ahead *a);

/*
 * Unescape one COPY-text field in place (s, len bytes); returns the new
 * length, or -1 on a trailing lone backslash.  Exposed for tests.
 */
long hoso_records_unescape(char *s, size_t len);

#endif
