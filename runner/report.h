/*
 * report.h: what "hoso report" gathered (report.c), handed to the HTML
 * page (report_html.c).
 */
#ifndef RUNNER_REPORT_H
#define RUNNER_REPORT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

#include "report_format.h"

/* One report's figures; the results belong to report.c, NULL when not asked. */
struct report_page {
	const char *from, *to;		/* YYYY-MM-DD */
	const char *unit;		/* a unit code, or NULL for the whole warehouse */
	const char *scope_name;		/* that unit's name, or the provinces' names */
	char *scope_name_owned;
	const char *profile, *ranking_level;
	const char *months;		/* "reporting" or "calendar" */
	char generated[40];		/* when, in Vietnam's time */
	enum report_locale locale;
	long top;			/* the text ranking lists this many best and worst */
	long target_basis;		/* the on-time goal, 1/100 % */
	PGresult *coverage;		/* source, first_day, last_day, files */
	PGresult *summary, *catalogue;
	PGresult *ranking;		/* hoso.unit_ranking rows, best first */
	PGresult *trend;		/* hoso.monthly_trend rows by month: received_in_period, on_time_rate */
};

/* The value of column name in row (a string); "" when absent or NULL. */
static inline const char *
report_field(PGresult *res, int row, const char *name)
{
	int c = PQfnumber(res, name);

	return c < 0 || row >= PQntuples(res) ? "" : PQgetvalue(res, row, c);
}

static inline bool
report_field_null(PGresult *res, int row, const char *name)
{
	int c = PQfnumber(res, name);

	return c < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c);
}

/* The page as one self-contained HTML document; false on a write error. */
bool report_html_write(FILE *out, const struct report_page *pg);

#endif
