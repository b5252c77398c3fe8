/*
 * load.h: what hoso-load's modules share.
 *
 *   main.c       arguments in, exit status out
 *   migrate.c    schemas/warehouse/NNN_name.sql -> hoso.schema_version,
 *                functions/NAME.sql -> hoso.function_file
 *   profiles.c   schemas/profiles/NAME.yaml -> hoso.profile, profile_criterion,
 *                hoso.profile_file
 *   manifest.c   the staging directory's MANIFEST and checked streaming of
 *                its files into binary COPY
 *   reference.c  units.csv, procedures.csv, calendar/YYYY.csv -> dimensions
 *   staging.c    the load of one staging directory in one transaction
 */
#ifndef LOAD_LOAD_H
#define LOAD_LOAD_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"
#include "hoso_layout.h"
#include "hoso_schema_files.h"

/* Key of the transaction advisory lock that serialises migrations. */
#define LOAD_MIGRATE_LOCK_KEY 4850303002LL

struct load_options {
	const char *conninfo;		/* NULL: libpq environment */
	const char *staging_dir;
	long long run_id;
	bool replace;			/* replace ledgered files of the same path */
	double max_reject_ratio;	/* rejects / records above it fails the run */
	long long max_rejects;		/* -1: no count limit */
	const char *reference_units;	/* each NULL: that dimension is left as is */
	const char *reference_procedures;
	const char *reference_calendar;	/* directory of YYYY.csv */
	/* --rebuild: replace the facts of the cases listed in this file */
	const char *rebuild_keys;
	const char *rebuild_from, *rebuild_to;	/* the range, YYYY-MM-DD */
	bool follow;			/* --follow: load while the transform writes (follow.c) */
	bool tail;			/* --tail: the streams' files as they are written */
};

/* migrate.c: returns an exit status (0 or 1). */
int load_migrate(const char *conninfo, const char *schema_dir);

/*
 * profiles.c: the scoring profiles (schemas/profiles/NAME.yaml: weights and
 * thresholds) -> hoso.profile and hoso.profile_criterion.  Read: an exit
 * status (0, or 2 for a bad file), *out to free in either case.  Store:
 * inside the caller's transaction, under the migration lock.
 */
struct load_profiles;
int load_profiles_read(const struct hoso_schema_list *files, struct load_profiles **out);
bool load_profiles_store(PGconn *conn, const struct load_profiles *lp);
void load_profiles_free(struct load_profiles *lp);

/* manifest.c */
struct manifest_entry {
	char *name;
	long long size;
	char sha256[65];
};

struct manifest {
	char *dir;			/* owned copy of the staging directory */
	struct manifest_entry *entries;	/* owned */
	size_t n;
};

/* Reads DIR/NAME (a MANIFEST) and checks that every listed file has its size. */
bool manifest_read(struct manifest *m, const char *dir, const char *name);
/*
 * Inside the load's transaction: the directory's OWNER must name the
 * warehouse conn is connected to and run_id, and the run's row must be
 * 'running'.  Locks that row to the end of the transaction, so that a later
 * runner marking the run interrupted waits for this load's outcome, and a
 * run already marked so never commits.  Logs why on false.
 */
bool manifest_claim(PGconn *conn, const struct manifest *m, long long run_id);
const struct manifest_entry *manifest_find(const struct manifest *m, const char *name);
void manifest_release(struct manifest *m);

enum staging_copy_mode {
	STAGING_COPY_AS_IS,		/* every column as it is */
	STAGING_COPY_FILE_ID,		/* first field file_no replaced by its file_id */
	STAGING_COPY_KEYS,		/* only the first two columns (src, case_no) */
};

/* file_no -> file_id of the run's files (index file_no; 0 = unknown). */
struct file_map {
	long long *ids;
	size_t n;
};

/*
 * COPY staging file f (which the MANIFEST must list) into table (NULL: the
 * layout's) as binary COPY, its columns named, rows as mode says, while
 * checking its size and SHA-256 against the MANIFEST; a mismatch or a value
 * its column's type refuses (logged with file, line and column) aborts the
 * COPY.  *rows (may be NULL) receives the number of rows sent.
 */
