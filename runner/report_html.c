/*
 * report_html.c: "hoso report --format html": one self-contained page
 * (UTF-8, inline CSS and SVG, no script, no external asset) holding a
 * header (whose report, the period, the months, when it was made, what
 * data it rests on), the II.06a table, the catalogue figures, the ranking
 * as a bar chart and the monthly trend as line charts.  report.c runs the
 * queries; report_format.c writes the numbers; this file lays them out.
 * Every value from the warehouse is HTML-escaped.
 *
 * Chart axes fit the data (a ranking of rates between 96 and 99 % spans
 * 96 to 100 %), each gridline carries its label, and the on-time goal is
 * drawn where it falls inside the axis.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_log.h"
#include "report.h"
#include "report_format.h"

/* Chart geometry, in SVG user units (drawn 1:1 on a desktop; scrolls on a phone). */
#define CHART_WIDTH 960
#define BAR_ROW 24		/* height of one unit's bar row */
#define BAR_TOP 40		/* room for the axis labels above the bars */
#define BAR_LABEL 420		/* width of the "rank, unit name, code" column */
#define BAR_SPAN 430		/* width of the axis */
#define LINE_HEIGHT 300
#define LINE_LEFT 80		/* room for the y-axis labels */
#define LINE_RIGHT 30
#define LINE_TOP 30
#define LINE_BOTTOM 70		/* room for the month labels */
#define LINE_PAD 40		/* first and last point this far inside the plot */
#define MAX_TICKS 5		/* intervals on an axis, at most */

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

