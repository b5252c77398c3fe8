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
	char ex[32], ld[32], total[32], id[48] = "", why[48] = "";

	seconds(ex, sizeof(ex), o->ms[STAGE_EXTRACT]);
	seconds(ld, sizeof(ld), o->ms[STAGE_LOAD]);
	seconds(total, sizeof(total), o->total_ms);
	if (o->run_id > 0)
		snprintf(id, sizeof(id), "run %lld ", o->run_id);
	if (o->exit_code != 0)
		snprintf(why, sizeof(why), " (exit %d%s)", o->exit_code,
			 o->exit_code == 75 ? ": locked" : o->exit_code == 2 ? ": configuration"
			 : o->exit_code > 128 ? ": stopped" : "");
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
			     why,
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

/* A gauge's # HELP and # TYPE lines; help is a literal with one %s, the kind of run. */
#define GAUGE(b, name, help, kind) \
	hoso_buf_addf((b), "# HELP %s " help "\n# TYPE %s gauge\n", (name), (kind), (name))

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

/*
 * A run and a rebuild write one file, each its own metric families: a
 * rebuild's are named hoso_last_rebuild_*, so that an alert on the nightly
 * runs' last success is never satisfied by a rebuild.
 */
#define REBUILD_PREFIX "hoso_last_rebuild_"

/* prefix + what, in name; returns its text */
static const char *
family(struct hoso_buf *name, const char *prefix, const char *what)
{
	hoso_buf_reset(name);
	hoso_buf_addf(name, "%s%s", prefix, what);
	return name->data;
}

/*
 * Whether a line of the file is a rebuild's: its metric is the first word,
 * or a # HELP or # TYPE line's third.
 */
static bool
is_rebuild_line(const char *line)
{
	if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0)
		line += 7;
	return strncmp(line, REBUILD_PREFIX, strlen(REBUILD_PREFIX)) == 0;
}

/*
 * From the previous file: the lines of the other kind's families (kept as
 * they are) and this kind's last success time (when the warehouse cannot say).
 */
static void
read_previous(const char *path, bool rebuild, const char *success_name, struct hoso_buf *other,
	      double *success)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t name_len = strlen(success_name);

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *sp;

		if (is_rebuild_line(line) != rebuild)
			hoso_buf_addstr(other, line);
		else if (*success <= 0 && strncmp(line, success_name, name_len) == 0 &&
			 line[name_len] == '{' && (sp = strrchr(line, ' ')) != NULL)
			*success = atof(sp + 1);
	}
	fclose(f);
}

/* The file, written aside and renamed: the collector must never read half of it. */
static bool
replace_file(const char *path, const struct hoso_buf *b)
{
	struct hoso_buf tmp = HOSO_BUF_INIT;
	int fd;
	bool ok = false;

	hoso_buf_addf(&tmp, "%s.tmp.%ld", path, (long) getpid());
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		hoso_warning("metrics: cannot create \"%s\": %s", tmp.data, strerror(errno));
		goto done;
	}
	if (write(fd, b->data, b->len) != (ssize_t) b->len || fsync(fd) != 0) {
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
	hoso_buf_release(&tmp);
	return ok;
}

bool
runner_write_metrics(const char *path, const char *pipeline, const char *kind,
		     const struct run_outcome *o)
{
	bool rebuild = strcmp(kind, "rebuild") == 0;
	const char *prefix = rebuild ? REBUILD_PREFIX : "hoso_last_run_";
	const char *success_name = rebuild ? REBUILD_PREFIX "success_timestamp_seconds"
		: "hoso_last_success_timestamp_seconds";
	struct hoso_buf b = HOSO_BUF_INIT, other = HOSO_BUF_INIT, name = HOSO_BUF_INIT;
	double success = o->last_success;
	bool ok;

	read_previous(path, rebuild, success_name, &other, &success);
	GAUGE(&b, family(&name, prefix, "timestamp_seconds"), "When the last %s ended (Unix time).", kind);
	sample(&b, name.data, pipeline, NULL, NULL, (double) time(NULL));
	GAUGE(&b, success_name, "When the last successful %s ended (Unix time; 0: none yet).", kind);
	sample(&b, success_name, pipeline, NULL, NULL, success);
	GAUGE(&b, family(&name, prefix, "exit_code"),
	      "Exit status of the last %s: 0 done, 1 failed, 2 configuration, 75 locked.", kind);
	sample(&b, name.data, pipeline, NULL, NULL, o->exit_code);
	GAUGE(&b, family(&name, prefix, "duration_seconds"),
	      "Wall time of the last %s per stage (extract and transform run side by side).", kind);
	for (int s = 0; s < NSTAGES; s++)
		sample(&b, name.data, pipeline, "stage", runner_stage_names[s], (double) o->ms[s] / 1000.0);
	sample(&b, name.data, pipeline, "stage", "total", (double) o->total_ms / 1000.0);
	GAUGE(&b, family(&name, prefix, "files"), "Files of the last %s: found, loaded, skipped.", kind);
	sample(&b, name.data, pipeline, "outcome", "found", (double) o->files_seen);
	sample(&b, name.data, pipeline, "outcome", "loaded", (double) o->files_loaded);
	sample(&b, name.data, pipeline, "outcome", "skipped", (double) o->files_skipped);
	GAUGE(&b, family(&name, prefix, "rows"), "Messages the last %s archived.", kind);
	sample(&b, name.data, pipeline, NULL, NULL, (double) o->rows);
	GAUGE(&b, family(&name, prefix, "rejects"), "Records the last %s rejected.", kind);
	sample(&b, name.data, pipeline, NULL, NULL, (double) o->rejects);
	GAUGE(&b, family(&name, prefix, "cases"), "Cases the last %s derived.", kind);
	sample(&b, name.data, pipeline, NULL, NULL, (double) o->cases);
	GAUGE(&b, family(&name, prefix, "warnings"), "Things of the last %s that need attention "
	      "(unresolved units, unknown codes, days missing from the calendar).", kind);
	sample(&b, name.data, pipeline, NULL, NULL, (double) o->warnings);
	hoso_buf_add(&b, other.data, other.len);
	ok = replace_file(path, &b);
	hoso_buf_release(&b);
	hoso_buf_release(&other);
	hoso_buf_release(&name);
	return ok;
}

void
runner_report_outcome(PGconn *conn, const struct hoso_pipeline *p, long long run_id, int code,
		      const long long ms[NSTAGES], const struct timespec *started, const char *kind)
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
	if (p->metrics_file)
		runner_write_metrics(p->metrics_file, p->name ? p->name : "", kind, &o);
}
