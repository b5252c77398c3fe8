/*
 * report_html.c: "hoso report --format html": one self-contained page
 * (UTF-8, inline CSS and SVG, no script, no external asset) holding the
 * II.06a table, the catalogue figures, the ranking as a bar chart and the
 * monthly trend as line charts.  report.c runs the queries; this file only
 * lays their results out.  Every value from the warehouse is HTML-escaped.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_log.h"
#include "report.h"
#include "report_format.h"

/* Chart geometry, in SVG user units (the page is laid out for ~1000 px). */
#define CHART_WIDTH 960
#define BAR_ROW 24		/* height of one unit's bar row */
#define BAR_LABEL 380		/* width of the "rank/field unit" column */
#define BAR_SPAN 460		/* width of a 100 % bar */
#define LINE_HEIGHT 300
#define LINE_LEFT 80		/* room for the y-axis labels */
#define LINE_RIGHT 30
#define LINE_TOP 30
#define LINE_BOTTOM 70		/* room for the month labels */
#define LINE_PAD 40		/* first and last point this far inside the plot */

static void
put_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: putc(*s, out); break;
		}
	}
}

/* The value of column NAME in row ROW; "" when NULL or absent. */
static const char *
field(PGresult *res, int row, const char *name)
{
	int c = PQfnumber(res, name);

	return c < 0 || row >= PQntuples(res) ? "" : PQgetvalue(res, row, c);
}

static bool
field_null(PGresult *res, int row, const char *name)
{
	int c = PQfnumber(res, name);

	return c < 0 || row >= PQntuples(res) || PQgetisnull(res, row, c);
}

/* A count column, or the sum of two, as digits. */
static void
sum_digits(PGresult *res, const char *a, const char *b, char *out, size_t outlen)
{
	long long v = atoll(field(res, 0, a));

	if (b)
		v += atoll(field(res, 0, b));
	snprintf(out, outlen, "%lld", v);
}

enum row_kind { ROW_COUNT, ROW_RATE };

/*
 * One line of form II.06a.  ROW_COUNT shows column a (plus column b when
 * set); ROW_RATE shows a / b truncated, with its numerator and denominator.
 */
struct summary_row {
	const char *vi, *en;
	int depth;
	enum row_kind kind;
	const char *a, *b;
	const char *columns;	/* the counting.md column(s) it shows */
};

static const struct summary_row summary_rows[] = {
	{ "Tổng số hồ sơ tiếp nhận", "Cases received (total)", 0, ROW_COUNT, "received_total", NULL, "received_total" },
	{ "Trực tuyến", "Online", 1, ROW_COUNT, "received_online", NULL, "received_online" },
	{ "Trực tiếp và qua bưu chính", "In person and by post", 1, ROW_COUNT, "received_direct", "received_postal", "received_direct + received_postal" },
	{ "Trực tiếp", "In person", 2, ROW_COUNT, "received_direct", NULL, "received_direct" },
	{ "Qua bưu chính", "By post", 2, ROW_COUNT, "received_postal", NULL, "received_postal" },
	{ "Tiếp nhận trong kỳ", "Received in the period", 1, ROW_COUNT, "received_in_period", NULL, "received_in_period" },
	{ "Kỳ trước chuyển sang", "Carried over", 1, ROW_COUNT, "carried_over", NULL, "carried_over" },
	{ "Đã giải quyết", "Resolved", 0, ROW_COUNT, "resolved_total", NULL, "resolved_total" },
	{ "Đúng hạn và trước hạn", "Early or on time", 1, ROW_COUNT, "resolved_early", "resolved_on_time", "resolved_early + resolved_on_time" },
	{ "Trước hạn", "Early", 2, ROW_COUNT, "resolved_early", NULL, "resolved_early" },
	{ "Đúng hạn", "On time", 2, ROW_COUNT, "resolved_on_time", NULL, "resolved_on_time" },
	{ "Quá hạn", "Late", 1, ROW_COUNT, "resolved_late", NULL, "resolved_late" },
	{ "Tỷ lệ giải quyết đúng hạn", "On-time rate", 1, ROW_RATE, "on_time_num", "on_time_den", "on_time_rate" },
	{ "Đang giải quyết", "In progress", 0, ROW_COUNT, "in_progress_total", NULL, "in_progress_total" },
	{ "Trong hạn", "In time", 1, ROW_COUNT, "in_progress_in_time", NULL, "in_progress_in_time" },
	{ "Quá hạn", "Overdue", 1, ROW_COUNT, "in_progress_overdue", NULL, "in_progress_overdue" },
	{ "Tạm dừng (bổ sung, nghĩa vụ tài chính)", "Paused (supplement, fee due)", 1, ROW_COUNT, "in_progress_paused", NULL, "in_progress_paused" },
	{ "Rút hồ sơ, dừng xử lý", "Withdrawn or stopped", 0, ROW_COUNT, "closed_other", NULL, "closed_other" },
	{ "Số hóa thành phần hồ sơ khi tiếp nhận", "Digitised at intake", 0, ROW_RATE, "digitised_at_intake", "received_in_period", "digitised_at_intake / received_in_period" },
};

