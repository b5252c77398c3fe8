/*
 * hoso_time.c: civil-date arithmetic (Howard Hinnant's days-from-civil
 * algorithm) and the two date formats of the input.
 */
#include <stdio.h>

#include <string.h>

#include "hoso_time.h"

hoso_date
hoso_date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned) (y - era * 400);
	unsigned doy = (unsigned) ((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (hoso_date) (era * 146097 + (int) doe - 719468);
}

void
hoso_date_to_ymd(hoso_date z0, int *year, int *month, int *day)
{
	int z = z0 + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned) (z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = (int) yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	*year = y + (m <= 2);
	*month = (int) m;
	*day = (int) d;
}

int
hoso_date_weekday(hoso_date d)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0) */
	int w = (d + 3) % 7;

	return w < 0 ? w + 7 : w;
}

bool
hoso_ymd_valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return false;
	int max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

static bool
digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool
hoso_time_parse_compact(const char *s, size_t len, hoso_time *out)
{
	int y, mo, d, h, mi, se;

	if (len != 14 ||
	    !digits(s, 4, &y) || !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d) ||
	    !digits(s + 8, 2, &h) || !digits(s + 10, 2, &mi) || !digits(s + 12, 2, &se))
		return false;
	if (!hoso_ymd_valid(y, mo, d) || h > 23 || mi > 59 || se > 59)
		return false;
	*out = hoso_date_start(hoso_date_from_ymd(y, mo, d)) + h * 3600 + mi * 60 + se;
	return true;
}

bool
hoso_date_parse_iso(const char *s, size_t len, hoso_date *out)
{
	int y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4, &y) || !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d) ||
	    !hoso_ymd_valid(y, m, d))
		return false;
	*out = hoso_date_from_ymd(y, m, d);
	return true;
}

static void
split(hoso_time t, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
	hoso_date day = hoso_time_date(t);
	int64_t sec = t - hoso_date_start(day);

	hoso_date_to_ymd(day, y, mo, d);
	*h = (int) (sec / 3600);
	*mi = (int) (sec / 60 % 60);
	*s = (int) (sec % 60);
}

/* Write v as exactly n decimal digits (v is in range by construction). */
static char *
put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char) ('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/*
 * t's six fields (year 4 digits, the others 2), separated by seps[0..4] (NULL:
 * no separators), then end.  Hand-formatted rather than snprintf: this runs
 * once per timestamp of every staged row, and the fixed widths also keep
 * -Wformat-truncation quiet.
 */
static void
format_time(hoso_time t, char *p, const char *seps, const char *end)
{
	int f[6];

	split(t, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]);
	for (int i = 0; i < 6; i++) {
		if (i > 0 && seps)
			*p++ = seps[i - 1];
		p = put_digits(p, f[i], i == 0 ? 4 : 2);
	}
	strcpy(p, end);
}

void
hoso_time_format_pg(hoso_time t, char *buf)
{
	format_time(t, buf, "-- ::", "+07");
}

void
hoso_time_format_compact(hoso_time t, char *buf)
{
	format_time(t, buf, NULL, "");
}

void
hoso_date_format_iso(hoso_date day, char *buf)
{
	int y, mo, d;
	char *p = buf;

	hoso_date_to_ymd(day, &y, &mo, &d);
	p = put_digits(p, y, 4);
	*p++ = '-';
	p = put_digits(p, mo, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p = '\0';
}
