/*
 * stages.c: running the three stage programs.
 *
 * extract and transform run concurrently, connected by a pipe, so that
 * decompression and parsing overlap with case accumulation on the second
 * core.  A run's load runs beside them too (hoso-load --follow): it copies
 * the archive's files once transform lists them complete (MANIFEST.read),
 * the rest once the MANIFEST is written, and commits only when the runner
 * says so; a rebuild's load runs after them.  Every file is checked
 * against its manifest, so a half-written one is never loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hoso_format.h"
#include "hoso_layout.h"
#include "hoso_log.h"
#include "hoso_owner.h"
#include "hoso_paths.h"
#include "hoso_pg.h"
#include "hoso_progress.h"
#include "hoso_schema_files.h"
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

/*
 * The stages alive now.  The runner owns them: each dies with it
 * (PR_SET_PDEATHSIG), a SIGTERM or SIGINT to the runner is passed on to
 * them, and their stderr goes through the runner, which passes it on line
 * by line and keeps each stage's first error line for the run's row.
 */
#define MAX_STAGES 4

struct stage {
	pid_t pid;			/* 0: slot free */
	int err_fd;			/* read end of its stderr; -1 once at EOF */
	char name[64];
	char line[1024];		/* the line being read */
	size_t line_len;
	char first_error[512];		/* its first error line, without the program prefix */
};

static struct stage stages[MAX_STAGES];
static char runner_failure[600];	/* why the last stages failed, for the run's row */
/* written by the signal handler; the pids it reads are set before the child runs */
static volatile pid_t stage_pids[MAX_STAGES];
static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
	for (int i = 0; i < MAX_STAGES; i++)
		if (stage_pids[i] > 0)
			kill(stage_pids[i], SIGTERM);
}

void
runner_handle_stop_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: waitpid and poll return, and the runner stops the run */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

int
runner_stop_signal(void)
{
	return stop_signal;
}

const char *
runner_last_failure(void)
{
	return runner_failure[0] ? runner_failure : NULL;
}

const char *
runner_signal_name(int sig)
{
	switch (sig) {
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	case SIGKILL: return "SIGKILL";
	case SIGPIPE: return "SIGPIPE";
	case SIGSEGV: return "SIGSEGV";
	case SIGABRT: return "SIGABRT";
	case SIGHUP: return "SIGHUP";
	case SIGBUS: return "SIGBUS";
	default: return "a signal";
	}
}

static struct stage *
stage_of(pid_t pid)
{
	for (int i = 0; i < MAX_STAGES; i++)
		if (stages[i].pid == pid)
			return &stages[i];
	return NULL;
}

/*
 * Keep the first error line of a stage: "prog: error: MSG" in text logs,
 * {"level":"error",...,"msg":"MSG"} in JSON ones; MSG is kept.
 */
static void
note_error_line(struct stage *st, const char *line)
{
	const char *msg = NULL, *end;
	size_t n = 0;

	if (st->first_error[0])
		return;
	if (line[0] == '{') {
		if (!strstr(line, "\"level\":\"error\""))
			return;
		msg = strstr(line, "\"msg\":\"");
		if (!msg)
			return;
		msg += strlen("\"msg\":\"");
		for (end = msg; *end && *end != '"'; end++)
			if (*end == '\\' && end[1])
				end++;
		n = (size_t) (end - msg);
	} else {
		msg = strstr(line, ": error: ");
		if (!msg)
			return;
		msg += strlen(": error: ");
		n = strlen(msg);
	}
	if (n >= sizeof(st->first_error))
		n = sizeof(st->first_error) - 1;
	memcpy(st->first_error, msg, n);
	st->first_error[n] = '\0';
}

/* Pass the bytes read from a stage's stderr on to ours, a whole line at a time. */
static void
take_stderr(struct stage *st, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool full = st->line_len == sizeof(st->line) - 1;

		if (!full)
			st->line[st->line_len++] = buf[i];
		if (buf[i] == '\n' || full) {
			hoso_progress_interrupt();
			(void) !write(STDERR_FILENO, st->line, st->line_len);
			st->line[st->line_len - (buf[i] == '\n')] = '\0';
			note_error_line(st, st->line);
			st->line_len = 0;
			if (full && buf[i] != '\n')
				st->line[st->line_len++] = buf[i];
		}
	}
}