static void
put_count(FILE *out, const char *digits)
{
	char buf[64];

	report_format_count(REPORT_LOCALE_EN, digits[0] ? digits : "0", buf, sizeof(buf));
	put_escaped(out, buf);
}

static void
put_summary(FILE *out, const struct report_html *r)
{
	fputs("<h2>Kết quả giải quyết TTHC <span class=\"en\">/ Case handling (form II.06a)</span></h2>\n"
	      "<table class=\"summary\">\n<thead><tr><th>Chỉ tiêu</th><th>Indicator</th>"
	      "<th class=\"n\">Số liệu / Figure</th><th>counting.md</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < sizeof(summary_rows) / sizeof(summary_rows[0]); i++) {
		const struct summary_row *row = &summary_rows[i];
		char num[32], den[32], rate[32];

		fprintf(out, "<tr class=\"d%d\"><td>%s</td><td class=\"en\">%s</td><td class=\"n\">",
			row->depth, row->vi, row->en);
		if (row->kind == ROW_COUNT) {
			sum_digits(r->summary, row->a, row->b, num, sizeof(num));
			put_count(out, num);
		} else {
			snprintf(num, sizeof(num), "%s", field(r->summary, 0, row->a));
			snprintf(den, sizeof(den), "%s", field(r->summary, 0, row->b));
			report_format_rate(REPORT_LOCALE_EN, num, den, rate, sizeof(rate));
			fputs("<b>", out);
			put_escaped(out, rate);
			fputs("</b> <span class=\"frac\">(", out);
			put_count(out, num);
			fputs("/", out);
			put_count(out, den);
			fputs(")</span>", out);
		}
		fprintf(out, "</td><td><code>%s</code></td></tr>\n", row->columns);
	}
	fputs("</tbody>\n</table>\n", out);
}

static void
put_catalogue(FILE *out, const struct report_html *r)
{
	char rate[32];

	if (!r->catalogue || PQntuples(r->catalogue) != 1)
		return;
	fputs("<h2>Danh mục thủ tục hành chính <span class=\"en\">/ Procedure catalogue at ", out);
	put_escaped(out, r->to);
	fputs("</span></h2>\n<table class=\"summary\">\n<tbody>\n", out);
	fputs("<tr><td>Dịch vụ công trực tuyến toàn trình</td><td class=\"en\">Fully online services</td><td class=\"n\">", out);
	put_count(out, field(r->catalogue, 0, "full_online"));
	fputs("</td></tr>\n<tr><td>Dịch vụ công trực tuyến một phần</td><td class=\"en\">Partly online services</td><td class=\"n\">", out);
	put_count(out, field(r->catalogue, 0, "partial_online"));
	fputs("</td></tr>\n<tr><td>Tích hợp trên Cổng Dịch vụ công quốc gia</td>"
	      "<td class=\"en\">Integrated on the national portal</td><td class=\"n\">", out);
	put_count(out, field(r->catalogue, 0, "integrated_national_portal"));
	fputs("/", out);
	put_count(out, field(r->catalogue, 0, "total"));
	report_format_rate(REPORT_LOCALE_EN, field(r->catalogue, 0, "integrated_national_portal"),
			   field(r->catalogue, 0, "total"), rate, sizeof(rate));
	fputs(" (", out);
	put_escaped(out, rate);
	fputs(")</td></tr>\n</tbody>\n</table>\n", out);
}

