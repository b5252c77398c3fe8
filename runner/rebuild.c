/*
 * rebuild.c: "hoso rebuild PIPELINE.yaml --from D --to D [--why TEXT] [--dry-run]".
 *
 * Regenerates a past range after upstream data was corrected (a unit's
 * parent, a time limit, a calendar day, a profile): every case with an
 * event in the range is re-derived, with the current reference data, from
 * all the ledgered files holding a message about it (README.md,
 * "Rebuilding history"), not only the files of the range.  The files are
 * re-read from disk, each first checked against its ledger row (size and
 * SHA-256): a missing or changed file stops the rebuild before anything is
 * derived.
 *
 *   select the cases (case_fact)  ->  their ledgered files  ->  verify
 *   hoso-extract FILES | hoso-transform --derive-only KEYS  ->  staging
 *   hoso-load --rebuild KEYS: the facts of those cases swapped in one
 *   transaction, with the range's figures before and after in the run row
 *
 * The ledger and the archive do not change.  The warehouse lock is the one
 * "hoso run" takes, so a rebuild and a run never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hoso_cli.h"
#include "hoso_layout.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "runner.h"

struct rebuild_args {
	const char *pipeline_path;
	hoso_date from, to;
	const char *why;
	bool dry_run, wait, keep_staging;
};

/* One ledgered file to re-read: its ledger row, and the file as the stages get it. */
struct rebuild_file {
	char *sha256, *run_id;
	long long size;
};

struct rebuild_plan {
	struct rebuild_file *files;
	struct run_files read;		/* the same files, in the same order */
	size_t nfiles;
	long long ncases;
	char first_day[11], last_day[11];	/* span of the cases' events, or "" */
};

static void
plan_release(struct rebuild_plan *p)
{
	for (size_t i = 0; i < p->nfiles; i++) {
		free(p->files[i].sha256);
		free(p->files[i].run_id);
	}
	free(p->files);
	runner_files_release(&p->read);
	memset(p, 0, sizeof(*p));
}

/*
 * The cases of the range, into the session's temporary table rebuild_case:
 * those with an event in it (accepted, ended, or any message time between
 * their first and last), and those open across it, whose figures the range
 * counts too.  Then the ledgered files holding any message about them.
 */
/* The pipeline's source of a ledgered format, NULL when none reads it any more. */
static const struct hoso_source *
source_of(const struct hoso_pipeline *p, const char *format)
{
	for (size_t s = 0; s < 1 + p->nmore_sources; s++) {
		const struct hoso_source *src = s == 0 ? &p->source : &p->more_sources[s - 1];

		if (strcmp(src->format, format) == 0)
			return src;
	}
	return NULL;
}

static bool
make_plan(PGconn *conn, const struct hoso_pipeline *pl, const struct rebuild_args *a,
	  struct rebuild_plan *plan)
{
	char from[11], to[11];
	const char *p[2] = { from, to };
	PGresult *res;
	int n;

