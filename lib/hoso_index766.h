/*
 * hoso_index766.h: one case's judgement under criterion 2.1 of the
 * Decision 766/QĐ-TTg index (docs/counting.md §5), made once when the case is
 * derived so that the warehouse can answer 2.1 from its summary rows.
 *
 * 2.1 judges a resolved case at its finished_at and a case in progress at
 * the period's end T1.  For a case in progress the verdict, as a function
 * of T1, is "on time" up to some instant and "late" from then on (the
 * proof is in hoso_index766.c), so one instant describes every period.
 */
#ifndef HOSO_INDEX766_H
#define HOSO_INDEX766_H

#include <stdbool.h>

#include "hoso_milestones.h"
#include "hoso_time.h"
#include "hoso_worktime.h"

/* A procedure's time limit (docs/counting.md §1), as the catalogue gives it. */
enum hoso_limit_unit {
	HOSO_LIMIT_NONE = 0,		/* no limit known */
	HOSO_LIMIT_HOURS,		/* office hours */
	HOSO_LIMIT_WORKING_DAYS,	/* working days of 8 office hours */
	HOSO_LIMIT_DAYS,		/* calendar days */
	HOSO_LIMIT_MONTHS,		/* calendar months */
};

struct hoso_limit {
	enum hoso_limit_unit unit;
	long value;
};

/* The catalogue's limit_value/limit_unit pair; NONE when either is missing. */
struct hoso_limit hoso_limit_from_catalogue(long value, const char *unit);

struct hoso_judgement_766 {
	/* for a resolved case: on time at its finished_at */
	bool resolved_on_time;
	/*
	 * The first instant T1 at which the case, were it still open, counts
	 * late; HOSO_TIME_NONE when it never does.
	 */
	hoso_time late_from;
};

/*
 * Judge a received case.  working_seconds is the case's working time used
 * to its end (hoso_case_working_seconds), or -1 when it has not ended.
 */
void hoso_judge_766(struct hoso_calendar *cal, const struct hoso_dossier_view *d,
		    const struct hoso_milestones *m, long long working_seconds,
		    struct hoso_limit limit, struct hoso_judgement_766 *out);

/* The local-calendar instant n months after t (day clamped to the month's end). */
hoso_time hoso_time_add_months(hoso_time t, long n);

/*
 * The earliest instant T >= a with office seconds in [a, T) >= seconds;
 * HOSO_TIME_NONE when the office day is empty.
 */
hoso_time hoso_office_add(struct hoso_calendar *cal, hoso_time a, long long seconds);

#endif
