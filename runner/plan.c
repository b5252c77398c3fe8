/*
 * plan.c: what a run will do with each file, decided once.
 *
 * The pipeline's globs are expanded once per source and day; each file
 * keeps the source and the landing day that matched it, so the stages'
 * options, the ledger's landing day and the dry run's listing all read
 * the same plan.  The ledger then says, per file, load, skip (same
 * content) or refuse (same path, other content; replace with --replace).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_progress.h"
#include "runner.h"

void
runner_files_add(struct run_files *f, const char *path, const char *format,
		 const struct hoso_source *src, hoso_date day)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->v = hoso_xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	f->v[f->n] = (struct run_file) {
		.path = hoso_xstrdup(path), .format = hoso_xstrdup(format), .src = src, .day = day,
		.size = -1, .action = RUN_FILE_LOAD, .order = f->n,
	};
	f->n++;
}

void
runner_files_release(struct run_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].format);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static int
compare_files(const void *a, const void *b)
{
	const struct run_file *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->order > y->order) - (x->order < y->order);
}

bool
runner_collect_files(const struct hoso_pipeline *p, const char *pipeline_path, hoso_date from,
		     hoso_date to, struct run_files *out)
{
	size_t nsources = 1 + p->nmore_sources, k = 0;

	for (size_t s = 0; s < nsources; s++) {
		const struct hoso_source *src = s == 0 ? &p->source : &p->more_sources[s - 1];
		bool dated = false;

		for (size_t g = 0; g < src->npaths; g++)
			dated |= strstr(src->paths[g], "{date:") != NULL;
		/* a glob without {date} matches the same files every day: expand it once */
		for (hoso_date d = from; d <= to; d++) {
			char **paths = NULL;
			size_t n = 0;
			struct hoso_buf err = HOSO_BUF_INIT;

			if (!hoso_pipeline_expand_paths(src, d, &paths, &n, &err)) {
				hoso_error("%s: %s", pipeline_path, err.data);
				hoso_buf_release(&err);
				return false;
			}
			for (size_t i = 0; i < n; i++) {
				/*
				 * The ledger knows a file by its absolute path, so that
				 * running from another directory cannot load it twice.
				 */
				char *abs = realpath(paths[i], NULL);

				runner_files_add(out, abs ? abs : paths[i], src->format, src,
						 dated ? d : HOSO_DATE_NONE);
				free(abs);
				free(paths[i]);
			}
			free(paths);
			hoso_buf_release(&err);
			if (!dated)
				break;
		}
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), compare_files);
	for (size_t i = 0; i < out->n; i++) {
		if (k > 0 && strcmp(out->v[k - 1].path, out->v[i].path) == 0) {
			free(out->v[i].path);
			free(out->v[i].format);
			continue;
		}
		out->v[k++] = out->v[i];
	}
	out->n = k;
	return true;
}

bool
runner_plan_ledger(PGconn *conn, struct run_files *files, bool replace)
{
	/* a dry run before the first run: no ledger yet, every file is new */
	bool ledger = runner_table_exists(conn, "hoso.file_ledger");
	struct hoso_progress line;
	unsigned long long bytes = 0;

	/* every file is read whole for its digest: a backfill's plan takes a while */
	hoso_progress_init(&line, "plan");
	for (size_t i = 0; i < files->n; i++) {
		struct run_file *f = &files->v[i];
		const char *params[1] = { f->path };
		PGresult *res;

		if (!runner_file_digest(f->path, f->sha256, &f->size))
			return false;
		bytes += (unsigned long long) f->size;
		hoso_progress_update(&line, i + 1, bytes, 0);
		if (!ledger)
			continue;
		res = hoso_pg_query(conn, "SELECT sha256 FROM hoso.file_ledger WHERE path = $1", 1,
				    params);
		if (!res)
			return false;
		if (PQntuples(res) == 0)
			f->action = RUN_FILE_LOAD;
		else if (strcmp(PQgetvalue(res, 0, 0), f->sha256) == 0)
			f->action = RUN_FILE_SKIP;
		else
			f->action = replace ? RUN_FILE_REPLACE : RUN_FILE_REFUSE;
		PQclear(res);
	}
	if (line.shown)
		hoso_progress_finish(&line);
	return true;
}

