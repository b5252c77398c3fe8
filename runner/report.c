/*
 * report.c: "hoso report": the period summary in the shape of a province's
 * report (form II.06a), the catalogue figures, a ranking of units and the
 * monthly trend, as text, CSV or JSON.  Every figure comes from the
 * warehouse's SQL functions; this file only formats them.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_log.h"
#include "hoso_pg.h"
#include "report.h"
#include "report_format.h"
#include "runner.h"

enum report_format { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_HTML };

struct report_args {
	const char *from, *to, *unit, *profile, *conninfo;
	const char *ranking_level;	/* NULL: no ranking */
	const char *compare;		/* a rebuild run: what it moved */
	int ranking_top;
	bool trend;
	enum report_format format;
	const char *output;		/* NULL: stdout */
};

static void
format_count(const char *digits, char *out, size_t outlen)
{
	report_format_count(REPORT_LOCALE_EN, digits, out, outlen);
}

static void
format_rate(const char *num, const char *den, char *out, size_t outlen)
{
	report_format_rate(REPORT_LOCALE_EN, num, den, out, outlen);
}

static PGresult *
query(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		hoso_error("%s", PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

static const char *
col(PGresult *res, int row, const char *name)
{
	int c = PQfnumber(res, name);

	return c < 0 ? "" : PQgetvalue(res, row, c);
}

static void
print_line(const char *label, const char *value)
{
	printf("  %-58s %18s\n", label, value);
}

static void
print_count(PGresult *res, const char *label, const char *column)
{
	char buf[64];

	format_count(col(res, 0, column), buf, sizeof(buf));
	print_line(label, buf);
}

static void
print_generic(PGresult *res, enum report_format format, const char *section)
{
	int nf = PQnfields(res), nt = PQntuples(res);

	if (format == FORMAT_CSV) {
		for (int c = 0; c < nf; c++)
			printf("%s%s", c ? "," : "", PQfname(res, c));
		printf("\n");
		for (int r = 0; r < nt; r++) {
			for (int c = 0; c < nf; c++) {
				const char *v = PQgetvalue(res, r, c);

				printf("%s", c ? "," : "");
				if (strpbrk(v, ",\"\n")) {
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
			}
			printf("\n");
		}
		return;
	}
	/* JSON: an array of objects under the section's name */
	struct hoso_buf out = HOSO_BUF_INIT;

	hoso_buf_add_json_string(&out, section, strlen(section));
	hoso_buf_addstr(&out, ":[");
	for (int r = 0; r < nt; r++) {
		hoso_buf_addstr(&out, r ? ",{" : "{");
		for (int c = 0; c < nf; c++) {
			const char *v = PQgetvalue(res, r, c);
			Oid type = PQftype(res, c);
			bool numeric = type == 20 || type == 21 || type == 23 || type == 1700 || type == 701;

			if (c)
				hoso_buf_addch(&out, ',');
			hoso_buf_add_json_string(&out, PQfname(res, c), strlen(PQfname(res, c)));
			hoso_buf_addch(&out, ':');
			if (PQgetisnull(res, r, c))
				hoso_buf_addstr(&out, "null");
			else if (numeric)
				hoso_buf_addstr(&out, v);
			else
				hoso_buf_add_json_string(&out, v, strlen(v));
		}
		hoso_buf_addch(&out, '}');
	}
	hoso_buf_addch(&out, ']');
	fputs(out.data, stdout);
	hoso_buf_release(&out);
}

static bool
print_summary_text(PGresult *sum, PGresult *cat, const struct report_args *a)
{
	char buf[64], den[32];
	long long in_period = atoll(col(sum, 0, "received_in_period"));
	long long direct = atoll(col(sum, 0, "received_direct")) + atoll(col(sum, 0, "received_postal"));
	long long ontime = atoll(col(sum, 0, "resolved_early")) + atoll(col(sum, 0, "resolved_on_time"));
	char num[32];

	printf("Báo cáo kết quả giải quyết TTHC / Case-handling report (form II.06a)\n");
	printf("Kỳ báo cáo / period: %s .. %s%s%s   (profile %s)\n\n", a->from, a->to,
	       a->unit ? "   đơn vị / unit: " : "", a->unit ? a->unit : "", a->profile);
	print_count(sum, "Tiếp nhận / cases received (total)", "received_total");
	print_count(sum, "  trực tuyến / online", "received_online");
	snprintf(num, sizeof(num), "%lld", direct);
	format_count(num, buf, sizeof(buf));
	print_line("  trực tiếp và bưu chính / in person and by post", buf);
	print_count(sum, "    trực tiếp / in person", "received_direct");
	print_count(sum, "    bưu chính / by post", "received_postal");
	print_count(sum, "  kỳ trước chuyển sang / carried over", "carried_over");
	print_count(sum, "Đã giải quyết / resolved", "resolved_total");
	snprintf(num, sizeof(num), "%lld", ontime);
	format_count(num, buf, sizeof(buf));
	print_line("  đúng và sớm hạn / early or on time", buf);
	print_count(sum, "    sớm hạn / early", "resolved_early");
	print_count(sum, "    đúng hạn / on time", "resolved_on_time");
	print_count(sum, "  quá hạn / late", "resolved_late");
	format_rate(num, col(sum, 0, "resolved_total"), buf, sizeof(buf));
	print_line("  tỷ lệ đúng hạn / on-time rate", buf);
	print_count(sum, "Đang giải quyết / in progress", "in_progress_total");
	print_count(sum, "  trong hạn / in time", "in_progress_in_time");
	print_count(sum, "  quá hạn / overdue", "in_progress_overdue");
	print_count(sum, "  tạm dừng / paused (supplement, fee)", "in_progress_paused");
	print_count(sum, "Rút, dừng xử lý / withdrawn or stopped", "closed_other");
	snprintf(den, sizeof(den), "%lld", in_period);
	format_rate(col(sum, 0, "digitised_at_intake"), den, buf, sizeof(buf));
	print_line("Số hóa thành phần khi tiếp nhận / digitised at intake", buf);
	if (cat) {
		char total[64], integ[64], rate[32], line[192];

		printf("\nDanh mục TTHC / procedure catalogue at %s\n", a->to);
		print_count(cat, "DVC toàn trình / fully online services", "full_online");
		print_count(cat, "DVC một phần / partly online services", "partial_online");
		format_count(col(cat, 0, "integrated_national_portal"), integ, sizeof(integ));
		format_count(col(cat, 0, "total"), total, sizeof(total));
		format_rate(col(cat, 0, "integrated_national_portal"), col(cat, 0, "total"), rate, sizeof(rate));
		snprintf(line, sizeof(line), "%s/%s (%s)", integ, total, rate);
		print_line("Tích hợp Cổng DVCQG / integrated on the national portal", line);
	}
	return true;
}

/*
 * Print s left-aligned in width columns.  printf pads by bytes, which
 * misaligns Vietnamese names; this counts code points (UTF-8 lead bytes).
 */
static void
print_padded(const char *s, int width)
{
	int cols = 0;

	for (const char *p = s; *p; p++)
		cols += ((unsigned char) *p & 0xC0) != 0x80;
	fputs(s, stdout);
	for (; cols < width; cols++)
		putchar(' ');
}

/*
 * A month-on-month or year-on-year change: counts as signed integers, rates
 * in percentage points with two decimals; empty when there is none.
 */
static void
format_change(const char *v, bool rate, char *out, size_t outlen)
{
	if (!v[0]) {
		out[0] = '\0';
		return;
	}
	if (rate)
		snprintf(out, outlen, "%+.2f pp", atof(v));
	else
		snprintf(out, outlen, "%+lld", atoll(v));
}

static void
print_ranking_text(PGresult *res, const struct report_args *a)
{
	int nt = PQntuples(res);
	int ranked = 0;

	printf("\nXếp hạng / ranking of %s units by on-time rate, %s .. %s\n", a->ranking_level,
	       a->from, a->to);
	for (int r = 0; r < nt; r++)
		ranked += !PQgetisnull(res, r, PQfnumber(res, "rank"));
	for (int r = 0; r < nt; r++) {
		char rate[32];
		bool top = r < a->ranking_top;
		bool bottom = r >= ranked - a->ranking_top && r < ranked;

		if (PQgetisnull(res, r, PQfnumber(res, "rank")) || (!top && !bottom))
			continue;
		if (bottom && r == ranked - a->ranking_top && ranked > 2 * a->ranking_top)
			printf("  ...\n");
		format_rate(col(res, r, "numerator"), col(res, r, "denominator"), rate, sizeof(rate));
		printf("  %3s/%-3s ", col(res, r, "rank"), col(res, r, "field_size"));
		print_padded(col(res, r, "unit_name"), 40);
		printf(" %10s  (%s/%s)\n", rate, col(res, r, "numerator"), col(res, r, "denominator"));
	}
}

static void
print_trend_text(PGresult *res)
{
	int nt = PQntuples(res);

	printf("\nXu hướng theo tháng / monthly trend\n");
	printf("  %-8s %-22s %14s %12s %12s\n", "month", "indicator", "value", "m-o-m", "y-o-y");
	for (int r = 0; r < nt; r++) {
		const char *ind = col(res, r, "indicator");
		char value[32], mom[32], yoy[32];
		bool rate = PQgetisnull(res, r, PQfnumber(res, "denominator")) == 0;

		if (strcmp(ind, "received_total") == 0 || strcmp(ind, "received_in_period") == 0)
			format_count(col(res, r, "value"), value, sizeof(value));
		else
			format_rate(col(res, r, "numerator"), col(res, r, "denominator"), value, sizeof(value));
		format_change(col(res, r, "mom_change"), rate, mom, sizeof(mom));
		format_change(col(res, r, "yoy_change"), rate, yoy, sizeof(yoy));
		printf("  %-8s %-22s %14s %12s %12s\n", col(res, r, "month"), ind, value, mom, yoy);
	}
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
format_moved(const char *figure, const char *before, const char *after, const char *change,
	     struct hoso_buf *out)
{
	if (strcmp(figure, "on_time_rate") == 0) {
		char b[32] = "n/a", a[32] = "n/a";
		long long bb = before[0] ? rate_basis_points(before) : 0;
		long long ab = after[0] ? rate_basis_points(after) : 0;

		if (before[0])
			report_format_basis(REPORT_LOCALE_EN, bb, b, sizeof(b));
		if (after[0])
			report_format_basis(REPORT_LOCALE_EN, ab, a, sizeof(a));
		hoso_buf_addf(out, "%s -> %s", b, a);
		if (before[0] && after[0])
			hoso_buf_addf(out, " (%s%lld.%02lld pp)", ab < bb ? "-" : "+",
				      llabs(ab - bb) / 100, llabs(ab - bb) % 100);
		return;
	}
	hoso_buf_addf(out, "%s -> %s (%s%s)", before, after, change[0] == '-' ? "" : "+", change);
}

static int
report_compare(PGconn *conn, const struct report_args *a)
{
	const char *p[1] = { a->compare };
	PGresult *run, *res;
	struct hoso_buf line = HOSO_BUF_INIT;
	bool province = false;
	const char *scope_shown = "";

	run = query(conn, "SELECT date_from, date_to, coalesce(why, ''), to_char(finished_at,"
		    " 'YYYY-MM-DD HH24:MI:SS TZ'), status FROM hoso.run"
		    " WHERE run_id::text = $1 AND kind = 'rebuild' AND detail ? 'rebuild'", 1, p);
	if (!run)
		return HOSO_EXIT_FAILED;
	if (PQntuples(run) != 1) {
		hoso_error("--compare %s: no rebuild run of that id recorded its figures", a->compare);
		PQclear(run);
		return HOSO_EXIT_FAILED;
	}
	res = query(conn, compare_sql, 1, p);
	if (!res) {
		PQclear(run);
		return HOSO_EXIT_FAILED;
	}
	if (a->format == FORMAT_CSV || a->format == FORMAT_JSON) {
		if (a->format == FORMAT_JSON)
			printf("{");
		print_generic(res, a->format, "moved");
		if (a->format == FORMAT_JSON)
			printf("}\n");
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
			format_moved(PQgetvalue(res, r, 2), PQgetvalue(res, r, 3), PQgetvalue(res, r, 4),
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

int
runner_cmd_report(int argc, char **argv)
{
	static const struct option options[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "unit", required_argument, NULL, 'u' },
		{ "profile", required_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'F' },
		{ "ranking", required_argument, NULL, 'r' },
		{ "top", required_argument, NULL, 'n' },
		{ "trend", no_argument, NULL, 'T' },
		{ "output", required_argument, NULL, 'o' },
		{ "compare", required_argument, NULL, 'C' },
		{ "conninfo", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct report_args a = { .profile = "ii06a", .ranking_top = 5, .format = FORMAT_TEXT };
	PGconn *conn = NULL;
	PGresult *sum = NULL, *cat = NULL, *rank = NULL, *trend = NULL;
	int ret = HOSO_EXIT_USAGE, opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'f': a.from = optarg; break;
		case 't': a.to = optarg; break;
		case 'u': a.unit = optarg; break;
		case 'p': a.profile = optarg; break;
		case 'r': a.ranking_level = optarg; break;
		case 'n': a.ranking_top = atoi(optarg); break;
		case 'T': a.trend = true; break;
		case 'c': a.conninfo = optarg; break;
		case 'o': a.output = optarg; break;
		case 'C': a.compare = optarg; break;
		case 'F':
			if (strcmp(optarg, "text") == 0)
				a.format = FORMAT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				a.format = FORMAT_CSV;
			else if (strcmp(optarg, "json") == 0)
				a.format = FORMAT_JSON;
			else if (strcmp(optarg, "html") == 0)
				a.format = FORMAT_HTML;
			else {
				hoso_error("--format: expected text, csv, json or html, found \"%s\"", optarg);
				return HOSO_EXIT_USAGE;
			}
			break;
		case 'h':
			printf("Usage: hoso report --from D --to D [--unit CODE] [--profile P]\n"
			       "       [--ranking LEVEL [--top N]] [--trend]\n"
			       "       [--format text|csv|json|html] [--output FILE]\n"
			       "       hoso report --from D --to D --compare RUN   (figures a rebuild moved)\n");
			return HOSO_EXIT_OK;
		default:
			return HOSO_EXIT_USAGE;
		}
	}
	if (!a.from || !a.to) {
		hoso_error("report: --from and --to are required");
		return HOSO_EXIT_USAGE;
	}
	/* the HTML page always charts the trend */
	if (a.format == FORMAT_HTML)
		a.trend = true;
	ret = HOSO_EXIT_FAILED;
	if (a.output && !freopen(a.output, "w", stdout)) {
		hoso_error("%s: %s", a.output, strerror(errno));
		goto cleanup;
	}
	conn = hoso_pg_connect(a.conninfo, "hoso report");
	if (!conn)
		goto cleanup;
	if (a.compare) {
		ret = report_compare(conn, &a);
		goto cleanup;
	}
	{
		const char *p[4] = { a.from, a.to, a.unit, a.profile };

		sum = query(conn, "SELECT * FROM hoso.period_summary($1::date, $2::date, $3, $4)", 4, p);
		if (!sum)
			goto cleanup;
		cat = query(conn, "SELECT * FROM hoso.catalogue_summary($1::date)", 1, p + 1);
		if (!cat)
			goto cleanup;
	}
	if (a.ranking_level) {
		const char *p[4] = { a.from, a.to, a.ranking_level, a.profile };

		rank = query(conn, "SELECT * FROM hoso.unit_ranking($1::date, $2::date, $3, 'on_time_rate', $4)"
			     " ORDER BY rank NULLS LAST, unit_code", 4, p);
		if (!rank)
			goto cleanup;
	}
	if (a.trend) {
		const char *p[3] = { a.from, a.to, a.unit };

		trend = query(conn, "SELECT * FROM hoso.monthly_trend($1::date, $2::date, $3, 'reporting')"
			      " WHERE indicator IN ('received_total', 'received_in_period', 'on_time_rate') ORDER BY month, indicator",
			      3, p);
		if (!trend)
			goto cleanup;
	}
	if (a.format == FORMAT_TEXT) {
		print_summary_text(sum, cat, &a);
		if (rank)
			print_ranking_text(rank, &a);
		if (trend)
			print_trend_text(trend);
	} else if (a.format == FORMAT_CSV) {
		print_generic(sum, a.format, "summary");
		if (rank) {
			printf("\n");
			print_generic(rank, a.format, "ranking");
		}
		if (trend) {
			printf("\n");
			print_generic(trend, a.format, "trend");
		}
	} else if (a.format == FORMAT_HTML) {
		struct report_html page = {
			.from = a.from, .to = a.to, .unit = a.unit, .profile = a.profile,
			.ranking_level = a.ranking_level, .summary = sum, .catalogue = cat,
			.ranking = rank, .trend = trend,
		};

		if (!report_html_write(stdout, &page)) {
			hoso_error("%s: write error", a.output ? a.output : "stdout");
			goto cleanup;
		}
	} else {
		printf("{");
		print_generic(sum, a.format, "summary");
		printf(",");
		print_generic(cat, a.format, "catalogue");
		if (rank) {
			printf(",");
			print_generic(rank, a.format, "ranking");
		}
		if (trend) {
			printf(",");
			print_generic(trend, a.format, "trend");
		}
		printf("}\n");
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		hoso_error("%s: write error", a.output ? a.output : "stdout");
		goto cleanup;
	}
	ret = HOSO_EXIT_OK;
cleanup:
	PQclear(sum);
	PQclear(cat);
	PQclear(rank);
	PQclear(trend);
	if (conn)
		PQfinish(conn);
	return ret;
}
