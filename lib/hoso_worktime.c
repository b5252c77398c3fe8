/*
 * hoso_worktime.c: office seconds between two instants, day by day.
 *
 * Cases run for days to months, so walking the days is cheap and keeps the
 * rule (an instant outside office hours counts from the next office start)
 * a direct consequence of counting only time inside office periods.
 */
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_log.h"
#include "hoso_worktime.h"

void
hoso_calendar_init(struct hoso_calendar *cal)
{
	memset(cal, 0, sizeof(*cal));
	cal->period_start[0] = 7 * 3600;
	cal->period_end[0] = 11 * 3600 + 30 * 60;
	cal->period_start[1] = 13 * 3600 + 30 * 60;
	cal->period_end[1] = 17 * 3600;
	cal->nperiods = 2;
}

void
hoso_calendar_release(struct hoso_calendar *cal)
{
	free(cal->days);
	hoso_map_release(&cal->missing_days);
	hoso_calendar_init(cal);
}

void
hoso_calendar_set(struct hoso_calendar *cal, hoso_date day, bool working)
{
	if (cal->ndays == 0) {
		cal->first = day;
		cal->ndays = 1;
		cal->days = hoso_xmalloc(1);
	} else if (day < cal->first || (size_t) (day - cal->first) >= cal->ndays) {
		hoso_date first = day < cal->first ? day : cal->first;
		hoso_date last = cal->first + (hoso_date) cal->ndays - 1;
		size_t n;
		signed char *days;

		if (day > last)
			last = day;
		n = (size_t) (last - first) + 1;
		days = hoso_xmalloc(n);
		memset(days, -1, n);
		memcpy(days + (cal->first - first), cal->days, cal->ndays);
		free(cal->days);
		cal->days = days;
		cal->first = first;
		cal->ndays = n;
	}
	cal->days[day - cal->first] = working ? 1 : 0;
}

static pthread_mutex_t missing_lock = PTHREAD_MUTEX_INITIALIZER;

bool
hoso_calendar_is_working(struct hoso_calendar *cal, hoso_date day)
{
	if (cal->ndays && day >= cal->first && (size_t) (day - cal->first) < cal->ndays &&
	    cal->days[day - cal->first] >= 0)
		return cal->days[day - cal->first] == 1;
	{
		char iso[16];
		void **slot;

		/* the transform derives in several threads: the count is shared */
		hoso_date_format_iso(day, iso);
		pthread_mutex_lock(&missing_lock);
		cal->missing_lookups++;
		slot = hoso_map_slot(&cal->missing_days, iso, strlen(iso));
		*slot = (void *) ((uintptr_t) *slot + 1);
		pthread_mutex_unlock(&missing_lock);
	}
	return hoso_date_weekday(day) < 5;
}

int
hoso_calendar_day_seconds(const struct hoso_calendar *cal)
{
	int total = 0;

	for (int i = 0; i < cal->nperiods; i++)
		total += cal->period_end[i] - cal->period_start[i];
	return total;
}

/* Office seconds of one day between seconds-after-midnight lo and hi. */
static long long
day_office_seconds(const struct hoso_calendar *cal, int lo, int hi)
{
	long long total = 0;

	for (int i = 0; i < cal->nperiods; i++) {
		int s = cal->period_start[i] > lo ? cal->period_start[i] : lo;
		int e = cal->period_end[i] < hi ? cal->period_end[i] : hi;

		if (e > s)
			total += e - s;
	}
	return total;
}

long long
hoso_office_seconds(struct hoso_calendar *cal, hoso_time a, hoso_time b)
{
	long long total = 0;
	hoso_date da, db;

	if (a == HOSO_TIME_NONE || b == HOSO_TIME_NONE || b <= a)
		return 0;
	da = hoso_time_date(a);
	db = hoso_time_date(b);
	for (hoso_date d = da; d <= db; d++) {
		int lo = d == da ? (int) (a - hoso_date_start(d)) : 0;
		int hi = d == db ? (int) (b - hoso_date_start(d)) : 86400;

		if (hoso_calendar_is_working(cal, d))
			total += day_office_seconds(cal, lo, hi);
	}
	return total;
}

static int
compare_pause(const void *pa, const void *pb)
{
	const hoso_time *a = pa, *b = pb;

	return (a[0] > b[0]) - (a[0] < b[0]);
}

long long
hoso_case_working_seconds(struct hoso_calendar *cal, hoso_time accepted, hoso_time end,
			  const struct hoso_round *rounds, size_t nrounds)
{
	long long used;
	hoso_time (*pauses)[2];
	size_t np = 0;
	hoso_time covered = accepted;

	if (accepted == HOSO_TIME_NONE || end == HOSO_TIME_NONE)
		return -1;
	used = hoso_office_seconds(cal, accepted, end);
	if (nrounds == 0)
		return used;

	/* clip the pauses to [accepted, end] and subtract their union once */
	pauses = hoso_xmalloc(nrounds * sizeof(*pauses));
	for (size_t i = 0; i < nrounds; i++) {
		hoso_time s = rounds[i].requested;
		hoso_time e = rounds[i].received == HOSO_TIME_NONE ? end : rounds[i].received;

		if (s == HOSO_TIME_NONE)
			continue;
		if (s < accepted)
			s = accepted;
		if (e > end)
			e = end;
		if (e > s) {
			pauses[np][0] = s;
			pauses[np][1] = e;
			np++;
		}
	}
	qsort(pauses, np, sizeof(*pauses), compare_pause);
	for (size_t i = 0; i < np; i++) {
		hoso_time s = pauses[i][0] > covered ? pauses[i][0] : covered;

		if (pauses[i][1] > s) {
			used -= hoso_office_seconds(cal, s, pauses[i][1]);
			covered = pauses[i][1];
		}
	}
	free(pauses);
	return used;
}
