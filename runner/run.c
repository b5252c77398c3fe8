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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hoso_cli.h"
#include "hoso_layout.h"
#include "hoso_log.h"
#include "hoso_owner.h"
#include "hoso_pg.h"
#include "hoso_sha256.h"
#include "runner.h"

/*
 * The days of a run: --date D, or --from D --to D, or by default yesterday
 * (Vietnam time), the nightly run's day.  Returns 0 or a usage error's 2.
 */
int
runner_days(const struct hoso_cli *cli, hoso_date day, hoso_date *from, hoso_date *to)
{
	if (day != HOSO_DATE_NONE) {
		if (*from != HOSO_DATE_NONE || *to != HOSO_DATE_NONE)
			return hoso_cli_usage_error(cli, "--date cannot be combined with --from/--to");
		*from = *to = day;
	}
	if ((*from == HOSO_DATE_NONE) != (*to == HOSO_DATE_NONE))
		return hoso_cli_usage_error(cli, "--from and --to go together");
	if (*from == HOSO_DATE_NONE) {
		hoso_time now = (hoso_time) time(NULL) + HOSO_UTC_OFFSET_SECONDS;

		*from = *to = hoso_time_date(now) - 1;
	}
	if (*to < *from)
		return hoso_cli_usage_error(cli, "--to is before --from");
	return HOSO_EXIT_OK;
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

/*
 * The session that holds the warehouse lock: the row of hoso.run_lock,
 * locked FOR UPDATE in a transaction left open until the runner exits.  A
 * session of its own, so that the run's other statements commit as they go.
 */
static PGconn *lock_conn;

/* Name whoever holds the lock: a session with a row-share lock on hoso.run_lock. */
static void
report_lock_holder(PGconn *conn)
{
	PGresult *res = PQexec(conn,
			       "SELECT a.application_name, a.pid,"
			       " to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ')"
			       " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
			       " WHERE l.locktype = 'relation' AND l.relation = 'hoso.run_lock'::regclass"
			       " AND l.mode = 'RowShareLock' AND l.granted AND l.pid <> pg_backend_pid()"
			       " ORDER BY a.backend_start LIMIT 1");

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0)
		hoso_report(HOSO_LOG_ERROR, hoso_log_event("locked"),
			    hoso_msg("another run holds the warehouse lock: \"%s\" (server pid %s, since %s)",
				     PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2)),
			    hoso_hint("Use --wait to wait for it."));
	else
		hoso_report(HOSO_LOG_ERROR, hoso_log_event("locked"),
			    hoso_msg("another run holds the warehouse lock"),
			    hoso_hint("Use --wait to wait for it."));
	PQclear(res);
}

int
runner_take_lock(const struct hoso_pipeline *p, PGconn *conn, bool wait)
{
	PGresult *res;
	const char *state;

	/* the run's warehouse, as conn reaches it: whether or not a migrator ran first */
	lock_conn = hoso_pg_connect(p->target.conninfo, "hoso lock");
	if (!lock_conn)
		return HOSO_EXIT_FAILED;
	if (!hoso_pg_exec(lock_conn, "SET idle_in_transaction_session_timeout = 0") ||
	    !hoso_pg_exec(lock_conn, "BEGIN"))
		return HOSO_EXIT_FAILED;
	res = PQexec(lock_conn, wait ? "SELECT 1 FROM hoso.run_lock FOR UPDATE"
		     : "SELECT 1 FROM hoso.run_lock FOR UPDATE NOWAIT");
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		PQclear(res);
		mark_interrupted_runs(conn);
		return HOSO_EXIT_OK;
	}
	if (state && strcmp(state, "55P03") == 0) {	/* lock_not_available */
		PQclear(res);
		report_lock_holder(conn);
		return HOSO_EXIT_LOCKED;
	}
	if (state && strcmp(state, "42501") == 0)	/* insufficient_privilege */
		hoso_report(HOSO_LOG_ERROR, hoso_log_event("lock_denied"),
			    hoso_msg("this role may not take the warehouse lock"),
			    hoso_hint("Run hoso as the role that loads the warehouse (UPDATE on "
				      "hoso.run_lock); reading roles cannot."));
	else
		hoso_pg_log_error("cannot take the warehouse lock", res, lock_conn);
	PQclear(res);
	return HOSO_EXIT_FAILED;
}