	hoso_date_format_iso(a->from, from);
	hoso_date_format_iso(a->to, to);
	if (!hoso_pg_exec_params(conn,
				 "CREATE TEMP TABLE rebuild_case AS"
				 " SELECT f.src, f.case_no,"
				 "        least(f.first_event_at, f.accepted_at) AS first_at,"
				 "        greatest(f.last_event_at, f.end_at) AS last_at"
				 "   FROM hoso.case_fact f"
				 "  WHERE (least(f.first_event_at, f.accepted_at) <= hoso.period_end($2::date)"
				 "         AND greatest(f.last_event_at, f.end_at) >= hoso.period_start($1::date))"
				 "     OR (f.received AND f.end_at IS NULL"
				 "         AND f.accepted_at <= hoso.period_end($2::date))",
				 2, p) ||
	    !hoso_pg_exec(conn, "ANALYZE rebuild_case"))
		return false;
	res = hoso_pg_query(conn,
			    "SELECT count(*), coalesce(to_char(hoso.local_date(min(first_at)), 'YYYY-MM-DD'), ''),"
			    "       coalesce(to_char(hoso.local_date(max(last_at)), 'YYYY-MM-DD'), '')"
			    "  FROM rebuild_case", 0, NULL);
	if (!res)
		return false;
	plan->ncases = atoll(PQgetvalue(res, 0, 0));
	snprintf(plan->first_day, sizeof(plan->first_day), "%s", PQgetvalue(res, 0, 1));
	snprintf(plan->last_day, sizeof(plan->last_day), "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	/* byte order of path, as hoso run gives them: the same file numbers break the same ties */
	res = hoso_pg_query(conn,
			    "SELECT l.path, l.size, l.sha256, l.format, l.run_id,"
			    "       coalesce(l.landing_day::text, '')"
			    "  FROM hoso.file_ledger l"
			    " WHERE l.file_id IN (SELECT m.file_id FROM hoso.dossier_msg m"
			    "                      JOIN rebuild_case USING (src, case_no)"
			    "                     UNION SELECT m.file_id FROM hoso.progress_msg m"
			    "                      JOIN rebuild_case USING (src, case_no))"
			    " ORDER BY l.path COLLATE \"C\"", 0, NULL);
	if (!res)
		return false;
	n = PQntuples(res);
	plan->files = hoso_xcalloc((size_t) n + 1, sizeof(*plan->files));
	for (int i = 0; i < n; i++) {
		struct rebuild_file *f = &plan->files[plan->nfiles++];
		const char *format = PQgetvalue(res, i, 3), *day_text = PQgetvalue(res, i, 5);
		hoso_date day = HOSO_DATE_NONE;

		f->size = atoll(PQgetvalue(res, i, 1));
		f->sha256 = hoso_xstrdup(PQgetvalue(res, i, 2));
		f->run_id = hoso_xstrdup(PQgetvalue(res, i, 4));
		/* the day hoso run gave the file; none: "auto", from its path */
		if (*day_text)
			hoso_date_parse_iso(day_text, strlen(day_text), &day);
		runner_files_add(&plan->read, PQgetvalue(res, i, 0), format, source_of(pl, format),
				 day);
	}
	PQclear(res);
	return true;
}

/*
 * Each file as the ledger knows it?  Every problem is named; returns the
 * number of files missing or changed, and the first one's message.
 */
static size_t
verify_files(const struct rebuild_plan *plan, bool list, char *first, size_t firstlen)
{
	size_t bad = 0;

	first[0] = '\0';
	for (size_t i = 0; i < plan->nfiles; i++) {
		const struct rebuild_file *f = &plan->files[i];
		const char *path = plan->read.v[i].path;
		char hex[65], msg[4400];
		long long size = -1;
		struct stat st;

		msg[0] = '\0';
		if (stat(path, &st) != 0)
			snprintf(msg, sizeof(msg), "%s: ledgered (run %s) but %s", path, f->run_id,
				 errno == ENOENT ? "missing on disk" : strerror(errno));
		else if (!runner_file_digest(path, hex, &size))
			snprintf(msg, sizeof(msg), "%s: ledgered (run %s) but cannot be read", path,
				 f->run_id);
		else if (size != f->size || strcmp(hex, f->sha256) != 0)
			snprintf(msg, sizeof(msg), "%s: changed since it was loaded by run %s "
				 "(size %lld, sha256 %s; ledger: size %lld, sha256 %s)", path, f->run_id,
				 size, hex, f->size, f->sha256);
		if (msg[0]) {
			hoso_error("%s", msg);
			if (bad++ == 0)
				snprintf(first, firstlen, "%s", msg);
		}
		if (list)
			printf("  %s  %lld bytes  %s\n", msg[0] ? "BAD" : "ok ", f->size, path);
	}
	return bad;
}

static bool
write_keys(PGconn *conn, const char *path)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f) {
		hoso_error("cannot create \"%s\": %s", path, strerror(errno));
		return false;
	}
	ok = hoso_pg_copy_out(conn, "COPY (SELECT src, case_no FROM rebuild_case) TO STDOUT", f);
	if (fclose(f) != 0 && ok) {
		hoso_error("cannot write \"%s\": %s", path, strerror(errno));
		ok = false;
	}
	return ok;
}

/* What a rebuild holds from its first step to its last. */
struct rebuild_state {
	struct rebuild_args args;
	char from[11], to[11];		/* the range, YYYY-MM-DD */
	struct timespec started;
	struct hoso_pipeline pipeline;
	bool pipeline_loaded;
	PGconn *conn;
	struct rebuild_plan plan;
	long long run_id, ms[NSTAGES];
};

/*
 * The pipeline, the warehouse and its lock (a dry run changes nothing, not
 * even the schema), then the plan.
 */