/* num / den as a fraction of 1 for drawing; -1 when there is none. */
static double
fraction(const char *num, const char *den)
{
	double d = atof(den);

	return num[0] && d > 0 ? atof(num) / d : -1;
}

static void
put_ranking(FILE *out, const struct report_html *r)
{
	PGresult *res = r->ranking;
	int nt = PQntuples(res), ranked = 0, y;

	for (int i = 0; i < nt; i++)
		ranked += !field_null(res, i, "rank");
	fputs("<h2>Xếp hạng đơn vị theo tỷ lệ đúng hạn <span class=\"en\">/ Ranking of ", out);
	put_escaped(out, r->ranking_level);
	fputs(" units by on-time rate</span></h2>\n", out);
	if (ranked == 0) {
		fputs("<p>Không có đơn vị được xếp hạng / no unit ranked.</p>\n", out);
	} else {
		int height = LINE_TOP + ranked * BAR_ROW + 30;

		fprintf(out, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", CHART_WIDTH, height, CHART_WIDTH, height);
		/* grid at 0, 25, 50, 75 and 100 % */
		for (int g = 0; g <= 4; g++) {
			int x = BAR_LABEL + g * BAR_SPAN / 4;

			fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
				"<text class=\"axis\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d %%</text>\n",
				x, LINE_TOP - 6, x, LINE_TOP + ranked * BAR_ROW, x, LINE_TOP - 10, g * 25);
		}
		y = LINE_TOP;
		for (int i = 0; i < nt; i++) {
			char rate[32];
			double f;

			if (field_null(res, i, "rank"))
				continue;
			f = fraction(field(res, i, "numerator"), field(res, i, "denominator"));
			report_format_rate(REPORT_LOCALE_EN, field(res, i, "numerator"), field(res, i, "denominator"), rate, sizeof(rate));
			fprintf(out, "<g><title>");
			put_escaped(out, field(res, i, "unit_name"));
			fputs(": ", out);
			put_escaped(out, rate);
			fputs(" (", out);
			put_escaped(out, field(res, i, "numerator"));
			fputs("/", out);
			put_escaped(out, field(res, i, "denominator"));
			fputs(")</title>\n", out);
			fprintf(out, "<text class=\"rank\" x=\"4\" y=\"%d\">", y + BAR_ROW - 8);
			put_escaped(out, field(res, i, "rank"));
			fputs("/", out);
			put_escaped(out, field(res, i, "field_size"));
			fprintf(out, "</text><text class=\"label\" x=\"64\" y=\"%d\">", y + BAR_ROW - 8);
			put_escaped(out, field(res, i, "unit_name"));
			fprintf(out, "</text>\n<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
				BAR_LABEL, y + 3, f > 0 ? f * BAR_SPAN : 0, BAR_ROW - 6);
			fprintf(out, "<text class=\"value\" x=\"%d\" y=\"%d\">", BAR_LABEL + BAR_SPAN + 8, y + BAR_ROW - 8);
			put_escaped(out, rate);
			fputs("</text></g>\n", out);
			y += BAR_ROW;
		}
		fputs("</svg>\n", out);
	}
	if (ranked < nt) {
		bool first = true;

		fputs("<p class=\"note\">Không xếp hạng (số hồ sơ dưới mức tối thiểu) / unranked (too few cases): ", out);
		for (int i = 0; i < nt; i++) {
			if (!field_null(res, i, "rank"))
				continue;
			fputs(first ? "" : ", ", out);
			first = false;
			put_escaped(out, field(res, i, "unit_name"));
			fputs(" (", out);
			put_escaped(out, field(res, i, "numerator"));
			fputs("/", out);
			put_escaped(out, field(res, i, "denominator"));
			fputs(")", out);
		}
		fputs("</p>\n", out);
	}
}

/* One point of a trend line: its month and value (NULL: a gap). */
struct trend_point {
	const char *month;
	bool present;
	double value;
	char label[64];
};

