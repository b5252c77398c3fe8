/*
 * hoso_time.h: instants and dates in Vietnam local time.
 *
 * Vietnam has used UTC+07:00 without daylight saving since 1975, so an
 * instant is held as "local seconds": seconds since 1970-01-01 00:00:00
 * local time (= Unix time + 25200).  A date is a day number (days since
 * 1970-01-01).  HOSO_TIME_NONE marks "no value".
 */
#ifndef HOSO_TIME_H
#define HOSO_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int64_t hoso_time;	/* local seconds */
typedef int32_t hoso_date;	/* local day number */

#define HOSO_TIME_NONE INT64_MIN
#define HOSO_DATE_NONE INT32_MIN
#define HOSO_UTC_OFFSET_SECONDS 25200

/* Days since 1970-01-01 of a proleptic Gregorian date; no range checks. */
hoso_date hoso_date_from_ymd(int year, int month, int day);
void hoso_date_to_ymd(hoso_date d, int *year, int *month, int *day);
/* 0 = Monday ... 6 = Sunday */
int hoso_date_weekday(hoso_date d);
bool hoso_ymd_valid(int year, int month, int day);

/*
 * Parse the portal's "yyyyMMddHHmmss" (exactly 14 digits).  Returns false
 * for anything else, including impossible dates and times.
 */
bool hoso_time_parse_compact(const char *s, size_t len, hoso_time *out);
/* Parse "YYYY-MM-DD" into a date. */
bool hoso_date_parse_iso(const char *s, size_t len, hoso_date *out);

static inline hoso_date
hoso_time_date(hoso_time t)
{
	/* floor division: instants before 1970 still map to the right day */
	return (hoso_date) (t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

static inline hoso_time
hoso_date_start(hoso_date d)
{
	return (hoso_time) d * 86400;
}

/* "2023-10-20 08:15:00+07" (what COPY reads into timestamptz); buf >= 32 */
void hoso_time_format_pg(hoso_time t, char *buf);
/* "20231020081500"; buf >= 15 */
void hoso_time_format_compact(hoso_time t, char *buf);
/* "2023-10-20"; buf >= 11 */
void hoso_date_format_iso(hoso_date d, char *buf);

#endif
