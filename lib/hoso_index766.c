/*
 * hoso_index766.c: criterion 2.1 of the Decision 766 index, per case
 * (docs/counting.md §5).
 *
 * The rule, for a case in progress at T1 (e = the case's end, here T1):
 * with more than one supplement round requested by T1 it is late; with
 * exactly one still open at T1 its end is that round's NgayBoSung; the
 * pauses before the end are subtracted from it and the result compared
 * with the original due date (or, without one, the working time used with
 * the procedure's limit).
 *
 * Why one instant describes every T1.  Let r1 <= r2 be the two earliest
 * request times and rec1 the first round's reception.  As T1 grows the
 * case goes through at most four phases:
 *   A  T1 < r1:            late iff T1 - 0 > due;
 *   B  r1 <= T1 < r2, round open:   late iff r1 > due (constant);
 *   B' r1 <= T1 < r2, round received: late iff T1 - (rec1 - r1) > due;
 *   C  T1 >= r2:           late.
 * If A is late just before r1 then r1 > due, so B is late; if B is late
 * then B' is (T1 - (rec1 - r1) >= r1 > due for T1 >= rec1); C is late.  So
 * once late, late for good, and the earliest late instant over the phases
 * is the instant that separates "on time" from "late".  The same holds
 * with office time against a limit in hours or working days, since office
 * time used only grows with T1 outside the pause.
 */
#include <string.h>

#include "hoso_index766.h"

/* docs/counting.md §1: 8 office hours make one working day */
#define WORKING_DAY_SECONDS (8 * 3600)
#define DAY_SECONDS 86400
/* how far hoso_office_add looks before giving up on a calendar */
#define OFFICE_ADD_MAX_DAYS (100 * 366)

struct hoso_limit
hoso_limit_from_catalogue(long value, const char *unit)
{
	struct hoso_limit none = { HOSO_LIMIT_NONE, 0 };
	static const struct {
		const char *name;
		enum hoso_limit_unit unit;
	} units[] = {
		{ "hours", HOSO_LIMIT_HOURS },
		{ "working_days", HOSO_LIMIT_WORKING_DAYS },
		{ "days", HOSO_LIMIT_DAYS },
		{ "months", HOSO_LIMIT_MONTHS },
	};

	if (value < 0 || !unit)
		return none;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].name) == 0)
			return (struct hoso_limit) { units[i].unit, value };
	return none;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

hoso_time
hoso_time_add_months(hoso_time t, long n)
{
	hoso_date d = hoso_time_date(t);
	hoso_time time_of_day = t - hoso_date_start(d);
	int year, month, day;
	long months;

	hoso_date_to_ymd(d, &year, &month, &day);
	months = (long) year * 12 + (month - 1) + n;
	year = (int) (months >= 0 ? months / 12 : -((-months + 11) / 12));
	month = (int) (months - (long) year * 12) + 1;
	if (day > days_in_month(year, month))
		day = days_in_month(year, month);
	return hoso_date_start(hoso_date_from_ymd(year, month, day)) + time_of_day;
}

hoso_time
hoso_office_add(struct hoso_calendar *cal, hoso_time a, long long seconds)
{
	hoso_date first = hoso_time_date(a);

	if (seconds <= 0)
		return a;
	for (hoso_date d = first; d < first + OFFICE_ADD_MAX_DAYS; d++) {
		int lo = d == first ? (int) (a - hoso_date_start(d)) : 0;

		if (!hoso_calendar_is_working(cal, d))
			continue;
		for (int i = 0; i < cal->nperiods; i++) {
			int s = cal->period_start[i] > lo ? cal->period_start[i] : lo;
			int e = cal->period_end[i];

			if (e <= s)
				continue;
			if (seconds <= e - s)
				return hoso_date_start(d) + s + seconds;
			seconds -= e - s;
		}
	}
	return HOSO_TIME_NONE;
}

/* The deadline a case is judged against: a due date, or a limit. */
struct deadline {
	enum { JUDGE_DUE, JUDGE_OFFICE, JUDGE_NEVER } kind;
	hoso_time due;			/* JUDGE_DUE: on time while end - paused <= due */
	long long office_limit;		/* JUDGE_OFFICE: on time while used <= this */
};

static struct deadline
deadline_of(const struct hoso_milestones *m, struct hoso_limit limit)
{
	struct deadline dl = { JUDGE_NEVER, HOSO_TIME_NONE, 0 };

	if (m->original_due_at != HOSO_TIME_NONE) {
		dl.kind = JUDGE_DUE;
		dl.due = m->original_due_at;
		return dl;
	}
	switch (limit.unit) {
	case HOSO_LIMIT_NONE:
		break;		/* no limit known: on time, as II.06a counts no due date */
	case HOSO_LIMIT_DAYS:
		dl.kind = JUDGE_DUE;
		dl.due = m->accepted_at + (hoso_time) limit.value * DAY_SECONDS;
		break;
	case HOSO_LIMIT_MONTHS:
		dl.kind = JUDGE_DUE;
		dl.due = hoso_time_add_months(m->accepted_at, limit.value);
		break;
	case HOSO_LIMIT_HOURS:
		dl.kind = JUDGE_OFFICE;
		dl.office_limit = (long long) limit.value * 3600;
		break;
	case HOSO_LIMIT_WORKING_DAYS:
		dl.kind = JUDGE_OFFICE;
		dl.office_limit = (long long) limit.value * WORKING_DAY_SECONDS;
		break;
	}
	return dl;
}