static int
rebuild_prepare(struct rebuild_state *st)
{
	const struct rebuild_args *a = &st->args;
	struct hoso_buf err = HOSO_BUF_INIT;
	int ret;

	if (!hoso_pipeline_load(a->pipeline_path, &st->pipeline, &err)) {
		hoso_error("%s", err.data);
		hoso_buf_release(&err);
		return HOSO_EXIT_USAGE;
	}
	st->pipeline_loaded = true;
	st->conn = hoso_pg_connect(st->pipeline.target.conninfo, "hoso rebuild");
	if (!st->conn)
		return HOSO_EXIT_FAILED;
	if (!a->dry_run && runner_migrate(st->conn, &st->pipeline) != HOSO_EXIT_OK)
		return HOSO_EXIT_FAILED;
	ret = a->dry_run ? HOSO_EXIT_OK : runner_take_lock(&st->pipeline, st->conn, a->wait);
	if (ret != HOSO_EXIT_OK)
		return ret;
	return make_plan(st->conn, &st->pipeline, a, &st->plan) ? HOSO_EXIT_OK : HOSO_EXIT_FAILED;
}

static int
rebuild_dry(struct rebuild_state *st)
{
	const struct rebuild_plan *plan = &st->plan;
	char first_bad[4400];
	size_t bad;

	printf("rebuild %s .. %s (%d days): %lld cases, %zu files\n", st->from, st->to,
	       (int) (st->args.to - st->args.from) + 1, plan->ncases, plan->nfiles);
	if (plan->ncases > 0)
		printf("the cases' events span %s .. %s\n", plan->first_day, plan->last_day);
	bad = verify_files(plan, true, first_bad, sizeof(first_bad));
	if (bad > 0) {
		printf("%zu file(s) missing or changed: a rebuild would stop\n", bad);
		return HOSO_EXIT_FAILED;
	}
	return HOSO_EXIT_OK;
}

/*
 * The run's row, and the files against the ledger: false when the rebuild
 * ends there, with *ret (a file missing or changed, or no case to rebuild).
 */
static bool
rebuild_begin(struct rebuild_state *st, int *ret)
{
	char first_bad[4400], msg[4600];
	size_t bad;

	*ret = HOSO_EXIT_FAILED;
	st->run_id = runner_start_run_row(st->conn, "rebuild", &st->pipeline, st->args.pipeline_path,
					  st->args.from, st->args.to, st->args.why);
	if (st->run_id < 0)
		return false;
	hoso_log_set_run_id(st->run_id);	/* every later line, the stages' too */
	hoso_info("run %lld: rebuilding %s .. %s: %lld cases from %zu files", st->run_id, st->from,
		  st->to, st->plan.ncases, st->plan.nfiles);
	bad = verify_files(&st->plan, false, first_bad, sizeof(first_bad));
	if (bad > 0) {
		snprintf(msg, sizeof(msg), "%s%s; nothing was rebuilt", first_bad,
			 bad > 1 ? " (and other files)" : "");
		hoso_error("run %lld: %zu archived file(s) missing or changed; nothing was rebuilt",
			   st->run_id, bad);
		runner_finish_run_row(st->conn, st->run_id, *ret, st->plan.nfiles, 0, st->ms, msg);
		return false;
	}
	if (st->plan.ncases == 0) {
		hoso_info("run %lld: no case has an event in the range; nothing to rebuild", st->run_id);
		*ret = HOSO_EXIT_OK;
		runner_finish_run_row(st->conn, st->run_id, *ret, 0, 0, st->ms,
				      "no case has an event in the range");
		return false;
	}
	return true;
}

/* The cases' keys and files through the stages, in a staging directory of the run's own. */
static int
rebuild_derive(struct rebuild_state *st)
{
	char staging[4096], keys[4200], why[640];
	const char *stop = NULL;
	int ret;

	if (!runner_open_staging(st->conn, &st->pipeline, st->run_id, staging, sizeof(staging))) {
		stop = "cannot make the staging directory";
	} else {
		snprintf(keys, sizeof(keys), "%s/" HOSO_STAGING_REBUILD_KEYS, staging);
		if (!write_keys(st->conn, keys))
			stop = "cannot write the staging directory";
	}
	if (stop) {
		runner_finish_run_row(st->conn, st->run_id, HOSO_EXIT_FAILED, st->plan.nfiles, 0, st->ms,
				      stop);
		return HOSO_EXIT_FAILED;
	}
	ret = runner_run_stages(&(struct stage_request) {
		.p = &st->pipeline, .files = &st->plan.read, .run_id = st->run_id, .staging = staging,
		.rebuild_keys = keys, .from = st->args.from, .to = st->args.to, .progress_conn = st->conn,
	}, st->ms);
	ret = runner_settle_run(st->conn, st->run_id, ret, why, sizeof(why));
	runner_finish_run_row(st->conn, st->run_id, ret, st->plan.nfiles, 0, st->ms,
			      why[0] ? why : NULL);
	if (ret == HOSO_EXIT_OK) {
		if (!st->args.keep_staging)
			runner_remove_staging(staging);
		hoso_report(HOSO_LOG_INFO, hoso_log_event("rebuild_done"),
			    hoso_msg("run %lld: rebuilt %s .. %s", st->run_id, st->from, st->to),
			    hoso_hint("hoso report --from %s --to %s --compare %lld shows what moved.",
				      st->from, st->to, st->run_id));
	} else {
		hoso_report(HOSO_LOG_ERROR, hoso_log_event("rebuild_failed"), hoso_log_int("exit", ret),
			    hoso_log_str("staging", staging),
			    hoso_msg("rebuild %lld failed; the warehouse is unchanged", st->run_id),
			    hoso_detail("The staging files are kept in %s until the next run.", staging));
	}
	return ret;
}

