/*
 * check.c: "hoso check PIPELINE.yaml", and the same checks at the start of
 * "hoso run", so that a broken configuration fails the same way whether or
 * not there are files to load.
 *
 * Every problem is one error line that names the place to fix: the
 * pipeline file's line and column of the key, or the file the key names
 * with its own line.  What passed is printed as "ok ..." lines, so an
 * operator sees what was checked.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hoso_cli.h"
#include "hoso_format.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_reference.h"
#include "hoso_schema_files.h"
#include "hoso_sha256.h"
#include "hoso_source_schema.h"
#include "runner.h"

/* "PIPELINE:LINE:COLUMN: " of a value, or "PIPELINE: " when it was not written. */
static void
place(char *out, size_t len, const char *path, struct hoso_pipeline_where at)
{
	if (at.line > 0)
		snprintf(out, len, "%s:%d:%d: ", path, at.line, at.column);
	else
		snprintf(out, len, "%s: ", path);
}

static void ok(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
ok(FILE *out, const char *fmt, ...)
{
	va_list ap;

	if (!out)
		return;
	fputs("ok    ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

/*
 * The next year's holidays are announced late in the year, so its file can
 * be added only then: warn from this many days before the calendar's end.
 */
#define CALENDAR_WARN_DAYS 90

/* Warn when the calendar that holds the run's days ends before today or soon. */
static void
calendar_end_warning(const char *at, const char *calendar, hoso_date last)
{
	hoso_date today = hoso_time_date((hoso_time) time(NULL) + HOSO_UTC_OFFSET_SECONDS);
	char last_text[11];
	int ly, m, d;

	hoso_date_to_ymd(last, &ly, &m, &d);
	hoso_date_format_iso(last, last_text);
	if (last < today)
		hoso_report(HOSO_LOG_WARNING,
			    hoso_msg("%sreference.calendar: %s ends on %s, before today", at, calendar,
				     last_text),
			    hoso_hint("Add %d.csv, or its days count as Monday to Friday.", ly + 1));
	else if (last - today < CALENDAR_WARN_DAYS)
		hoso_report(HOSO_LOG_WARNING,
			    hoso_msg("%sreference.calendar: %s ends on %s", at, calendar, last_text),
			    hoso_hint("Add %d.csv before the new year, or its days count as "
				      "Monday to Friday.", ly + 1));
}

/*
 * A unit cannot outlive its parent: a commune open-ended, or closing after
 * its district closed, would have its cases counted under a district that
 * no longer exists (docs/input.md, units.csv).  One error per such unit.
 */
static int
check_unit_lives(const struct hoso_reference *ref, const char *at, const char *units)
{
	int problems = 0;

	for (size_t i = 0; i < ref->nunits; i++) {
		const struct hoso_unit *u = &ref->units[i];
		const struct hoso_unit *p = u->parent;
		char p_to[11], u_to[11], when[40];

		if (!p || p->valid_to == HOSO_DATE_NONE ||
		    (u->valid_to != HOSO_DATE_NONE && u->valid_to <= p->valid_to))
			continue;
		hoso_date_format_iso(p->valid_to, p_to);
		if (u->valid_to == HOSO_DATE_NONE) {
			snprintf(when, sizeof(when), "stays open after");
		} else {
			hoso_date_format_iso(u->valid_to, u_to);
			snprintf(when, sizeof(when), "closes on %s, after", u_to);
		}
		hoso_report(HOSO_LOG_ERROR,
			    hoso_msg("%sreference.units: %s:%lu: column valid_to: unit \"%s\" (%s) %s its "
				     "parent \"%s\" (%s, line %lu) closes on %s: a unit cannot outlive its "
				     "parent", at, units, u->line, u->code, u->level, when, p->code,
				     p->level, p->line, p_to),
			    hoso_hint("Close it by %s (with its successor_code), or give it the parent "
				      "it has after that day.", p_to));
		problems++;
	}
	return problems;
}

static int
check_reference(const struct hoso_pipeline *p, const char *path, hoso_date cover_to, FILE *out)
{
	struct hoso_reference ref;
	struct hoso_buf err = HOSO_BUF_INIT;
	char at[PATH_MAX + 32];
	int problems = 0, outlived;

	hoso_reference_init(&ref);
	if (p->reference.units) {
		place(at, sizeof(at), path, p->at.units);
		if (!hoso_reference_load_units(&ref, p->reference.units, &err)) {
			hoso_error("%sreference.units: %s", at, err.data);
			problems++;
		} else if ((outlived = check_unit_lives(&ref, at, p->reference.units)) > 0) {
			problems += outlived;
		} else {
			ok(out, "reference.units %s: %zu units", p->reference.units, ref.nunits);
			if (ref.nunits == 0)
				hoso_warning("%sreference.units: %s has no units: every case will be "
					     "counted under UNRESOLVED; fill it (README.md, \"Onboarding "
					     "a province\")", at, p->reference.units);
		}
	}
	if (p->reference.procedures) {
		hoso_buf_reset(&err);
		place(at, sizeof(at), path, p->at.procedures);
		if (!hoso_reference_load_procedures(&ref, p->reference.procedures, &err)) {
			hoso_error("%sreference.procedures: %s", at, err.data);
			problems++;
		} else {
			ok(out, "reference.procedures %s: %zu procedures", p->reference.procedures,
			   ref.nprocedures);
			if (ref.nprocedures == 0)
				hoso_warning("%sreference.procedures: %s has no procedures: every case's "
					     "procedure will be unknown; fill it (README.md, \"Onboarding "
					     "a province\")", at, p->reference.procedures);
		}
	}
	if (p->reference.calendar) {
		hoso_buf_reset(&err);
		place(at, sizeof(at), path, p->at.calendar);
		if (!hoso_reference_load_calendar(&ref, p->reference.calendar, &err)) {
			hoso_error("%sreference.calendar: %s", at, err.data);
			problems++;
		} else if (ref.calendar_days == 0) {
			hoso_error("%sreference.calendar: %s holds no YYYY.csv with days", at,
				   p->reference.calendar);
			problems++;
		} else {
			hoso_date first = ref.calendar_entries[0].day;
			hoso_date last = ref.calendar_entries[ref.calendar_days - 1].day;
			int fy, ly, m, d;
			char last_text[11], to_text[11];

			hoso_date_to_ymd(first, &fy, &m, &d);
			hoso_date_to_ymd(last, &ly, &m, &d);
			hoso_date_format_iso(last, last_text);
			hoso_date_format_iso(cover_to, to_text);
			if (last < cover_to) {
				/* a missing day would count as Monday to Friday and move due dates */
				hoso_report(HOSO_LOG_ERROR,
					    hoso_msg("%sreference.calendar: %s ends on %s, before %s", at,
						     p->reference.calendar, last_text, to_text),
					    hoso_hint("Add %d.csv (its holidays and working weekends).",
						      ly + 1));
				problems++;
			} else {
				ok(out, "reference.calendar %s: years %d to %d", p->reference.calendar,
				   fy, ly);
				calendar_end_warning(at, p->reference.calendar, last);
			}
		}
	} else {
		hoso_warning("%s: no reference.calendar: every Monday to Friday counts as a "
			     "working day", path);
	}
	hoso_reference_release(&ref);
	hoso_buf_release(&err);
	return problems;
}

/* Where hoso-extract finds a CSV source schema: schema_dir, beside the programs, ./schemas. */
static bool
find_source_schema(const struct hoso_source *src, char *out, size_t len)
{
	char rel[256];

	if (src->schema_dir) {
		snprintf(out, len, "%s/%s.yaml", src->schema_dir, src->format);
		return access(out, R_OK) == 0;
	}
	snprintf(rel, sizeof(rel), "sources/%s.yaml", src->format);
	if (runner_data_path(rel, out, len))
		return true;
	snprintf(out, len, "schemas/%s", rel);
	return access(out, R_OK) == 0;
}

static int
check_sources(const struct hoso_pipeline *p, const char *path, FILE *out)
{
	int problems = 0;

	for (size_t s = 0; s < 1 + p->nmore_sources; s++) {
		const struct hoso_source *src = s == 0 ? &p->source : &p->more_sources[s - 1];
		struct hoso_source_schema schema;
		struct hoso_buf err = HOSO_BUF_INIT;
		char at[PATH_MAX + 32], file[PATH_MAX + 300];

		place(at, sizeof(at), path, src->format_at);
		if (!hoso_format_find(src->format)->needs_schema) {
			ok(out, "format %s: built in, %zu glob(s)", src->format, src->npaths);
			continue;
		}
		if (!find_source_schema(src, file, sizeof(file))) {
			hoso_error("%sformat \"%s\" is neither a built-in format (%s) nor a CSV source "
				   "schema: no %s%s%s.yaml", at, src->format, hoso_format_builtin_names(),
				   src->schema_dir ? src->schema_dir : "schemas/sources",
				   "/", src->format);
			problems++;
			continue;
		}
		if (!hoso_source_schema_load(file, &schema, &err)) {
			hoso_error("%s", err.data);
			problems++;
		} else {
			if (strcmp(schema.name, src->format) != 0) {
				hoso_error("%sformat \"%s\": the source schema %s is named \"%s\"", at,
					   src->format, file, schema.name);
				problems++;
			} else {
				ok(out, "format %s: CSV source schema %s, %zu columns, %zu glob(s)",
				   src->format, file, schema.ncolumns, src->npaths);
			}
			hoso_source_schema_release(&schema);
		}
		hoso_buf_release(&err);
	}
	return problems;
}

/* The directory a file will be written in must exist and take new files. */
static int
check_writable_dir(const char *path, const char *key, const char *file, FILE *out)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", file);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK | X_OK) != 0) {
		hoso_error("%s: %s: cannot write in \"%s\": %s", path, key, dir, strerror(errno));
		return 1;
	}
	ok(out, "%s %s: its directory takes new files", key, file);
	return 0;
}

/* hash needs its key in the environment of every run, not only of the nights with files */
static int
check_personal_data(const struct hoso_pipeline *p, const char *path, FILE *out)
{
	char at[PATH_MAX + 32], why[200];

	if (strcmp(p->personal_data, "hash") != 0)
		return 0;
	place(at, sizeof(at), path, p->at.personal_data);
	if (hoso_hmac_key_unusable(getenv("HOSO_HMAC_KEY"), why, sizeof(why))) {
		hoso_error("%spersonal_data: hash %s", at, why);
		return 1;
	}
	ok(out, "personal_data hash: the key in HOSO_HMAC_KEY is long enough");
	return 0;
}

int
runner_check_files(const struct hoso_pipeline *p, const char *path, hoso_date cover_to, FILE *out)
{
	int problems = check_reference(p, path, cover_to, out) + check_sources(p, path, out) +
		       check_personal_data(p, path, out);

	if (p->metrics_file)
		problems += check_writable_dir(path, "metrics_file", p->metrics_file, out);
	return problems;
}

/*
 * The highest NNN of the warehouse migrations hoso-load --migrate would
 * apply (hoso_schema_dir); -1 when they are not found.
 */
static int
programs_schema_version(void)
{
	char *dir = hoso_schema_dir(NULL);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int best = -1;

	free(dir);
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		int v = hoso_schema_migration_version(e->d_name);

		if (v > best)
			best = v;
	}
	closedir(d);
	return best;
}

