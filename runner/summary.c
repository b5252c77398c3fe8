/*
 * summary.c: what a run tells its operator when it ends: one summary line
 * (the last line of every run) and, where the pipeline says, a Prometheus
 * text file for node_exporter's textfile collector.
 *
 * Both read the run's row, which the load filled with its counts, so the
 * line, the metrics and "hoso runs" never disagree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "runner.h"

/*
 * What needs attention in a run, counted from the transform's report: each
 * unresolved unit name, unknown procedure or channel code counts once, and
 * days missing from the calendar once.
 */
#define WARNINGS_SQL \
	"(SELECT count(*) FROM jsonb_each(CASE WHEN jsonb_typeof(r.detail->'unresolved_units') = 'object'" \
	"   THEN r.detail->'unresolved_units' ELSE '{}' END))" \
	" + (SELECT count(*) FROM jsonb_each(CASE WHEN jsonb_typeof(r.detail->'unknown_procedures') = 'object'" \
	"   THEN r.detail->'unknown_procedures' ELSE '{}' END))" \
	" + (SELECT count(*) FROM jsonb_each(CASE WHEN jsonb_typeof(r.detail->'unknown_channels') = 'object'" \
	"   THEN r.detail->'unknown_channels' ELSE '{}' END))" \
	" + (coalesce((r.detail->>'calendar_days_missing')::bigint, 0) > 0)::int"

bool
runner_read_outcome(PGconn *conn, long long run_id, struct run_outcome *o)
{
	char id[32];
	const char *params[1] = { id };
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", run_id);
	res = hoso_pg_query(conn,
			    "SELECT coalesce(r.files_seen, 0), coalesce(r.files_loaded, 0),"
			    " coalesce(r.files_skipped, 0), coalesce(r.rows_loaded, 0),"
			    " coalesce(r.rows_rejected, 0), coalesce(r.cases_derived, 0), " WARNINGS_SQL ","
			    " coalesce(r.extract_ms, 0), coalesce(r.transform_ms, 0), coalesce(r.load_ms, 0),"
			    " extract(epoch FROM r.finished_at - r.started_at) * 1000,"
			    " (SELECT extract(epoch FROM max(s.finished_at)) FROM hoso.run s"
			    "   WHERE s.kind = r.kind AND s.pipeline = r.pipeline AND s.status = 'done')"
			    " FROM hoso.run r WHERE r.run_id = $1", 1, params);
	if (!res)
		return false;
	if (PQntuples(res) == 1) {
		long long *v[] = { &o->files_seen, &o->files_loaded, &o->files_skipped, &o->rows,
				   &o->rejects, &o->cases, &o->warnings, &o->ms[STAGE_EXTRACT],
				   &o->ms[STAGE_TRANSFORM], &o->ms[STAGE_LOAD] };

		for (int i = 0; i < (int) (sizeof(v) / sizeof(v[0])); i++)
			*v[i] = atoll(PQgetvalue(res, 0, i));
		if (!PQgetisnull(res, 0, 10))
			o->total_ms = (long long) atof(PQgetvalue(res, 0, 10));
		if (!PQgetisnull(res, 0, 11))
			o->last_success = atof(PQgetvalue(res, 0, 11));
	}
	/*
	 * The values the attention block just printed, also when the run failed
	 * and its row kept no detail: the summary must not say "0 warnings"
	 * under three of them.
	 */
	if (runner_attention_count() >= 0)
		o->warnings = runner_attention_count();
	PQclear(res);
	return true;
}

static void
seconds(char *out, size_t len, long long ms)
{
	snprintf(out, len, "%.1f s", (double) ms / 1000.0);
}

