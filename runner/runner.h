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
	const char *topology_path;	/* NULL: the pipeline's own target */
	hoso_date from, to;
	bool replace;			/* reload ledgered files whose content changed */
	bool wait;			/* wait for the lock instead of exiting 75 */
	bool keep_staging;
	bool json_log;
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

/* runner/run.c */
int runner_cmd_run(int argc, char **argv);
/* helpers of run.c that rebuild.c shares */
bool runner_parse_date_arg(const char *opt, const char *s, hoso_date *out);
bool runner_file_digest(const char *path, char hex[65], long long *size);	/* logs */
int runner_take_lock(PGconn *conn, bool wait);	/* an exit status: 0, 1 or 75 */
void runner_finish_run_row(PGconn *conn, long long run_id, int code, size_t seen,
			   size_t skipped, const long long ms[3], const char *message);
void runner_remove_staging(const char *dir);
void runner_remove_stale_staging(const char *base);
/* runner/shard.c: a national warehouse sharded by province */
struct topology_shard {
	char *name;			/* [a-z0-9_]+: the coordinator's server hoso_shard_NAME */
	char *conninfo;			/* libpq, without a password */
	char **provinces;
	size_t nprovinces;
};
struct topology {
	char *coordinator;		/* libpq, without a password */
	struct topology_shard *shards;
	size_t nshards;
};
bool runner_topology_load(const char *path, struct topology *t);	/* logs */
void runner_topology_release(struct topology *t);
const struct topology_shard *runner_topology_shard_of(const struct topology *t,
						      const char *province);
bool runner_province_code_ok(const char *s);
/* The pipeline's province into PGOPTIONS; with a topology, its shard as the target (logs). */
bool runner_national_target(struct hoso_pipeline *p, const char *topology_path);
int runner_cmd_shard(int argc, char **argv);
/* runner/rebuild.c */
int runner_cmd_rebuild(int argc, char **argv);
/* runner/report.c */
int runner_cmd_report(int argc, char **argv);

#endif
