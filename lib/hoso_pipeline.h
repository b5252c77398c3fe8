/*
 * hoso_pipeline.h: a pipeline file (docs/design.md §5, README.md
 * "Loading your own logs"), parsed with libyaml against a declarative key
 * table.
 *
 * Every error names the place in the YAML: "FILE:LINE:COLUMN: message"
 * (1-based).  hoso_pipeline_load makes every path absolute: a relative
 * path resolves against the directory of the pipeline file (so that a
 * scheduled job finds its files whatever its working directory), and a
 * path that starts with "{datadir}/" against hoso's data directory
 * (hoso_paths.h).  hoso_pipeline_load_buffer keeps paths as written.
 */
#ifndef HOSO_PIPELINE_H
#define HOSO_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"
#include "hoso_time.h"

/* Where a value was written in the pipeline file (1-based; line 0 = not written). */
struct hoso_pipeline_where {
	int line, column;
};

struct hoso_source {
	char **paths;			/* globs, may hold {date:FMT} */
	size_t npaths;
	char *format;			/* "dvcqg-jsonl" or a CSV source schema name */
	char *schema_dir;		/* NULL when not given */
	struct hoso_pipeline_where format_at;
};

struct hoso_pipeline {
	char *name;			/* default: the file name without .yaml/.yml */
	struct hoso_source source;
	struct hoso_source *more_sources;
	size_t nmore_sources;
	char *prefer;			/* NULL, or the format of one of the sources */
	struct {
		char *units;		/* each NULL when not given */
		char *procedures;
		char *calendar;		/* a directory of YYYY.csv */
	} reference;
	char *profile;			/* NULL when not given */
	char *province;			/* NULL, or the province code (e.g. "H34") of its rows */
	struct {
		double max_ratio;	/* default 0.01 */
		long long max_count;	/* -1 = no limit (default) */
		char *file;		/* NULL when not given */
	} rejects;
	struct {
		double max_unresolved_ratio;	/* default 1: warn, never fail */
	} attention;
	struct {
		char *from;		/* YYYY-MM-DD, default "2000-01-01" */
		char *to;		/* YYYY-MM-DD; NULL: the day after the run */
	} dates;			/* the plausible days of a timestamp */
	char *personal_data;		/* "drop" (default) or "hash" */
	long max_line_bytes;		/* default 1048576 */
	char *staging;			/* default ".hoso/staging" */
	long long transform_memory_mib;	/* hoso-transform --memory-budget; -1: its default */
	struct {
		char *conninfo;		/* NULL = libpq's environment; never holds a password */
		char *schema;		/* "hoso", the only schema the warehouse's SQL names */
	} target;
	char *metrics_file;		/* Prometheus text file written after each run; NULL: none */
	/* where the values checked against files and the warehouse were written */
	struct {
		struct hoso_pipeline_where units, procedures, calendar, profile, target, personal_data;
	} at;
};

/*
 * Parse the pipeline file at path into *out (which the call initialises).
 * On failure returns false with "FILE:LINE:COLUMN: message" appended to err
 * and *out holds nothing to release.  On success the caller releases *out.
 */
bool hoso_pipeline_load(const char *path, struct hoso_pipeline *out, struct hoso_buf *err);
/* Likewise from memory; name is the file name used in messages and for the default name. */
bool hoso_pipeline_load_buffer(const char *name, const char *data, size_t len,
			       struct hoso_pipeline *out, struct hoso_buf *err);
void hoso_pipeline_release(struct hoso_pipeline *p);

/*
 * The files a source names on one day: every {date:FMT} of each glob
 * replaced by strftime(FMT) of that day, then glob(3).  The result is
 * sorted in byte order, without duplicates; a glob that matches nothing
 * adds nothing.  The caller frees each (*paths)[i] and *paths.  Returns
 * false with a message in err for a malformed {date:...} or a read error.
 */
bool hoso_pipeline_expand_paths(const struct hoso_source *src, hoso_date day, char ***paths,
				size_t *n, struct hoso_buf *err);

#endif
