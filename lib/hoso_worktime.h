/*
 * hoso_worktime.h: office-hours arithmetic over the working-day calendar
 * (docs/counting.md §1).  The calendar is data (one file per year); the office
 * day is configuration (default 07:00-11:30 and 13:30-17:00, 8 hours).
 */
#ifndef HOSO_WORKTIME_H
#define HOSO_WORKTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_map.h"
#include "hoso_milestones.h"
#include "hoso_time.h"

#define HOSO_MAX_OFFICE_PERIODS 4

struct hoso_calendar {
	hoso_date first;		/* day number of days[0] */
	size_t ndays;
	signed char *days;		/* 1 working, 0 not, -1 not in the data */
	/* office periods within a day, seconds after midnight, [start, end) */
	int period_start[HOSO_MAX_OFFICE_PERIODS];
	int period_end[HOSO_MAX_OFFICE_PERIODS];
	int nperiods;
	size_t missing_lookups;		/* days asked for but not in the data */
	struct hoso_map missing_days;	/* those days, "YYYY-MM-DD" -> lookups (uintptr_t) */
};

void hoso_calendar_init(struct hoso_calendar *cal);
void hoso_calendar_release(struct hoso_calendar *cal);
void hoso_calendar_set(struct hoso_calendar *cal, hoso_date day, bool working);
/* Days outside the data fall back to Monday-Friday and are counted. */
bool hoso_calendar_is_working(struct hoso_calendar *cal, hoso_date day);
/* Seconds of one office day (8 hours by default). */
int hoso_calendar_day_seconds(const struct hoso_calendar *cal);

/* Office seconds in [a, b); 0 when b <= a. */
long long hoso_office_seconds(struct hoso_calendar *cal, hoso_time a, hoso_time b);

/*
 * Office seconds a case used from accepted to end, minus its supplement
 * pauses [requested, received) (a round still open pauses until end).
 */
long long hoso_case_working_seconds(struct hoso_calendar *cal, hoso_time accepted,
				    hoso_time end, const struct hoso_round *rounds,
				    size_t nrounds);

#endif