bool load_copy_staging(PGconn *conn, const struct manifest *m, enum hoso_staging_file f,
		       const char *table, enum staging_copy_mode mode, const struct file_map *map,
		       long long *rows);

/* reference.c: replaces the dimensions named in o; inside the caller's transaction. */
bool load_reference(PGconn *conn, const struct load_options *o);

/* staging.c: returns an exit status (0 or 1). */
int load_staging(const struct load_options *o);

/*
 * follow.c: a load beside the transform writing its staging directory
 * (--follow).  The load copies the files the streams make as soon as the
 * transform lists them in MANIFEST.read, the rest once the MANIFEST is
 * written, and commits only when the runner says so on standard input: a
 * line "commit".  Standard input ending without it (the transform failed,
 * the runner stopped or died) cancels the load.
 */
void load_follow_begin(bool tail);
/*
 * --tail as well: the streams' files are copied as the transform writes
 * them, for a transform that reads nothing of the warehouse (whose reading
 * would wait on the locks of the load's bulk copy).
 */
bool load_follow_tails(void);
/* Wait for DIR/NAME to exist; false when cancelled first. */
bool load_follow_wait_for(const char *dir, const char *name);
/*
 * At the end of a file being written, for now: wait a little for more.
 * *complete once MANIFEST.read is written (one more read then finds the
 * rest); false when cancelled.
 */
bool load_follow_wait_more(const char *dir, bool *complete);
/* What a tailed file held (name: the layout's), for load_follow_check_tailed. */
void load_follow_tailed(const char *name, long long size, const char *sha256_hex);
/* The tailed files against MANIFEST.read (in m), logged when they differ. */
bool load_follow_check_tailed(const struct manifest *m);
/* MANIFEST.read, once written, into m (checked to list the streams' files). */
bool load_follow_read_files(const char *dir, struct manifest *m);
/*
 * The MANIFEST, once written, in place of m (MANIFEST.read): it must list
 * every file, and those of m as m does; report.json as load_open_staging.
 */
bool load_follow_complete(struct manifest *m, struct hoso_buf *report, bool *have_report);
/* Whether the load may commit: always, unless following and cancelled. */
bool load_follow_may_commit(void);
bool load_follow_cancelled(void);
/*
 * staging.c: DIR's MANIFEST read and checked to list every staging file, and
 * its report.json read into report (capped at LOAD_REPORT_MAX; *have_report
 * false when there is none).  false after logging why; m and report are to be
 * released either way.
 */
bool load_open_staging(const char *dir, struct manifest *m, struct hoso_buf *report,
		       bool *have_report);
/* staging.c: replace the facts of the cases in a temporary key table */
bool load_replace_facts(PGconn *conn, const struct manifest *m, const char *keys_table,
			long long *cases);
/*
 * staging.c: before staging file f's COPY, drop its table's keys and
 * indexes when the file is large and larger than the table, or the table
 * was never written to (*bulk says so);
 * load_bulk_end builds them again (bulk[i]: any of n dropped).
 */
bool load_bulk_begin(PGconn *conn, const struct manifest *m, enum hoso_staging_file f, bool *bulk);
bool load_bulk_end(PGconn *conn, const bool *bulk, size_t n);
/*
 * summary.c, inside the caller's transaction: load_summary_take collects
 * the contributions of the cases in keys_table (one of this program's own
 * table names) to take away, before their facts are replaced;
 * load_summary_add adds them up with the summary files' rows into the
 * summary tables.
 */
bool load_summary_take(PGconn *conn, const char *keys_table);
bool load_summary_add(PGconn *conn, const struct manifest *m);
/*
 * report.json is the transform's (unresolved names and counts): a few
 * kilobytes a night, megabytes for a large backfill; past this it is not one.
 */
#define LOAD_REPORT_MAX (64u * 1024 * 1024)

/* rebuild.c: the facts of a rebuilt range, in one transaction; an exit status. */
int load_rebuild(const struct load_options *o);

#endif
