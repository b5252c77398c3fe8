/*
 * report_format.h: how "hoso report" writes a figure, whatever the output
 * (text, CSV, HTML): counts with thousands separators, rates truncated to
 * two decimals (docs/counting.md), month names, and text padded by display
 * width.  report.c and report_html.c both use it; neither uses the other's
 * internals.
 */
#ifndef RUNNER_REPORT_FORMAT_H
#define RUNNER_REPORT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* en: 199,352 and 97.91 %; vi (as the provinces print): 199.352 and 97,91 % */
enum report_locale { REPORT_LOCALE_EN, REPORT_LOCALE_VI };

/* "en" or "vi"; false for anything else. */
bool report_locale_parse(const char *s, enum report_locale *out);
/* Digits (an optional '-' first) with thousands separators. */
void report_format_count(enum report_locale loc, const char *digits, char *out, size_t outlen);
/* A value in basis points (1/100 %) as "97.91 %". */
void report_format_basis(enum report_locale loc, long long basis, char *out, size_t outlen);
/*
 * num / den truncated to two decimals (floor(10000 num / den) / 100, in
 * integers), as "97.91 %"; "n/a" when den is 0 or either is empty.
 */
void report_format_rate(enum report_locale loc, const char *num, const char *den, char *out,
			size_t outlen);
/* floor(10000 num / den), or -1 when there is no rate. */
long long report_rate_basis(const char *num, const char *den);
/* "tháng 3" / "March" (month 1..12); a short form for chart ticks ("T3" / "Mar"). */
const char *report_month_name(enum report_locale loc, int month, bool short_form);
/* "2023-03" (a calendar or reporting month's key) as "March 2023" / "tháng 3/2023". */
void report_format_month(enum report_locale loc, const char *key, bool short_form, char *out,
			 size_t outlen);
/* "2023-03-15" as "15/03/2023" (vi) or as is (en); other text unchanged. */
void report_format_date(enum report_locale loc, const char *iso, char *out, size_t outlen);
/* "reporting" / "calendar" as words for the header, both languages. */
const char *report_months_label(const char *months);
/* Columns the UTF-8 text takes on a terminal (wide characters count 2). */
int report_display_width(const char *s);
/* s, then spaces up to width display columns (right-aligned: spaces first). */
void report_put_padded(FILE *out, const char *s, int width, bool right);

#endif