/* A round upper bound for a count axis: 1, 2 or 5 times a power of ten. */
static double
nice_ceiling(double v)
{
	double p;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* The x of point i of n: evenly spaced, a lone point in the middle. */
static double
point_x(int i, int n, int plot_w)
{
	if (n == 1)
		return LINE_LEFT + plot_w / 2.0;
	return LINE_LEFT + LINE_PAD + (double)(plot_w - 2 * LINE_PAD) * i / (n - 1);
}

/*
 * One line chart of N points.  lo..hi is the y range; a tick prints its
 * value times tick_scale followed by unit.
 */
static void
put_line_chart(FILE *out, const char *title_vi, const char *title_en, const struct trend_point *pts,
	       int n, double lo, double hi, double tick_scale, const char *unit)
{
	int plot_w = CHART_WIDTH - LINE_LEFT - LINE_RIGHT;
	int plot_h = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM;
	bool pen_down = false;

	fprintf(out, "<h3>%s <span class=\"en\">/ %s</span></h3>\n", title_vi, title_en);
	fprintf(out, "<svg class=\"chart\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", CHART_WIDTH, LINE_HEIGHT, CHART_WIDTH, LINE_HEIGHT);
	for (int g = 0; g <= 4; g++) {
		double v = lo + (hi - lo) * g / 4;
		double y = LINE_TOP + plot_h - (double)plot_h * g / 4;
		char digits[32], tick[48];

		snprintf(digits, sizeof(digits), "%.0f", v * tick_scale);
		report_format_count(REPORT_LOCALE_EN, digits, tick, sizeof(tick));
		fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s%s</text>\n",
			LINE_LEFT, y, LINE_LEFT + plot_w, y, LINE_LEFT - 6, y + 4, tick, unit);
	}
	fputs("<path class=\"line\" d=\"", out);
	for (int i = 0; i < n; i++) {
		double x = point_x(i, n, plot_w);
		double y;

		if (!pts[i].present) {
			pen_down = false;
			continue;
		}
		y = LINE_TOP + plot_h - plot_h * (pts[i].value - lo) / (hi - lo);
		fprintf(out, "%s%.1f %.1f ", pen_down ? "L" : "M", x, y);
		pen_down = true;
	}
	fputs("\"/>\n", out);
	for (int i = 0; i < n; i++) {
		double x = point_x(i, n, plot_w);
		double ybase = LINE_TOP + plot_h;

		fprintf(out, "<text class=\"axis\" transform=\"translate(%.1f %.1f) rotate(-45)\" "
			"text-anchor=\"end\">", x + 4, ybase + 16);
		put_escaped(out, pts[i].month);
		fputs("</text>\n", out);
		if (pts[i].present) {
			double y = LINE_TOP + plot_h - plot_h * (pts[i].value - lo) / (hi - lo);

			fprintf(out, "<g><title>");
			put_escaped(out, pts[i].month);
			fputs(": ", out);
			put_escaped(out, pts[i].label);
			fprintf(out, "</title><circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>"
				"<text class=\"point\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, y, x, y - 8);
			put_escaped(out, pts[i].label);
			fputs("</text></g>\n", out);
		}
	}
	fputs("</svg>\n", out);
}

static void
put_trend(FILE *out, const struct report_html *r)
{
	PGresult *res = r->trend;
	int nt = PQntuples(res), n = 0;
	struct trend_point *received = hoso_xmalloc(sizeof(*received) * (nt + 1));
	struct trend_point *rate = hoso_xmalloc(sizeof(*rate) * (nt + 1));
	double max_received = 0, min_rate = 1;

	/* rows come ordered by month; one chart point per month */
	for (int i = 0; i < nt; i++) {
		const char *month = field(res, i, "month");
		const char *ind = field(res, i, "indicator");

		if (n == 0 || strcmp(received[n - 1].month, month) != 0) {
			memset(&received[n], 0, sizeof(received[n]));
			memset(&rate[n], 0, sizeof(rate[n]));
			received[n].month = rate[n].month = month;
			n++;
		}
		if (strcmp(ind, "received_in_period") == 0 && !field_null(res, i, "value")) {
			received[n - 1].present = true;
			received[n - 1].value = atof(field(res, i, "value"));
			report_format_count(REPORT_LOCALE_EN, field(res, i, "value"), received[n - 1].label,
					    sizeof(received[n - 1].label));
			if (received[n - 1].value > max_received)
				max_received = received[n - 1].value;
		} else if (strcmp(ind, "on_time_rate") == 0 && !field_null(res, i, "value")) {
			rate[n - 1].present = true;
			rate[n - 1].value = fraction(field(res, i, "numerator"), field(res, i, "denominator"));
			report_format_rate(REPORT_LOCALE_EN, field(res, i, "numerator"), field(res, i, "denominator"),
					   rate[n - 1].label, sizeof(rate[n - 1].label));
			if (rate[n - 1].value < min_rate)
				min_rate = rate[n - 1].value;
		}
	}
	fputs("<h2>Xu hướng theo tháng <span class=\"en\">/ Monthly trend (reporting months: 15th to 14th)</span></h2>\n", out);
	if (n == 0) {
		fputs("<p>Không có số liệu / no data.</p>\n", out);
	} else {
		/* the rate axis starts at the 10 % step below the lowest rate */
		double lo = floor(min_rate * 10) / 10;

		if (lo >= 1)
			lo = 0.9;
		put_line_chart(out, "Hồ sơ tiếp nhận trong tháng", "Cases received per month",
			       received, n, 0, nice_ceiling(max_received * 1.1), 1, "");
		put_line_chart(out, "Tỷ lệ giải quyết đúng hạn theo tháng", "On-time rate per month",
			       rate, n, lo, 1, 100, " %");
	}
	free(received);
	free(rate);
}

static const char page_style[] =
	"body{font-family:\"DejaVu Sans\",\"Noto Sans\",\"Liberation Sans\",Arial,sans-serif;"
	"margin:24px;color:#1b1f24;background:#fff;max-width:1000px}\n"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #c8102e}"
	"h3{font-size:15px;margin:16px 0 4px}.en{color:#57606a;font-weight:normal}\n"
	"table.summary{border-collapse:collapse;width:100%}"
	"table.summary td,table.summary th{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left}"
	"table.summary th{background:#f6f8fa}table.summary td.n,table.summary th.n{text-align:right;white-space:nowrap}"
	"tr.d0 td:first-child{font-weight:bold}tr.d1 td:first-child{padding-left:24px}"
	"tr.d2 td:first-child{padding-left:44px}.frac{color:#57606a;font-size:90%}"
	"code{font-size:85%;color:#57606a}\n"
	"svg.chart{display:block;margin:4px 0 12px}svg text{font-family:\"DejaVu Sans\",\"Noto Sans\",sans-serif;font-size:12px;fill:#1b1f24}"
	"svg .axis{fill:#57606a;font-size:11px}svg .grid{stroke:#d0d7de;stroke-width:1}"
	"svg .bar{fill:#2f6fb5}svg .rank{font-weight:bold}svg .line{fill:none;stroke:#c8102e;stroke-width:2}"
	"svg .dot{fill:#c8102e}svg .point{font-size:10px}.note{color:#57606a;font-size:90%}\n";

bool
report_html_write(FILE *out, const struct report_html *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", out);
	fputs("Báo cáo kết quả giải quyết TTHC ", out);
	put_escaped(out, r->from);
	fputs(" – ", out);
	put_escaped(out, r->to);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", page_style);
	fputs("<h1>Báo cáo kết quả giải quyết thủ tục hành chính</h1>\n"
	      "<p class=\"en\">Case-handling report (form II.06a)</p>\n<p>Kỳ báo cáo / period: <b>", out);
	put_escaped(out, r->from);
	fputs(" – ", out);
	put_escaped(out, r->to);
	fputs("</b>", out);
	if (r->unit) {
		fputs(" · đơn vị / unit: <b>", out);
		put_escaped(out, r->unit);
		fputs("</b>", out);
	}
	fputs(" · profile: <code>", out);
	put_escaped(out, r->profile);
	fputs("</code></p>\n", out);
	put_summary(out, r);
	put_catalogue(out, r);
	if (r->ranking)
		put_ranking(out, r);
	if (r->trend)
		put_trend(out, r);
	fputs("<p class=\"note\">Tỷ lệ cắt (không làm tròn) đến hai chữ số thập phân / rates are truncated, "
	      "not rounded, to two decimals (counting.md §3). Tạo bởi / made by hoso report.</p>\n"
	      "</body>\n</html>\n", out);
	return !ferror(out);
}