int
runner_check_profile(PGconn *conn, const struct hoso_pipeline *p, const char *path, FILE *out)
{
	const char *params[1] = { p->profile };
	char at[PATH_MAX + 32];
	PGresult *res;
	int problems = 0;

	if (!p->profile)
		return 0;
	place(at, sizeof(at), path, p->at.profile);
	res = PQexecParams(conn,
			   "SELECT EXISTS (SELECT 1 FROM hoso.profile WHERE name = $1),"
			   " (SELECT string_agg(name, ', ' ORDER BY name) FROM hoso.profile)",
			   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		hoso_error("%sprofile: cannot read hoso.profile: %s", at, PQerrorMessage(conn));
		problems++;
	} else if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		hoso_error("%sprofile: unknown counting profile \"%s\" (known: %s)", at, p->profile,
			   PQgetvalue(res, 0, 1));
		problems++;
	} else {
		ok(out, "profile %s", p->profile);
	}
	PQclear(res);
	return problems;
}

int
runner_check_warehouse(PGconn *conn, const struct hoso_pipeline *p, const char *path, FILE *out)
{
	char at[PATH_MAX + 32];
	PGresult *res;
	int problems = 0, programs = programs_schema_version();

	place(at, sizeof(at), path, p->at.target);
	res = hoso_pg_query(conn,
			    "SELECT current_database(), current_user, current_setting('server_version'),"
			    " (SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'hoso'),"
			    " (SELECT pg_has_role(current_user, nspowner, 'USAGE') FROM pg_namespace"
			    "   WHERE nspname = 'hoso'),"
			    " has_database_privilege(current_database(), 'CREATE'),"
			    /* to_regclass needs USAGE on the schema: ask only a role that has it */
			    " CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'hoso')"
			    "  AND has_schema_privilege('hoso', 'USAGE')"
			    "  THEN to_regclass('hoso.schema_version') IS NOT NULL ELSE false END", 0, NULL);
	if (!res)
		return 1;
	ok(out, "connection: database %s as role %s (PostgreSQL %s)", PQgetvalue(res, 0, 0),
	   PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
	if (PQgetisnull(res, 0, 3)) {
		/* the first run creates the warehouse */
		if (strcmp(PQgetvalue(res, 0, 5), "t") != 0) {
			hoso_report(HOSO_LOG_ERROR,
				    hoso_msg("%srole %s: permission denied to create the warehouse (schema "
					     "hoso) in database %s", at, PQgetvalue(res, 0, 1),
					     PQgetvalue(res, 0, 0)),
				    hoso_hint("Grant the role CREATE on the database, or create the "
					      "warehouse as its owner (hoso-load --migrate)."));
			problems++;
		} else {
			ok(out, "warehouse: not created yet; the first run creates it (role %s may)",
			   PQgetvalue(res, 0, 1));
		}
		PQclear(res);
		return problems;
	}
	/* only the owner of schema hoso writes (the migrations made it so) */
	if (strcmp(PQgetvalue(res, 0, 4), "t") != 0) {
		hoso_report(HOSO_LOG_ERROR,
			    hoso_msg("%srole %s: permission denied to load the warehouse: schema hoso "
				     "belongs to %s", at, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 3)),
			    hoso_hint("Connect as the loading role, %s.", PQgetvalue(res, 0, 3)));
		problems++;
	} else {
		ok(out, "privileges: role %s loads the warehouse (schema hoso belongs to %s)",
		   PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 3));
	}
	if (strcmp(PQgetvalue(res, 0, 6), "t") == 0) {
		PGresult *v = hoso_pg_query(conn, "SELECT coalesce(max(version), 0) FROM hoso.schema_version",
					    0, NULL);

		if (!v) {
			problems++;
		} else {
			int version = atoi(PQgetvalue(v, 0, 0));

			if (programs >= 0 && version > programs) {
				hoso_report(HOSO_LOG_ERROR,
					    hoso_msg("%sthe warehouse's schema is at version %d, newer than "
						     "these programs know (%d)", at, version, programs),
					    hoso_hint("Upgrade hoso to the version that made the warehouse."));
				problems++;
			} else if (programs > version) {
				ok(out, "schema version %d; the run applies the migrations up to %d", version,
				   programs);
			} else {
				ok(out, "schema version %d, up to date", version);
			}
			PQclear(v);
		}
	}
	PQclear(res);
	return problems;
}