/* A count column, or the sum of two, as digits. */
static void
sum_digits(PGresult *res, const char *a, const char *b, char *out, size_t outlen)
{
	long long v = atoll(report_field(res, 0, a));

	if (b)
		v += atoll(report_field(res, 0, b));
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
	const char *columns;	/* the docs/counting.md column(s) it shows */
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
put_count(FILE *out, const struct report_page *pg, const char *digits)
{
	char buf[64];

	report_format_count(pg->locale, digits[0] ? digits : "0", buf, sizeof(buf));
	put_escaped(out, buf);
}

static void
put_rate(FILE *out, const struct report_page *pg, const char *num, const char *den)
{
	char buf[64];

	report_format_rate(pg->locale, num, den, buf, sizeof(buf));
	put_escaped(out, buf);
}

static void
put_date(FILE *out, const struct report_page *pg, const char *iso)
{
	char buf[32];

	report_format_date(pg->locale, iso, buf, sizeof(buf));
	put_escaped(out, buf);
}

static void
put_header(FILE *out, const struct report_page *pg)
{
	fputs("<header>\n<p class=\"kicker\">Báo cáo kết quả giải quyết thủ tục hành chính "
	      "<span class=\"en\">/ Case-handling report (form II.06a)</span></p>\n<h1>", out);
	if (pg->unit) {
		put_escaped(out, pg->scope_name);
		fputs(" <span class=\"code\">", out);
		put_escaped(out, pg->unit);
		fputs("</span>", out);
	} else {
		put_escaped(out, pg->scope_name[0] ? pg->scope_name : "—");
	}
	fputs("</h1>\n<dl class=\"meta\">\n<dt>Kỳ báo cáo <span class=\"en\">/ period</span></dt><dd><b>", out);
	put_date(out, pg, pg->from);
	fputs(" – ", out);
	put_date(out, pg, pg->to);
	fputs("</b> <span class=\"en\">(profile <code>", out);
	put_escaped(out, pg->profile);
	fputs("</code>)</span></dd>\n", out);
	if (pg->trend) {
		fputs("<dt>Tháng <span class=\"en\">/ months</span></dt><dd>", out);
		put_escaped(out, report_months_label(pg->months));
		fputs("</dd>\n", out);
	}
	fputs("<dt>Lập lúc <span class=\"en\">/ generated</span></dt><dd>", out);
	put_escaped(out, pg->generated);
	fputs("</dd>\n<dt>Dữ liệu <span class=\"en\">/ data loaded</span></dt><dd>", out);
	for (int r = 0; pg->coverage && r < PQntuples(pg->coverage); r++) {
		fputs(r ? "<br>" : "", out);
		put_escaped(out, report_field(pg->coverage, r, "source"));
		fputs(": ", out);
		put_date(out, pg, report_field(pg->coverage, r, "first_day"));
		fputs(" – ", out);
		put_date(out, pg, report_field(pg->coverage, r, "last_day"));
		fputs(" (", out);
		put_count(out, pg, report_field(pg->coverage, r, "files"));
		fputs(pg->locale == REPORT_LOCALE_VI ? " tệp)" : " files)", out);
	}
	if (!pg->coverage || PQntuples(pg->coverage) == 0)
		fputs("không có / none", out);
	fputs("</dd>\n</dl>\n</header>\n", out);
}

static void
put_summary(FILE *out, const struct report_page *pg)
{
	fputs("<h2>Kết quả giải quyết TTHC <span class=\"en\">/ Case handling (form II.06a)</span></h2>\n"
	      "<table class=\"summary\">\n<thead><tr><th>Chỉ tiêu</th><th class=\"en wide\">Indicator</th>"
	      "<th class=\"n\">Số liệu / Figure</th><th class=\"wide\">column</th></tr></thead>\n<tbody>\n", out);
	for (size_t i = 0; i < sizeof(summary_rows) / sizeof(summary_rows[0]); i++) {
		const struct summary_row *row = &summary_rows[i];
		char num[32];

		fprintf(out, "<tr class=\"d%d\"><td>%s</td><td class=\"en wide\">%s</td><td class=\"n\">",
			row->depth, row->vi, row->en);
		if (row->kind == ROW_COUNT) {
			sum_digits(pg->summary, row->a, row->b, num, sizeof(num));
			put_count(out, pg, num);
		} else {
			fputs("<b>", out);
			put_rate(out, pg, report_field(pg->summary, 0, row->a), report_field(pg->summary, 0, row->b));
			fputs("</b> <span class=\"frac\">(", out);
			put_count(out, pg, report_field(pg->summary, 0, row->a));
			fputs("/", out);
			put_count(out, pg, report_field(pg->summary, 0, row->b));
			fputs(")</span>", out);
		}
		fprintf(out, "</td><td class=\"wide\"><code>%s</code></td></tr>\n", row->columns);
	}
	fputs("</tbody>\n</table>\n", out);
}

static void
put_catalogue(FILE *out, const struct report_page *pg)
{
	PGresult *cat = pg->catalogue;

	if (!cat || PQntuples(cat) != 1)
		return;
	fputs("<h2>Danh mục thủ tục hành chính <span class=\"en\">/ Procedure catalogue at ", out);
	put_date(out, pg, pg->to);
	fputs("</span></h2>\n<table class=\"summary\">\n<tbody>\n", out);
	fputs("<tr><td>Dịch vụ công trực tuyến toàn trình</td><td class=\"en wide\">Fully online services</td><td class=\"n\">", out);
	put_count(out, pg, report_field(cat, 0, "full_online"));
	fputs("</td></tr>\n<tr><td>Dịch vụ công trực tuyến một phần</td><td class=\"en wide\">Partly online services</td><td class=\"n\">", out);
	put_count(out, pg, report_field(cat, 0, "partial_online"));
	fputs("</td></tr>\n<tr><td>Tích hợp trên Cổng Dịch vụ công quốc gia</td>"
	      "<td class=\"en wide\">Integrated on the national portal</td><td class=\"n\">", out);
	put_count(out, pg, report_field(cat, 0, "integrated_national_portal"));
	fputs("/", out);
	put_count(out, pg, report_field(cat, 0, "total"));
	fputs(" (", out);
	put_rate(out, pg, report_field(cat, 0, "integrated_national_portal"), report_field(cat, 0, "total"));
	fputs(")</td></tr>\n</tbody>\n</table>\n", out);
}

/* An axis: lo..hi in steps of step (all in the data's unit). */
struct axis {
	long long lo, hi, step;
};

/*
 * The axis of rates (basis points) from lo to hi: the smallest round step
 * (each divides 100 %) that covers them in at most MAX_TICKS intervals,
 * the ends on that step; never a single point.
 */
static struct axis
rate_axis(long long lo, long long hi)
{
	static const long long steps[] = {
		1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000,
	};
	struct axis a = { 0, 10000, 2500 };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		long long s = steps[i];
		long long l = lo / s * s, h = (hi + s - 1) / s * s;

		if (l == h) {
			if (h + s <= 10000)
				h += s;
			else
				l -= s;
		}
		if ((h - l) / s <= MAX_TICKS) {
			a = (struct axis) { l, h, s };
			break;
		}
	}
	return a;
}

