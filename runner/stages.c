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

#include "hoso_log.h"
#include "hoso_map.h"
#include "hoso_owner.h"
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
		fprintf(stderr, "hoso: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

int
runner_wait(pid_t pid, const char *name)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			hoso_error("waiting for %s: %s", name, strerror(errno));
			return HOSO_EXIT_FAILED;
		}
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	hoso_error("%s was killed by signal %d", name, WTERMSIG(status));
	return HOSO_EXIT_FAILED;
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

void
runner_argv_reference(struct runner_argv *b, const struct hoso_pipeline *p)
{
	runner_argv_opt(b, "--reference-units", p->reference.units);
	runner_argv_opt(b, "--reference-procedures", p->reference.procedures);
	runner_argv_opt(b, "--reference-calendar", p->reference.calendar);
}

/* Where a file came from: its source, and the day whose {date} matched it. */
struct file_origin {
	const struct hoso_source *src;
	hoso_date day;			/* HOSO_DATE_NONE when the globs have no {date} */
};

/*
 * The run's files with the options of their source before them: --format
 * (and --schema for a CSV source with schema_dir), and --landing-date, the
 * day the runner expanded, which a CSV row's _at is the end of.  The file
 * list comes in byte order, so each file's source is found again by
 * expanding the globs once more.
 */
static void
push_files(struct runner_argv *b, const struct hoso_pipeline *p, const struct run_args *args,
	   const struct run_files *files)
{
	struct hoso_map origin;
	struct file_origin *origins;
	const struct hoso_source *last_src = NULL;
	hoso_date last_day = HOSO_DATE_NONE;
	size_t nsources = 1 + p->nmore_sources, norigins = 0, cap = 16;
	bool first = true;

	hoso_map_init(&origin);
	origins = hoso_xcalloc(cap, sizeof(*origins));
	for (size_t s = 0; s < nsources; s++) {
		const struct hoso_source *src = s == 0 ? &p->source : &p->more_sources[s - 1];
		bool dated = false;

		for (size_t g = 0; g < src->npaths; g++)
			dated |= strstr(src->paths[g], "{date:") != NULL;
		for (hoso_date d = args->from; d <= args->to; d++) {
			char **paths = NULL;
			size_t n = 0;
			struct hoso_buf err = HOSO_BUF_INIT;

			if (hoso_pipeline_expand_paths(src, d, &paths, &n, &err)) {
				for (size_t i = 0; i < n; i++) {
					char *abs = realpath(paths[i], NULL);
					const char *key = abs ? abs : paths[i];
					void **slot = hoso_map_slot(&origin, key, strlen(key));

					if (!*slot) {
						if (norigins == cap) {
							/* slots hold indexes: the array may move */
							cap *= 2;
							origins = hoso_xrealloc(origins, cap * sizeof(*origins));
						}
						origins[norigins] = (struct file_origin) {
							src, dated ? d : HOSO_DATE_NONE
						};
						*slot = (void *) (norigins++ + 1);
					}
					free(abs);
					free(paths[i]);
				}
			}
			free(paths);
			hoso_buf_release(&err);
			if (!dated)
				break;
		}
	}
	for (size_t i = 0; i < files->n; i++) {
		size_t k = (size_t) hoso_map_get(&origin, files->paths[i], strlen(files->paths[i]));
		const struct file_origin *o = k ? &origins[k - 1] : NULL;

		if (o && (first || o->src != last_src)) {
			runner_argv_opt(b, "--format", o->src->format);
			if (strcmp(o->src->format, HOSO_FORMAT_DVCQG_JSONL) != 0 && o->src->schema_dir) {
				char schema[PATH_MAX];

				snprintf(schema, sizeof(schema), "%s/%s.yaml", o->src->schema_dir,
					 o->src->format);
				runner_argv_opt(b, "--schema", schema);
			}
		}
		if (o && (first || o->day != last_day)) {
			char day[16];

			if (o->day == HOSO_DATE_NONE)
				snprintf(day, sizeof(day), "auto");
			else
				hoso_date_format_iso(o->day, day);
			runner_argv_opt(b, "--landing-date", day);
		}
		if (o) {
			first = false;
			last_src = o->src;
			last_day = o->day;
		}
		runner_argv_push(b, files->paths[i]);
	}
	hoso_map_release(&origin);
	free(origins);
}

