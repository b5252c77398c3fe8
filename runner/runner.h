/*
 * runner.h: what the runner's modules share.
 */
#ifndef RUNNER_RUNNER_H
#define RUNNER_RUNNER_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdio.h>

#include "hoso_pipeline.h"
#include "hoso_progress.h"
#include "hoso_time.h"


struct run_args {
	const char *pipeline_path;
	const char *topology_path;	/* NULL: the pipeline's own target */
	hoso_date from, to;
	bool replace;			/* reload ledgered files whose content changed */
	bool wait;			/* wait for the lock instead of exiting 75 */
	bool keep_staging;
	bool dry_run;			/* print the plan, change nothing */
	bool verbose;			/* one line per file */
};

/* What a run does with a file it found. */
enum run_file_action {
	RUN_FILE_LOAD,			/* not in the ledger */
	RUN_FILE_SKIP,			/* in the ledger with the same content */
	RUN_FILE_REPLACE,		/* in the ledger with other content, and --replace */
	RUN_FILE_REFUSE,		/* in the ledger with other content */
};

/* One file of a run's plan: where it came from, and what the run does with it. */
struct run_file {
	char *path;			/* absolute when it exists: the ledger's key */
	char *format;			/* its source's format */
	const struct hoso_source *src;	/* NULL: no source of the pipeline reads the format */
	hoso_date day;			/* landing day; HOSO_DATE_NONE for globs without {date} */
	long long size;			/* -1 until read */
	char sha256[65];
	enum run_file_action action;
	size_t order;			/* expansion order: the first (source, day) wins */
};

struct run_files {
	struct run_file *v;
	size_t n, cap;
};

/* runner/plan.c */
/*
 * Every file the pipeline's globs match on the days from..to, each once
 * (with the first source and day that matched it), in byte order of path.
 */
bool runner_collect_files(const struct hoso_pipeline *p, const char *pipeline_path,
			  hoso_date from, hoso_date to, struct run_files *out);
void runner_files_add(struct run_files *f, const char *path, const char *format,
		      const struct hoso_source *src, hoso_date day);
void runner_files_release(struct run_files *f);
/* Set each file's size, digest and action from the ledger; false after a logged error. */
bool runner_plan_ledger(PGconn *conn, struct run_files *files, bool replace);
/* The files the stages read (to load or replace), in their own list. */
void runner_files_handed(const struct run_files *all, struct run_files *out);
/* Keep the plan of the handed files in hoso.run_file (its landing days reach the ledger). */
bool runner_record_plan(PGconn *conn, long long run_id, const struct run_files *handed);
/* The plan as hoso run --dry-run prints it: per day, with sizes. */
void runner_print_plan(FILE *out, const struct run_files *files, bool verbose);

/* runner/stages.c */
/* A NULL-terminated argv that owns its strings (runner_argv_release frees them). */
struct runner_argv {
	char **v;
	size_t n, cap;
};
void runner_argv_push(struct runner_argv *b, const char *s);
/* Adds "opt value", or nothing when value is NULL or empty. */
void runner_argv_opt(struct runner_argv *b, const char *opt, const char *value);
void runner_argv_release(struct runner_argv *b);
/* Start argv with stdin/stdout on the given descriptors (-1: inherited). */
pid_t runner_spawn(char *const argv[], int in_fd, int out_fd);
/* Its exit status; a signal is an error (logged) and HOSO_EXIT_FAILED. */
int runner_wait(pid_t pid, const char *name);
/* How a stage ended. */
struct runner_stage_end {
	char name[64];			/* program name, e.g. "hoso-transform" */
	int exit_status;		/* when it exited */
	int signal;			/* when a signal killed it, else 0 */
	char first_error[512];		/* its first error line ("" if none) */
};
/* Like runner_wait, saying how it ended. */
int runner_wait_stage(pid_t pid, struct runner_stage_end *end);
/* "hoso-transform was killed by SIGKILL", "hoso-extract failed (exit 1): why" */
void runner_stage_end_describe(const struct runner_stage_end *end, char *out, size_t outlen);
/*
 * Why the last runner_run_extract_transform / runner_run_command failed:
 * the stage that failed first, how, and its first error line; NULL if none.
 */
const char *runner_last_failure(void);
/*
 * SIGTERM and SIGINT stop the run: the stages get SIGTERM, and
 * runner_stop_signal() says which signal came (0: none).
 */