/* The rebuild itself, once the arguments are checked. */
static int
rebuild(const struct rebuild_args *args)
{
	struct rebuild_state st = { .args = *args, .run_id = -1 };
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &st.started);
	runner_handle_stop_signals();
	hoso_date_format_iso(args->from, st.from);
	hoso_date_format_iso(args->to, st.to);
	ret = rebuild_prepare(&st);
	if (ret == HOSO_EXIT_OK && st.args.dry_run)
		ret = rebuild_dry(&st);
	else if (ret == HOSO_EXIT_OK && rebuild_begin(&st, &ret))
		ret = rebuild_derive(&st);
	/* a dry run changes nothing: no summary of a run that did not happen, no metrics */
	if (st.pipeline_loaded && !st.args.dry_run)
		runner_report_outcome(st.conn, &st.pipeline, st.run_id, ret, st.ms, &st.started,
				      "rebuild");
	if (st.conn)
		PQfinish(st.conn);
	plan_release(&st.plan);
	if (st.pipeline_loaded)
		hoso_pipeline_release(&st.pipeline);
	return ret;
}

static const char *const rebuild_usage[] = {
	"hoso rebuild PIPELINE.yaml --from D --to D [OPTION]...", NULL
};

/* the parsed command line */
static struct rebuild_args rebuild_opts = { .from = HOSO_DATE_NONE, .to = HOSO_DATE_NONE };

static const struct hoso_option rebuild_options[] = {
	HOSO_OPT_DATE("from", &rebuild_opts.from, "the first day of the range (required)"),
	HOSO_OPT_DATE("to", &rebuild_opts.to, "its last day, included (required)"),
	HOSO_OPT_STRING(0, "why", &rebuild_opts.why, "TEXT", "why the range is rebuilt (kept in the run's\nrow)"),
	HOSO_OPT_BOOL(0, "dry-run", &rebuild_opts.dry_run, "list the files, cases and days; change\nnothing"),
	HOSO_OPT_BOOL(0, "wait", &rebuild_opts.wait, "wait for another run to finish instead of\nexiting 75"),
	HOSO_OPT_BOOL(0, "keep-staging", &rebuild_opts.keep_staging,
		      "keep the staging directory after a successful\nrebuild"),
	HOSO_OPT_END(),
};

static struct hoso_cli rebuild_cli = {
	.name = "hoso rebuild", .usage = rebuild_usage, .options = rebuild_options,
	.about = "Re-derive every case with an event in the range from the ledgered files that\n"
		 "hold its messages, with the current reference data, and swap the new facts in\n"
		 "in one transaction.  Ledger and archive are left as they are.",
	.footer = "Exit status: 0 done, 1 failed (the warehouse is unchanged), 2 bad usage,\n"
		  "75 another run holds the warehouse lock, 130 or 143 stopped by SIGINT or\n"
		  "SIGTERM (nothing changed, the run's row says so).",
	.args_name = "PIPELINE.yaml", .min_args = 1, .max_args = 1,
};

int
runner_cmd_rebuild(int argc, char **argv)
{
	if (!hoso_cli_parse(&rebuild_cli, argc, argv))
		return rebuild_cli.status;
	rebuild_opts.pipeline_path = rebuild_cli.args[0];
	if (rebuild_opts.from == HOSO_DATE_NONE || rebuild_opts.to == HOSO_DATE_NONE)
		return hoso_cli_usage_error(&rebuild_cli, "--from and --to are required");
	if (runner_days(&rebuild_cli, HOSO_DATE_NONE, &rebuild_opts.from, &rebuild_opts.to) != HOSO_EXIT_OK)
		return HOSO_EXIT_USAGE;
	return rebuild(&rebuild_opts);
}
