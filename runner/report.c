/*
 * report.c: "hoso report": the period summary in the shape of a province's
 * report (form II.06a), the catalogue figures, a ranking of units and the
 * monthly trend, as text, CSV, JSON or HTML (report_html.c), and what a
 * rebuild moved (--compare).  Every figure comes from the warehouse's SQL
 * functions; report_format.c writes the numbers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hoso_cli.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_text.h"
#include "report.h"
#include "report_format.h"
#include "runner.h"

enum report_format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_HTML };

#define DEFAULT_TOP 5
#define DEFAULT_TARGET_BASIS 9500	/* the on-time goal most provinces set: 95 % */
#define UNIT_HINTS 3			/* nearest units named for an unknown code */

static const char *const ranking_levels[] = { "TINH", "SO_NGANH", "HUYEN", "XA", NULL };

struct report_args {
	const char *from, *to, *unit, *profile, *conninfo;
	const char *ranking_level;	/* NULL: no ranking */
	int ranking_index;		/* in ranking_levels, -1: none */
	const char *compare;		/* a rebuild run: what it moved */
	const char *months;		/* "reporting" or "calendar" */
	long ranking_top;
	long target_basis;		/* the on-time goal, in 1/100 % */
	bool trend;
	enum report_format format;
	enum report_locale locale;
	const char *output;		/* NULL: stdout */
};

/*
 * The connection and a sticky status (SQLite's pRc): the first failed
 * query sets it, later steps are skipped, the caller checks it once.
 */
struct report_session {
	PGconn *conn;
	int status;			/* HOSO_EXIT_OK until something fails */
};

static void
format_count(enum report_locale loc, const char *digits, char *out, size_t outlen)
{
	report_format_count(loc, digits[0] ? digits : "0", out, outlen);
}

/*
 * The exit status of a failed query: a bad argument (SQLSTATE class 22,
 * data exception, as the SQL functions raise for an unknown level or unit)
 * is a usage error.  hoso_pg_log_error has logged the message, detail and
 * hint, without the PL/pgSQL CONTEXT.
 */
static int
query_error_status(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && strncmp(state, "22", 2) == 0 ? HOSO_EXIT_USAGE : HOSO_EXIT_FAILED;
}

