/*
 * staging.h: the staging directory the transform hands to the load
 * (docs/design.md §2): COPY text files, then a MANIFEST of their sizes and
 * SHA-256 sums, written last so that a directory without one is known to be
 * incomplete.
 *
 * Rows are gathered by the caller's threads (each file's by one thread at
 * a time); writer threads hash and write the full blocks, so that the
 * transform's reading and deriving go on while the previous blocks reach
 * the disk.
 */
#ifndef TRANSFORM_STAGING_H
#define TRANSFORM_STAGING_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "hoso_buf.h"
#include "hoso_layout.h"
#include "hoso_sha256.h"

struct staging_file {
	FILE *f;
	struct hoso_buf row;		/* rows gathered before a write */
	unsigned long long rows;
	/* the writer thread's, until it has been joined */
	struct hoso_sha256 sha;
	unsigned long long bytes;
	/* closed early by staging_publish_read_files, with its digest */
	bool published;
	char sha256_hex[65];
};

/* Blocks in flight a writer: bounds the memory the writers can fall behind by. */
#define STAGING_QUEUE 4
/*
 * Writer threads: the largest file of the reading (dossier_msg) and of the
 * deriving (case_fact) has one to itself, the other files share the other,
 * so that neither phase waits on one thread's hashing and writing.
 */
#define STAGING_WRITERS 2

struct staging_block {
	enum hoso_staging_file table;
	struct hoso_buf data;		/* kept for reuse once written */
};

/* One writer thread and the ring of blocks handed over to it, under lock. */
struct staging_writer {
	struct staging *staging;
	pthread_t thread;
	bool running;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct staging_block queue[STAGING_QUEUE];
	size_t head, count;
	bool closing;			/* no more blocks: the writer ends when the ring is empty */
	bool failed;			/* sticky: a write failed (the thread's, until joined) */
	int write_errno;		/* of the failed write */
};

struct staging {
	char *dir;
	struct staging_file files[HOSO_STAGING_NFILES];
	bool failed;			/* a write failed (known once the writers are joined) */
	int write_errno;		/* of the failed write */
	struct staging_writer writers[STAGING_WRITERS];
};

bool staging_open(struct staging *s, const char *dir);
/* The buffer to append one row's fields to (tab-separated, no newline). */
struct hoso_buf *staging_row(struct staging *s, enum hoso_staging_file t);
/* End the row begun with staging_row. */
void staging_row_end(struct staging *s, enum hoso_staging_file t);
/*
 * Append to row one whole row of file t, its newline included, from values
 * filled by name (hoso_layout.h), in the file's column order: TEXT escaped,
 * INT digits, BOOL t/f, TIME as timestamptz, NULL \N.
 */
void staging_format_row(struct hoso_buf *row, enum hoso_staging_file t, const struct hoso_value *values);
/* The same from column first on: the row without its first columns (and their tab). */
void staging_format_row_from(struct hoso_buf *row, enum hoso_staging_file t,
			     const struct hoso_value *values, int first);
/* Whole rows formatted before (nrows of them, each ending in a newline). */
void staging_append(struct staging *s, enum hoso_staging_file t, const char *rows, size_t len,
		    unsigned long long nrows);
/*
 * Whole rows formatted before without their first columns (len bytes,
 * each row ending in a newline), each appended after prefix, which holds
 * those columns and a tab.
 */
void staging_append_prefixed(struct staging *s, enum hoso_staging_file t, const char *prefix,
			     size_t prefix_len, const char *rows, size_t len);
/*
 * The streams are read (and the prior messages fetched): write and close
 * the files the streams alone make (HOSO_STAGING_READ_FILES) and list them
 * in HOSO_STAGING_READ_MANIFEST.  Rows for them after this are a bug.
 */
bool staging_publish_read_files(struct staging *s);
/* Write report.json (text given), flush everything, write the MANIFEST. */
bool staging_finish(struct staging *s, const struct hoso_buf *report);
void staging_release(struct staging *s);

/* Field helpers: each appends a tab first unless at the start of a row. */
void staging_field(struct hoso_buf *row, const char *s);	/* NULL -> \N */
void staging_field_len(struct hoso_buf *row, const char *s, size_t len);	/* s not NULL */
void staging_field_time(struct hoso_buf *row, long long t);	/* HOSO_TIME_NONE -> \N */
void staging_field_int(struct hoso_buf *row, long long v);
void staging_field_bool(struct hoso_buf *row, bool v);

#endif
