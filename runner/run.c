/*
 * run.c: "hoso run PIPELINE.yaml [--date D | --from D --to D]".
 *
 * The runner owns the parts of a run that span the stages: the warehouse
 * lock (a session advisory lock on its own connection, so that it vanishes
 * with the runner), the run's report row, and the ledger check that keeps a
 * file already loaded from being read again.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_sha256.h"
#include "runner.h"

static void
run_usage(FILE *out)
{
	fprintf(out,
		"Usage: hoso run PIPELINE.yaml [--date D | --from D --to D] [OPTION]...\n"
		"Load the pipeline's files of the given days (default: yesterday, Vietnam time).\n\n"
		"      --date D          one day (YYYY-MM-DD)\n"
		"      --from D --to D   a range of days, both included\n"
		"      --replace         reload files whose content changed since they were loaded\n"
		"      --wait            wait for another run to finish instead of exiting 75\n"
		"      --topology FILE   national warehouse: load into the shard that holds the\n"
		"                        pipeline's province\n"
		"      --keep-staging    keep the staging directory after a successful run\n"
		"      --log-format FMT  text (default) or json\n");
}

bool
runner_parse_date_arg(const char *opt, const char *s, hoso_date *out)
{
	if (!hoso_date_parse_iso(s, strlen(s), out)) {
		hoso_error("%s: expected a date YYYY-MM-DD, found \"%s\"", opt, s);
		return false;
	}
	return true;
}

static void
files_add(struct run_files *f, const char *path)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->paths = hoso_xrealloc(f->paths, f->cap * sizeof(*f->paths));
	}
	f->paths[f->n++] = hoso_xstrdup(path);
}

static void
files_release(struct run_files *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->paths[i]);
	free(f->paths);
	memset(f, 0, sizeof(*f));
}

static int
compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Every file the pipeline's globs match on the run's days, in byte order. */
static bool
collect_files(const struct hoso_pipeline *p, const struct run_args *args, struct run_files *out)
{
	size_t nsources = 1 + p->nmore_sources;

	for (size_t s = 0; s < nsources; s++) {
		const struct hoso_source *src = s == 0 ? &p->source : &p->more_sources[s - 1];

		for (hoso_date d = args->from; d <= args->to; d++) {
			char **paths = NULL;
			size_t n = 0;
			struct hoso_buf err = HOSO_BUF_INIT;

			if (!hoso_pipeline_expand_paths(src, d, &paths, &n, &err)) {
				hoso_error("%s: %s", args->pipeline_path, err.data);
				hoso_buf_release(&err);
				return false;
			}
			for (size_t i = 0; i < n; i++) {
				/*
				 * The ledger knows a file by its absolute path, so that
				 * running from another directory cannot load it twice.
				 */
				char *abs = realpath(paths[i], NULL);

				files_add(out, abs ? abs : paths[i]);
				free(abs);
				free(paths[i]);
			}
			free(paths);
			hoso_buf_release(&err);
		}
	}
	qsort(out->paths, out->n, sizeof(*out->paths), compare_paths);
	/* a glob without {date} matches the same files every day */
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (k > 0 && strcmp(out->paths[k - 1], out->paths[i]) == 0) {
			free(out->paths[i]);
			continue;
		}
		out->paths[k++] = out->paths[i];
	}
	out->n = k;
	return true;
}

bool
runner_file_digest(const char *path, char hex[65], long long *size)
{
	FILE *f = fopen(path, "rb");
	struct hoso_sha256 sha;
	static char buf[1 << 18];
	size_t n;

	if (!f) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		return false;
	}
	hoso_sha256_init(&sha);
	*size = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		hoso_sha256_update(&sha, buf, n);
		*size += (long long) n;
	}
	if (ferror(f)) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		fclose(f);
		return false;
	}
	fclose(f);
	hoso_sha256_final_hex(&sha, hex);
	return true;
}

/*
 * Keep the files the ledger does not hold.  A ledgered file with the same
 * content is skipped; with other content it is an error unless --replace.
 */