/*
 * Run "extract | transform" as two processes joined by a pipe and wait for
 * both.  Returns HOSO_EXIT_OK, or HOSO_EXIT_USAGE / HOSO_EXIT_FAILED after
 * logging which stage failed, followed by consequence.
 */
int
runner_run_extract_transform(char *const ex[], char *const tr[], const char *consequence)
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

int
runner_run_stages(const struct hoso_pipeline *p, const struct run_args *args,
		  const struct run_files *files, long long run_id, const char *staging,
		  long long ms[3])
{
	struct runner_argv ex = { 0 }, tr = { 0 }, ld = { 0 };
	char num[64];
	int ret = HOSO_EXIT_FAILED;
	struct timespec t0, t1, t2;

	runner_argv_push(&ex, runner_stage_path("hoso-extract"));
	snprintf(num, sizeof(num), "%ld", (long) p->max_line_bytes);
	if (p->max_line_bytes > 0)
		runner_argv_opt(&ex, "--max-line-bytes", num);
	runner_argv_opt(&ex, "--personal-data", p->personal_data);
	runner_argv_opt(&ex, "--reject-file", p->rejects.file);
	if (args->json_log)
		runner_argv_opt(&ex, "--log-format", "json");
	push_files(&ex, p, args, files);

	runner_argv_push(&tr, runner_stage_path("hoso-transform"));
	runner_argv_push(&tr, "--prior");
	runner_argv_opt(&tr, "--out", staging);
	runner_argv_opt(&tr, "--conninfo", p->target.conninfo);
	runner_argv_opt(&tr, "--prefer", p->prefer);
	runner_argv_reference(&tr, p);
	if (args->json_log)
		runner_argv_opt(&tr, "--log-format", "json");

	runner_argv_push(&ld, runner_stage_path("hoso-load"));
	snprintf(num, sizeof(num), "%lld", run_id);
	runner_argv_opt(&ld, "--run-id", num);
	if (args->replace)
		runner_argv_push(&ld, "--replace");
	snprintf(num, sizeof(num), "%.17g", p->rejects.max_ratio);
	runner_argv_opt(&ld, "--max-reject-ratio", num);
	if (p->rejects.max_count >= 0) {
		snprintf(num, sizeof(num), "%lld", (long long) p->rejects.max_count);
		runner_argv_opt(&ld, "--max-rejects", num);
	}
	runner_argv_opt(&ld, "--conninfo", p->target.conninfo);
	runner_argv_reference(&ld, p);
	if (args->json_log)
		runner_argv_opt(&ld, "--log-format", "json");
	runner_argv_push(&ld, staging);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = runner_run_extract_transform(ex.v, tr.v, "nothing was loaded");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms[0] = elapsed_ms(&t0, &t1);
	ms[1] = ms[0];
	if (ret != HOSO_EXIT_OK)
		goto cleanup;
	ret = runner_run_command(ld.v);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	ms[2] = elapsed_ms(&t1, &t2);
cleanup:
	runner_argv_release(&ex);
	runner_argv_release(&tr);
	runner_argv_release(&ld);
	return ret;
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
	char tag[64], base[PATH_MAX];
	int n;

	if (!hoso_warehouse_id_query(conn, &id))
		return false;
	hoso_warehouse_id_tag(&id, tag, sizeof(tag));
	/* two warehouses run from one directory, or sharing a folder, never meet */
	snprintf(base, sizeof(base), "%s/%s", p->staging ? p->staging : ".hoso/staging", tag);
	runner_remove_stale_staging(conn, base, &id);
	n = snprintf(out, outlen, "%s/run-%lld", base, run_id);
	if (n < 0 || (size_t) n >= outlen) {
		hoso_error("the staging path under \"%s\" is too long", base);
		return false;
	}
	return make_dirs(out) && hoso_owner_write(out, &id, run_id);
}