/* The axis of counts from 0 to at least max: a step of 1, 2 or 5 times 10^k. */
static struct axis
count_axis(long long max)
{
	static const long long mult[] = { 1, 2, 5 };

	if (max <= 0)
		return (struct axis) { 0, 1, 1 };
	for (long long p = 1;; p *= 10) {
		for (int i = 0; i < 3; i++) {
			long long s = p * mult[i];

			if ((max + s - 1) / s <= MAX_TICKS)
				return (struct axis) { 0, (max + s - 1) / s * s, s };
		}
	}
}

/* A rate tick: as many decimals as the step needs ("96 %", "97.5 %"). */
static void
rate_tick_label(const struct report_page *pg, long long basis, long long step, char *out,
		size_t outlen)
{
	char dec = pg->locale == REPORT_LOCALE_VI ? ',' : '.';

	if (step % 100 == 0)
		snprintf(out, outlen, "%lld %%", basis / 100);
	else if (step % 10 == 0)
		snprintf(out, outlen, "%lld%c%lld %%", basis / 100, dec, basis % 100 / 10);
	else
		report_format_basis(pg->locale, basis, out, outlen);
}

static void
tick_label(const struct report_page *pg, bool rate, long long v, long long step, char *out,
	   size_t outlen)
{
	char digits[32];

	if (rate) {
		rate_tick_label(pg, v, step, out, outlen);
		return;
	}
	snprintf(digits, sizeof(digits), "%lld", v);
	report_format_count(pg->locale, digits, out, outlen);
}

/* Where v falls on an axis drawn from `from` to `to` (pixels). */
static double
axis_pos(const struct axis *a, double v, double from, double to)
{
	return from + (to - from) * (v - (double) a->lo) / (double) (a->hi - a->lo);
}

static void
put_target_label(FILE *out, const struct report_page *pg)
{
	char buf[32];

	/* as few decimals as the goal has: "95 %", "97.5 %" */
	rate_tick_label(pg, pg->target_basis, pg->target_basis % 100 == 0 ? 100 :
			pg->target_basis % 10 == 0 ? 10 : 1, buf, sizeof(buf));
	fprintf(out, "Mục tiêu %s", buf);
}

/* The ranked units as a table: what a phone shows instead of the chart. */
static void
put_ranking_table(FILE *out, const struct report_page *pg)
{
	PGresult *res = pg->ranking;

	fputs("<table class=\"alt\">\n<thead><tr><th>Hạng</th><th>Đơn vị</th><th class=\"n\">Tỷ lệ</th></tr></thead>\n<tbody>\n", out);
	for (int i = 0; i < PQntuples(res); i++) {
		if (report_field_null(res, i, "rank"))
			continue;
		fputs("<tr><td>", out);
		put_escaped(out, report_field(res, i, "rank"));
		fputs("/", out);
		put_escaped(out, report_field(res, i, "field_size"));
		fputs("</td><td>", out);
		put_escaped(out, report_field(res, i, "unit_name"));
		fputs(" <span class=\"code\">", out);
		put_escaped(out, report_field(res, i, "unit_code"));
		fputs("</span></td><td class=\"n\">", out);
		put_rate(out, pg, report_field(res, i, "numerator"), report_field(res, i, "denominator"));
		fputs("</td></tr>\n", out);
	}
	fputs("</tbody>\n</table>\n", out);
}