static int
filter_ledgered(PGconn *conn, const struct run_args *args, struct run_files *files,
		size_t *skipped)
{
	size_t k = 0;
	int ret = HOSO_EXIT_OK;

	*skipped = 0;
	for (size_t i = 0; i < files->n; i++) {
		char hex[65];
		long long size;
		const char *params[1] = { files->paths[i] };
		PGresult *res;

		if (!runner_file_digest(files->paths[i], hex, &size)) {
			ret = HOSO_EXIT_FAILED;
			break;
		}
		res = PQexecParams(conn, "SELECT sha256, size FROM hoso.file_ledger WHERE path = $1",
				   1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			hoso_error("reading the file ledger failed: %s", PQerrorMessage(conn));
			PQclear(res);
			ret = HOSO_EXIT_FAILED;
			break;
		}
		if (PQntuples(res) == 1) {
			bool same = strcmp(PQgetvalue(res, 0, 0), hex) == 0;

			PQclear(res);
			if (same) {
				hoso_info("%s: already loaded with the same content, skipped", files->paths[i]);
				(*skipped)++;
				free(files->paths[i]);
				continue;
			}
			if (!args->replace) {
				hoso_error("%s: already loaded, but its content changed since "
					   "(size now %lld, sha256 %s); rerun with --replace to replace "
					   "what it loaded", files->paths[i], size, hex);
				ret = HOSO_EXIT_FAILED;
				break;
			}
			hoso_info("%s: content changed, replacing what it loaded", files->paths[i]);
		} else {
			PQclear(res);
		}
		files->paths[k++] = files->paths[i];
	}
	if (ret != HOSO_EXIT_OK) {
		/* keep the array consistent for files_release */
		for (size_t i = k; i < files->n; i++)
			files->paths[i] = NULL;
	}
	files->n = ret == HOSO_EXIT_OK ? k : files->n;
	return ret;
}

/*
 * A runner killed before it could finish leaves its run row 'running'.
 * Holding the lock, we know no other runner is at work, so a 'running' row
 * of a run or rebuild whose runner's session is gone (its application_name
 * carries the run id) was interrupted: say so in the row, and here.
 */
static void
mark_interrupted_runs(PGconn *conn)
{
	PGresult *res;

	res = PQexec(conn,
		     "UPDATE hoso.run r SET status = 'failed', finished_at = coalesce(r.finished_at, now()),"
		     " message = concat_ws('; ', r.message, 'interrupted: its runner stopped before"
		     " finishing (marked by a later run)')"
		     " WHERE r.status = 'running' AND r.kind IN ('run', 'rebuild') AND r.pipeline IS NOT NULL"
		     " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a"
		     "  WHERE a.application_name LIKE 'hoso ' || r.kind || ' ' || r.run_id || ' %')"
		     " RETURNING r.run_id");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		hoso_warning("cannot mark interrupted runs: %s", PQerrorMessage(conn));
	else if (PQntuples(res) > 0)
		hoso_warning("%d earlier run(s) had been interrupted (first: run %s); "
			     "their run rows now say so", PQntuples(res), PQgetvalue(res, 0, 0));
	PQclear(res);
}

int
runner_take_lock(PGconn *conn, bool wait)
{
	char sql[256];
	PGresult *res;
	bool got;

	snprintf(sql, sizeof(sql), "SELECT %s(%lld)",
		 wait ? "pg_advisory_lock" : "pg_try_advisory_lock", RUNNER_LOCK_KEY);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		hoso_error("cannot take the warehouse lock: %s", PQerrorMessage(conn));
		PQclear(res);
		return HOSO_EXIT_FAILED;
	}
	got = wait || strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (got) {
		mark_interrupted_runs(conn);
		return HOSO_EXIT_OK;
	}

	/* name the holder: its application_name carries its run id */
	snprintf(sql, sizeof(sql),
		 "SELECT a.application_name, a.pid, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ')"
		 " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
		 " WHERE l.locktype = 'advisory' AND l.granted"
		 " AND ((l.classid::bigint << 32) | l.objid::bigint) = %lld", RUNNER_LOCK_KEY);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
		hoso_error("another run holds the warehouse lock: \"%s\" (server pid %s, since %s); "
			   "use --wait to wait for it", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1),
			   PQgetvalue(res, 0, 2));
	else
		hoso_error("another run holds the warehouse lock; use --wait to wait for it");
	PQclear(res);
	return HOSO_EXIT_LOCKED;
}