/* The lock's session takes the run's name, so that a later runner sees whose it is. */
static void
name_lock(const char *application_name)
{
	const char *ap[1] = { application_name };

	/* inside the lock's transaction: shown at once, kept as long as it */
	if (lock_conn)
		hoso_pg_exec_params(lock_conn, "SELECT set_config('application_name', $1, false)", 1, ap);
}

long long
runner_start_run_row(PGconn *conn, const char *kind, const struct hoso_pipeline *p,
		     const char *pipeline_path, hoso_date from, hoso_date to, const char *why)
{
	char from_text[11], to_text[11], appname[160];
	const char *name = p->name ? p->name : pipeline_path;
	const char *params[6] = { kind, name, from_text, to_text, why, p->profile };
	PGresult *res;
	long long id;

	hoso_date_format_iso(from, from_text);
	hoso_date_format_iso(to, to_text);
	res = hoso_pg_query(conn,
			    "INSERT INTO hoso.run (kind, pipeline, date_from, date_to, why, profile,"
			    " started_at, status)"
			    " VALUES ($1, $2, $3, $4, $5, $6, now(), 'running') RETURNING run_id",
			    6, params);
	if (!res)
		return -1;
	id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	/* a later run tells an interrupted run from a live one by this name */
	snprintf(appname, sizeof(appname), "hoso %s %lld %s", kind, id, p->name ? p->name : "");
	{
		const char *ap[1] = { appname };

		hoso_pg_exec_params(conn, "SELECT set_config('application_name', $1, false)", 1, ap);
	}
	name_lock(appname);
	return id;
}

void
runner_finish_run_row(PGconn *conn, long long run_id, int code, size_t seen, size_t skipped,
		      const long long ms[NSTAGES], const char *message)
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
	/*
	 * The load may have written its counts; keep them, add ours.  A row the
	 * load marked done in its own transaction stays done: its data is in.
	 */
	res = PQexecParams(conn,
			   "UPDATE hoso.run SET finished_at = now(),"
			   " exit_code = CASE WHEN status = 'done' THEN 0 ELSE $2::int END,"
			   " status = CASE WHEN $2::int = 0 OR status = 'done' THEN 'done' ELSE 'failed' END,"
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
	char path[4200];

	for (size_t i = 0; hoso_staging_all_names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, hoso_staging_all_names[i]);
		unlink(path);
	}
	if (rmdir(dir) != 0)
		hoso_warning("cannot remove staging directory \"%s\": %s", dir, strerror(errno));
}

/* Whether run_id's row says it is still running (or cannot be read). */
static bool
run_in_progress(PGconn *conn, long long run_id)
{
	char id[32];
	const char *p[1] = { id };
	PGresult *res;
	bool running;

	snprintf(id, sizeof(id), "%lld", run_id);
	res = PQexecParams(conn, "SELECT status = 'running' FROM hoso.run WHERE run_id = $1",
			   1, NULL, p, NULL, NULL, 0);
	running = PQresultStatus(res) != PGRES_TUPLES_OK ||
		(PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0);
	PQclear(res);
	return running;
}

/*
 * Staging directories of earlier runs of this warehouse that were killed.
 * Only a directory whose OWNER names this warehouse is touched, and only
 * when its run's row is no longer 'running' (with the lock held, and
 * interrupted runs marked, such a run can no longer be using it).  Another
 * warehouse's directories in the same folder are left alone.
 */
