/*
 * staging.h: the staging directory the transform hands to the load
 * (docs/design.md §2): COPY text files, then a MANIFEST of their sizes and
 * SHA-256 sums, written last so that a directory without one is known to be
 * incomplete.
 */
#ifndef TRANSFORM_STAGING_H
#define TRANSFORM_STAGING_H

#include <stdbool.h>
#include <stdio.h>

#include "hoso_buf.h"

enum staging_table {
	STAGING_FILES,
	STAGING_DOSSIER_MSG,
	STAGING_PROGRESS_MSG,
	STAGING_CASE_FACT,
	STAGING_CASE_DUE,
	STAGING_CASE_STATUS,
	STAGING_REJECT,
	STAGING_NTABLES
};

struct staging_file {
	FILE *f;
	struct hoso_buf row;		/* rows gathered before a write */
	unsigned long long rows;
};

struct staging {
	char *dir;
	struct staging_file files[STAGING_NTABLES];
	bool failed;			/* sticky: a write failed */
};

bool staging_open(struct staging *s, const char *dir);
/* The buffer to append one row's fields to (tab-separated, no newline). */
struct hoso_buf *staging_row(struct staging *s, enum staging_table t);
/* End the row begun with staging_row. */
void staging_row_end(struct staging *s, enum staging_table t);
/* Write report.json (text given), flush everything, write the MANIFEST. */
bool staging_finish(struct staging *s, const struct hoso_buf *report);
void staging_release(struct staging *s);
unsigned long long staging_rows(const struct staging *s, enum staging_table t);

/* Field helpers: each appends a tab first unless at the start of a row. */
void staging_field(struct hoso_buf *row, const char *s);	/* NULL -> \N */
void staging_field_time(struct hoso_buf *row, long long t);	/* HOSO_TIME_NONE -> \N */
void staging_field_int(struct hoso_buf *row, long long v);
void staging_field_bool(struct hoso_buf *row, bool v);

#endif