bool
runner_table_exists(PGconn *conn, const char *table)
{
	const char *params[1] = { table };
	PGresult *res = hoso_pg_query(conn, "SELECT to_regclass($1) IS NOT NULL", 1, params);
	bool exists = res && strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	PQclear(res);
	return exists;
}

/* The checks that need the warehouse: the connection, then what it holds. */
static int
check_connection(const struct hoso_pipeline *p, const char *path)
{
	PGconn *conn = hoso_pg_connect(p->target.conninfo, "hoso check");
	int problems = 0;

	if (!conn) {
		char at[PATH_MAX + 32];

		place(at, sizeof(at), path, p->at.target);
		hoso_error("%scannot connect to the warehouse (%s)", at, p->target.conninfo
			   ? "target.conninfo" : "libpq's environment: PGHOST, PGDATABASE, PGSERVICE ...");
		return 1;
	}
	problems += runner_check_warehouse(conn, p, path, stdout);
	/* before the first run, the profiles are not in the warehouse yet */
	if (runner_table_exists(conn, "hoso.profile"))
		problems += runner_check_profile(conn, p, path, stdout);
	PQfinish(conn);
	return problems;
}

/* Every check of the pipeline at path, each named on stdout: an exit status. */
static int
check_pipeline(const char *path)
{
	struct hoso_pipeline pipeline;
	struct hoso_buf err = HOSO_BUF_INIT;
	hoso_time now = (hoso_time) time(NULL) + HOSO_UTC_OFFSET_SECONDS;
	int problems;

	if (!hoso_pipeline_load(path, &pipeline, &err)) {
		hoso_error("%s", err.data);
		hoso_buf_release(&err);
		return HOSO_EXIT_USAGE;
	}
	hoso_buf_release(&err);
	ok(stdout, "pipeline %s: %zu source(s)", path, 1 + pipeline.nmore_sources);
	/* the nightly run loads yesterday: the calendar must hold today at least */
	problems = runner_check_files(&pipeline, path, hoso_time_date(now), stdout);
	problems += check_connection(&pipeline, path);
	if (problems)
		printf("%d problem(s) in %s\n", problems, path);
	else
		printf("%s: every check passed\n", path);
	hoso_pipeline_release(&pipeline);
	return problems ? HOSO_EXIT_USAGE : HOSO_EXIT_OK;
}

int
runner_cmd_check(int argc, char **argv)
{
	static const char *const usage[] = { "hoso check PIPELINE.yaml", NULL };
	const struct hoso_option options[] = { HOSO_OPT_END() };
	struct hoso_cli cli = {
		.name = "hoso check", .usage = usage, .options = options,
		.about = "Check a pipeline without loading anything: the YAML, the reference files (the\n"
			 "calendar's years), the formats and their source schemas, the profile, the\n"
			 "connection, the warehouse's schema version and the role's privileges.",
		.footer = "Exit status: 0 every check passed, 2 a problem (named FILE:LINE:COLUMN).",
		.args_name = "PIPELINE.yaml", .min_args = 1, .max_args = 1,
	};

	if (!hoso_cli_parse(&cli, argc, argv))
		return cli.status;
	return check_pipeline(cli.args[0]);
}
