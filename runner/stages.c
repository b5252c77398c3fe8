/*
 * stages.c: running the three stage programs.
 *
 * extract and transform run concurrently, connected by a pipe, so that
 * decompression and parsing overlap with case accumulation on the second
 * core; load runs after them on the finished staging directory, which is
 * checksummed (MANIFEST) so that a half-written one is never loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hoso_format.h"
#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_progress.h"
#include "runner.h"

static char self_dir[PATH_MAX];

void
runner_set_argv0(const char *argv0)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0) {
		snprintf(exe, sizeof(exe), "%s", argv0);
		n = (ssize_t) strlen(exe);
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash) {
		*slash = '\0';
		snprintf(self_dir, sizeof(self_dir), "%s", exe);
	}
}

const char *
runner_stage_path(const char *name)
{
	static char paths[4][PATH_MAX];
	static int next;
	char *p = paths[next++ % 4];

	if (self_dir[0]) {
		int n = snprintf(p, PATH_MAX, "%s/%s", self_dir, name);

		if (n > 0 && n < PATH_MAX && access(p, X_OK) == 0)
			return p;
	}
	snprintf(p, PATH_MAX, "%s", name);	/* execvp searches PATH */
	return p;
}

pid_t
runner_spawn(char *const argv[], int in_fd, int out_fd)
{
	pid_t pid = fork();

	if (pid < 0) {
		hoso_error("cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (in_fd >= 0) {
			dup2(in_fd, STDIN_FILENO);
			close(in_fd);
		}
		if (out_fd >= 0) {
			dup2(out_fd, STDOUT_FILENO);
			close(out_fd);
		}
		execvp(argv[0], argv);
		hoso_error("cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

/*
 * waitpid for pid; with tick, polls instead, calling tick(arg) five times
 * a second until the child ends (a progress line).  false after a message.
 */
static bool
wait_child(pid_t pid, const char *name, int *status, void (*tick)(void *), void *arg)
{
	for (;;) {
		pid_t r = waitpid(pid, status, tick ? WNOHANG : 0);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR) {
			hoso_error("waiting for %s: %s", name, strerror(errno));
			return false;
		}
		if (r == 0) {
			tick(arg);
			usleep(200 * 1000);
		}
	}
}

static int
wait_ticking(pid_t pid, const char *name, void (*tick)(void *), void *arg)
{
	int status;

	if (!wait_child(pid, name, &status, tick, arg))
		return HOSO_EXIT_FAILED;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	hoso_error("%s was killed by signal %d", name, WTERMSIG(status));
	return HOSO_EXIT_FAILED;
}

int
runner_wait(pid_t pid, const char *name)
{
	return wait_ticking(pid, name, NULL, NULL);
}

int
runner_run_command(char *const argv[])
{
	pid_t pid = runner_spawn(argv, -1, -1);

	return pid < 0 ? HOSO_EXIT_FAILED : runner_wait(pid, argv[0]);
}

static long long
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (long long) (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

void
runner_argv_push(struct runner_argv *b, const char *s)
{
	if (b->n + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->v = hoso_xrealloc(b->v, b->cap * sizeof(*b->v));
	}
	b->v[b->n++] = hoso_xstrdup(s);
	b->v[b->n] = NULL;
}

void
runner_argv_opt(struct runner_argv *b, const char *opt, const char *value)
{
	if (!value || !*value)
		return;
	runner_argv_push(b, opt);
	runner_argv_push(b, value);
}

void
runner_argv_release(struct runner_argv *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i]);
	free(b->v);
}

/* The pipeline's --reference-* options, which transform and load both take. */
static void
argv_reference(struct runner_argv *b, const struct hoso_pipeline *p)
{
	runner_argv_opt(b, "--reference-units", p->reference.units);
	runner_argv_opt(b, "--reference-procedures", p->reference.procedures);
	runner_argv_opt(b, "--reference-calendar", p->reference.calendar);
}

/*
 * The files with, before each, the options its format needs when they
 * differ from the file before: --format, --schema (a CSV source schema in
 * the source's schema_dir) and --landing-date (the day of the plan, or
 * "auto": from the path).
 */
static void
argv_files(struct runner_argv *b, const struct run_files *files)
{
	const char *format = NULL;
	hoso_date day = HOSO_DATE_NONE;
	bool day_given = false;

	for (size_t i = 0; i < files->n; i++) {
		const struct run_file *f = &files->v[i];
		const struct hoso_format *needs = hoso_format_find(f->format);

		if (!format || strcmp(format, f->format) != 0) {
			format = f->format;
			runner_argv_opt(b, "--format", format);
			if (needs->needs_schema && f->src && f->src->schema_dir) {
				char schema[PATH_MAX];

				snprintf(schema, sizeof(schema), "%s/%s.yaml", f->src->schema_dir, format);
				runner_argv_opt(b, "--schema", schema);
			}
		}
		if (needs->needs_landing_day && (!day_given || f->day != day)) {
			char text[16] = "auto";

			if (f->day != HOSO_DATE_NONE)
				hoso_date_format_iso(f->day, text);
			runner_argv_opt(b, "--landing-date", text);
			day = f->day;
			day_given = true;
		}
		runner_argv_push(b, f->path);
	}
}

/*
 * Run "extract | transform" as two processes joined by a pipe and wait for
 * both.  Returns HOSO_EXIT_OK, or HOSO_EXIT_USAGE / HOSO_EXIT_FAILED after
 * logging which stage failed, followed by consequence.
 */
static int
run_extract_transform(char *const ex[], char *const tr[], const char *consequence)
{
	int fds[2];
	pid_t pex, ptr = -1;
	int rex, rtr;

	/* close-on-exec: no stage may hold the other end open, or a dead reader never gives the writer SIGPIPE */
	if (pipe2(fds, O_CLOEXEC) != 0) {
		hoso_error("cannot create a pipe: %s", strerror(errno));
		return HOSO_EXIT_FAILED;
	}
	pex = runner_spawn(ex, -1, fds[1]);
	close(fds[1]);
	if (pex > 0)
		ptr = runner_spawn(tr, fds[0], -1);
	close(fds[0]);
	if (pex < 0 || ptr < 0) {
		if (pex > 0) {
			kill(pex, SIGTERM);
			runner_wait(pex, ex[0]);
		}
		return HOSO_EXIT_FAILED;
	}
	rex = runner_wait(pex, "hoso-extract");
	rtr = runner_wait(ptr, "hoso-transform");
	if (rex == 0 && rtr == 0)
		return HOSO_EXIT_OK;
	hoso_error("%s failed (exit %d); %s", rex != 0 ? "hoso-extract" : "hoso-transform",
		   rex != 0 ? rex : rtr, consequence);
	return (rex != 0 ? rex : rtr) == HOSO_EXIT_USAGE ? HOSO_EXIT_USAGE : HOSO_EXIT_FAILED;
}

/* The load's progress, read from the server: it reports every COPY (pg_stat_progress_copy). */
struct load_progress {
	PGconn *conn;
	struct hoso_progress line;
	unsigned long long bytes, rows;	/* of the tables finished */
	char table[64];			/* the one being copied */
	unsigned long long table_bytes, table_rows;
};

static void
load_tick(void *arg)
{
	struct load_progress *lp = arg;
	PGresult *res = PQexec(lp->conn,
			       "SELECT relid::regclass::text, bytes_processed, tuples_processed"
			       "  FROM pg_stat_progress_copy WHERE datid = (SELECT oid FROM pg_database"
			       "  WHERE datname = current_database()) AND command = 'COPY FROM'");

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
		const char *table = PQgetvalue(res, 0, 0);

		if (strcmp(table, lp->table) != 0) {
			/* the previous table is done */
			lp->bytes += lp->table_bytes;
			lp->rows += lp->table_rows;
			snprintf(lp->table, sizeof(lp->table), "%s", table);
		}
		lp->table_bytes = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
		lp->table_rows = strtoull(PQgetvalue(res, 0, 2), NULL, 10);
		lp->line.label = lp->table;
	}
	PQclear(res);
	hoso_progress_show(&lp->line, lp->bytes + lp->table_bytes, lp->rows + lp->table_rows);
}

