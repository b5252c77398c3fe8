/*
 * report.h: between "hoso report"'s queries (report.c) and its HTML page
 * (report_html.c).
 */
#ifndef RUNNER_REPORT_H
#define RUNNER_REPORT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * The results of report.c's queries as one self-contained HTML page.  The
 * caller owns the results; ranking and trend may be NULL (section left out).
 */
struct report_html {
	const char *from, *to, *unit, *profile;
	const char *ranking_level;
	PGresult *summary, *catalogue;
	PGresult *ranking;	/* hoso.unit_ranking rows, best first */
	PGresult *trend;	/* hoso.monthly_trend rows by month: received_in_period, on_time_rate */
};
bool report_html_write(FILE *out, const struct report_html *r);	/* false on a write error */

#endif