void
runner_print_summary(const struct run_outcome *o)
{
	char ex[32], ld[32], total[32], id[48] = "";

	seconds(ex, sizeof(ex), o->ms[STAGE_EXTRACT]);
	seconds(ld, sizeof(ld), o->ms[STAGE_LOAD]);
	seconds(total, sizeof(total), o->total_ms);
	if (o->run_id > 0)
		snprintf(id, sizeof(id), "run %lld ", o->run_id);
	/* extract and transform run side by side: one time for both */
	hoso_report(o->exit_code == 0 ? HOSO_LOG_INFO : HOSO_LOG_ERROR, hoso_log_event("run_summary"),
		    hoso_log_int("exit", o->exit_code), hoso_log_int("files", o->files_seen),
		    hoso_log_int("files_loaded", o->files_loaded),
		    hoso_log_int("files_skipped", o->files_skipped), hoso_log_int("rows", o->rows),
		    hoso_log_int("rejects", o->rejects), hoso_log_int("cases", o->cases),
		    hoso_log_int("warnings", o->warnings),
		    hoso_log_int("extract_transform_ms", o->ms[STAGE_EXTRACT]),
		    hoso_log_int("load_ms", o->ms[STAGE_LOAD]), hoso_log_int("total_ms", o->total_ms),
		    hoso_msg("%s%s%s: %lld files loaded, %lld skipped (of %lld found); %lld rows, "
			     "%lld rejects, %lld cases, %lld warnings; extract+transform %s, load %s, "
			     "total %s", id, o->exit_code == 0 ? "done" : "failed",
			     o->exit_code == 0 ? "" : o->exit_code == 75 ? " (exit 75: locked)"
			     : o->exit_code == 2 ? " (exit 2: configuration)" : " (exit 1)",
			     o->files_loaded, o->files_skipped, o->files_seen, o->rows, o->rejects,
			     o->cases, o->warnings, ex, ld, total));
}

/* A label value of the text exposition format: backslash, quote and newline escaped. */
static void
add_label(struct hoso_buf *b, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			hoso_buf_addf(b, "\\%c", *p);
		else if (*p == '\n')
			hoso_buf_addstr(b, "\\n");
		else
			hoso_buf_add(b, p, 1);
	}
}

static void
metric(struct hoso_buf *b, const char *name, const char *type, const char *help)
{
	hoso_buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(struct hoso_buf *b, const char *name, const char *pipeline, const char *label,
       const char *value, double v)
{
	hoso_buf_addf(b, "%s{pipeline=\"", name);
	add_label(b, pipeline);
	hoso_buf_addstr(b, "\"");
	if (label) {
		hoso_buf_addf(b, ",%s=\"", label);
		add_label(b, value);
		hoso_buf_addstr(b, "\"");
	}
	hoso_buf_addf(b, "} %.17g\n", v);
}

/* The last success time the previous file gave, when the warehouse cannot say. */
static double
previous_success(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	double v = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		const char *sp;

		if (strncmp(line, "hoso_last_success_timestamp_seconds{", 36) == 0 &&
		    (sp = strrchr(line, ' ')) != NULL)
			v = atof(sp + 1);
	}
	fclose(f);
	return v;
}