void runner_handle_stop_signals(void);
int runner_stop_signal(void);
const char *runner_signal_name(int sig);	/* "SIGTERM" */
/*
 * After the stages of run_id returned ret: the exit status to report and,
 * in why, what the run's row should say ("" to keep the load's message).
 * A run whose load committed (its row is done) succeeded, whatever came
 * after; a stopped one exits 128 + the signal number ("interrupted by
 * SIGTERM"); a failed one names the stage that failed first.
 */
int runner_settle_run(PGconn *conn, long long run_id, int ret, char *why, size_t whylen);
const char *runner_stage_path(const char *name);	/* next to argv[0], else PATH */
/* schemas/REL under hoso's data directory (hoso_datadir), when it is there */
bool runner_data_path(const char *rel, char *out, size_t len);
void runner_set_argv0(const char *argv0);
int runner_run_command(char *const argv[]);

/* runner/progress.c: the progress line of each phase, on a terminal only */
struct runner_progress {
	struct hoso_progress line;
	pid_t extract_pid;
	unsigned long long input_bytes;	/* of the files extract reads */
	const char *staging;
	PGconn *conn;			/* NULL: no load progress */
	bool load_follows;		/* the load runs beside the transform */
	bool prepared;			/* the load's query is prepared on conn */
	struct load_table {
		char relid[16];		/* its oid: a work table has no name we can see */
		unsigned long long rows;	/* the last count the server gave */
	} tables[32];
	size_t ntables;
};
void runner_progress_begin(struct runner_progress *rp, const char *phase);
/* The ticks take a struct runner_progress *, as wait ticks do; each redraws the line. */
void runner_progress_extract_tick(void *arg);
void runner_progress_transform_tick(void *arg);
void runner_progress_load_tick(void *arg);
/* The phase's final figures, and a newline. */
void runner_progress_extract_done(struct runner_progress *rp, size_t files);
void runner_progress_transform_done(struct runner_progress *rp);
void runner_progress_load_done(struct runner_progress *rp, double seconds);
/* What the ticks left on the connection. */
void runner_progress_release(struct runner_progress *rp);

/* What the three stages of a run or a rebuild are given. */
struct stage_request {
	const struct hoso_pipeline *p;
	const struct run_files *files;	/* the files extract reads, in this order */
	long long run_id;
	const char *staging;
	bool replace;			/* hoso run --replace */
	/* a rebuild: the case keys to re-derive (NULL for a run) and its range */
	const char *rebuild_keys;
	hoso_date from, to;
	PGconn *progress_conn;		/* NULL, or a connection to read the load's progress with */
	struct hoso_buf *why;		/* NULL, or where a failure the run row must explain goes */
};
/* Stage times in milliseconds, as the run row and the metrics keep them. */
enum { STAGE_EXTRACT, STAGE_TRANSFORM, STAGE_LOAD, NSTAGES };
extern const char *const runner_stage_names[NSTAGES];
/*
 * Run extract | transform, then load; returns the exit status to report
 * (0, 1, 2 or 75) and fills the per-stage milliseconds; a failure the run
 * row must explain is appended to why.  Ends with the attention block.
 */
int runner_run_stages(const struct stage_request *rq, long long ms[NSTAGES]);
/*
 * hoso-load --migrate for the pipeline's warehouse, unless conn (when not
 * NULL) shows its schema current already: HOSO_EXIT_OK or HOSO_EXIT_FAILED.
 */
int runner_migrate(PGconn *conn, const struct hoso_pipeline *p);
/*
 * The pipeline's connection string, for the stages, in their environment
 * ($HOSO_CONNINFO), never on their command line, which every local user
 * can read.
 */
void runner_export_conninfo(const struct hoso_pipeline *p);
/*
 * The staging directory of run_id, made (mode 0700) with its OWNER:
 * STAGING/SYSID-DBOID/run-RUNID, STAGING being the pipeline's staging folder
 * (default .hoso/staging), after removing this warehouse's stale ones.
 * The caller holds the warehouse lock.  Logs on false.
 */
bool runner_open_staging(PGconn *conn, const struct hoso_pipeline *p, long long run_id,
			 char *out, size_t outlen);

/* The subcommands, one per file (commands.h). */
#define HOSO_COMMAND(name, summary) int runner_cmd_##name(int argc, char **argv);
#include "commands.h"
#undef HOSO_COMMAND

/* runner/attention.c */
/*
 * Read staging/report.json: the lines that need the operator's attention go
 * to block (one per line, printed by runner_attention_print at the end of
 * the run).  Returns HOSO_EXIT_FAILED, with the reason in why, when the
 * share of unresolved cases is above attention.max_unresolved_ratio.
 */