void
runner_remove_stale_staging(PGconn *conn, const char *base, const struct hoso_warehouse_id *id)
{
	DIR *d = opendir(base);
	struct dirent *e;
	char path[4200];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		long long run_id;
		char tail[8];

		/*
		 * .run-N.new: a runner of this warehouse (base is its own folder)
		 * that was killed while making its directory, before the rename
		 */
		if (sscanf(e->d_name, ".run-%lld%7s", &run_id, tail) == 2 && strcmp(tail, ".new") == 0) {
			snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
			if (!run_in_progress(conn, run_id))
				runner_remove_staging(path);
			continue;
		}
		if (strncmp(e->d_name, "run-", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		if (!hoso_owner_matches(path, id, &run_id, true) || run_in_progress(conn, run_id))
			continue;
		hoso_info("removing the staging directory of run %lld (failed or interrupted): %s",
			  run_id, path);
		runner_remove_staging(path);
	}
	closedir(d);
}

/* How many of the plan's files the ledger gives each action. */
static void
count_actions(const struct run_files *files, size_t count[4])
{
	memset(count, 0, 4 * sizeof(*count));
	for (size_t i = 0; i < files->n; i++)
		count[files->v[i].action]++;
}

/* A changed ledgered file stops the run, before anything is read; false then. */
static bool
refuse_changed(const struct run_files *files, size_t nrefused, char *msg, size_t msglen)
{
	for (size_t i = 0; i < files->n; i++) {
		const struct run_file *f = &files->v[i];

		if (f->action != RUN_FILE_REFUSE)
			continue;
		snprintf(msg, msglen, "%s: already loaded, but its content changed since "
			 "(size now %lld, sha256 %s)%s", f->path, f->size, f->sha256,
			 nrefused > 1 ? " and so did other files" : "");
		hoso_report(HOSO_LOG_ERROR, hoso_msg("%s", msg),
			    hoso_hint("Rerun with --replace to replace what %s loaded; "
				      "hoso run --dry-run lists every changed file.",
				      nrefused > 1 ? "they" : "it"));
		return false;
	}
	return true;
}

/* What a run holds from its first step to its last. */
struct run_state {
	struct run_args args;
	struct timespec started;
	struct hoso_pipeline pipeline;
	bool pipeline_loaded;
	PGconn *conn;
	struct run_files files;		/* every file of the days */
	struct run_files handed;	/* those the stages read */
	size_t count[4];		/* files per action */
	long long run_id, ms[NSTAGES];
	struct hoso_buf failure;	/* why the stages failed, for the run's row */
};

/*
 * What hoso check verifies, before anything is touched: a bad file is the
 * pipeline's fault (exit 2).  The calendar must hold the run's days (a
 * missing day would count as Monday to Friday and move due dates); one
 * that ends before today only warns here, so that a backfill of past years
 * runs.  hoso check asks for today, as a nightly job needs.  Then the
 * files of the days, the connection and, unless a dry run, the migrations.
 */
static int
run_prepare(struct run_state *st)
{
	const struct run_args *a = &st->args;
	struct hoso_buf err = HOSO_BUF_INIT;

	if (!hoso_pipeline_load(a->pipeline_path, &st->pipeline, &err)) {
		hoso_error("%s", err.data);
		hoso_buf_release(&err);
		return HOSO_EXIT_USAGE;
	}
	st->pipeline_loaded = true;
	if (!runner_national_target(&st->pipeline, a->topology_path) ||
	    runner_check_files(&st->pipeline, a->pipeline_path, a->to, NULL) > 0)
		return HOSO_EXIT_USAGE;
	if (!runner_collect_files(&st->pipeline, a->pipeline_path, a->from, a->to, &st->files))
		return HOSO_EXIT_FAILED;
	st->conn = hoso_pg_connect(st->pipeline.target.conninfo, "hoso run");
	if (!st->conn || runner_check_warehouse(st->conn, &st->pipeline, a->pipeline_path, NULL) > 0)
		return HOSO_EXIT_FAILED;
	/* the schema must exist before the ledger can be read; a dry run changes nothing */
	if (a->dry_run)
		return HOSO_EXIT_OK;
	if (runner_migrate(st->conn, &st->pipeline) != HOSO_EXIT_OK)
		return HOSO_EXIT_FAILED;
	if (runner_check_profile(st->conn, &st->pipeline, a->pipeline_path, NULL) > 0)
		return HOSO_EXIT_USAGE;
	return HOSO_EXIT_OK;
}

static int
run_dry(struct run_state *st)
{
	if (!runner_plan_ledger(st->conn, &st->files, st->args.replace))
		return HOSO_EXIT_FAILED;
	runner_print_plan(stdout, &st->files, st->args.verbose);
	return HOSO_EXIT_OK;
}

/* Why the ledger could not be read: the first file that cannot be, if one cannot. */
static void
explain_unread_plan(const struct run_files *files, char *msg, size_t msglen)
{
	snprintf(msg, msglen, "cannot read the ledger");
	for (size_t i = 0; i < files->n; i++) {
		FILE *f = fopen(files->v[i].path, "rb");

		if (!f) {
			snprintf(msg, msglen, "cannot read \"%s\": %s", files->v[i].path, strerror(errno));
			return;
		}
		fclose(f);
	}
}

/* The run's row ends with ret and why. */
static void
run_finish_row(struct run_state *st, int ret, const char *why)
{
	runner_finish_run_row(st->conn, st->run_id, ret, st->files.n, st->count[RUN_FILE_SKIP],
			      st->ms, why);
}

/*
 * Each file against the ledger: false when the run ends there, with *ret
 * (a changed file refused, or nothing to load), true with the files to
 * hand to the stages.
 */
static bool
run_plan(struct run_state *st, int *ret)
{
	char msg[4600];

	*ret = HOSO_EXIT_FAILED;
	if (!runner_plan_ledger(st->conn, &st->files, st->args.replace)) {
		explain_unread_plan(&st->files, msg, sizeof(msg));
		run_finish_row(st, *ret, msg);
		return false;
	}
	count_actions(&st->files, st->count);
	if (st->args.verbose)
		runner_print_plan(stderr, &st->files, true);
	if (!refuse_changed(&st->files, st->count[RUN_FILE_REFUSE], msg, sizeof(msg))) {
		run_finish_row(st, *ret, msg);
		return false;
	}
	runner_files_handed(&st->files, &st->handed);
	if (st->handed.n == 0) {
		const char *why = st->files.n == 0 ? "no file matched the pipeline's paths"
			: "every file is already in the ledger";

		hoso_report(HOSO_LOG_INFO, hoso_log_event("run_nothing_to_load"),
			    hoso_log_int("files", (long long) st->files.n),
			    hoso_log_int("skipped", (long long) st->count[RUN_FILE_SKIP]),
			    hoso_msg("run %lld: nothing to load: %s (%zu files)", st->run_id, why,
				     st->files.n));
		*ret = HOSO_EXIT_OK;
		run_finish_row(st, *ret, why);
		return false;
	}
	return true;
}

/* The handed files through the stages, into a staging directory of the run's own. */
static int
run_load(struct run_state *st)
{
	char staging[4096], outcome[640];
	int ret;

	if (!runner_record_plan(st->conn, st->run_id, &st->handed)) {
		run_finish_row(st, HOSO_EXIT_FAILED, "cannot record the run's files");
		return HOSO_EXIT_FAILED;
	}
	if (!runner_open_staging(st->conn, &st->pipeline, st->run_id, staging, sizeof(staging))) {
		run_finish_row(st, HOSO_EXIT_FAILED, "cannot make the staging directory");
		return HOSO_EXIT_FAILED;
	}
	hoso_report(HOSO_LOG_INFO, hoso_log_event("run_start"),
		    hoso_log_int("files", (long long) st->handed.n),
		    hoso_log_int("skipped", (long long) st->count[RUN_FILE_SKIP]),
		    hoso_log_int("replaced", (long long) st->count[RUN_FILE_REPLACE]),
		    hoso_msg("run %lld: %zu files to load (%zu already loaded, %zu replaced)",
			     st->run_id, st->handed.n, st->count[RUN_FILE_SKIP],
			     st->count[RUN_FILE_REPLACE]));
	ret = runner_run_stages(&(struct stage_request) {
		.p = &st->pipeline, .files = &st->handed, .run_id = st->run_id, .staging = staging,
		.replace = st->args.replace, .progress_conn = st->conn, .why = &st->failure,
	}, st->ms);
	ret = runner_settle_run(st->conn, st->run_id, ret, outcome, sizeof(outcome));
	run_finish_row(st, ret, outcome[0] ? outcome : st->failure.len ? st->failure.data : NULL);
	if (ret == HOSO_EXIT_OK) {
		if (!st->args.keep_staging)
			runner_remove_staging(staging);
	} else {
		hoso_report(HOSO_LOG_ERROR, hoso_log_event("run_failed"), hoso_log_int("exit", ret),
			    hoso_log_str("staging", staging),
			    hoso_msg("run %lld failed; the warehouse is unchanged", st->run_id),
			    hoso_detail("The staging files are kept in %s until the next run.", staging));
	}
	return ret;
}

/* Under the warehouse lock: the run's row, its plan, its load. */
static int
run_locked(struct run_state *st)
{
	int ret = runner_take_lock(&st->pipeline, st->conn, st->args.wait);

	if (ret != HOSO_EXIT_OK)
		return ret;
	st->run_id = runner_start_run_row(st->conn, "run", &st->pipeline, st->args.pipeline_path,
					  st->args.from, st->args.to, NULL);
	if (st->run_id < 0)
		return HOSO_EXIT_FAILED;
	hoso_log_set_run_id(st->run_id);	/* every later line, the stages' too */
	if (!run_plan(st, &ret))
		return ret;
	return run_load(st);
}

/* The run, once its arguments are read: an exit status. */
static int
run_pipeline(const struct run_args *a)
{
	struct run_state st = { .args = *a, .run_id = -1, .failure = HOSO_BUF_INIT };
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &st.started);
	runner_handle_stop_signals();
	ret = run_prepare(&st);
	if (ret == HOSO_EXIT_OK)
		ret = st.args.dry_run ? run_dry(&st) : run_locked(&st);
	if (ret != HOSO_EXIT_OK && runner_stop_signal() && ret < 128) {
		/* stopped before its stages: nothing was loaded */
		hoso_error("stopped by %s", runner_signal_name(runner_stop_signal()));
		ret = 128 + runner_stop_signal();
	}
	if (st.pipeline_loaded && !st.args.dry_run)
		runner_report_outcome(st.conn, &st.pipeline, st.run_id, ret, st.ms, &st.started, "run");
	if (st.conn)
		PQfinish(st.conn);
	runner_files_release(&st.files);
	runner_files_release(&st.handed);
	if (st.pipeline_loaded)
		hoso_pipeline_release(&st.pipeline);
	hoso_buf_release(&st.failure);
	return ret;
}