const char *const runner_stage_names[NSTAGES] = { "extract", "transform", "load" };

/*
 * One argv builder for both a run and a rebuild, so that they read and
 * reject the same lines: a rebuild differs only in re-deriving the given
 * cases (transform --derive-only, load --rebuild) instead of reading the
 * warehouse's prior state and appending to the ledger.
 */
static void
build_argvs(const struct stage_request *rq, struct runner_argv *ex, struct runner_argv *tr,
	    struct runner_argv *ld)
{
	const struct hoso_pipeline *p = rq->p;
	char num[64];

	runner_argv_push(ex, runner_stage_path("hoso-extract"));
	snprintf(num, sizeof(num), "%ld", (long) p->max_line_bytes);
	if (p->max_line_bytes > 0)
		runner_argv_opt(ex, "--max-line-bytes", num);
	runner_argv_opt(ex, "--personal-data", p->personal_data);
	/* a rebuild reads lines already rejected once: the reject file has them */
	if (!rq->rebuild_keys)
		runner_argv_opt(ex, "--reject-file", p->rejects.file);
	argv_files(ex, rq->files);

	runner_argv_push(tr, runner_stage_path("hoso-transform"));
	if (rq->rebuild_keys) {
		runner_argv_opt(tr, "--derive-only", rq->rebuild_keys);
	} else {
		runner_argv_push(tr, "--prior");
		runner_argv_opt(tr, "--conninfo", p->target.conninfo);
	}
	runner_argv_opt(tr, "--out", rq->staging);
	runner_argv_opt(tr, "--prefer", p->prefer);
	argv_reference(tr, p);