static void
end_stderr(struct stage *st)
{
	if (st->line_len > 0) {
		hoso_progress_interrupt();
		(void) !write(STDERR_FILENO, st->line, st->line_len);
		(void) !write(STDERR_FILENO, "\n", 1);
		st->line[st->line_len] = '\0';
		note_error_line(st, st->line);
		st->line_len = 0;
	}
	close(st->err_fd);
	st->err_fd = -1;
}

static long long
elapsed_ms(const struct timespec *a, const struct timespec *b)
{
	return (long long) (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * Read the stages' stderr until that of `until` reaches its end; with
 * tick, call tick(arg) five times a second meanwhile (a progress line).
 */
static void
pump_stderr(const struct stage *until, void (*tick)(void *), void *arg)
{
	struct timespec last, now;

	clock_gettime(CLOCK_MONOTONIC, &last);
	while (until->err_fd >= 0) {
		struct pollfd fds[MAX_STAGES];
		struct stage *of[MAX_STAGES];
		nfds_t n = 0;

		/* on time even while a stage writes many lines */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (tick && elapsed_ms(&last, &now) >= 200) {
			last = now;
			tick(arg);
		}

		for (int i = 0; i < MAX_STAGES; i++) {
			if (stages[i].pid > 0 && stages[i].err_fd >= 0) {
				fds[n] = (struct pollfd) { .fd = stages[i].err_fd, .events = POLLIN };
				of[n++] = &stages[i];
			}
		}
		int ready = poll(fds, n, tick ? 200 : -1);

		if (ready < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (ready == 0)
			continue;
		for (nfds_t i = 0; i < n; i++) {
			char buf[4096];
			ssize_t got;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(fds[i].fd, buf, sizeof(buf));
			if (got > 0)
				take_stderr(of[i], buf, (size_t) got);
			else if (got == 0 || errno != EINTR)
				end_stderr(of[i]);
		}
	}
}

pid_t
runner_spawn(char *const argv[], int in_fd, int out_fd)
{
	pid_t parent = getpid(), pid;
	int err[2], slot = -1;
	const char *base = strrchr(argv[0], '/');

	for (int i = 0; i < MAX_STAGES && slot < 0; i++)
		if (stages[i].pid == 0)
			slot = i;
	if (slot < 0 || stop_signal) {
		hoso_error("cannot start %s: %s", argv[0],
			   stop_signal ? "the run is being stopped" : "too many stages at once");
		return -1;
	}
	if (pipe2(err, O_CLOEXEC) != 0) {
		hoso_error("cannot start %s: %s", argv[0], strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		hoso_error("cannot start %s: %s", argv[0], strerror(errno));
		close(err[0]);
		close(err[1]);
		return -1;
	}
	if (pid == 0) {
		/* die with the runner, even if it died before this line */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		/* rows from input land in the staging files and the reject file: owner only */
		umask(077);
		signal(SIGPIPE, SIG_DFL);
		if (in_fd >= 0) {
			dup2(in_fd, STDIN_FILENO);
			close(in_fd);
		}
		if (out_fd >= 0) {
			dup2(out_fd, STDOUT_FILENO);
			close(out_fd);
		}
		dup2(err[1], STDERR_FILENO);
		execvp(argv[0], argv);
		hoso_error("cannot run %s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	close(err[1]);
	stages[slot] = (struct stage) { .pid = pid, .err_fd = err[0] };
	snprintf(stages[slot].name, sizeof(stages[slot].name), "%s", base ? base + 1 : argv[0]);
	stage_pids[slot] = pid;
	if (stop_signal)
		kill(pid, SIGTERM);
	return pid;
}

/* runner_wait_stage, calling tick(arg) (may be NULL) while it runs. */
static int
wait_stage_ticking(pid_t pid, struct runner_stage_end *end, void (*tick)(void *), void *arg)
{
	struct stage *st = stage_of(pid);
	int status;

	memset(end, 0, sizeof(*end));
	if (st) {
		snprintf(end->name, sizeof(end->name), "%s", st->name);
		pump_stderr(st, tick, arg);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			hoso_error("waiting for %s: %s", end->name, strerror(errno));
			status = 1 << 8;
			break;
		}
	}
	if (st) {
		snprintf(end->first_error, sizeof(end->first_error), "%s", st->first_error);
		for (int i = 0; i < MAX_STAGES; i++)
			if (stage_pids[i] == pid)
				stage_pids[i] = 0;
		memset(st, 0, sizeof(*st));
	}
	if (WIFEXITED(status)) {
		end->exit_status = WEXITSTATUS(status);
		return end->exit_status;
	}
	end->signal = WTERMSIG(status);
	hoso_error("%s was killed by %s", end->name, runner_signal_name(end->signal));
	return HOSO_EXIT_FAILED;
}

int
runner_wait_stage(pid_t pid, struct runner_stage_end *end)
{
	return wait_stage_ticking(pid, end, NULL, NULL);
}

int
runner_wait(pid_t pid, const char *name)
{
	struct runner_stage_end end;

	(void) name;
	return runner_wait_stage(pid, &end);
}

void
runner_stage_end_describe(const struct runner_stage_end *end, char *out, size_t outlen)
{
	if (end->signal)
		snprintf(out, outlen, "%s was killed by %s", end->name,
			 runner_signal_name(end->signal));
	else if (end->first_error[0])
		snprintf(out, outlen, "%s failed (exit %d): %s", end->name, end->exit_status,
			 end->first_error);
	else
		snprintf(out, outlen, "%s failed (exit %d)", end->name, end->exit_status);
}

int
runner_run_command(char *const argv[])
{
	struct runner_stage_end end;
	pid_t pid = runner_spawn(argv, -1, -1);

	runner_failure[0] = '\0';
	if (pid < 0)
		return HOSO_EXIT_FAILED;
	runner_wait_stage(pid, &end);
	if (end.signal == 0 && end.exit_status == 0)
		return HOSO_EXIT_OK;
	runner_stage_end_describe(&end, runner_failure, sizeof(runner_failure));
	return end.signal ? HOSO_EXIT_FAILED : end.exit_status;
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
run_extract_transform(char *const ex[], char *const tr[], const char *consequence,
		      struct runner_progress *rp, size_t nfiles)
{
	struct runner_stage_end eex, etr;
	const struct runner_stage_end *first;
	int fds[2];
	pid_t pex, ptr = -1;
	bool ex_failed, tr_failed, ex_victim;

	runner_failure[0] = '\0';
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
			runner_wait_stage(pex, &eex);
		}
		snprintf(runner_failure, sizeof(runner_failure), "cannot start the stages");
		return HOSO_EXIT_FAILED;
	}
	rp->extract_pid = pex;
	runner_progress_begin(rp, "extract");
	wait_stage_ticking(pex, &eex, rp->line.enabled ? runner_progress_extract_tick : NULL, rp);
	ex_failed = eex.signal || eex.exit_status;
	if (!ex_failed)
		runner_progress_extract_done(rp, nfiles);
	runner_progress_begin(rp, "transform");
	wait_stage_ticking(ptr, &etr, rp->line.enabled ? runner_progress_transform_tick : NULL, rp);
	tr_failed = etr.signal || etr.exit_status;
	if (!ex_failed && !tr_failed)
		runner_progress_transform_done(rp);
	if (!ex_failed && !tr_failed)
		return HOSO_EXIT_OK;
	/* an extract whose reader died fails of it: the transform failed first */
	ex_victim = eex.signal == SIGPIPE || strstr(eex.first_error, "Broken pipe") != NULL;
	first = ex_failed && !(ex_victim && tr_failed) ? &eex : &etr;
	runner_stage_end_describe(first, runner_failure, sizeof(runner_failure));
	hoso_error("%s; %s", runner_failure, consequence);
	return !first->signal && first->exit_status == HOSO_EXIT_USAGE ? HOSO_EXIT_USAGE
		: HOSO_EXIT_FAILED;
}

/* The bytes of the files extract reads (a rebuild's plan has not read them: stat says). */
static unsigned long long
input_bytes(const struct run_files *files)
{
	unsigned long long n = 0;
	struct stat st;

	for (size_t i = 0; i < files->n; i++) {
		if (files->v[i].size >= 0)
			n += (unsigned long long) files->v[i].size;
		else if (stat(files->v[i].path, &st) == 0)
			n += (unsigned long long) st.st_size;
	}
	return n;
}

const char *const runner_stage_names[NSTAGES] = { "extract", "transform", "load" };

/*
 * One argv builder for both a run and a rebuild, so that they read and
 * reject the same lines: a rebuild differs only in re-deriving the given
 * cases (transform --derive-only, load --rebuild) instead of reading the
 * warehouse's prior state and appending to the ledger.
 */
static void
build_argvs(const struct stage_request *rq, bool tail, struct runner_argv *ex,
	    struct runner_argv *tr, struct runner_argv *ld)
{
	const struct hoso_pipeline *p = rq->p;
	char num[64];

	runner_argv_push(ex, runner_stage_path("hoso-extract"));
	snprintf(num, sizeof(num), "%ld", (long) p->max_line_bytes);
	if (p->max_line_bytes > 0)
		runner_argv_opt(ex, "--max-line-bytes", num);
	runner_argv_opt(ex, "--personal-data", p->personal_data);
	runner_argv_opt(ex, "--dates-from", p->dates.from);
	runner_argv_opt(ex, "--dates-to", p->dates.to);
	/* a rebuild reads lines already rejected once: the reject file has them */
	if (!rq->rebuild_keys)
		runner_argv_opt(ex, "--reject-file", p->rejects.file);
	argv_files(ex, rq->files);

	runner_argv_push(tr, runner_stage_path("hoso-transform"));
	if (rq->rebuild_keys)
		runner_argv_opt(tr, "--derive-only", rq->rebuild_keys);
	else if (!tail)
		runner_argv_push(tr, "--prior");
	runner_argv_opt(tr, "--out", rq->staging);
	runner_argv_opt(tr, "--prefer", p->prefer);
	if (p->transform_memory_mib >= 0) {
		snprintf(num, sizeof(num), "%lld", p->transform_memory_mib);
		runner_argv_opt(tr, "--memory-budget", num);
	}
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
		/* a run's load copies the archive while the transform derives, or reads */
		runner_argv_push(ld, "--follow");
		if (tail)
			runner_argv_push(ld, "--tail");
		if (rq->replace)
			runner_argv_push(ld, "--replace");
		snprintf(num, sizeof(num), "%.17g", p->rejects.max_ratio);
		runner_argv_opt(ld, "--max-reject-ratio", num);
		if (p->rejects.max_count >= 0) {
			snprintf(num, sizeof(num), "%lld", (long long) p->rejects.max_count);
			runner_argv_opt(ld, "--max-rejects", num);
		}
	}
	argv_reference(ld, p);
	runner_argv_push(ld, rq->staging);
}

/*
 * Whether a run's load may copy the archive as the transform writes it
 * (hoso-load --tail): only into an empty archive, where the transform has
 * no prior messages to read (that reading would wait on the locks of the
 * load's bulk copy, which waits on the transform), when the run replaces
 * nothing, and when the loading role may take the ledger's ids itself.
 */
static bool
load_may_tail(const struct stage_request *rq)
{
	PGresult *res;
	bool tail;

	if (rq->rebuild_keys || rq->replace || !rq->progress_conn)
		return false;
	res = hoso_pg_query(rq->progress_conn,
			    "SELECT NOT EXISTS (SELECT FROM hoso.dossier_msg)"
			    " AND NOT EXISTS (SELECT FROM hoso.progress_msg)"
			    " AND has_sequence_privilege(pg_get_serial_sequence('hoso.file_ledger', 'file_id'),"
			    "                            'USAGE')", 0, NULL);
	if (!res)
		return false;
	tail = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return tail;
}

/*
 * Tell a following load (hoso-load --follow) that it may commit.  A load
 * that has already ended has closed the pipe: its exit status says why, and
 * the SIGPIPE of this write must not end the runner.
 */
static void
tell_load_to_commit(int go_fd)
{
	static const char go[] = HOSO_STAGING_COMMIT_WORD;
	sigset_t pipe_only, old;
	const struct timespec now = { 0, 0 };

	sigemptyset(&pipe_only);
	sigaddset(&pipe_only, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_only, &old);
	if (write(go_fd, go, sizeof(go) - 1) < 0 && errno == EPIPE)
		sigtimedwait(&pipe_only, NULL, &now);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * A run's load starts with extract and transform, and follows the staging
 * directory as the transform writes it (docs/design.md §2); its standard
 * input is go_fd's pipe.  A rebuild's load starts after them.
 */
static pid_t
start_following_load(const struct stage_request *rq, char *const argv[], int *go_fd)
{
	int go[2];
	pid_t pid;

	*go_fd = -1;
	if (pipe2(go, O_CLOEXEC) != 0) {
		hoso_error("cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	runner_export_conninfo(rq->p);
	pid = runner_spawn(argv, go[0], -1);
	close(go[0]);
	if (pid < 0)
		close(go[1]);
	else
		*go_fd = go[1];
	return pid;
}

int
runner_run_stages(const struct stage_request *rq, long long ms[NSTAGES])
{
	struct runner_argv ex = { 0 }, tr = { 0 }, ld = { 0 };
	struct runner_progress rp = { .staging = rq->staging, .conn = rq->progress_conn };
	struct hoso_buf attention = HOSO_BUF_INIT, why = HOSO_BUF_INIT;
	bool follow = !rq->rebuild_keys;
	pid_t pid = -1;
	int ret = HOSO_EXIT_OK, go_fd = -1;
	struct timespec t0, t1, t2;

	rp.input_bytes = input_bytes(rq->files);
	rp.load_follows = follow;
	build_argvs(rq, follow && load_may_tail(rq), &ex, &tr, &ld);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (follow && (pid = start_following_load(rq, ld.v, &go_fd)) < 0)
		ret = HOSO_EXIT_FAILED;
	if (ret == HOSO_EXIT_OK)
		ret = run_extract_transform(ex.v, tr.v, rq->rebuild_keys ? "nothing was changed"
					    : "nothing was loaded", &rp, rq->files->n);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the two run side by side: each is given the time of both */
	ms[STAGE_EXTRACT] = ms[STAGE_TRANSFORM] = elapsed_ms(&t0, &t1);
	/* what the operator must look at; too many unknown units or procedures stop here */
	if (ret == HOSO_EXIT_OK)
		ret = runner_attention(rq->p, rq->staging, &attention, rq->why ? rq->why : &why);
	if (follow && pid > 0 && (ret != HOSO_EXIT_OK || stop_signal)) {
		struct runner_stage_end cancelled;

		/* the end of its input without "commit" cancels it */
		close(go_fd);
		runner_wait_stage(pid, &cancelled);
	}
	if (ret == HOSO_EXIT_OK && !stop_signal) {
		struct runner_stage_end end;

		if (follow) {
			tell_load_to_commit(go_fd);
			close(go_fd);
		} else {
			runner_export_conninfo(rq->p);
			pid = runner_spawn(ld.v, -1, -1);
		}
		runner_progress_begin(&rp, "load");
		if (pid < 0) {
			ret = HOSO_EXIT_FAILED;
		} else {
			wait_stage_ticking(pid, &end, rp.conn && rp.line.enabled
					   ? runner_progress_load_tick : NULL, &rp);
			ret = end.signal ? HOSO_EXIT_FAILED : end.exit_status;
			if (ret != HOSO_EXIT_OK)
				runner_stage_end_describe(&end, runner_failure, sizeof(runner_failure));
		}
		clock_gettime(CLOCK_MONOTONIC, &t2);
		ms[STAGE_LOAD] = elapsed_ms(&t1, &t2);
		if (ret == HOSO_EXIT_OK)
			runner_progress_load_done(&rp, (double) ms[STAGE_LOAD] / 1000.0);
		runner_progress_release(&rp);
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

/*
 * Whether the warehouse records every schema file as hoso-load --migrate
 * would apply it: those of the data directory, which hoso-load beside the
 * runner reads too (the same resolution, the same environment).
 *
 * Asked without the migration lock, and that is safe: the check sees, in
 * one snapshot, a concurrent migration's transaction whole or not at all;
 * if not, it says "not current" and the migrator waits for the lock and
 * finds nothing to do.  Once recorded, a migration stays recorded with
 * that content (the migrator refuses an edited one), so "current" cannot
 * turn into "older than the files" but by a migrator of other files
 * (another release), which could as well have run just after a migration
 * under the lock: the lock never kept that out.
 */
static bool
schema_current(PGconn *conn)
{
	struct hoso_schema_files files;
	char *dir = hoso_schema_dir(NULL);
	int current = -1;

	if (dir && hoso_schema_files_read(dir, &files)) {
		current = hoso_schema_current(conn, &files);
		hoso_schema_files_release(&files);
	}
	free(dir);
	if (current == 1)
		hoso_report(HOSO_LOG_DEBUG, hoso_log_event("schema_current"),
			    hoso_msg("warehouse schema up to date: no migration to run"));
	return current == 1;
}

int
runner_migrate(PGconn *conn, const struct hoso_pipeline *p)
{
	struct runner_argv v = { 0 };
	int ret;

	if (conn && schema_current(conn))
		return HOSO_EXIT_OK;
	runner_argv_push(&v, runner_stage_path("hoso-load"));
	runner_argv_push(&v, "--migrate");
	runner_export_conninfo(p);
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

static bool
make_dirs(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		goto fail;
	return true;
fail:
	hoso_error("cannot create \"%s\": %s", path, strerror(errno));
	return false;
}

bool
runner_open_staging(PGconn *conn, const struct hoso_pipeline *p, long long run_id,
		    char *out, size_t outlen)
{
	struct hoso_warehouse_id id;
	char tag[64], base[PATH_MAX], fresh[PATH_MAX];
	int n;

	if (!hoso_warehouse_id_query(conn, &id))
		return false;
	hoso_warehouse_id_tag(&id, tag, sizeof(tag));
	/* two warehouses run from one directory, or sharing a folder, never meet */
	snprintf(base, sizeof(base), "%s/%s", p->staging ? p->staging : ".hoso/staging", tag);
	runner_remove_stale_staging(conn, base, &id);
	n = snprintf(out, outlen, "%s/run-%lld", base, run_id);
	if (n < 0 || (size_t) n >= outlen || strlen(base) + 64 > sizeof(fresh)) {
		hoso_error("the staging path under \"%s\" is too long", base);
		return false;
	}
	/*
	 * Made under a name no runner reads, then renamed: a runner killed
	 * before its OWNER is written leaves no run-N that no later runner can
	 * prove its own (runner_remove_stale_staging removes the .new one).
	 */
	snprintf(fresh, sizeof(fresh), "%s/.run-%lld.new", base, run_id);
	if (!make_dirs(fresh) || !hoso_owner_write(fresh, &id, run_id))
		return false;
	if (rename(fresh, out) != 0) {
		hoso_error("cannot rename \"%s\" to \"%s\": %s", fresh, out, strerror(errno));
		return false;
	}
	return true;
}

int
runner_settle_run(PGconn *conn, long long run_id, int ret, char *why, size_t whylen)
{
	int sig = runner_stop_signal();
	char id[32];
	const char *p[1] = { id };
	PGresult *res;
	bool committed;

	why[0] = '\0';
	if (ret == HOSO_EXIT_OK && !sig)
		return ret;
	snprintf(id, sizeof(id), "%lld", run_id);
	/*
	 * The load holds its run row locked until its transaction ends: a lock
	 * on the row waits for a COMMIT the server is still finishing after the
	 * load was stopped, which a plain read would take for a rollback.
	 */
	hoso_pg_exec(conn, "SET lock_timeout = '120s'");
	res = PQexecParams(conn, "SELECT status = 'done' FROM hoso.run WHERE run_id = $1 FOR SHARE",
			   1, NULL, p, NULL, NULL, 0);
	hoso_pg_exec(conn, "RESET lock_timeout");
	committed = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (committed) {
		/* the load marks its row done in its own transaction: it is in */
		if (sig)
			hoso_warning("run %lld: %s came after the load had committed", run_id,
				     runner_signal_name(sig));
		return HOSO_EXIT_OK;
	}
	if (sig) {
		snprintf(why, whylen, "interrupted by %s", runner_signal_name(sig));
		hoso_error("run %lld %s; its stages were stopped and rolled back", run_id, why);
		return 128 + sig;
	}
	if (runner_last_failure())
		snprintf(why, whylen, "%s", runner_last_failure());
	return ret;
}

void
runner_export_conninfo(const struct hoso_pipeline *p)
{
	if (p->target.conninfo)
		setenv(HOSO_CONNINFO_ENV, p->target.conninfo, 1);
}