/* The rows of sql, or NULL with the session's status set (and logged). */
static PGresult *
query(struct report_session *s, const char *sql, int nparams, const char *const *params)
{
	PGresult *res;

	if (s->status != HOSO_EXIT_OK)
		return NULL;
	res = PQexecParams(s->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		hoso_pg_log_error(NULL, res, s->conn);
		s->status = query_error_status(res);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* --- unknown units: the nearest codes and names as a hint ---------------- */

/* Edit distance of two byte strings (Levenshtein), for ranking suggestions. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = hoso_xmalloc((lb + 1) * sizeof(*row));
	size_t d;

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

static void
fold(const char *s, struct hoso_buf *out)
{
	hoso_buf_reset(out);
	if (!hoso_text_fold(out, s, strlen(s)) || !out->data)
		hoso_buf_addstr(out, s);
}

/*
 * The unit code of --unit, checked against the catalogue: an unknown code
 * is a usage error whose hint names the nearest codes or names (a unit's
 * name given instead of its code names that unit).  Sets *name.
 */
static bool
check_unit(struct report_session *s, const char *unit, char **name)
{
	PGresult *res = query(s, "SELECT u.code, u.name, coalesce(a.alias, u.name) AS label"
			      " FROM hoso.unit u LEFT JOIN hoso.unit_alias a ON a.code = u.code"
			      " ORDER BY u.code, label", 0, NULL);
	struct hoso_buf want = HOSO_BUF_INIT, have = HOSO_BUF_INIT, hint = HOSO_BUF_INIT;
	int best[UNIT_HINTS], nbest = 0;
	size_t dist[UNIT_HINTS];

	if (!res)
		return false;
	fold(unit, &want);
	for (int r = 0; r < PQntuples(res); r++) {
		if (strcmp(PQgetvalue(res, r, 0), unit) == 0) {
			*name = hoso_xstrdup(PQgetvalue(res, r, 1));
			PQclear(res);
			hoso_buf_release(&want);
			return true;
		}
	}
	/* rows come by code: each unit once, at the distance of its nearest label */
	for (int r = 0; r < PQntuples(res);) {
		const char *code = PQgetvalue(res, r, 0);
		size_t d = edit_distance(unit, code);
		int first = r, k;

		for (; r < PQntuples(res) && strcmp(PQgetvalue(res, r, 0), code) == 0; r++) {
			size_t dn;

			fold(PQgetvalue(res, r, 2), &have);
			dn = edit_distance(want.data, have.data);
			d = dn < d ? dn : d;
			fold(PQgetvalue(res, r, 1), &have);
			dn = edit_distance(want.data, have.data);
			d = dn < d ? dn : d;
		}
		for (k = nbest; k > 0 && dist[k - 1] > d; k--)
			if (k < UNIT_HINTS) {
				best[k] = best[k - 1];
				dist[k] = dist[k - 1];
			}
		if (k < UNIT_HINTS) {
			best[k] = first;
			dist[k] = d;
			if (nbest < UNIT_HINTS)
				nbest++;
		}
	}
	for (int k = 0; k < nbest; k++)
		hoso_buf_addf(&hint, "%s%s (%s)", k ? ", " : "", PQgetvalue(res, best[k], 0),
			      PQgetvalue(res, best[k], 1));
	if (nbest && dist[0] == 0)
		hoso_report(HOSO_LOG_ERROR, hoso_msg("--unit: no unit has the code \"%s\"", unit),
			    hoso_hint("that is the name of %s; give the unit's code", hint.data));
	else if (nbest)
		hoso_report(HOSO_LOG_ERROR, hoso_msg("--unit: no unit has the code \"%s\"", unit),
			    hoso_hint("the nearest units are %s", hint.data));
	else
		hoso_report(HOSO_LOG_ERROR, hoso_msg("--unit: no unit has the code \"%s\"", unit),
			    hoso_hint("the warehouse holds no unit: load a unit catalogue first"));
	s->status = HOSO_EXIT_USAGE;
	PQclear(res);
	hoso_buf_release(&want);
	hoso_buf_release(&have);
	hoso_buf_release(&hint);
	return false;
}

/* --- the header: whose report, which period, which data --------------------- */

/*
 * What was loaded, per source: (source, first_day, last_day, files).
 * hoso.coverage() when the warehouse has it; else the same read off the
 * ledger, whose paths carry the landing day.
 */
static PGresult *
query_coverage(struct report_session *s)
{
	PGresult *has = query(s, "SELECT to_regprocedure('hoso.coverage()') IS NOT NULL", 0, NULL);
	bool builtin = has && PQgetvalue(has, 0, 0)[0] == 't';

	PQclear(has);
	if (builtin)
		return query(s, "SELECT source, first_day, last_day, files FROM hoso.coverage()"
			     " ORDER BY source", 0, NULL);
	return query(s,
		     "SELECT format AS source, min(day) AS first_day, max(day) AS last_day,"
		     "       count(*) AS files"
		     "  FROM (SELECT format, to_date(coalesce("
		     "          substring(path FROM '(\\d{4}/\\d{2}/\\d{2})/[^/]*$'),"
		     "          substring(path FROM '(\\d{8})[^/]*$')), 'YYYY/MM/DD') AS day"
		     "          FROM hoso.file_ledger) f"
		     " GROUP BY format ORDER BY format", 0, NULL);
}

/*
 * Whose report: the unit's name, or the provinces whose units handled the
 * period's cases (else those the catalogue holds for the period).
 */
static char *
scope_name(struct report_session *s, const struct report_args *a)
{
	const char *p[2] = { a->from, a->to };
	PGresult *res;
	char *name;

	res = query(s, "SELECT coalesce((SELECT string_agg(u.name, ', ' ORDER BY u.name)"
		    "    FROM hoso.unit u WHERE u.code IN (SELECT DISTINCT unit_path[1]"
		    "      FROM hoso.summary_day WHERE day BETWEEN $1::date AND $2::date)),"
		    "  (SELECT string_agg(name, ', ' ORDER BY name) FROM hoso.unit"
		    "    WHERE parent_code IS NULL"
		    "      AND (valid_from IS NULL OR valid_from <= $2::date)"
		    "      AND (valid_to IS NULL OR valid_to >= $1::date)), '')", 2, p);
	if (!res)
		return NULL;
	name = hoso_xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return name;
}

/* Now in Vietnam's time, "2026-12-03 15:04 (UTC+7)". */
static void
generated_at(char *out, size_t outlen)
{
	time_t now = time(NULL) + HOSO_UTC_OFFSET_SECONDS;
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, outlen, "%Y-%m-%d %H:%M (UTC+7)", &tm);
}

/* --- text ------------------------------------------------------------------- */

#define LABEL_WIDTH 58
#define VALUE_WIDTH 18

static void
print_line(const char *label, const char *value)
{
	fputs("  ", stdout);
	report_put_padded(stdout, label, LABEL_WIDTH, false);
	putchar(' ');
	report_put_padded(stdout, value, VALUE_WIDTH, true);
	putchar('\n');
}

static void
print_count(const struct report_page *pg, PGresult *res, const char *label, const char *column)
{
	char buf[64];

	format_count(pg->locale, report_field(res, 0, column), buf, sizeof(buf));
	print_line(label, buf);
}

static void
print_sum(const struct report_page *pg, const char *label, const char *a, const char *b)
{
	char digits[32], buf[64];

	snprintf(digits, sizeof(digits), "%lld",
		 atoll(report_field(pg->summary, 0, a)) + atoll(report_field(pg->summary, 0, b)));
	format_count(pg->locale, digits, buf, sizeof(buf));
	print_line(label, buf);
}

static void
print_rate(const struct report_page *pg, PGresult *res, const char *label, const char *num,
	   const char *den)
{
	char buf[64];

	report_format_rate(pg->locale, report_field(res, 0, num), report_field(res, 0, den), buf, sizeof(buf));
	print_line(label, buf);
}

static void
print_header_text(const struct report_page *pg)
{
	char from[32], to[32];

	report_format_date(pg->locale, pg->from, from, sizeof(from));
	report_format_date(pg->locale, pg->to, to, sizeof(to));
	printf("Báo cáo kết quả giải quyết TTHC / Case-handling report (form II.06a)\n");
	if (pg->unit)
		printf("Đơn vị / unit: %s %s\n", pg->unit, pg->scope_name);
	else
		printf("Tỉnh / province: %s\n", pg->scope_name[0] ? pg->scope_name : "-");
	printf("Kỳ báo cáo / period: %s – %s (profile %s)\n", from, to, pg->profile);
	if (pg->trend)
		printf("Tháng / months: %s\n", report_months_label(pg->months));
	printf("Lập lúc / generated: %s\n", pg->generated);
	for (int r = 0; pg->coverage && r < PQntuples(pg->coverage); r++) {
		char first[32], last[32], files[32];

		report_format_date(pg->locale, report_field(pg->coverage, r, "first_day"), first, sizeof(first));
		report_format_date(pg->locale, report_field(pg->coverage, r, "last_day"), last, sizeof(last));
		format_count(pg->locale, report_field(pg->coverage, r, "files"), files, sizeof(files));
		printf("Dữ liệu / data loaded: %s %s – %s, %s %s\n", report_field(pg->coverage, r, "source"),
		       first, last, files, pg->locale == REPORT_LOCALE_VI ? "tệp" : "files");
	}
	if (!pg->coverage || PQntuples(pg->coverage) == 0)
		printf("Dữ liệu / data loaded: none\n");
	putchar('\n');
}

static void
print_summary_text(const struct report_page *pg)
{
	PGresult *sum = pg->summary, *cat = pg->catalogue;

	print_count(pg, sum, "Tiếp nhận / cases received (total)", "received_total");
	print_count(pg, sum, "  trực tuyến / online", "received_online");
	print_sum(pg, "  trực tiếp và bưu chính / in person and by post", "received_direct",
		  "received_postal");
	print_count(pg, sum, "    trực tiếp / in person", "received_direct");
	print_count(pg, sum, "    bưu chính / by post", "received_postal");
	print_count(pg, sum, "  kỳ trước chuyển sang / carried over", "carried_over");
	print_count(pg, sum, "Đã giải quyết / resolved", "resolved_total");
	print_sum(pg, "  đúng và sớm hạn / early or on time", "resolved_early", "resolved_on_time");
	print_count(pg, sum, "    sớm hạn / early", "resolved_early");
	print_count(pg, sum, "    đúng hạn / on time", "resolved_on_time");
	print_count(pg, sum, "  quá hạn / late", "resolved_late");
	print_rate(pg, sum, "  tỷ lệ đúng hạn / on-time rate", "on_time_num", "on_time_den");
	print_count(pg, sum, "Đang giải quyết / in progress", "in_progress_total");
	print_count(pg, sum, "  trong hạn / in time", "in_progress_in_time");
	print_count(pg, sum, "  quá hạn / overdue", "in_progress_overdue");
	print_count(pg, sum, "  tạm dừng / paused (supplement, fee)", "in_progress_paused");
	print_count(pg, sum, "Rút, dừng xử lý / withdrawn or stopped", "closed_other");
	print_rate(pg, sum, "Số hóa thành phần khi tiếp nhận / digitised at intake",
		   "digitised_at_intake", "received_in_period");
	if (cat && PQntuples(cat) == 1) {
		char total[64], integ[64], rate[32], line[192], to[32];

		report_format_date(pg->locale, pg->to, to, sizeof(to));
		printf("\nDanh mục TTHC / procedure catalogue at %s\n", to);
		print_count(pg, cat, "DVC toàn trình / fully online services", "full_online");
		print_count(pg, cat, "DVC một phần / partly online services", "partial_online");
		format_count(pg->locale, report_field(cat, 0, "integrated_national_portal"), integ, sizeof(integ));
		format_count(pg->locale, report_field(cat, 0, "total"), total, sizeof(total));
		report_format_rate(pg->locale, report_field(cat, 0, "integrated_national_portal"),
				   report_field(cat, 0, "total"), rate, sizeof(rate));
		snprintf(line, sizeof(line), "%s/%s (%s)", integ, total, rate);
		print_line("Tích hợp Cổng DVCQG / integrated on the national portal", line);
	}
}

static void
print_ranking_text(const struct report_page *pg)
{
	PGresult *res = pg->ranking;
	int nt = PQntuples(res), ranked = 0, name_width = 0;
	long top = pg->top;

	for (int r = 0; r < nt; r++) {
		int w = report_display_width(report_field(res, r, "unit_name"));

		ranked += !report_field_null(res, r, "rank");
		if (w > name_width)
			name_width = w;
	}
	printf("\nXếp hạng / ranking of %s units by on-time rate (top and bottom %ld)\n",
	       pg->ranking_level, top);
	for (int r = 0; r < nt; r++) {
		char rate[32], num[32], den[32], place[32];
		bool first = r < top, last = r >= ranked - top && r < ranked;

		if (report_field_null(res, r, "rank") || (!first && !last))
			continue;
		if (last && r == ranked - top && ranked > 2 * top)
			printf("  ...\n");
		report_format_rate(pg->locale, report_field(res, r, "numerator"), report_field(res, r, "denominator"),
				   rate, sizeof(rate));
		format_count(pg->locale, report_field(res, r, "numerator"), num, sizeof(num));
		format_count(pg->locale, report_field(res, r, "denominator"), den, sizeof(den));
		snprintf(place, sizeof(place), "%s/%s", report_field(res, r, "rank"), report_field(res, r, "field_size"));
		fputs("  ", stdout);
		report_put_padded(stdout, place, 7, false);
		report_put_padded(stdout, report_field(res, r, "unit_code"), 15, false);
		report_put_padded(stdout, report_field(res, r, "unit_name"), name_width + 1, false);
		report_put_padded(stdout, rate, 9, true);
		printf("  (%s/%s)\n", num, den);
	}
	if (ranked < nt)
		printf("  (%d %s not ranked: too few resolved cases, or unresolved)\n", nt - ranked,
		       nt - ranked == 1 ? "row" : "rows");
}

/*
 * A month-on-month or year-on-year change: counts as signed integers, rates
 * in percentage points; "no data" when the month compared with holds none.
 */
static void
format_change(enum report_locale loc, const char *v, bool rate, char *out, size_t outlen)
{
	if (!v[0]) {
		snprintf(out, outlen, "%s", loc == REPORT_LOCALE_VI ? "chưa có số liệu" : "no data");
		return;
	}
	if (rate) {
		char *pct;

		report_format_basis(loc, (long long) (atof(v) * 100 + (atof(v) < 0 ? -0.5 : 0.5)), out,
				    outlen);
		pct = strstr(out, " %");
		if (pct)
			snprintf(pct, outlen - (size_t) (pct - out), " pp");
		if (out[0] != '-') {
			memmove(out + 1, out, strlen(out) + 1 < outlen - 1 ? strlen(out) + 1 : outlen - 2);
			out[0] = '+';
		}
	} else {
		char digits[32];

		snprintf(digits, sizeof(digits), "%lld", llabs(atoll(v)));
		out[0] = atoll(v) < 0 ? '-' : '+';
		format_count(loc, digits, out + 1, outlen - 1);
	}
}

static void
print_trend_text(const struct report_page *pg)
{
	PGresult *res = pg->trend;
	bool any_partial = false;

	printf("\nXu hướng theo tháng / monthly trend (%s)\n", report_months_label(pg->months));
	fputs("  ", stdout);
	report_put_padded(stdout, "month", 16, false);
	report_put_padded(stdout, "indicator", 20, false);
	report_put_padded(stdout, "value", 12, true);
	report_put_padded(stdout, "m-o-m", 17, true);
	report_put_padded(stdout, "y-o-y", 17, true);
	putchar('\n');
	for (int r = 0; r < PQntuples(res); r++) {
		const char *ind = report_field(res, r, "indicator");
		char month[48], value[32], mom[48], yoy[48];
		bool rate = !report_field_null(res, r, "denominator");
		bool partial = report_field(res, r, "partial")[0] == 't';

		report_format_month(pg->locale, report_field(res, r, "month"), false, month, sizeof(month));
		if (partial) {
			strncat(month, " *", sizeof(month) - strlen(month) - 1);
			any_partial = true;
		}
		if (rate)
			report_format_rate(pg->locale, report_field(res, r, "numerator"), report_field(res, r, "denominator"),
					   value, sizeof(value));
		else
			format_count(pg->locale, report_field(res, r, "value"), value, sizeof(value));
		format_change(pg->locale, report_field(res, r, "mom_change"), rate, mom, sizeof(mom));
		format_change(pg->locale, report_field(res, r, "yoy_change"), rate, yoy, sizeof(yoy));
		fputs("  ", stdout);
		report_put_padded(stdout, month, 16, false);
		report_put_padded(stdout, ind, 20, false);
		report_put_padded(stdout, value, 12, true);
		report_put_padded(stdout, mom, 17, true);
		report_put_padded(stdout, yoy, 17, true);
		putchar('\n');
	}
	if (any_partial)
		printf("  * tháng bị cắt theo kỳ báo cáo / month clipped to the period\n");
}

/* --- CSV: one tidy table ------------------------------------------------------ */

static const char *const csv_columns[] = {
	"section", "unit_code", "unit_name", "month", "partial", "figure", "value",
	"numerator", "denominator", "rank", "field_size", "mom_change", "yoy_change", NULL,
};
enum { CSV_NCOLUMNS = 13 };

static void
csv_field(const char *v, bool last)
{
	if (strpbrk(v, ",\"\r\n")) {
		putchar('"');
		for (; *v; v++) {
			if (*v == '"')
				putchar('"');
			putchar(*v);
		}
		putchar('"');
	} else {
		fputs(v, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void
csv_row(const char *const v[CSV_NCOLUMNS])
{
	for (int i = 0; i < CSV_NCOLUMNS; i++)
		csv_field(v[i] ? v[i] : "", i == CSV_NCOLUMNS - 1);
}

/* Every column of a one-row result as rows "section,,,,,column,value". */
static void
csv_figures(const char *section, const char *unit, PGresult *res)
{
	for (int c = 0; res && PQntuples(res) == 1 && c < PQnfields(res); c++)
		csv_row((const char *const[CSV_NCOLUMNS]) {
			section, unit, NULL, NULL, NULL, PQfname(res, c), PQgetvalue(res, 0, c),
		});
}

/*
 * The CSV form: one table, one row per figure (a unit's figure of a month
 * in the trend), so that a spreadsheet or pandas reads it in one go.
 */
static void
print_csv(const struct report_page *pg)
{
	csv_row(csv_columns);
	csv_figures("summary", pg->unit, pg->summary);
	csv_figures("catalogue", NULL, pg->catalogue);
	for (int r = 0; pg->ranking && r < PQntuples(pg->ranking); r++) {
		PGresult *res = pg->ranking;

		csv_row((const char *const[CSV_NCOLUMNS]) {
			"ranking", report_field(res, r, "unit_code"), report_field(res, r, "unit_name"), NULL, NULL,
			report_field(res, r, "indicator")[0] ? report_field(res, r, "indicator") : "on_time_rate",
			report_field(res, r, "value"), report_field(res, r, "numerator"), report_field(res, r, "denominator"),
			report_field(res, r, "rank"), report_field(res, r, "field_size"),
		});
	}
	for (int r = 0; pg->trend && r < PQntuples(pg->trend); r++) {
		PGresult *res = pg->trend;

		csv_row((const char *const[CSV_NCOLUMNS]) {
			"trend", pg->unit, NULL, report_field(res, r, "month"), report_field(res, r, "partial"),
			report_field(res, r, "indicator"), report_field(res, r, "value"), report_field(res, r, "numerator"),
			report_field(res, r, "denominator"), NULL, NULL, report_field(res, r, "mom_change"),
			report_field(res, r, "yoy_change"),
		});
	}
}

/* --- JSON ------------------------------------------------------------------- */

static void
json_rows(struct hoso_buf *out, const char *section, PGresult *res)
{
	int nf = PQnfields(res), nt = PQntuples(res);

	hoso_buf_addf(out, ",\"%s\":[", section);
	for (int r = 0; r < nt; r++) {
		hoso_buf_addstr(out, r ? ",{" : "{");
		for (int c = 0; c < nf; c++) {
			const char *v = PQgetvalue(res, r, c);
			Oid type = PQftype(res, c);
			bool numeric = type == 20 || type == 21 || type == 23 || type == 1700 || type == 701;
			bool boolean = type == 16;

			if (c)
				hoso_buf_addch(out, ',');
			hoso_buf_add_json_string(out, PQfname(res, c), strlen(PQfname(res, c)));
			hoso_buf_addch(out, ':');
			if (PQgetisnull(res, r, c))
				hoso_buf_addstr(out, "null");
			else if (numeric)
				hoso_buf_addstr(out, v);
			else if (boolean)
				hoso_buf_addstr(out, v[0] == 't' ? "true" : "false");
			else
				hoso_buf_add_json_string(out, v, strlen(v));
		}
		hoso_buf_addch(out, '}');
	}
	hoso_buf_addch(out, ']');
}

static void
json_string_field(struct hoso_buf *out, const char *key, const char *v)
{
	hoso_buf_addf(out, "\"%s\":", key);
	if (v)
		hoso_buf_add_json_string(out, v, strlen(v));
	else
		hoso_buf_addstr(out, "null");
}

static void
print_json(const struct report_page *pg)
{
	struct hoso_buf out = HOSO_BUF_INIT;

	hoso_buf_addstr(&out, "{\"header\":{");
	json_string_field(&out, "from", pg->from);
	hoso_buf_addch(&out, ',');
	json_string_field(&out, "to", pg->to);
	hoso_buf_addch(&out, ',');
	json_string_field(&out, "unit", pg->unit);
	hoso_buf_addch(&out, ',');
	json_string_field(&out, "name", pg->scope_name);
	hoso_buf_addch(&out, ',');
	json_string_field(&out, "profile", pg->profile);
	hoso_buf_addch(&out, ',');
	json_string_field(&out, "months", pg->trend ? pg->months : NULL);
	hoso_buf_addch(&out, ',');
	json_string_field(&out, "generated", pg->generated);
	hoso_buf_addch(&out, '}');
	if (pg->coverage)
		json_rows(&out, "coverage", pg->coverage);
	json_rows(&out, "summary", pg->summary);
	json_rows(&out, "catalogue", pg->catalogue);
	if (pg->ranking)
		json_rows(&out, "ranking", pg->ranking);
	if (pg->trend)
		json_rows(&out, "trend", pg->trend);
	hoso_buf_addstr(&out, "}\n");
	fputs(out.data, stdout);
	hoso_buf_release(&out);
}

/*
 * --compare RUN: the figures a rebuild run recorded before and after its
 * swap (hoso.run.detail->'rebuild'): every column of the period summary
 * that moved, province-wide then per unit, as before -> after (change).
 * A unit missing on one side counts 0 there (its rate: none).
 */
static const char compare_sql[] =
	"WITH r AS (SELECT detail->'rebuild' AS d FROM hoso.run WHERE run_id = $1::bigint),"
	" fig(name, ord) AS (SELECT * FROM unnest(ARRAY['carried_over', 'received_online',"
	"   'received_direct', 'received_postal', 'received_in_period', 'received_total',"
	"   'resolved_total', 'resolved_early', 'resolved_on_time', 'resolved_late',"
	"   'in_progress_total', 'in_progress_in_time', 'in_progress_overdue', 'in_progress_paused',"
	"   'closed_other', 'digitised_at_intake', 'on_time_rate', 'on_time_num', 'on_time_den'])"
	"   WITH ORDINALITY),"
	" b AS (SELECT '' AS scope, key AS figure, value FROM r, jsonb_each(r.d->'before')"
	"       UNION ALL SELECT u.key, f.key, f.value FROM r, jsonb_each(r.d->'by_unit'->'before') u,"
	"       jsonb_each(u.value) f),"
	" a AS (SELECT '' AS scope, key AS figure, value FROM r, jsonb_each(r.d->'after')"
	"       UNION ALL SELECT u.key, f.key, f.value FROM r, jsonb_each(r.d->'by_unit'->'after') u,"
	"       jsonb_each(u.value) f),"
	" m AS (SELECT coalesce(b.scope, a.scope) AS scope, coalesce(b.figure, a.figure) AS figure,"
	"              CASE WHEN b.figure IS NULL AND a.figure <> 'on_time_rate' THEN '0'"
	"                   ELSE b.value #>> '{}' END AS before,"
	"              CASE WHEN a.figure IS NULL AND b.figure <> 'on_time_rate' THEN '0'"
	"                   ELSE a.value #>> '{}' END AS after"
	"         FROM b FULL JOIN a ON a.scope = b.scope AND a.figure = b.figure"
	"        WHERE b.value IS DISTINCT FROM a.value)"
	" SELECT coalesce(NULLIF(m.scope, ''), 'province') AS scope, coalesce(un.name, '') AS unit_name,"
	"        m.figure, m.before, m.after, m.after::numeric - m.before::numeric AS change"
	"   FROM m LEFT JOIN fig ON fig.name = m.figure LEFT JOIN hoso.unit un ON un.code = m.scope"
	"  WHERE m.before IS DISTINCT FROM m.after"
	"  ORDER BY m.scope <> '', m.scope, fig.ord";

/*
 * Basis points (1/100 of a percent) of a rate written as a decimal
 * fraction ("0.8333…"), truncated exactly as the province truncates.
 */
static long long
rate_basis_points(const char *v)
{
	long long whole = atoll(v), frac = 0;
	const char *dot = strchr(v, '.');

	for (int i = 0; i < 4; i++)
		frac = frac * 10 + (dot && isdigit((unsigned char) dot[1 + i]) ? dot[1 + i] - '0' : 0);
	return whole * 10000 + frac;
}

/* One moved figure as "before -> after (change)"; rates in % and points. */
static void
format_moved(enum report_locale loc, const char *figure, const char *before, const char *after, const char *change,
	     struct hoso_buf *out)
{
	if (strcmp(figure, "on_time_rate") == 0) {
		char b[32] = "n/a", a[32] = "n/a";
		long long bb = before[0] ? rate_basis_points(before) : 0;
		long long ab = after[0] ? rate_basis_points(after) : 0;

		if (before[0])
			report_format_basis(loc, bb, b, sizeof(b));
		if (after[0])
			report_format_basis(loc, ab, a, sizeof(a));
		hoso_buf_addf(out, "%s -> %s", b, a);
		if (before[0] && after[0])
			hoso_buf_addf(out, " (%s%lld.%02lld pp)", ab < bb ? "-" : "+",
				      llabs(ab - bb) / 100, llabs(ab - bb) % 100);
		return;
	}
	hoso_buf_addf(out, "%s -> %s (%s%s)", before, after, change[0] == '-' ? "" : "+", change);
}

static int
report_compare(struct report_session *s, const struct report_args *a)
{
	const char *p[1] = { a->compare };
	PGresult *run, *res;
	struct hoso_buf line = HOSO_BUF_INIT;
	bool province = false;
	const char *scope_shown = "";

	run = query(s, "SELECT date_from, date_to, coalesce(why, ''), to_char(finished_at,"
		    " 'YYYY-MM-DD HH24:MI:SS TZ'), status FROM hoso.run"
		    " WHERE run_id::text = $1 AND kind = 'rebuild' AND detail ? 'rebuild'", 1, p);
	if (!run)
		return s->status;
	if (PQntuples(run) != 1) {
		hoso_error("--compare %s: no rebuild run of that id recorded its figures", a->compare);
		PQclear(run);
		return HOSO_EXIT_FAILED;
	}
	res = query(s, compare_sql, 1, p);
	if (!res) {
		PQclear(run);
		return s->status;
	}
	if (a->format == FORMAT_CSV) {
		for (int c = 0; c < PQnfields(res); c++)
			csv_field(PQfname(res, c), c == PQnfields(res) - 1);
		for (int r = 0; r < PQntuples(res); r++)
			for (int c = 0; c < PQnfields(res); c++)
				csv_field(PQgetvalue(res, r, c), c == PQnfields(res) - 1);
	} else if (a->format == FORMAT_JSON) {
		struct hoso_buf out = HOSO_BUF_INIT;

		hoso_buf_addf(&out, "{\"run\":%s", a->compare);
		json_rows(&out, "moved", res);
		hoso_buf_addstr(&out, "}\n");
		fputs(out.data, stdout);
		hoso_buf_release(&out);
	} else {
		printf("Rebuild run %s of %s .. %s, %s (%s)\nwhy: %s\n", a->compare,
		       PQgetvalue(run, 0, 0), PQgetvalue(run, 0, 1), PQgetvalue(run, 0, 3),
		       PQgetvalue(run, 0, 4), PQgetvalue(run, 0, 2));
		if (strcmp(a->from, PQgetvalue(run, 0, 0)) != 0 || strcmp(a->to, PQgetvalue(run, 0, 1)) != 0)
			printf("(figures of the rebuilt range %s .. %s, not of %s .. %s)\n",
			       PQgetvalue(run, 0, 0), PQgetvalue(run, 0, 1), a->from, a->to);
		printf("\nFigures that moved: before -> after (change; rates in percentage points)\n");
		for (int r = 0; r < PQntuples(res); r++) {
			const char *scope = PQgetvalue(res, r, 0);

			if (strcmp(scope, "province") == 0)
				province = true;
			else if (!province) {
				printf("  no province figure moved\n");
				province = true;
			}
			if (strcmp(scope, scope_shown) != 0 && PQgetvalue(res, r, 1)[0])
				printf("  %s: %s\n", scope, PQgetvalue(res, r, 1));
			scope_shown = scope;
			hoso_buf_reset(&line);
			format_moved(a->locale, PQgetvalue(res, r, 2), PQgetvalue(res, r, 3), PQgetvalue(res, r, 4),
				     PQgetvalue(res, r, 5), &line);
			printf("  %-10s %-22s %s\n", scope, PQgetvalue(res, r, 2), line.data);
		}
		if (!province)
			printf("  no province figure moved\n");
		if (PQntuples(res) == 0)
			printf("  no unit's figure moved\n");
	}
	hoso_buf_release(&line);
	PQclear(res);
	PQclear(run);
	return HOSO_EXIT_OK;
}

/* --- options ---------------------------------------------------------------- */

/* Parse and check every option; false with cli->status when the command must exit. */
static bool
parse_args(struct hoso_cli *cli, int argc, char **argv, struct report_args *a)
{
	static const char *const usage[] = {
		"hoso report --from D --to D [--unit CODE] [--profile P] [--ranking LEVEL [--top N]]",
		"            [--trend [--months KIND]] [--target PERCENT] [--format F] [--locale L]",
		"            [--output FILE]",
		"hoso report --from D --to D --compare RUN   (the figures a rebuild moved)",
		NULL
	};
	static const char *const formats[] = { "text", "csv", "json", "html", NULL };
	static const char *const locales[] = { "en", "vi", NULL };
	static const char *const months[] = { "reporting", "calendar", NULL };
	static hoso_date from, to;
	static char from_iso[11], to_iso[11];
	static long long top, run;
	static double target;
	static int format, locale, month_kind;
	static char compare[24];
	const struct hoso_option options[] = {
		HOSO_OPT_DATE("from", &from, "the first day of the period (required)"),
		HOSO_OPT_DATE("to", &to, "its last day, included (required)"),
		HOSO_OPT_STRING(0, "unit", &a->unit, "CODE", "one unit and the units under it"),
		HOSO_OPT_STRING(0, "profile", &a->profile, "P", "scoring profile (default ii06a)"),
		HOSO_OPT_CHOICE("ranking", &a->ranking_index, ranking_levels,
				"rank the units of a level by on-time rate"),
		HOSO_OPT_INTEGER("top", &top, "N", 1, 1000000,
				 "with --ranking, the text lists the N best and N worst\n(default 5)"),
		HOSO_OPT_BOOL(0, "trend", &a->trend, "the monthly trend (always in the HTML page)"),
		HOSO_OPT_CHOICE("months", &month_kind, months,
				"the trend's months: reporting (15th to 14th,\nthe default) or calendar"),
		HOSO_OPT_NUMBER("target", &target, "PERCENT", 0.01, 100,
				"the on-time goal the charts draw (default 95)"),
		HOSO_OPT_CHOICE("format", &format, formats,
				"text (default), csv (one tidy table), json or html"),
		HOSO_OPT_CHOICE("locale", &locale, locales,
				"en: 199,352 and 97.91 %; vi: 199.352 and 97,91 %\n"
				"(default: vi for html, en otherwise)"),
		HOSO_OPT_STRING('o', "output", &a->output, "FILE", "write to FILE instead of stdout"),
		HOSO_OPT_INTEGER("compare", &run, "RUN", 1, 9223372036854775807LL,
				 "the figures the rebuild run RUN moved"),
		HOSO_OPT_STRING(0, "conninfo", &a->conninfo, "STR",
				"connection string without password\n(default: the libpq environment)"),
		HOSO_OPT_END(),
	};

	from = to = HOSO_DATE_NONE;
	top = DEFAULT_TOP;
	target = 0;
	format = FORMAT_TEXT;
	locale = month_kind = a->ranking_index = -1;
	run = 0;
	cli->name = "hoso report";
	cli->usage = usage;
	cli->options = options;
	cli->about = "Print the warehouse's figures of a period, as the province's report shows them.";
	cli->footer = "Exit status: 0 done, 1 failed, 2 bad usage (an unknown unit included).";
	if (!hoso_cli_parse(cli, argc, argv))
		return false;
	if (from == HOSO_DATE_NONE || to == HOSO_DATE_NONE) {
		cli->status = hoso_cli_usage_error(cli, "--from and --to are required");
		return false;
	}
	if (to < from) {
		cli->status = hoso_cli_usage_error(cli, "--to is before --from");
		return false;
	}
	hoso_date_format_iso(from, from_iso);
	hoso_date_format_iso(to, to_iso);
	a->from = from_iso;
	a->to = to_iso;
	if (run) {
		snprintf(compare, sizeof(compare), "%lld", run);
		a->compare = compare;
	}
	a->ranking_level = a->ranking_index >= 0 ? ranking_levels[a->ranking_index] : NULL;
	a->ranking_top = (long) top;
	a->months = month_kind == 1 ? "calendar" : "reporting";
	if (target > 0)
		a->target_basis = (long) (target * 100 + 0.5);
	a->format = (enum report_format) format;
	a->locale = locale >= 0 ? (enum report_locale) locale :
		a->format == FORMAT_HTML ? REPORT_LOCALE_VI : REPORT_LOCALE_EN;
	/* the HTML page always charts the trend */
	if (a->format == FORMAT_HTML)
		a->trend = true;
	return true;
}

/* Every query of the report, into pg; false with s->status set. */
static bool
gather(struct report_session *s, const struct report_args *a, struct report_page *pg)
{
	const char *p[5] = { a->from, a->to, a->unit, a->profile, a->months };

	if (a->unit) {
		if (!check_unit(s, a->unit, &pg->scope_name_owned))
			return false;
	} else {
		pg->scope_name_owned = scope_name(s, a);
	}
	pg->scope_name = pg->scope_name_owned ? pg->scope_name_owned : "";
	pg->coverage = query_coverage(s);
	pg->summary = query(s, "SELECT * FROM hoso.period_summary($1::date, $2::date, $3, $4)", 4, p);
	pg->catalogue = query(s, "SELECT * FROM hoso.catalogue_summary($1::date)", 1, p + 1);
	if (a->ranking_level) {
		const char *rp[4] = { a->from, a->to, a->ranking_level, a->profile };

		pg->ranking = query(s, "SELECT * FROM hoso.unit_ranking($1::date, $2::date, $3,"
				    " 'on_time_rate', $4) ORDER BY rank NULLS LAST, unit_code", 4, rp);
	}
	if (a->trend) {
		const char *tp[4] = { a->from, a->to, a->unit, a->months };

		pg->trend = query(s, "SELECT * FROM hoso.monthly_trend($1::date, $2::date, $3, $4)"
				  " WHERE indicator IN ('received_in_period', 'on_time_rate')"
				  " ORDER BY month, indicator", 4, tp);
	}
	return s->status == HOSO_EXIT_OK;
}

/* stdout to the file asked for (none: stdout stays), once the arguments are known good */
static bool
open_output(const char *output)
{
	if (output && !freopen(output, "w", stdout)) {
		hoso_error("%s: %s", output, strerror(errno));
		return false;
	}
	return true;
}

static void
print_page(enum report_format format, const struct report_page *pg)
{
	switch (format) {
	case FORMAT_TEXT:
		print_header_text(pg);
		print_summary_text(pg);
		if (pg->ranking)
			print_ranking_text(pg);
		if (pg->trend)
			print_trend_text(pg);
		break;
	case FORMAT_CSV:
		print_csv(pg);
		break;
	case FORMAT_JSON:
		print_json(pg);
		break;
	case FORMAT_HTML:
		report_html_write(stdout, pg);
		break;
	}
}

static void
page_release(struct report_page *pg)
{
	PQclear(pg->coverage);
	PQclear(pg->summary);
	PQclear(pg->catalogue);
	PQclear(pg->ranking);
	PQclear(pg->trend);
	free(pg->scope_name_owned);
}

/* The report of the period: its queries, then the page in the format asked for. */
static void
report_page(struct report_session *s, const struct report_args *a)
{
	struct report_page pg = {
		.from = a->from, .to = a->to, .unit = a->unit, .profile = a->profile,
		.ranking_level = a->ranking_level, .months = a->months, .locale = a->locale,
		.top = a->ranking_top, .target_basis = a->target_basis,
	};

	generated_at(pg.generated, sizeof(pg.generated));
	if (gather(s, a, &pg)) {
		if (open_output(a->output)) {
			print_page(a->format, &pg);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				hoso_error("%s: write error", a->output ? a->output : "stdout");
				s->status = HOSO_EXIT_FAILED;
			}
		} else {
			s->status = HOSO_EXIT_FAILED;
		}
	}
	page_release(&pg);
}

int
runner_cmd_report(int argc, char **argv)
{
	struct report_args a = {
		.profile = "ii06a", .ranking_top = DEFAULT_TOP, .months = "reporting",
		.target_basis = DEFAULT_TARGET_BASIS,
	};
	struct report_session s = { NULL, HOSO_EXIT_OK };
	struct hoso_cli cli = { 0 };

	if (!parse_args(&cli, argc, argv, &a))
		return cli.status;
	s.conn = hoso_pg_connect(a.conninfo, "hoso report");
	if (!s.conn)
		return HOSO_EXIT_FAILED;
	if (!a.compare)
		report_page(&s, &a);
	else if (open_output(a.output))
		s.status = report_compare(&s, &a);
	else
		s.status = HOSO_EXIT_FAILED;
	PQfinish(s.conn);
	return s.status;
}