bool
runner_write_metrics(const char *path, const char *pipeline, const struct run_outcome *o)
{
	struct hoso_buf b = HOSO_BUF_INIT, tmp = HOSO_BUF_INIT;
	double success = o->last_success > 0 ? o->last_success : previous_success(path);
	double stage_s[NSTAGES];
	int fd;
	bool ok = false;

	for (int s = 0; s < NSTAGES; s++)
		stage_s[s] = (double) o->ms[s] / 1000.0;
	metric(&b, "hoso_last_run_timestamp_seconds", "gauge", "When the last run ended (Unix time).");
	sample(&b, "hoso_last_run_timestamp_seconds", pipeline, NULL, NULL, (double) time(NULL));
	metric(&b, "hoso_last_success_timestamp_seconds", "gauge",
	       "When the last successful run ended (Unix time; 0: none yet).");
	sample(&b, "hoso_last_success_timestamp_seconds", pipeline, NULL, NULL, success);
	metric(&b, "hoso_last_run_exit_code", "gauge",
	       "Exit status of the last run: 0 done, 1 failed, 2 configuration, 75 locked.");
	sample(&b, "hoso_last_run_exit_code", pipeline, NULL, NULL, o->exit_code);
	metric(&b, "hoso_last_run_duration_seconds", "gauge",
	       "Wall time of the last run per stage (extract and transform run side by side).");
	for (int s = 0; s < NSTAGES; s++)
		sample(&b, "hoso_last_run_duration_seconds", pipeline, "stage", runner_stage_names[s],
		       stage_s[s]);
	sample(&b, "hoso_last_run_duration_seconds", pipeline, "stage", "total",
	       (double) o->total_ms / 1000.0);
	metric(&b, "hoso_last_run_files", "gauge", "Files of the last run: found, loaded, skipped.");
	sample(&b, "hoso_last_run_files", pipeline, "outcome", "found", (double) o->files_seen);
	sample(&b, "hoso_last_run_files", pipeline, "outcome", "loaded", (double) o->files_loaded);
	sample(&b, "hoso_last_run_files", pipeline, "outcome", "skipped", (double) o->files_skipped);
	metric(&b, "hoso_last_run_rows", "gauge", "Messages the last run archived.");
	sample(&b, "hoso_last_run_rows", pipeline, NULL, NULL, (double) o->rows);
	metric(&b, "hoso_last_run_rejects", "gauge", "Records the last run rejected.");
	sample(&b, "hoso_last_run_rejects", pipeline, NULL, NULL, (double) o->rejects);
	metric(&b, "hoso_last_run_cases", "gauge", "Cases the last run derived.");
	sample(&b, "hoso_last_run_cases", pipeline, NULL, NULL, (double) o->cases);
	metric(&b, "hoso_last_run_warnings", "gauge",
	       "Things of the last run that need attention (unresolved units, unknown codes, days missing from the calendar).");
	sample(&b, "hoso_last_run_warnings", pipeline, NULL, NULL, (double) o->warnings);

	/* the collector must never read half a file: write aside, then rename */
	hoso_buf_addf(&tmp, "%s.tmp.%ld", path, (long) getpid());
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		hoso_warning("metrics: cannot create \"%s\": %s", tmp.data, strerror(errno));
		goto done;
	}
	if (write(fd, b.data, b.len) != (ssize_t) b.len || fsync(fd) != 0) {
		hoso_warning("metrics: cannot write \"%s\": %s", tmp.data, strerror(errno));
		close(fd);
		unlink(tmp.data);
		goto done;
	}
	close(fd);
	if (rename(tmp.data, path) != 0) {
		hoso_warning("metrics: cannot rename \"%s\" to \"%s\": %s", tmp.data, path,
			     strerror(errno));
		unlink(tmp.data);
		goto done;
	}
	ok = true;
done:
	hoso_buf_release(&b);
	hoso_buf_release(&tmp);
	return ok;
}

void
runner_report_outcome(PGconn *conn, const struct hoso_pipeline *p, long long run_id, int code,
		      const long long ms[NSTAGES], const struct timespec *started, bool metrics)
{
	struct run_outcome o = { .run_id = run_id, .exit_code = code };
	struct timespec now;

	memcpy(o.ms, ms, sizeof(o.ms));
	clock_gettime(CLOCK_MONOTONIC, &now);
	o.total_ms = (long long) (now.tv_sec - started->tv_sec) * 1000 +
		(now.tv_nsec - started->tv_nsec) / 1000000;
	if (conn && run_id > 0 && PQstatus(conn) == CONNECTION_OK) {
		long long total = o.total_ms;

		runner_read_outcome(conn, run_id, &o);
		o.total_ms = total;	/* the runner's clock: planning and migrations included */
	}
	/*
	 * A configuration error stops before any run begins: its error lines
	 * end the output, as a YAML error's do, rather than a summary of zeros.
	 */
	if (run_id > 0 || code != HOSO_EXIT_USAGE)
		runner_print_summary(&o);
	if (metrics && p->metrics_file)
		runner_write_metrics(p->metrics_file, p->name ? p->name : "", &o);
}