static const char *const run_usage[] = {
	"hoso run PIPELINE.yaml [--date D | --from D --to D] [OPTION]...", NULL
};

/* the parsed command line */
static struct run_args run_opts = { .from = HOSO_DATE_NONE, .to = HOSO_DATE_NONE };
static hoso_date run_day = HOSO_DATE_NONE;

static const struct hoso_option run_options[] = {
	HOSO_OPT_DATE("date", &run_day, "one day (YYYY-MM-DD)"),
	HOSO_OPT_DATE("from", &run_opts.from, "the first day of a range, with --to"),
	HOSO_OPT_DATE("to", &run_opts.to, "the last day of the range, included"),
	HOSO_OPT_BOOL(0, "replace", &run_opts.replace,
		      "reload files whose content changed since they\nwere loaded"),
	HOSO_OPT_BOOL(0, "wait", &run_opts.wait,
		      "wait for another run to finish instead of\nexiting 75"),
	HOSO_OPT_BOOL(0, "keep-staging", &run_opts.keep_staging,
		      "keep the staging directory after a successful run"),
	HOSO_OPT_BOOL('n', "dry-run", &run_opts.dry_run,
		      "list the files it would load, skip or refuse, per\nday with sizes; change nothing"),
	HOSO_OPT_STRING(0, "topology", &run_opts.topology_path, "FILE",
			"national warehouse: load into the shard that\nholds the pipeline's province"),
	HOSO_OPT_END(),
};

static struct hoso_cli run_cli = {
	.name = "hoso run", .usage = run_usage, .options = run_options,
	.about = "Load the pipeline's files of the given days (default: yesterday, Vietnam time).",
	.footer = "Exit status: 0 done, 1 failed (the warehouse is unchanged), 2 bad usage or\n"
		  "configuration, 75 another run holds the warehouse lock, 130 or 143 stopped\n"
		  "by SIGINT or SIGTERM (stages stopped, nothing loaded, the run's row says so).",
	.args_name = "PIPELINE.yaml", .min_args = 1, .max_args = 1,
};

int
runner_cmd_run(int argc, char **argv)
{
	if (!hoso_cli_parse(&run_cli, argc, argv))
		return run_cli.status;
	run_opts.pipeline_path = run_cli.args[0];
	/* -v lists every file of the plan */
	run_opts.verbose = hoso_log_enabled(HOSO_LOG_DEBUG);
	if (runner_days(&run_cli, run_day, &run_opts.from, &run_opts.to) != HOSO_EXIT_OK)
		return HOSO_EXIT_USAGE;
	return run_pipeline(&run_opts);
}