static void
put_ranking(FILE *out, const struct report_page *pg)
{
	PGresult *res = pg->ranking;
	int nt = PQntuples(res), ranked = 0;
	long long lo = 10000, hi = 0;

	for (int i = 0; i < nt; i++) {
		long long b = report_rate_basis(report_field(res, i, "numerator"), report_field(res, i, "denominator"));

		if (report_field_null(res, i, "rank") || b < 0)
			continue;
		ranked++;
		lo = b < lo ? b : lo;
		hi = b > hi ? b : hi;
	}
	fputs("<h2>Xếp hạng đơn vị theo tỷ lệ đúng hạn <span class=\"en\">/ Ranking of ", out);
	put_escaped(out, pg->ranking_level);
	fputs(" units by on-time rate</span></h2>\n", out);
	if (ranked == 0) {
		fputs("<p>Không có đơn vị được xếp hạng / no unit ranked.</p>\n", out);
	} else {
		struct axis a = rate_axis(lo, hi);
		int height = BAR_TOP + ranked * BAR_ROW + 10, y = BAR_TOP;
		double bottom = BAR_TOP + ranked * BAR_ROW;

		fprintf(out, "<div class=\"scroll\"><svg class=\"chart ranking\" role=\"img\" width=\"%d\" "
			"height=\"%d\" viewBox=\"0 0 %d %d\">\n", CHART_WIDTH, height, CHART_WIDTH, height);
		for (long long t = a.lo; t <= a.hi; t += a.step) {
			double x = axis_pos(&a, (double) t, BAR_LABEL, BAR_LABEL + BAR_SPAN);
			char label[32];

			tick_label(pg, true, t, a.step, label, sizeof(label));
			fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
				"<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
				x, BAR_TOP - 6, x, bottom, x, BAR_TOP - 10, label);
		}
		y = BAR_TOP;
		for (int i = 0; i < nt; i++) {
			const char *num = report_field(res, i, "numerator"), *den = report_field(res, i, "denominator");
			long long b = report_rate_basis(num, den);
			double w;

			if (report_field_null(res, i, "rank") || b < 0)
				continue;
			w = axis_pos(&a, (double) b, 0, BAR_SPAN);
			fputs("<g><title>", out);
			put_escaped(out, report_field(res, i, "unit_name"));
			fputs(" (", out);
			put_escaped(out, report_field(res, i, "unit_code"));
			fputs("): ", out);
			put_rate(out, pg, num, den);
			fputs(" (", out);
			put_count(out, pg, num);
			fputs("/", out);
			put_count(out, pg, den);
			fputs(")</title>\n", out);
			fprintf(out, "<text class=\"rank\" x=\"4\" y=\"%d\">", y + BAR_ROW - 8);
			put_escaped(out, report_field(res, i, "rank"));
			fputs("/", out);
			put_escaped(out, report_field(res, i, "field_size"));
			fprintf(out, "</text><text class=\"label\" x=\"56\" y=\"%d\">", y + BAR_ROW - 8);
			put_escaped(out, report_field(res, i, "unit_name"));
			fputs(" <tspan class=\"code\">", out);
			put_escaped(out, report_field(res, i, "unit_code"));
			fputs("</tspan></text>\n", out);
			fprintf(out, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
				BAR_LABEL, y + 3, w > 0 ? w : 0, BAR_ROW - 6);
			fprintf(out, "<text class=\"value\" x=\"%d\" y=\"%d\">", BAR_LABEL + BAR_SPAN + 8,
				y + BAR_ROW - 8);
			put_rate(out, pg, num, den);
			fputs("</text></g>\n", out);
			y += BAR_ROW;
		}
		if (pg->target_basis >= a.lo && pg->target_basis <= a.hi) {
			double x = axis_pos(&a, (double) pg->target_basis, BAR_LABEL, BAR_LABEL + BAR_SPAN);

			fprintf(out, "<line class=\"target\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
				"<text class=\"target-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
				x, BAR_TOP - 4, x, bottom + 4, x, BAR_TOP - 24);
			put_target_label(out, pg);
			fputs("</text>\n", out);
		}
		fputs("</svg></div>\n", out);
		put_ranking_table(out, pg);
		fputs("<p class=\"note axis-note\">Trục từ ", out);
		{
			char l[32], h[32];

			rate_tick_label(pg, a.lo, a.step, l, sizeof(l));
			rate_tick_label(pg, a.hi, a.step, h, sizeof(h));
			fprintf(out, "%s đến %s <span class=\"en\">/ the axis spans %s to %s</span>", l, h, l, h);
		}
		if (pg->target_basis < a.lo || pg->target_basis > a.hi) {
			fputs("; ", out);
			put_target_label(out, pg);
			fputs(pg->target_basis < a.lo ? " (mọi đơn vị đều vượt / every unit is above)"
			      : " (không đơn vị nào đạt / no unit reaches it)", out);
		}
		fputs(".</p>\n", out);
	}
	if (ranked < nt) {
		bool first = true;

		fputs("<p class=\"note\">Không xếp hạng <span class=\"en\">/ unranked</span> "
		      "(số hồ sơ dưới mức tối thiểu, hoặc chưa xác định đơn vị / too few cases, or unresolved): ", out);
		for (int i = 0; i < nt; i++) {
			if (!report_field_null(res, i, "rank"))
				continue;
			fputs(first ? "" : ", ", out);
			first = false;
			put_escaped(out, report_field(res, i, "unit_name"));
			fputs(" <span class=\"code\">", out);
			put_escaped(out, report_field(res, i, "unit_code"));
			fputs("</span> (", out);
			put_count(out, pg, report_field(res, i, "numerator"));
			fputs("/", out);
			put_count(out, pg, report_field(res, i, "denominator"));
			fputs(")", out);
		}
		fputs("</p>\n", out);
	}
}