void
runner_files_handed(const struct run_files *all, struct run_files *out)
{
	for (size_t i = 0; i < all->n; i++) {
		const struct run_file *f = &all->v[i];

		if (f->action != RUN_FILE_LOAD && f->action != RUN_FILE_REPLACE)
			continue;
		runner_files_add(out, f->path, f->format, f->src, f->day);
		out->v[out->n - 1].size = f->size;
		memcpy(out->v[out->n - 1].sha256, f->sha256, sizeof(f->sha256));
		out->v[out->n - 1].action = f->action;
	}
}

bool
runner_record_plan(PGconn *conn, long long run_id, const struct run_files *handed)
{
	char id[32];

	snprintf(id, sizeof(id), "%lld", run_id);
	for (size_t i = 0; i < handed->n; i++) {
		const struct run_file *f = &handed->v[i];
		char day[11] = "";
		const char *params[4] = { id, f->path, f->format, NULL };

		if (f->day != HOSO_DATE_NONE) {
			hoso_date_format_iso(f->day, day);
			params[3] = day;
		}
		if (!hoso_pg_exec_params(conn,
					 "INSERT INTO hoso.run_file (run_id, path, format, landing_day)"
					 " VALUES ($1, $2, $3, $4)", 4, params))
			return false;
	}
	return true;
}

static const char *const action_names[] = {
	[RUN_FILE_LOAD] = "load", [RUN_FILE_SKIP] = "skip",
	[RUN_FILE_REPLACE] = "replace", [RUN_FILE_REFUSE] = "refuse",
};

static int
compare_by_day(const void *a, const void *b)
{
	const struct run_file *x = a, *y = b;

	if (x->day != y->day)
		return (x->day > y->day) - (x->day < y->day);
	return strcmp(x->path, y->path);
}

void
runner_print_plan(FILE *out, const struct run_files *files, bool verbose)
{
	struct run_file *v = hoso_xcalloc(files->n + 1, sizeof(*v));
	long long total[4] = { 0 }, bytes[4] = { 0 };

	if (files->n)
		memcpy(v, files->v, files->n * sizeof(*v));
	/* HOSO_DATE_NONE sorts first: files of globs without {date} */
	qsort(v, files->n, sizeof(*v), compare_by_day);
	for (size_t i = 0; i < files->n;) {
		long long count[4] = { 0 }, size[4] = { 0 };
		char day[16];
		size_t j = i;

		for (; j < files->n && v[j].day == v[i].day; j++) {
			count[v[j].action]++;
			size[v[j].action] += v[j].size;
		}
		if (v[i].day == HOSO_DATE_NONE)
			snprintf(day, sizeof(day), "(no day)");
		else
			hoso_date_format_iso(v[i].day, day);
		fprintf(out, "%-10s", day);
		for (int a = 0; a < 4; a++) {
			total[a] += count[a];
			bytes[a] += size[a];
			if (count[a])
				fprintf(out, "  %s %lld (%lld bytes)", action_names[a], count[a], size[a]);
		}
		fputc('\n', out);
		for (size_t k = i; verbose && k < j; k++)
			fprintf(out, "  %-7s %12lld  %s\n", action_names[v[k].action], v[k].size,
				v[k].path);
		i = j;
	}
	fprintf(out, "total: %zu files: ", files->n);
	for (int a = 0; a < 4; a++)
		fprintf(out, "%s%s %lld (%lld bytes)", a ? ", " : "", action_names[a], total[a],
			bytes[a]);
	fputc('\n', out);
	free(v);
}