	runner_argv_push(ld, runner_stage_path("hoso-load"));
	snprintf(num, sizeof(num), "%lld", rq->run_id);
	runner_argv_opt(ld, "--run-id", num);
	if (rq->rebuild_keys) {
		char from[11], to[11];

		hoso_date_format_iso(rq->from, from);
		hoso_date_format_iso(rq->to, to);
		runner_argv_opt(ld, "--rebuild", rq->rebuild_keys);
		runner_argv_opt(ld, "--from", from);
		runner_argv_opt(ld, "--to", to);
	} else {
		if (rq->replace)
			runner_argv_push(ld, "--replace");
		snprintf(num, sizeof(num), "%.17g", p->rejects.max_ratio);
		runner_argv_opt(ld, "--max-reject-ratio", num);
		if (p->rejects.max_count >= 0) {
			snprintf(num, sizeof(num), "%lld", (long long) p->rejects.max_count);
			runner_argv_opt(ld, "--max-rejects", num);
		}
	}
	runner_argv_opt(ld, "--conninfo", p->target.conninfo);
	argv_reference(ld, p);
	runner_argv_push(ld, rq->staging);
}

int
runner_run_stages(const struct stage_request *rq, long long ms[NSTAGES])
{
	struct runner_argv ex = { 0 }, tr = { 0 }, ld = { 0 };
	struct hoso_buf attention = HOSO_BUF_INIT, why = HOSO_BUF_INIT;
	int ret;
	struct timespec t0, t1, t2;

	build_argvs(rq, &ex, &tr, &ld);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = run_extract_transform(ex.v, tr.v, rq->rebuild_keys ? "nothing was changed"
				    : "nothing was loaded");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the two run side by side: each is given the time of both */
	ms[STAGE_EXTRACT] = ms[STAGE_TRANSFORM] = elapsed_ms(&t0, &t1);
	/* what the operator must look at; too many unknown units or procedures stop here */
	if (ret == HOSO_EXIT_OK)
		ret = runner_attention(rq->p, rq->staging, &attention, rq->why ? rq->why : &why);
	if (ret == HOSO_EXIT_OK) {
		struct load_progress lp = { .conn = rq->progress_conn };
		pid_t pid = runner_spawn(ld.v, -1, -1);

		hoso_progress_init(&lp.line, "load");
		ret = pid < 0 ? HOSO_EXIT_FAILED
			: wait_ticking(pid, "hoso-load", lp.conn && lp.line.enabled ? load_tick : NULL,
				       &lp);
		if (lp.line.shown)
			hoso_progress_finish(&lp.line);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		ms[STAGE_LOAD] = elapsed_ms(&t1, &t2);
		/* a rebuild's load has no lock of its own to report as 75 */
		if (rq->rebuild_keys && ret != HOSO_EXIT_OK)
			ret = HOSO_EXIT_FAILED;
	}
	if (attention.len || ret == HOSO_EXIT_OK)
		runner_attention_print(&attention);
	hoso_buf_release(&attention);
	hoso_buf_release(&why);
	runner_argv_release(&ex);
	runner_argv_release(&tr);
	runner_argv_release(&ld);
	return ret;
}

int
runner_migrate(const struct hoso_pipeline *p)
{
	struct runner_argv v = { 0 };
	int ret;

	runner_argv_push(&v, runner_stage_path("hoso-load"));
	runner_argv_push(&v, "--migrate");
	runner_argv_opt(&v, "--conninfo", p->target.conninfo);
	ret = runner_run_command(v.v);
	runner_argv_release(&v);
	return ret == HOSO_EXIT_OK ? HOSO_EXIT_OK : HOSO_EXIT_FAILED;
}

bool
runner_data_path(const char *rel, char *out, size_t len)
{
	const char *data = hoso_datadir();
	int n = data ? snprintf(out, len, "%s/schemas/%s", data, rel) : -1;

	return n > 0 && (size_t) n < len && access(out, R_OK) == 0;
}