static long long
start_run_row(PGconn *conn, const struct run_args *args, const struct hoso_pipeline *p)
{
	char from[11], to[11];
	const char *params[3];
	PGresult *res;
	long long id = -1;

	hoso_date_format_iso(args->from, from);
	hoso_date_format_iso(args->to, to);
	params[0] = p->name ? p->name : args->pipeline_path;
	params[1] = from;
	params[2] = to;
	res = PQexecParams(conn,
			   "INSERT INTO hoso.run (kind, pipeline, date_from, date_to, started_at, status)"
			   " VALUES ('run', $1, $2, $3, now(), 'running') RETURNING run_id",
			   3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		id = atoll(PQgetvalue(res, 0, 0));
	else
		hoso_error("cannot record the run: %s", PQerrorMessage(conn));
	PQclear(res);
	return id;
}

void
runner_finish_run_row(PGconn *conn, long long run_id, int code, size_t seen, size_t skipped,
	       const long long ms[3], const char *message)
{
	char id[32], c[16], s[32], k[32], m0[32], m1[32], m2[32];
	const char *params[8] = { id, c, s, k, m0, m1, m2, message };
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", run_id);
	snprintf(c, sizeof(c), "%d", code);
	snprintf(s, sizeof(s), "%zu", seen);
	snprintf(k, sizeof(k), "%zu", skipped);
	snprintf(m0, sizeof(m0), "%lld", ms[0]);
	snprintf(m1, sizeof(m1), "%lld", ms[1]);
	snprintf(m2, sizeof(m2), "%lld", ms[2]);
	/* the load may have written its counts; keep them, add ours */
	res = PQexecParams(conn,
			   "UPDATE hoso.run SET finished_at = now(), exit_code = $2,"
			   " status = CASE WHEN $2::int = 0 THEN 'done' ELSE 'failed' END,"
			   " files_seen = $3, files_skipped = $4,"
			   " extract_ms = $5, transform_ms = $6, load_ms = $7,"
			   " message = coalesce($8, message)"
			   " WHERE run_id = $1",
			   8, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		hoso_warning("cannot update the run report: %s", PQerrorMessage(conn));
	PQclear(res);
}

/* The staging directory holds only the flat files hoso-transform wrote. */
void
runner_remove_staging(const char *dir)
{
	static const char *const names[] = {
		"files.tsv", "dossier_msg.tsv", "progress_msg.tsv", "case_fact.tsv",
		"case_due.tsv", "case_status.tsv", "reject.tsv", "summary_day.tsv",
		"summary_procedure_day.tsv", "summary_procedure_month.tsv", "report.json", "MANIFEST",
		"MANIFEST.tmp", "prior-keys.tsv", "prior-records.tsv", "prior-paths.tsv",
		"rebuild-keys.tsv",
	};
	char path[4200];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	if (rmdir(dir) != 0)
		hoso_warning("cannot remove staging directory \"%s\": %s", dir, strerror(errno));
}

/*
 * Staging directories of earlier runs that were killed: with the warehouse
 * lock held, no other run can be using one, so each is removed.
 */
void
runner_remove_stale_staging(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *e;
	char path[4200];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "run-", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		hoso_info("removing the staging directory of an interrupted run: %s", path);
		runner_remove_staging(path);
	}
	closedir(d);
}

int
runner_cmd_run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "replace", no_argument, NULL, 'r' },
		{ "wait", no_argument, NULL, 'w' },
		{ "topology", required_argument, NULL, 'T' },
		{ "keep-staging", no_argument, NULL, 'k' },
		{ "log-format", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct run_args args = { .from = HOSO_DATE_NONE, .to = HOSO_DATE_NONE };
	struct hoso_pipeline pipeline;
	struct hoso_buf err = HOSO_BUF_INIT;
	struct run_files files = { 0 };
	PGconn *conn = NULL;
	long long run_id = -1, ms[3] = { 0, 0, 0 };
	size_t seen = 0, skipped = 0;
	char staging[4096], appname[128], *migrate_argv[4];
	bool have_date = false, pipeline_loaded = false;
	int ret = HOSO_EXIT_USAGE, opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (!runner_parse_date_arg("--date", optarg, &args.from))
				return HOSO_EXIT_USAGE;
			args.to = args.from;
			have_date = true;
			break;
		case 'f':
			if (!runner_parse_date_arg("--from", optarg, &args.from))
				return HOSO_EXIT_USAGE;
			break;
		case 't':
			if (!runner_parse_date_arg("--to", optarg, &args.to))
				return HOSO_EXIT_USAGE;
			break;
		case 'r': args.replace = true; break;
		case 'w': args.wait = true; break;
		case 'T': args.topology_path = optarg; break;
		case 'k': args.keep_staging = true; break;
		case 'l':
			if (strcmp(optarg, "json") == 0) {
				hoso_log_set_format(HOSO_LOG_JSON);
				args.json_log = true;
			} else if (strcmp(optarg, "text") != 0) {
				hoso_error("--log-format: expected text or json, found \"%s\"", optarg);
				return HOSO_EXIT_USAGE;
			}
			break;
		case 'h': run_usage(stdout); return HOSO_EXIT_OK;
		default: run_usage(stderr); return HOSO_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		run_usage(stderr);
		return HOSO_EXIT_USAGE;
	}
	args.pipeline_path = argv[optind];
	if (have_date && (args.from != args.to)) {
		hoso_error("--date cannot be combined with --from/--to");
		return HOSO_EXIT_USAGE;
	}
	if ((args.from == HOSO_DATE_NONE) != (args.to == HOSO_DATE_NONE)) {
		hoso_error("--from and --to go together");
		return HOSO_EXIT_USAGE;
	}
	if (args.from == HOSO_DATE_NONE) {
		/* yesterday in Vietnam time, the nightly default */
		hoso_time now = (hoso_time) time(NULL) + HOSO_UTC_OFFSET_SECONDS;

		args.from = args.to = hoso_time_date(now) - 1;
	}
	if (args.to < args.from) {
		hoso_error("--to is before --from");
		return HOSO_EXIT_USAGE;
	}

	if (!hoso_pipeline_load(args.pipeline_path, &pipeline, &err)) {
		hoso_error("%s", err.data);
		goto cleanup;
	}
	pipeline_loaded = true;
	if (!runner_national_target(&pipeline, args.topology_path))
		goto cleanup;
	ret = HOSO_EXIT_FAILED;
	if (!collect_files(&pipeline, &args, &files))
		goto cleanup;
	seen = files.n;

	/* the schema must exist before the ledger can be read */
	migrate_argv[0] = (char *) runner_stage_path("hoso-load");
	migrate_argv[1] = (char *) "--migrate";
	migrate_argv[2] = pipeline.target.conninfo ? (char *) "--conninfo" : NULL;
	migrate_argv[3] = NULL;
	if (pipeline.target.conninfo) {
		char *v[5] = { migrate_argv[0], migrate_argv[1], migrate_argv[2],
			       pipeline.target.conninfo, NULL };
		ret = runner_run_command(v);
	} else {
		ret = runner_run_command(migrate_argv);
	}
	if (ret != HOSO_EXIT_OK)
		goto cleanup;
	ret = HOSO_EXIT_FAILED;

	conn = hoso_pg_connect(pipeline.target.conninfo, "hoso run");
	if (!conn)
		goto cleanup;
	ret = runner_take_lock(conn, args.wait);
	if (ret != HOSO_EXIT_OK)
		goto cleanup;
	run_id = start_run_row(conn, &args, &pipeline);
	if (run_id < 0) {
		ret = HOSO_EXIT_FAILED;
		goto cleanup;
	}
	snprintf(appname, sizeof(appname), "hoso run %lld %s", run_id,
		 pipeline.name ? pipeline.name : "");
	{
		char sql[256];
		char *quoted = PQescapeLiteral(conn, appname, strlen(appname));

		snprintf(sql, sizeof(sql), "SET application_name = %s", quoted ? quoted : "'hoso run'");
		PQfreemem(quoted);
		hoso_pg_exec(conn, sql);
	}

	ret = filter_ledgered(conn, &args, &files, &skipped);
	if (ret != HOSO_EXIT_OK) {
		runner_finish_run_row(conn, run_id, ret, seen, skipped, ms, "a ledgered file changed");
		goto cleanup;
	}
	if (files.n == 0) {
		const char *why = seen == 0 ? "no file matched the pipeline's paths"
			: "every file is already in the ledger";

		hoso_info("run %lld: nothing to load: %s (%zu files)", run_id, why, seen);
		runner_finish_run_row(conn, run_id, HOSO_EXIT_OK, seen, skipped, ms, why);
		goto cleanup;
	}
	runner_remove_stale_staging(pipeline.staging ? pipeline.staging : ".hoso/staging");
	snprintf(staging, sizeof(staging), "%s/run-%lld",
		 pipeline.staging ? pipeline.staging : ".hoso/staging", run_id);
	hoso_info("run %lld: %zu files to load (%zu already loaded)", run_id, files.n, skipped);
	ret = runner_run_stages(&pipeline, &args, &files, run_id, staging, ms);
	runner_finish_run_row(conn, run_id, ret, seen, skipped, ms, NULL);
	if (ret == HOSO_EXIT_OK) {
		if (!args.keep_staging)
			runner_remove_staging(staging);
		hoso_info("run %lld: done", run_id);
	} else {
		hoso_error("run %lld failed; the warehouse is unchanged; staging files kept in %s",
			   run_id, staging);
	}
cleanup:
	if (conn)
		PQfinish(conn);
	files_release(&files);
	if (pipeline_loaded)
		hoso_pipeline_release(&pipeline);
	hoso_buf_release(&err);
	return ret;
}