static bool
resolved_on_time(const struct hoso_dossier_view *d, const struct hoso_milestones *m,
		 long long working_seconds, const struct deadline *dl)
{
	hoso_time e = m->end_at, paused = 0;
	int requested = 0;

	for (size_t i = 0; i < d->nrounds; i++) {
		hoso_time req = d->rounds[i].requested, rec = d->rounds[i].received;

		if (req == HOSO_TIME_NONE || req > e)
			continue;
		requested++;
		if (req < e)
			paused += (rec == HOSO_TIME_NONE || rec > e ? e : rec) - req;
	}
	if (requested > 1)
		return false;
	switch (dl->kind) {
	case JUDGE_DUE:
		return e - paused <= dl->due;
	case JUDGE_OFFICE:
		return working_seconds >= 0 && working_seconds <= dl->office_limit;
	case JUDGE_NEVER:
		break;
	}
	return true;
}

static void
consider(hoso_time *best, hoso_time t)
{
	if (*best == HOSO_TIME_NONE || t < *best)
		*best = t;
}

/* Phase B (one round, open since r1): its end is r1, nothing paused yet. */
static bool
late_at_request(struct hoso_calendar *cal, const struct hoso_milestones *m,
		const struct deadline *dl, hoso_time r1)
{
	if (dl->kind == JUDGE_DUE)
		return r1 > dl->due;
	if (dl->kind == JUDGE_OFFICE)
		return hoso_office_seconds(cal, m->accepted_at, r1) > dl->office_limit;
	return false;
}

static hoso_time
late_from(struct hoso_calendar *cal, const struct hoso_dossier_view *d,
	  const struct hoso_milestones *m, const struct deadline *dl)
{
	hoso_time r1 = HOSO_TIME_NONE, r2 = HOSO_TIME_NONE, rec1 = HOSO_TIME_NONE;
	hoso_time best = HOSO_TIME_NONE, open_end;

	for (size_t i = 0; i < d->nrounds; i++) {
		hoso_time req = d->rounds[i].requested;

		if (req == HOSO_TIME_NONE)
			continue;
		if (r1 == HOSO_TIME_NONE || req < r1) {
			r2 = r1;
			r1 = req;
			rec1 = d->rounds[i].received;
		} else if (r2 == HOSO_TIME_NONE || req < r2) {
			r2 = req;
		}
	}

	/* A: before any request, the end is T1 itself */
	if (dl->kind != JUDGE_NEVER) {
		hoso_time t = dl->kind == JUDGE_DUE ? dl->due + 1 :
			hoso_office_add(cal, m->accepted_at, dl->office_limit + 1);

		if (t != HOSO_TIME_NONE && (r1 == HOSO_TIME_NONE || t < r1))
			consider(&best, t);
	}
	if (r1 == HOSO_TIME_NONE)
		return best;

	/* B: the one round is open, from r1 until it is received or r2 */
	open_end = r2;
	if (rec1 != HOSO_TIME_NONE) {
		hoso_time received = rec1 > r1 ? rec1 : r1;

		if (open_end == HOSO_TIME_NONE || received < open_end)
			open_end = received;
	}
	if ((open_end == HOSO_TIME_NONE || r1 < open_end) && late_at_request(cal, m, dl, r1))
		consider(&best, r1);

	/* B': the round was received; its pause extends the deadline */
	if (rec1 != HOSO_TIME_NONE && dl->kind != JUDGE_NEVER) {
		hoso_time start = rec1 > r1 ? rec1 : r1, lo = start, t;

		if (start == r1) {
			/* at T1 = r1 the round is not yet "before the end" */
			if (late_at_request(cal, m, dl, r1))
				consider(&best, r1);
			lo = start + 1;
		}
		if (dl->kind == JUDGE_DUE) {
			t = dl->due + (rec1 - r1) + 1;
		} else {
			hoso_time from = r1 > m->accepted_at ? r1 : m->accepted_at;

			t = hoso_office_add(cal, m->accepted_at, dl->office_limit + 1 +
					    hoso_office_seconds(cal, from, rec1));
		}
		if (t != HOSO_TIME_NONE) {
			if (t < lo)
				t = lo;
			if (r2 == HOSO_TIME_NONE || t < r2)
				consider(&best, t);
		}
	}

	/* C: a second round makes it late */
	if (r2 != HOSO_TIME_NONE)
		consider(&best, r2);
	return best;
}

void
hoso_judge_766(struct hoso_calendar *cal, const struct hoso_dossier_view *d,
	       const struct hoso_milestones *m, long long working_seconds,
	       struct hoso_limit limit, struct hoso_judgement_766 *out)
{
	struct deadline dl = deadline_of(m, limit);

	out->resolved_on_time = m->end_kind == HOSO_END_RESOLVED &&
		resolved_on_time(d, m, working_seconds, &dl);
	out->late_from = m->received ? late_from(cal, d, m, &dl) : HOSO_TIME_NONE;
}
