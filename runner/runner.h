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
#include "hoso_time.h"

/* Key of the session advisory lock that serialises runs on one warehouse. */
#define RUNNER_LOCK_KEY 4850303001LL

struct run_args {
	const char *pipeline_path;
	hoso_date from, to;
	bool replace;			/* reload ledgered files whose content changed */
	bool wait;			/* wait for the lock instead of exiting 75 */
	bool keep_staging;
};

struct run_files {
	char **paths;
	size_t n, cap;
};

/* runner/stages.c */
/* A NULL-terminated argv that owns its strings (runner_argv_release frees them). */
struct runner_argv {
	char **v;
	size_t n, cap;
};
void runner_argv_push(struct runner_argv *b, const char *s);
/* Adds "opt value", or nothing when value is NULL or empty. */
void runner_argv_opt(struct runner_argv *b, const char *opt, const char *value);
/* The pipeline's --reference-* options. */
void runner_argv_reference(struct runner_argv *b, const struct hoso_pipeline *p);
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
/* "extract | transform": HOSO_EXIT_OK, or the failure logged with consequence. */
int runner_run_extract_transform(char *const ex[], char *const tr[], const char *consequence);
const char *runner_stage_path(const char *name);	/* next to argv[0], else PATH */
void runner_set_argv0(const char *argv0);
/*
 * Run extract | transform, then load; returns the exit status to report
 * (0, 1, 2 or 75) and fills the per-stage milliseconds.
 */
int runner_run_stages(const struct hoso_pipeline *p, const struct run_args *args,
		      const struct run_files *files, long long run_id, const char *staging,
		      long long ms[3]);
int runner_run_command(char *const argv[]);
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

/* runner/run.c */
/* helpers of run.c that rebuild.c shares */
struct hoso_cli;
/* --date or --from/--to checked, yesterday by default: 0, or 2 after a usage error */
int runner_days(const struct hoso_cli *cli, hoso_date day, hoso_date *from, hoso_date *to);
bool runner_file_digest(const char *path, char hex[65], long long *size);	/* logs */
int runner_take_lock(PGconn *conn, bool wait);	/* an exit status: 0, 1 or 75 */
void runner_finish_run_row(PGconn *conn, long long run_id, int code, size_t seen,
			   size_t skipped, const long long ms[3], const char *message);
void runner_remove_staging(const char *dir);
struct hoso_warehouse_id;
void runner_remove_stale_staging(PGconn *conn, const char *base,
				 const struct hoso_warehouse_id *id);

#endif
