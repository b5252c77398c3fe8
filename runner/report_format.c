/*
 * report_format.c: the figures of "hoso report" as words and digits
 * (report_format.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "report_format.h"

bool
report_locale_parse(const char *s, enum report_locale *out)
{
	if (strcmp(s, "en") == 0)
		*out = REPORT_LOCALE_EN;
	else if (strcmp(s, "vi") == 0)
		*out = REPORT_LOCALE_VI;
	else
		return false;
	return true;
}

void
report_format_count(enum report_locale loc, const char *digits, char *out, size_t outlen)
{
	char sep = loc == REPORT_LOCALE_VI ? '.' : ',';
	size_t n = strlen(digits), k = 0;
	size_t lead = digits[0] == '-' ? 1 : 0;

	if (outlen == 0)
		return;
	for (size_t i = 0; i < n && k + 2 < outlen; i++) {
		if (i > lead && (n - i) % 3 == 0)
			out[k++] = sep;
		out[k++] = digits[i];
	}
	out[k] = '\0';
}

void
report_format_basis(enum report_locale loc, long long basis, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%lld%c%02lld %%", basis < 0 ? "-" : "", llabs(basis) / 100,
		 loc == REPORT_LOCALE_VI ? ',' : '.', llabs(basis) % 100);
}

long long
report_rate_basis(const char *num, const char *den)
{
	long long n, d;

	if (!num || !den || !num[0] || !den[0])
		return -1;
	n = atoll(num);
	d = atoll(den);
	return d > 0 && n >= 0 ? n * 10000 / d : -1;
}

void
report_format_rate(enum report_locale loc, const char *num, const char *den, char *out,
		   size_t outlen)
{
	long long basis = report_rate_basis(num, den);

	if (basis < 0)
		snprintf(out, outlen, "n/a");
	else
		report_format_basis(loc, basis, out, outlen);
}

static const char *const month_en[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};
static const char *const month_en_short[12] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};
static const char *const month_vi[12] = {
	"tháng 1", "tháng 2", "tháng 3", "tháng 4", "tháng 5", "tháng 6", "tháng 7",
	"tháng 8", "tháng 9", "tháng 10", "tháng 11", "tháng 12",
};
static const char *const month_vi_short[12] = {
	"T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12",
};

const char *
report_month_name(enum report_locale loc, int month, bool short_form)
{
	if (month < 1 || month > 12)
		return "?";
	if (loc == REPORT_LOCALE_VI)
		return short_form ? month_vi_short[month - 1] : month_vi[month - 1];
	return short_form ? month_en_short[month - 1] : month_en[month - 1];
}

void
report_format_month(enum report_locale loc, const char *key, bool short_form, char *out,
		    size_t outlen)
{
	int year, month;

	if (sscanf(key, "%4d-%2d", &year, &month) != 2 || month < 1 || month > 12) {
		snprintf(out, outlen, "%s", key);
		return;
	}
	if (loc == REPORT_LOCALE_VI)
		snprintf(out, outlen, "%s/%d", report_month_name(loc, month, short_form), year);
	else
		snprintf(out, outlen, "%s %d", report_month_name(loc, month, short_form), year);
}

void
report_format_date(enum report_locale loc, const char *iso, char *out, size_t outlen)
{
	if (loc == REPORT_LOCALE_VI && strlen(iso) == 10 && iso[4] == '-' && iso[7] == '-')
		snprintf(out, outlen, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, outlen, "%s", iso);
}

const char *
report_months_label(const char *months)
{
	if (months && strcmp(months, "calendar") == 0)
		return "tháng dương lịch / calendar months";
	return "tháng báo cáo, ngày 15 đến ngày 14 / reporting months, 15th to 14th";
}

int
report_display_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *) s;
	utf8proc_ssize_t left = (utf8proc_ssize_t) strlen(s);
	int width = 0;

	while (left > 0) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);

		if (n <= 0) {		/* not UTF-8: one column a byte */
			n = 1;
			width++;
		} else {
			width += utf8proc_charwidth(cp);
		}
		p += n;
		left -= n;
	}
	return width;
}

void
report_put_padded(FILE *out, const char *s, int width, bool right)
{
	int pad = width - report_display_width(s);

	if (!right)
		fputs(s, out);
	for (; pad > 0; pad--)
		putc(' ', out);
	if (right)
		fputs(s, out);
}