/* One point of a trend line: its month and value (not present: a gap). */
struct trend_point {
	const char *month;
	bool present, partial;
	long long value;		/* a count, or a rate in basis points */
	char label[64];
};

/* The x of point i of n: evenly spaced, a lone point in the middle. */
static double
point_x(int i, int n, int plot_w)
{
	if (n == 1)
		return LINE_LEFT + plot_w / 2.0;
	return LINE_LEFT + LINE_PAD + (double) (plot_w - 2 * LINE_PAD) * i / (n - 1);
}

/* One line chart of n points on axis a; rate: values in basis points, target drawn. */
static void
put_line_chart(FILE *out, const struct report_page *pg, const char *title_vi,
	       const char *title_en, const struct trend_point *pts, int n, struct axis a, bool rate)
{
	int plot_w = CHART_WIDTH - LINE_LEFT - LINE_RIGHT;
	int plot_h = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM;
	double y0 = LINE_TOP + plot_h, y1 = LINE_TOP;
	bool pen_down = false;

	fprintf(out, "<h3 class=\"chart-title\">%s <span class=\"en\">/ %s</span></h3>\n", title_vi, title_en);
	fprintf(out, "<div class=\"scroll\"><svg class=\"chart %s\" role=\"img\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\">\n", rate ? "trend-rate" : "trend-count", CHART_WIDTH, LINE_HEIGHT,
		CHART_WIDTH, LINE_HEIGHT);
	for (long long t = a.lo; t <= a.hi; t += a.step) {
		double y = axis_pos(&a, (double) t, y0, y1);
		char label[32];

		tick_label(pg, rate, t, a.step, label, sizeof(label));
		fprintf(out, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			LINE_LEFT, y, LINE_LEFT + plot_w, y, LINE_LEFT - 6, y + 4, label);
	}
	if (rate && pg->target_basis >= a.lo && pg->target_basis <= a.hi) {
		double y = axis_pos(&a, (double) pg->target_basis, y0, y1);

		fprintf(out, "<line class=\"target\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
			"<text class=\"target-label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
			LINE_LEFT, y, LINE_LEFT + plot_w, y, LINE_LEFT + plot_w, y - 4);
		put_target_label(out, pg);
		fputs("</text>\n", out);
	}
	fputs("<path class=\"line\" d=\"", out);
	for (int i = 0; i < n; i++) {
		if (!pts[i].present) {
			pen_down = false;
			continue;
		}
		fprintf(out, "%s%.1f %.1f ", pen_down ? "L" : "M", point_x(i, n, plot_w),
			axis_pos(&a, (double) pts[i].value, y0, y1));
		pen_down = true;
	}
	fputs("\"/>\n", out);
	for (int i = 0; i < n; i++) {
		double x = point_x(i, n, plot_w);
		char month[48];

		report_format_month(pg->locale, pts[i].month, true, month, sizeof(month));
		fprintf(out, "<text class=\"month\" transform=\"translate(%.1f %.1f) rotate(-45)\" "
			"text-anchor=\"end\">", x + 4, y0 + 16);
		put_escaped(out, month);
		fputs(pts[i].partial ? "*</text>\n" : "</text>\n", out);
		if (pts[i].present) {
			double y = axis_pos(&a, (double) pts[i].value, y0, y1);

			fputs("<g><title>", out);
			put_escaped(out, month);
			fputs(pts[i].partial ? "*: " : ": ", out);
			put_escaped(out, pts[i].label);
			fprintf(out, "</title><circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>"
				"<text class=\"point\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, y, x, y - 8);
			put_escaped(out, pts[i].label);
			fputs("</text></g>\n", out);
		}
	}
	fputs("</svg></div>\n", out);
}

static void
put_trend(FILE *out, const struct report_page *pg)
{
	PGresult *res = pg->trend;
	int nt = PQntuples(res), n = 0;
	struct trend_point *received = hoso_xcalloc((size_t) nt + 1, sizeof(*received));
	struct trend_point *rate = hoso_xcalloc((size_t) nt + 1, sizeof(*rate));
	long long max_received = 0, lo = 10000, hi = 0;
	bool any_rate = false, any_partial = false;

	/* rows come ordered by month; one chart point per month */
	for (int i = 0; i < nt; i++) {
		const char *month = report_field(res, i, "month");
		const char *ind = report_field(res, i, "indicator");

		if (n == 0 || strcmp(received[n - 1].month, month) != 0) {
			received[n].month = rate[n].month = month;
			received[n].partial = rate[n].partial = report_field(res, i, "partial")[0] == 't';
			any_partial |= received[n].partial;
			n++;
		}
		if (strcmp(ind, "received_in_period") == 0 && !report_field_null(res, i, "value")) {
			struct trend_point *p = &received[n - 1];

			p->present = true;
			p->value = atoll(report_field(res, i, "value"));
			report_format_count(pg->locale, report_field(res, i, "value"), p->label, sizeof(p->label));
			max_received = p->value > max_received ? p->value : max_received;
		} else if (strcmp(ind, "on_time_rate") == 0) {
			struct trend_point *p = &rate[n - 1];
			long long b = report_rate_basis(report_field(res, i, "numerator"), report_field(res, i, "denominator"));

			if (b < 0)
				continue;
			p->present = any_rate = true;
			p->value = b;
			report_format_basis(pg->locale, b, p->label, sizeof(p->label));
			lo = b < lo ? b : lo;
			hi = b > hi ? b : hi;
		}
	}
	fputs("<h2>Xu hướng theo tháng <span class=\"en\">/ Monthly trend</span></h2>\n<p class=\"note\">", out);
	put_escaped(out, report_months_label(pg->months));
	fputs("</p>\n", out);
	if (n == 0) {
		fputs("<p>Không có số liệu / no data.</p>\n", out);
	} else {
		put_line_chart(out, pg, "Hồ sơ tiếp nhận trong tháng", "Cases received per month",
			       received, n, count_axis(max_received), false);
		put_line_chart(out, pg, "Tỷ lệ giải quyết đúng hạn theo tháng", "On-time rate per month",
			       rate, n, any_rate ? rate_axis(lo, hi) : rate_axis(0, 10000), true);
		fputs("<table class=\"alt\">\n<thead><tr><th>Tháng</th><th class=\"n\">Tiếp nhận</th>"
		      "<th class=\"n\">Đúng hạn</th></tr></thead>\n<tbody>\n", out);
		for (int i = 0; i < n; i++) {
			char month[48];

			report_format_month(pg->locale, received[i].month, false, month, sizeof(month));
			fputs("<tr><td>", out);
			put_escaped(out, month);
			fputs(received[i].partial ? "*</td><td class=\"n\">" : "</td><td class=\"n\">", out);
			put_escaped(out, received[i].present ? received[i].label : "—");
			fputs("</td><td class=\"n\">", out);
			put_escaped(out, rate[i].present ? rate[i].label : "—");
			fputs("</td></tr>\n", out);
		}
		fputs("</tbody>\n</table>\n", out);
		if (any_partial)
			fputs("<p class=\"note\">* tháng bị cắt theo kỳ báo cáo "
			      "<span class=\"en\">/ month clipped to the period</span></p>\n", out);
	}
	free(received);
	free(rate);
}

static const char page_style[] =
	"body{font-family:\"DejaVu Sans\",\"Noto Sans\",\"Liberation Sans\",Arial,sans-serif;"
	"margin:24px auto;padding:0 16px;color:#1b1f24;background:#fff;max-width:1000px}\n"
	"h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #c8102e}"
	"h3{font-size:15px;margin:16px 0 4px}.en{color:#57606a;font-weight:normal}\n"
	".kicker{margin:0;color:#c8102e;font-weight:bold}.code{color:#57606a;font-size:85%}"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}"
	"dl.meta dt{color:#57606a}dl.meta dd{margin:0}\n"
	"table.summary{border-collapse:collapse;width:100%}"
	"table.summary td,table.summary th{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left}"
	"table.summary th{background:#f6f8fa}table.summary td.n,table.summary th.n{text-align:right;white-space:nowrap}"
	"tr.d0 td:first-child{font-weight:bold}tr.d1 td:first-child{padding-left:24px}"
	"tr.d2 td:first-child{padding-left:44px}.frac{color:#57606a;font-size:90%}"
	"code{font-size:85%;color:#57606a}\n"
	".scroll{overflow-x:auto}svg.chart{display:block;margin:4px 0 12px}"
	"svg text{font-family:\"DejaVu Sans\",\"Noto Sans\",sans-serif;font-size:12px;fill:#1b1f24}"
	"svg .tick,svg .month{fill:#57606a;font-size:11px}svg .grid{stroke:#d0d7de;stroke-width:1}"
	"svg .bar{fill:#2f6fb5}svg .rank{font-weight:bold}svg .code{fill:#57606a;font-size:10px}"
	"svg .line{fill:none;stroke:#c8102e;stroke-width:2}"
	"svg .target{stroke:#1a7f37;stroke-width:2;stroke-dasharray:6 4}svg .target-label{fill:#1a7f37;font-size:11px}"
	"svg .dot{fill:#c8102e}svg .point{font-size:10px}.note{color:#57606a;font-size:90%}\n"
	"table.alt{display:none;border-collapse:collapse;width:100%}table.alt td,table.alt th{border-bottom:1px solid #d0d7de;"
	"padding:4px;text-align:left}table.alt .n{text-align:right;white-space:nowrap}\n"
	"@media (max-width:600px){body{margin:8px auto;padding:0 8px}h1{font-size:20px}"
	".scroll,.chart-title,.axis-note{display:none}table.alt{display:table}"
	".wide{display:none}table.summary td,table.summary th{padding:4px 4px}"
	"tr.d1 td:first-child{padding-left:12px}tr.d2 td:first-child{padding-left:22px}}\n";

bool
report_html_write(FILE *out, const struct report_page *pg)
{
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
		pg->locale == REPORT_LOCALE_VI ? "vi" : "en");
	fputs("Báo cáo kết quả giải quyết TTHC – ", out);
	put_escaped(out, pg->scope_name);
	fputs(" – ", out);
	put_date(out, pg, pg->from);
	fputs(" – ", out);
	put_date(out, pg, pg->to);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", page_style);
	put_header(out, pg);
	put_summary(out, pg);
	put_catalogue(out, pg);
	if (pg->ranking)
		put_ranking(out, pg);
	if (pg->trend)
		put_trend(out, pg);
	fputs("<p class=\"note\">Tỷ lệ cắt (không làm tròn) đến hai chữ số thập phân / rates are truncated, "
	      "not rounded, to two decimals. Tạo bởi / made by hoso report.</p>\n"
	      "</body>\n</html>\n", out);
	return !ferror(out);
}