int runner_attention(const struct hoso_pipeline *p, const char *staging, struct hoso_buf *block,
		     struct hoso_buf *why);
void runner_attention_print(const struct hoso_buf *block);	/* "nothing" when empty */
/* How many distinct values the run's attention block named; -1 before it ran. */
long long runner_attention_count(void);

/* runner/run.c */
/* helpers of run.c that rebuild.c shares */
struct hoso_cli;
/* --date or --from/--to checked, yesterday by default: 0, or 2 after a usage error */
int runner_days(const struct hoso_cli *cli, hoso_date day, hoso_date *from, hoso_date *to);
bool runner_file_digest(const char *path, char hex[65], long long *size);	/* logs */
/*
 * The warehouse lock: the row of hoso.run_lock, held FOR UPDATE by a session
 * of the runner's own, on p's warehouse, until it exits (only the loading
 * role may lock it); then interrupted runs are marked on conn.  An exit
 * status: 0, 1 or 75.
 */
int runner_take_lock(const struct hoso_pipeline *p, PGconn *conn, bool wait);
/*
 * The run's row in hoso.run (kind "run" or "rebuild"), and the session's
 * application_name that names it; the run id, or -1 after a logged error.
 */
long long runner_start_run_row(PGconn *conn, const char *kind, const struct hoso_pipeline *p,
			       const char *pipeline_path, hoso_date from, hoso_date to,
			       const char *why);
void runner_finish_run_row(PGconn *conn, long long run_id, int code, size_t seen,
			   size_t skipped, const long long ms[NSTAGES], const char *message);
void runner_remove_staging(const char *dir);
struct hoso_warehouse_id;
void runner_remove_stale_staging(PGconn *conn, const char *base,
				 const struct hoso_warehouse_id *id);
/* runner/check.c */
/*
 * What hoso check and hoso run verify before touching anything.  Each
 * prints "ok  WHAT" (when out is not NULL) or logs "FILE:LINE:COLUMN:
 * why"; each returns the number of problems found.
 *
 * The files: the reference data (parsed; the calendar must cover the
 * days up to cover_to and should reach into next year), the formats and
 * their source schemas, and the directories the run writes to.
 */
int runner_check_files(const struct hoso_pipeline *p, const char *path, hoso_date cover_to,
		       FILE *out);
/*
 * The warehouse behind conn: the schema version against the programs'
 * migrations, and the role's privileges (a warehouse not yet created
 * needs CREATE on the database).
 */
int runner_check_warehouse(PGconn *conn, const struct hoso_pipeline *p, const char *path,
			   FILE *out);
/* The pipeline's profile against hoso.profile (after the migrations). */
int runner_check_profile(PGconn *conn, const struct hoso_pipeline *p, const char *path,
			 FILE *out);
/* Whether the relation (e.g. "hoso.file_ledger") exists; false also after a logged error. */
bool runner_table_exists(PGconn *conn, const char *table);
/* runner/summary.c */
/* What a run did, from its row in hoso.run. */
struct run_outcome {
	long long run_id;		/* -1: the run stopped before it had a row */
	int exit_code;
	long long files_seen, files_loaded, files_skipped, rows, rejects, cases, warnings;
	long long ms[NSTAGES], total_ms;
	double last_success;		/* Unix time of the pipeline's last successful run; 0 none */
};
bool runner_read_outcome(PGconn *conn, long long run_id, struct run_outcome *o);
/* The last line of every run: files, rows, rejects, cases, warnings, time per stage. */
void runner_print_summary(const struct run_outcome *o);
/*
 * The metrics of a run of kind "run" or "rebuild" in Prometheus text
 * format, written aside and renamed into path; the other kind's metrics
 * in the file are kept.
 */
bool runner_write_metrics(const char *path, const char *pipeline, const char *kind,
			  const struct run_outcome *o);
/*
 * A run's last words: the summary line, and the pipeline's metrics file
 * (the families of kind, "run" or "rebuild").  The operator's attention block (unresolved units, unknown
 * codes) belongs just before it, so that the summary stays the last line.
 */
struct timespec;
void runner_report_outcome(PGconn *conn, const struct hoso_pipeline *p, long long run_id, int code,
			   const long long ms[NSTAGES], const struct timespec *started, const char *kind);
/* runner/shard.c: a national warehouse sharded by province (hoso_topology.h) */
/* The pipeline's province into PGOPTIONS; with a topology, its shard as the target (logs). */
bool runner_national_target(struct hoso_pipeline *p, const char *topology_path);

#endif
