/*
 * plan.c: every case of one copy of the province, decided before anything
 * is written.
 *
 * Calibration is by construction: each case is given the category it must
 * have in the 2022-12-15..2023-10-14 summary (carried over and resolved,
 * received and resolved late, in progress at T1 and paused, ...), and its
 * dates are drawn until they put it there.  Each drawn case is then checked
 * with the library's own milestone code (hoso_milestones_derive, the
 * docs/counting.md §2 rules) over exactly the dossier and progress rows write.c
 * will send; a case that lands elsewhere is drawn again.  So the plan's
 * figures are the reference figures whatever the random draws.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "hoso_log.h"

hoso_time gen_T0, gen_T1, gen_data_start, gen_accept_end, gen_event_end;
hoso_date gen_first_day, gen_last_day;

#define HOUR 3600
#define DAY 86400

void
gen_time_init(void)
{
	gen_T0 = hoso_date_start(hoso_date_from_ymd(2022, 12, 15));
	gen_T1 = hoso_date_start(hoso_date_from_ymd(2023, 10, 15)) - 1;
	gen_data_start = hoso_date_start(hoso_date_from_ymd(2022, 7, 1));
	gen_accept_end = hoso_date_start(hoso_date_from_ymd(2024, 7, 1)) - 1;
	gen_event_end = hoso_date_start(hoso_date_from_ymd(2024, 7, 10));
	gen_first_day = hoso_date_from_ymd(2022, 7, 1);
	gen_last_day = hoso_date_from_ymd(2024, 7, 15);
}

/* ---- office time ---- */

hoso_time
gen_office_next(struct hoso_calendar *cal, hoso_time t)
{
	hoso_date d = hoso_time_date(t);
	int tod = (int) (t - hoso_date_start(d));

	for (int guard = 0; guard < 60; guard++, d++, tod = 0) {
		if (!hoso_calendar_is_working(cal, d))
			continue;
		for (int i = 0; i < cal->nperiods; i++) {
			if (tod < cal->period_start[i])
				return hoso_date_start(d) + cal->period_start[i];
			if (tod < cal->period_end[i])
				return hoso_date_start(d) + tod;
		}
	}
	return t;
}

hoso_time
gen_office_add(struct hoso_calendar *cal, hoso_time t, long long secs)
{
	t = gen_office_next(cal, t);
	while (secs > 0) {
		hoso_date d = hoso_time_date(t);
		int tod = (int) (t - hoso_date_start(d));
		int end = tod;

		for (int i = 0; i < cal->nperiods; i++)
			if (tod >= cal->period_start[i] && tod < cal->period_end[i])
				end = cal->period_end[i];
		if (end - tod >= secs)
			return t + secs;
		secs -= end - tod;
		t = gen_office_next(cal, hoso_date_start(d) + end);
	}
	return t;
}

/* ---- drawing days and times ---- */

struct day_table {
	hoso_date first;
	int n;
	double *cum;		/* cumulative intake weight of days first..first+i */
};

static double
season(hoso_date d)
{
	static const double month_factor[] = { 1.0, 0.92, 1.05, 1.0, 1.0, 1.05, 1.1, 1.0, 0.95, 1.0, 1.05, 1.1 };
	static const int tet[][3] = { { 2023, 1, 22 }, { 2024, 2, 10 } };
	int y, m, dd;
	double f;

	hoso_date_to_ymd(d, &y, &m, &dd);
	f = month_factor[m - 1];
	for (size_t i = 0; i < sizeof(tet) / sizeof(tet[0]); i++) {
		hoso_date ny = hoso_date_from_ymd(tet[i][0], tet[i][1], tet[i][2]);

		if (d >= ny - 14 && d < ny - 2)
			f *= 1.3;	/* papers sorted out before Tết */
		else if (d > ny + 4 && d <= ny + 16)
			f *= 0.55;	/* the slow restart after Tết */
	}
	switch (hoso_date_weekday(d)) {
	case 0: f *= 1.15; break;
	case 4: f *= 0.9; break;
	case 5: f *= 0.8; break;	/* a make-up Saturday */
	default: break;
	}
	return f;
}

static void
day_table_init(struct day_table *t, struct hoso_calendar *cal)
{
	hoso_date last = hoso_time_date(gen_accept_end);

	t->first = hoso_time_date(gen_data_start) - 10;
	t->n = last - t->first + 1;
	t->cum = hoso_xmalloc((size_t) t->n * sizeof(double));
	for (int i = 0; i < t->n; i++) {
		hoso_date d = t->first + i;
		double w = hoso_calendar_is_working(cal, d) ? season(d) : 0;

		t->cum[i] = (i ? t->cum[i - 1] : 0) + w;
	}
}

/* A working day in [lo, hi], drawn by intake weight. */
static hoso_date
draw_day(const struct day_table *t, struct gen_rng *rng, hoso_date lo, hoso_date hi)
{
	int a = lo - t->first, b = hi - t->first;
	double base, span, u;

	if (a < 0)
		a = 0;
	if (b >= t->n)
		b = t->n - 1;
	base = a ? t->cum[a - 1] : 0;
	span = t->cum[b] - base;
	if (span <= 0)
		return lo;
	u = base + gen_rng_real(rng) * span;
	while (a < b) {
		int mid = (a + b) / 2;

		if (t->cum[mid] > u)
			b = mid;
		else
			a = mid + 1;
	}
	return t->first + a;
}

/* A time of the office day (morning busier than afternoon). */
static hoso_time
office_time(struct gen_rng *rng, hoso_date d)
{
	int tod;

	if (gen_rng_chance(rng, 0.65))
		tod = 7 * HOUR + 10 * 60 + (int) gen_rng_below(rng, 4 * HOUR + 15 * 60);
	else
		tod = 13 * HOUR + 35 * 60 + (int) gen_rng_below(rng, 3 * HOUR + 20 * 60);
	return hoso_date_start(d) + tod;
}

/* An office instant at or after t, spread a little. */
static hoso_time
office_after(struct hoso_calendar *cal, struct gen_rng *rng, hoso_time t)
{
	return gen_office_next(cal, t + 60 + gen_rng_below(rng, 40 * 60));
}

static hoso_time
add_months(hoso_time t, int months)
{
	hoso_date d = hoso_time_date(t);
	int y, m, dd;

	hoso_date_to_ymd(d, &y, &m, &dd);
	m += months;
	while (m > 12) {
		m -= 12;
		y++;
	}
	while (!hoso_ymd_valid(y, m, dd))
		dd--;
	return hoso_date_start(hoso_date_from_ymd(y, m, dd)) + (t - hoso_date_start(d));
}

static hoso_time
due_from(struct hoso_calendar *cal, const struct gen_procedure *p, hoso_time a)
{
	int v = p ? p->limit_value : 5;
	const char *u = p ? p->limit_unit : "working_days";

	if (v < 0)
		return HOSO_TIME_NONE;
	if (strcmp(u, "hours") == 0)
		return gen_office_add(cal, a, (long long) v * HOUR);
	if (strcmp(u, "working_days") == 0)
		return gen_office_add(cal, a, (long long) v * 8 * HOUR);
	if (strcmp(u, "days") == 0)
		return a + (hoso_time) v * DAY;
	return add_months(a, v);
}

/* ---- one case ---- */

struct planner {
	const struct gen_catalogue *cat;
	struct hoso_calendar *cal;
	struct day_table days;
	long long retries;
};

static int
pick_cum(struct gen_rng *rng, const double *cum, int n)
{
	double u = gen_rng_real(rng) * cum[n - 1];
	int a = 0, b = n - 1;

	while (a < b) {
		int mid = (a + b) / 2;

		if (cum[mid] > u)
			b = mid;
		else
			a = mid + 1;
	}
	return a;
}

static bool
cat_is(int c, int a, int b)
{
	return c >= a && c <= b;
}

static bool
cat_in_progress(int c)
{
	return cat_is(c, CAT_A3_INTIME, CAT_A3_OVERDUE_PAUSED) || cat_is(c, CAT_B3_INTIME, CAT_B3_OVERDUE_PAUSED);
}

static bool
cat_paused(int c)
{
	return c == CAT_A3_INTIME_PAUSED || c == CAT_A3_OVERDUE_PAUSED ||
	       c == CAT_B3_INTIME_PAUSED || c == CAT_B3_OVERDUE_PAUSED;
}

static bool
cat_overdue(int c)
{
	return c == CAT_A3_OVERDUE || c == CAT_A3_OVERDUE_PAUSED ||
	       c == CAT_B3_OVERDUE || c == CAT_B3_OVERDUE_PAUSED;
}

/* no_limit: only a procedure without a fixed time limit will do */
static void
pick_procedure_and_unit(struct planner *pl, struct gen_case *c, struct gen_rng *rng, bool no_limit)
{
	const struct gen_catalogue *cat = pl->cat;
	const struct gen_procedure *p;
	int lv;

	c->unknown_code = 0;
	do {
		if (c->channel == CH_ONLINE)
			c->proc = (int16_t) cat->use_online[pick_cum(rng, cat->use_online_cum, cat->nuse_online)];
		else
			c->proc = (int16_t) cat->use_procs[pick_cum(rng, cat->use_cum, cat->nuse)];
		p = &cat->procs[c->proc];
	} while (no_limit && p->limit_value >= 0);
	lv = (int) p->level;
	if (lv == LV_SO) {
		c->unit = (uint16_t) (1 + p->department);
	} else {
		int k = pick_cum(rng, cat->lv_cum[lv], cat->lv_n[lv]);

		c->unit = (uint16_t) cat->lv_units[lv][k];
	}
	/* a few procedure codes the catalogue does not know (local procedures) */
	if (!no_limit && gen_rng_chance(rng, 0.0004))
		c->unknown_code = (uint8_t) (1 + gen_rng_below(rng, 4));
}

/* The due date in force at t, from the case's rounds (as docs/counting.md §2). */
static hoso_time
due_in_force(const struct gen_case *c, hoso_time t)
{
	hoso_time due = c->due0;

	for (int i = 0; i < c->nrounds; i++)
		if (c->rounds[i].received != HOSO_TIME_NONE && c->rounds[i].received <= t)
			due = c->rounds[i].due_after;
	return due;
}

static void
add_round(struct planner *pl, struct gen_case *c, hoso_time requested, hoso_time received)
{
	struct gen_round *r = &c->rounds[c->nrounds++];
	hoso_time before = due_in_force(c, requested);

	r->requested = requested;
	r->received = received;
	r->due_before = before;
	r->due_after = HOSO_TIME_NONE;
	if (received != HOSO_TIME_NONE && before != HOSO_TIME_NONE)
		r->due_after = gen_office_add(pl->cal, before, hoso_office_seconds(pl->cal, requested, received));
}

/* Draws an accepted time for a case in [lo, hi]. */
static hoso_time
draw_accepted(struct planner *pl, struct gen_case *c, struct gen_rng *rng, hoso_time lo, hoso_time hi)
{
	hoso_date d;
	hoso_time t;

	/* online intake is sometimes automatic, at any hour */
	if (c->channel == CH_ONLINE && gen_rng_chance(rng, 0.04)) {
		t = lo + (hoso_time) (gen_rng_real(rng) * (double) (hi - lo));
		return t;
	}
	d = draw_day(&pl->days, rng, hoso_time_date(lo), hoso_time_date(hi));
	t = office_time(rng, d);
	if (t < lo || t > hi)
		t = lo + (hoso_time) (gen_rng_real(rng) * (double) (hi - lo));
	return t;
}

/* Window for the end of a case; returns false when the draw cannot fit. */
static hoso_time
pick_finish(struct planner *pl, struct gen_rng *rng, int kind, hoso_time L, hoso_time due,
	    hoso_time flo, hoso_time fhi)
{
	hoso_time lo = L + 600 > flo ? L + 600 : flo;
	hoso_time hi, t;

	if (kind == 1 && due == HOSO_TIME_NONE) {
		/* on time for want of a due date: whenever the work is done */
		hi = lo + (hoso_time) (2 + gen_rng_below(rng, 12)) * DAY;
		if (hi > fhi)
			hi = fhi;
		if (lo > hi)
			return HOSO_TIME_NONE;
		t = gen_office_next(pl->cal, lo + (hoso_time) (gen_rng_real(rng) * (double) (hi - lo)));
		return t <= hi ? t : lo;
	}
	if (due == HOSO_TIME_NONE)
		return HOSO_TIME_NONE;
	if (kind == 0) {
		/* early: a day before the due date at the latest; most finish well ahead */
		double u = gen_rng_real(rng);

		hi = hoso_date_start(hoso_time_date(due)) - 1;
		if (hi > fhi)
			hi = fhi;
		if (lo > hi)
			return HOSO_TIME_NONE;
		t = lo + (hoso_time) (u * u * (double) (hi - lo));
		t = gen_office_next(pl->cal, t);
		return t <= hi ? t : lo;
	}
	if (kind == 1) {
		hoso_date dd = hoso_time_date(due);
		hoso_time s = hoso_date_start(dd);

		lo = lo > s + 7 * HOUR ? lo : s + 7 * HOUR;
		hi = s + 17 * HOUR < fhi ? s + 17 * HOUR : fhi;
		if (lo > hi) {
			lo = L + 600 > flo ? L + 600 : flo;
			lo = lo > s ? lo : s;
			hi = s + DAY - 1 < fhi ? s + DAY - 1 : fhi;
			if (lo > hi)
				return HOSO_TIME_NONE;
		}
		return lo + (hoso_time) (gen_rng_real(rng) * (double) (hi - lo));
	}
	/* late: one to a few weeks after the due date */
	{
		int k = 1 + (int) (gen_rng_real(rng) * gen_rng_real(rng) * 25);
		hoso_date dd = hoso_time_date(due) + k;

		t = office_time(rng, dd);
		t = gen_office_next(pl->cal, t);
		if (t < lo)
			t = lo + gen_rng_below(rng, 3 * HOUR);
		if (hoso_time_date(t) <= hoso_time_date(due) || t > fhi || t < flo)
			return HOSO_TIME_NONE;
		return t;
	}
}

static void
add_row(struct gen_case *c, hoso_time at, int status, int what)
{
	if (c->nrows >= GEN_MAX_ROWS)
		hoso_die("internal error: too many progress rows");
	c->rows[c->nrows++] = (struct gen_row) { at, (uint8_t) status, (uint8_t) what };
}

static void
add_version(struct gen_case *c, hoso_time at, int status)
{
	if (c->nversions >= GEN_MAX_VERSIONS)
		hoso_die("internal error: too many dossier versions");
	c->versions[c->nversions++] = (struct gen_version) { at, HOSO_TIME_NONE, (uint8_t) status };
}

/* row "what" codes, texts in write.c */
enum { W_ACCEPT, W_ASSIGN, W_ASK, W_GOT, W_FEE, W_PAID, W_DONE, W_RETURN, W_WITHDRAW, W_STOP, W_REFUSE };

/*
 * Builds the progress rows and dossier versions from the case's times.
 * fee_from/fee_to: a status-6 window (NONE for none).
 */
static void
build_history(struct gen_case *c, struct gen_rng *rng, hoso_time fee_from, hoso_time fee_to)
{
	hoso_time end = c->finished != HOSO_TIME_NONE ? c->finished : c->closed;
	hoso_time last_end = c->returned != HOSO_TIME_NONE ? c->returned : end;
	bool has9 = c->finished != HOSO_TIME_NONE && c->returned != c->finished;

	c->nrows = 0;
	c->nversions = 0;
	if (!c->implied) {
		hoso_time next = c->nrounds ? c->rounds[0].requested : fee_from != HOSO_TIME_NONE ? fee_from : end;

		add_row(c, c->accepted, 2, W_ACCEPT);
		if (gen_rng_chance(rng, 0.3)) {
			hoso_time t = c->accepted + 300 + gen_rng_below(rng, 3 * HOUR);

			if (next == HOSO_TIME_NONE || t < next)
				add_row(c, t, 4, W_ASSIGN);
		}
		for (int i = 0; i < c->nrounds; i++) {
			add_row(c, c->rounds[i].requested, 5, W_ASK);
			if (c->rounds[i].received != HOSO_TIME_NONE)
				add_row(c, c->rounds[i].received, 4, W_GOT);
		}
		if (fee_from != HOSO_TIME_NONE) {
			add_row(c, fee_from, 6, W_FEE);
			if (fee_to != HOSO_TIME_NONE)
				add_row(c, fee_to, 4, W_PAID);
		}
		if (c->finished != HOSO_TIME_NONE) {
			if (has9)
				add_row(c, c->finished, 9, W_DONE);
			if (c->returned != HOSO_TIME_NONE)
				add_row(c, c->returned, 10, W_RETURN);
		} else if (c->closed != HOSO_TIME_NONE) {
			add_row(c, c->closed, c->close_status, c->close_status == 7 ? W_WITHDRAW : W_STOP);
		}
	}

	/* dossier versions: what the system synchronised, and when */
	if (c->channel == CH_ONLINE && c->submitted < c->accepted && gen_rng_chance(rng, 0.1))
		add_version(c, c->submitted, 1);
	/*
	 * Intake is synchronised when the case stays open a while (always when
	 * it is open across T1, so that a summary a week after T1 sees it).
	 */
	if (end == HOSO_TIME_NONE || end - c->accepted > 5 * DAY ||
	    (c->accepted <= gen_T1 && end > gen_T1) || c->nrounds || gen_rng_chance(rng, 0.12))
		add_version(c, c->accepted, 2);
	for (int i = 0; i < c->nrounds; i++) {
		add_version(c, c->rounds[i].requested, 5);
		if (c->rounds[i].received != HOSO_TIME_NONE)
			add_version(c, c->rounds[i].received, 4);
	}
	if (c->finished != HOSO_TIME_NONE) {
		/* the result is ready: without progress rows only the dossier says so */
		if (c->returned == HOSO_TIME_NONE ||
		    ((c->implied || c->nversions == 0 || c->versions[c->nversions - 1].status == 1) &&
		     c->returned - c->finished > DAY))
			add_version(c, c->finished, 9);
		if (c->returned != HOSO_TIME_NONE)
			add_version(c, c->returned, 10);
	} else if (c->closed != HOSO_TIME_NONE) {
		add_version(c, c->closed, c->close_status);
	}
	(void) last_end;
}

/* Log times of the versions: after the event, strictly increasing. */
static void
assign_logs(struct gen_case *c, struct gen_rng *rng, bool progress_first)
{
	hoso_time prev = HOSO_TIME_NONE;

	for (int i = 0; i < c->nversions; i++) {
		struct gen_version *v = &c->versions[i];
		double u = gen_rng_real(rng);
		hoso_time lag;

		if (progress_first && v->status == 2)
			lag = 18 * HOUR + gen_rng_below(rng, 10 * HOUR);
		else if (u < 0.85)
			lag = 30 + gen_rng_below(rng, 20 * 60);
		else if (u < 0.97)
			lag = 20 * 60 + gen_rng_below(rng, 4 * HOUR);
		else
			lag = 4 * HOUR + gen_rng_below(rng, 26 * HOUR);
		v->log = v->at + lag;
		if (prev != HOSO_TIME_NONE && v->log <= prev)
			v->log = prev + 1 + gen_rng_below(rng, 120);
		prev = v->log;
	}
}

/*
 * The view of the case the pipeline derives from its latest dossier
 * (the last version) and rows; rounds_buf holds GEN_MAX_ROUNDS.
 */
static void
case_view(const struct gen_case *c, struct hoso_dossier_view *v, struct hoso_round *rounds_buf,
	  struct hoso_step *steps)
{
	const struct gen_version *last = &c->versions[c->nversions - 1];
	hoso_time at = last->at;

	memset(v, 0, sizeof(*v));
	v->status = last->status;
	v->accepted_at = c->no_accept_date || last->status == 1 || last->status == 3 ? HOSO_TIME_NONE : c->accepted;
	v->due_at = last->status == 1 || last->status == 3 ? HOSO_TIME_NONE : due_in_force(c, at);
	v->processed_at = HOSO_TIME_NONE;
	v->returned_at = HOSO_TIME_NONE;
	v->refused_at = HOSO_TIME_NONE;
	if (last->status == 9 || last->status == 10)
		v->processed_at = c->finished;
	if (last->status == 10)
		v->returned_at = c->returned;
	if (last->status == 7 || last->status == 8)
		v->processed_at = c->closed;
	v->nrounds = 0;
	for (int i = 0; i < c->nrounds; i++) {
		const struct gen_round *r = &c->rounds[i];

		if (r->requested > at)
			continue;
		rounds_buf[v->nrounds++] = (struct hoso_round) {
			r->requested, r->received != HOSO_TIME_NONE && r->received <= at ? r->received : HOSO_TIME_NONE,
			r->due_before, r->received != HOSO_TIME_NONE && r->received <= at ? r->due_after : HOSO_TIME_NONE };
	}
	v->rounds = rounds_buf;
	for (int s = 0; s <= 10; s++)
		v->first_at_with_status[s] = HOSO_TIME_NONE;
	for (int i = 0; i < c->nversions; i++)
		if (v->first_at_with_status[c->versions[i].status] == HOSO_TIME_NONE)
			v->first_at_with_status[c->versions[i].status] = c->versions[i].log;
	for (int i = 0; i < c->nrows; i++)
		steps[i] = (struct hoso_step) { c->rows[i].at, c->rows[i].status };
}

enum {
	F_CARRIED, F_ONLINE, F_DIRECT, F_POSTAL, F_RECEIVED_PERIOD, F_RECEIVED_TOTAL,
	F_RESOLVED, F_EARLY, F_ONTIME, F_LATE, F_INPROGRESS, F_INTIME, F_OVERDUE,
	F_PAUSED, F_CLOSED, F_DIGITISED
};

static const char *const figure_names[16] = {
	"carried_over", "received_online", "received_direct", "received_postal",
	"received_in_period", "received_total", "resolved_total", "resolved_early",
	"resolved_on_time", "resolved_late", "in_progress_total", "in_progress_in_time",
	"in_progress_overdue", "in_progress_paused", "closed_other", "digitised_at_intake",
};

/*
 * The category docs/counting.md gives the case over the reference period, and
 * its contribution to the figures (fig may be NULL).
 */
static int
observe(const struct gen_case *c, long long *fig)
{
	struct hoso_dossier_view v;
	struct hoso_round rounds[GEN_MAX_ROUNDS];
	struct hoso_step steps[GEN_MAX_ROWS];
	struct hoso_span spans[GEN_MAX_ROWS + 2];
	struct hoso_milestones m;
	bool carried, in_period;
	int chan, cat = -1;
	hoso_date to = hoso_time_date(gen_T1);

	case_view(c, &v, rounds, steps);
	hoso_milestones_derive(&v, steps, c->nrows, &m);
	if (!m.received)
		return c->versions[c->nversions - 1].status == 1 ? CAT_E_REGISTERED : CAT_F_REFUSED;
	if (m.inconsistent)
		return -1;
	carried = m.accepted_at < gen_T0 && !(m.end_at != HOSO_TIME_NONE && m.end_at < gen_T0);
	in_period = m.accepted_at >= gen_T0 && m.accepted_at <= gen_T1;
	if (!carried && !in_period)
		return m.accepted_at < gen_T0 ? CAT_C_BEFORE : CAT_D_AFTER;
	chan = c->channel == CH_ONLINE ? 2 : c->channel == CH_POSTAL ? 3 : 1;
	if (fig) {
		fig[F_RECEIVED_TOTAL]++;
		if (carried)
			fig[F_CARRIED]++;
		if (in_period) {
			fig[F_RECEIVED_PERIOD]++;
			fig[chan == 2 ? F_ONLINE : chan == 3 ? F_POSTAL : F_DIRECT]++;
			if (c->digitised)
				fig[F_DIGITISED]++;
		}
	}
	if (m.end_kind == HOSO_END_RESOLVED && m.end_at >= gen_T0 && m.end_at <= gen_T1) {
		hoso_date fd = hoso_time_date(m.end_at);
		int k;

		if (m.due_at_end == HOSO_TIME_NONE || hoso_time_date(m.due_at_end) == fd)
			k = 1;
		else
			k = fd < hoso_time_date(m.due_at_end) ? 0 : 2;
		cat = (carried ? CAT_A1_EARLY : CAT_B1_EARLY) + k;
		if (fig) {
			fig[F_RESOLVED]++;
			fig[F_EARLY + k]++;
		}
	} else if (m.end_kind == HOSO_END_CLOSED && m.end_at >= gen_T0 && m.end_at <= gen_T1) {
		cat = (carried ? CAT_A2_WITHDRAWN : CAT_B2_WITHDRAWN) + (c->close_status == 8);
		if (fig)
			fig[F_CLOSED]++;
	} else if (m.end_at == HOSO_TIME_NONE || m.end_at > gen_T1) {
		hoso_time due = hoso_due_at(&v, gen_T1);
		bool overdue = due != HOSO_TIME_NONE && hoso_time_date(due) < to;
		size_t n = hoso_status_spans(&v, &m, steps, c->nrows, spans);
		int st = 0;
		bool paused;

		for (size_t i = 0; i < n; i++)
			if (spans[i].from_at <= gen_T1)
				st = spans[i].status;
		paused = st == 5 || st == 6;
		cat = (carried ? CAT_A3_INTIME : CAT_B3_INTIME) + (overdue ? 2 : 0) + (paused ? 1 : 0);
		if (fig) {
			fig[F_INPROGRESS]++;
			fig[overdue ? F_OVERDUE : F_INTIME]++;
			if (paused)
				fig[F_PAUSED]++;
		}
	} else {
		/* ended within the period but neither way: cannot happen */
		return -1;
	}
	return cat;
}

/* Draws the whole case once; false if this draw does not fit its category. */
static bool
draw_case(struct planner *pl, struct gen_case *c, struct gen_rng *rng)
{
	struct hoso_calendar *cal = pl->cal;
	int cat = c->category;
	const struct gen_procedure *p;
	hoso_time alo, ahi, flo = HOSO_TIME_NONE, fhi = HOSO_TIME_NONE;
	hoso_time fee_from = HOSO_TIME_NONE, fee_to = HOSO_TIME_NONE;
	hoso_time L;
	int kind = -1;		/* 0 early, 1 on time, 2 late, 3 closed, 4 open at T1, 5 free */

	c->nrounds = 0;
	c->finished = c->returned = c->closed = HOSO_TIME_NONE;
	c->close_status = 0;
	c->no_accept_date = false;
	pick_procedure_and_unit(pl, c, rng, cat == CAT_A3_INTIME || cat == CAT_A3_INTIME_PAUSED);
	p = c->unknown_code ? NULL : &pl->cat->procs[c->proc];

	switch (cat) {
	case CAT_A1_EARLY: case CAT_A1_ONTIME: case CAT_A1_LATE:
		alo = gen_T0 - 75 * DAY;
		ahi = gen_T0 - HOUR;
		flo = gen_T0;
		fhi = gen_T1;
		kind = cat - CAT_A1_EARLY;
		break;
	case CAT_A2_WITHDRAWN: case CAT_A2_STOPPED:
		alo = gen_T0 - 40 * DAY;
		ahi = gen_T0 - HOUR;
		flo = gen_T0;
		fhi = gen_T0 + 60 * DAY;
		kind = 3;
		break;
	case CAT_B1_EARLY: case CAT_B1_ONTIME: case CAT_B1_LATE:
		alo = gen_T0;
		ahi = gen_T1;
		fhi = gen_T1;
		kind = cat - CAT_B1_EARLY;
		break;
	case CAT_B2_WITHDRAWN: case CAT_B2_STOPPED:
		alo = gen_T0;
		ahi = gen_T1 - 5 * DAY;
		fhi = gen_T1;
		kind = 3;
		break;
	case CAT_C_BEFORE:
		alo = gen_data_start;
		ahi = gen_T0 - HOUR;
		fhi = gen_T0 - HOUR;
		kind = 5;
		break;
	case CAT_D_AFTER:
		alo = gen_T1 + 1;
		ahi = gen_accept_end;
		fhi = gen_event_end - DAY;
		kind = 5;
		break;
	default:
		if (!cat_in_progress(cat))
			hoso_die("internal error: category %d", cat);
		kind = 4;
		if (cat <= CAT_A3_OVERDUE_PAUSED) {
			alo = gen_T0 - 150 * DAY;
			ahi = gen_T0 - HOUR;
		} else if (cat_overdue(cat)) {
			alo = gen_T0;
			ahi = gen_T1 - 3 * DAY;
		} else {
			alo = gen_T1 - (cat_paused(cat) ? 70 : 40) * DAY;
			ahi = gen_T1;
		}
		break;
	}
	if (kind == 5) {
		double u = gen_rng_real(rng);

		kind = u < 0.60 ? 0 : u < 0.975 ? 1 : u < 0.995 ? 2 : 3;
	}
	/* early and late need a due date */
	if ((kind == 0 || kind == 2 || (kind == 4 && cat_overdue(cat))) && p && p->limit_value < 0)
		return false;
	/* carried over since 2022 and still in time: only without a fixed time limit */
	if ((cat == CAT_A3_INTIME || cat == CAT_A3_INTIME_PAUSED) && (!p || p->limit_value >= 0))
		return false;

	c->accepted = draw_accepted(pl, c, rng, alo, ahi);
	if (flo == HOSO_TIME_NONE)
		flo = c->accepted;
	switch (c->channel) {
	case CH_ONLINE:
		c->submitted = c->accepted - HOUR - gen_rng_below(rng, 2 * DAY);
		break;
	case CH_POSTAL:
		c->submitted = c->accepted - DAY - gen_rng_below(rng, 2 * DAY);
		break;
	default:
		c->submitted = c->accepted - 60 - gen_rng_below(rng, 25 * 60);
		break;
	}
	c->due0 = due_from(cal, p, c->accepted);
	L = c->accepted;

	if (kind == 4) {
		/* open at T1: paused ones have a round or a fee notice spanning T1 */
		if (cat_paused(cat)) {
			bool fee = c->due0 == HOSO_TIME_NONE || gen_rng_chance(rng, 0.15);
			hoso_time s = gen_office_next(cal, c->accepted + HOUR +
						     (hoso_time) (gen_rng_real(rng) * (double) (gen_T1 - c->accepted)));
			hoso_time e = gen_office_next(cal, gen_T1 + DAY + gen_rng_below(rng, 25 * DAY));

			if (s > gen_T1)
				return false;
			if (fee) {
				fee_from = s;
				fee_to = e;
			} else {
				add_round(pl, c, s, e);
			}
			L = e;
		} else if (c->due0 != HOSO_TIME_NONE && gen_rng_chance(rng, 0.2)) {
			hoso_time s = office_after(cal, rng, c->accepted + HOUR);
			hoso_time e = office_after(cal, rng, s + (1 + gen_rng_below(rng, 6)) * DAY);

			if (e >= gen_T1)
				return false;
			add_round(pl, c, s, e);
			L = e;
		}
		/* finishes (or is closed) later, in late 2023 or 2024; a few never */
		if (!gen_rng_chance(rng, 0.04)) {
			hoso_time base = L > gen_T1 ? L : gen_T1;
			hoso_time t = office_after(cal, rng, base + HOUR +
						   (hoso_time) (gen_rng_real(rng) * gen_rng_real(rng) * 120 * DAY));

			if (t < gen_event_end) {
				if (gen_rng_chance(rng, 0.03)) {
					c->closed = t;
					c->close_status = gen_rng_chance(rng, 0.6) ? 7 : 8;
				} else {
					c->finished = t;
				}
			}
		}
	} else {
		/* supplement rounds and fee notices before the end */
		double u = gen_rng_real(rng);
		int nr = c->due0 == HOSO_TIME_NONE ? 0 : u < 0.88 ? 0 : u < 0.975 ? 1 : 2;

		for (int i = 0; i < nr; i++) {
			hoso_time cur = due_in_force(c, L);
			double frac = 0.1 + 0.5 * gen_rng_real(rng);
			hoso_time s = gen_office_next(cal, L + 600 + (hoso_time) (frac * (double) (cur > L ? cur - L : HOUR)));
			hoso_time e = office_after(cal, rng, s + (hoso_time) (0.5 + 7 * gen_rng_real(rng)) * DAY);

			add_round(pl, c, s, e);
			L = e;
		}
		if (p && p->has_fee && kind != 3 && gen_rng_chance(rng, 0.12)) {
			fee_from = office_after(cal, rng, L + 600);
			fee_to = office_after(cal, rng, fee_from + (hoso_time) gen_rng_below(rng, 3 * DAY));
			L = fee_to;
		}
		if (kind == 3) {
			hoso_time lo = L + HOUR > flo ? L + HOUR : flo;
			hoso_time t;

			if (lo > fhi)
				return false;
			t = gen_office_next(cal, lo + (hoso_time) (gen_rng_real(rng) * (double) ((fhi - lo) / 4)));
			if (t > fhi)
				t = lo;
			c->closed = t;
			c->close_status = (cat == CAT_A2_STOPPED || cat == CAT_B2_STOPPED ||
					   ((cat == CAT_C_BEFORE || cat == CAT_D_AFTER) && gen_rng_chance(rng, 0.35))) ? 8 : 7;
			/* some stopped cases wait in vain for a supplement */
			if (c->close_status == 8 && c->due0 != HOSO_TIME_NONE && c->nrounds == 0 &&
			    gen_rng_chance(rng, 0.5) && t - c->accepted > 2 * HOUR)
				add_round(pl, c, c->accepted + (t - c->accepted) / 2, HOSO_TIME_NONE);
		} else {
			hoso_time due = due_in_force(c, INT64_MAX);	/* every round is in by the end */
			hoso_time f = pick_finish(pl, rng, kind, L, due, flo, fhi);

			if (f == HOSO_TIME_NONE)
				return false;
			c->finished = f;
		}
	}

	/* handing back the result */
	if (c->finished != HOSO_TIME_NONE) {
		double u = gen_rng_real(rng);

		if (u < 0.65)
			c->returned = c->finished + 60 + gen_rng_below(rng, 2 * HOUR);
		else if (u < 0.88)
			c->returned = office_after(cal, rng, c->finished + DAY * (1 + gen_rng_below(rng, 3)));
		else if (u < 0.93)
			c->returned = office_after(cal, rng, c->finished + DAY * (3 + gen_rng_below(rng, 12)));
		else
			c->returned = HOSO_TIME_NONE;	/* result ready, never collected (yet) */
		if (c->returned != HOSO_TIME_NONE && c->returned >= gen_event_end)
			c->returned = HOSO_TIME_NONE;
		/* some systems send only "returned": then it is the finish */
		if (!c->implied && c->returned != HOSO_TIME_NONE && gen_rng_chance(rng, 0.2) &&
		    c->returned - c->finished < 3 * HOUR)
			c->returned = c->finished;
	}
	if (c->implied && (cat_paused(cat) || fee_from != HOSO_TIME_NONE))
		c->implied = false;
	c->no_accept_date = !c->implied && gen_rng_chance(rng, 0.003);
	build_history(c, rng, fee_from, fee_to);
	assign_logs(c, rng, !c->implied && gen_rng_chance(rng, 0.03));
	return observe(c, NULL) == cat;
}

static void
draw_unaccepted(struct planner *pl, struct gen_case *c, struct gen_rng *rng)
{
	hoso_time t;

	pick_procedure_and_unit(pl, c, rng, false);
	c->nrounds = 0;
	c->finished = c->returned = c->closed = HOSO_TIME_NONE;
	c->implied = true;
	t = draw_accepted(pl, c, rng, gen_data_start, gen_accept_end);
	c->submitted = t;
	c->accepted = HOSO_TIME_NONE;
	c->due0 = HOSO_TIME_NONE;
	c->nrows = 0;
	c->nversions = 0;
	if (c->category == CAT_E_REGISTERED) {
		add_version(c, t, 1);
	} else {
		/* refused at the desk, sometimes with the step logged */
		c->closed = office_after(pl->cal, rng, t + gen_rng_below(rng, 2 * DAY));
		if (gen_rng_chance(rng, 0.5)) {
			c->implied = false;
			add_row(c, c->closed, 3, W_REFUSE);
		}
		add_version(c, c->closed, 3);
	}
	assign_logs(c, rng, false);
}

/* ---- the whole plan ---- */

/* counts of each category in one copy at scale 1 */
static const int category_counts[CAT_COUNT] = {
	[CAT_A1_EARLY] = 2000, [CAT_A1_ONTIME] = 2000, [CAT_A1_LATE] = 300,
	[CAT_A2_WITHDRAWN] = 3, [CAT_A2_STOPPED] = 2,
	[CAT_A3_INTIME] = 22, [CAT_A3_INTIME_PAUSED] = 8,
	[CAT_A3_OVERDUE] = 78, [CAT_A3_OVERDUE_PAUSED] = 12,
	[CAT_B1_EARLY] = 120000, [CAT_B1_ONTIME] = 65309, [CAT_B1_LATE] = 3730,
	[CAT_B2_WITHDRAWN] = 197, [CAT_B2_STOPPED] = 101,
	[CAT_B3_INTIME] = 4410, [CAT_B3_INTIME_PAUSED] = 480,
	[CAT_B3_OVERDUE] = 620, [CAT_B3_OVERDUE_PAUSED] = 80,
	[CAT_C_BEFORE] = 100000, [CAT_D_AFTER] = 165000,
	[CAT_E_REGISTERED] = 2000, [CAT_F_REFUSED] = 900,
};

#define B_ONLINE 50990
#define B_POSTAL 864
#define B_DIRECT (143937 - B_POSTAL)
#define B_ONLINE_DIGITISED 43300
#define B_DIGITISED 112883

static const long long reference_figures[16] = {
	[F_CARRIED] = 4425, [F_ONLINE] = 50990, [F_DIRECT] = B_DIRECT, [F_POSTAL] = B_POSTAL,
	[F_RECEIVED_PERIOD] = 194927, [F_RECEIVED_TOTAL] = 199352, [F_RESOLVED] = 193339,
	[F_EARLY] = 122000, [F_ONTIME] = 67309, [F_LATE] = 4030, [F_INPROGRESS] = 5710,
	[F_INTIME] = 4920, [F_OVERDUE] = 790, [F_PAUSED] = 580, [F_CLOSED] = 303,
	[F_DIGITISED] = 112883,
};

static void
shuffle_u8(uint8_t *a, uint32_t n, struct gen_rng *rng)
{
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = gen_rng_below(rng, i);
		uint8_t t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

static bool
category_received_in_period(int c)
{
	return c >= CAT_B1_EARLY && c <= CAT_B3_OVERDUE_PAUSED;
}

/* round(v * fraction); v itself at fraction 1, so that the calibrated copy is exact */
static uint32_t
scaled(uint32_t v, double fraction)
{
	return fraction == 1.0 ? v : (uint32_t) llround((double) v * fraction);
}

void
gen_plan_build(struct gen_plan *plan, const struct gen_catalogue *cat, uint64_t seed, int copy)
{
	gen_plan_build_fraction(plan, cat, seed, copy, 1.0);
}

void
gen_plan_build_fraction(struct gen_plan *plan, const struct gen_catalogue *cat, uint64_t seed,
			int copy, double fraction)
{
	uint32_t counts[CAT_COUNT];
	uint32_t b_online = scaled(B_ONLINE, fraction), b_postal = scaled(B_POSTAL, fraction);
	uint32_t b_online_dig = scaled(B_ONLINE_DIGITISED, fraction);
	uint32_t b_dig = scaled(B_DIGITISED, fraction);
	struct planner pl = { 0 };
	struct gen_rng rng;
	uint32_t n = 0, nb = 0, bi = 0;
	uint8_t *cats, *chan, *dig;
	uint16_t *serials;
	int ndays, nprefix;

	memset(plan, 0, sizeof(*plan));
	plan->seed = seed;
	plan->copy = copy;
	pl.cat = cat;
	pl.cal = (struct hoso_calendar *) &cat->cal;
	day_table_init(&pl.days, pl.cal);

	if (copy == 0)
		snprintf(plan->src, sizeof(plan->src), "KTM-IGATE");
	else
		snprintf(plan->src, sizeof(plan->src), "KTM-IGATE-%d", copy);
	for (int k = 0; k < CAT_COUNT; k++) {
		counts[k] = scaled((uint32_t) category_counts[k], fraction);
		n += counts[k];
		if (category_received_in_period(k))
			nb += counts[k];
	}
	/* channels and digitisation are drawn among the cases received in the period */
	if (b_online + b_postal > nb)
		b_online = b_postal = b_online_dig = b_dig = 0;
	if (b_dig - b_online_dig > nb - b_online)
		b_dig = b_online_dig + (nb - b_online);
	plan->ncases = n;
	plan->cases = hoso_xcalloc(n, sizeof(*plan->cases));

	/* exact counts, random order: categories, then channel and digitisation of B */
	gen_rng_seed(&rng, seed, (uint64_t) copy, 0xca7e);
	cats = hoso_xmalloc(n);
	for (int k = 0, i = 0; k < CAT_COUNT; k++)
		for (uint32_t j = 0; j < counts[k]; j++)
			cats[i++] = (uint8_t) k;
	shuffle_u8(cats, n, &rng);
	chan = hoso_xmalloc(nb);
	dig = hoso_xmalloc(nb);
	for (uint32_t i = 0; i < nb; i++)
		chan[i] = i < b_online ? CH_ONLINE : i < b_online + b_postal ? CH_POSTAL : CH_DIRECT;
	shuffle_u8(chan, nb, &rng);
	{
		/* digitised: B_ONLINE_DIGITISED of the online ones, the rest among the others */
		uint32_t on_left = b_online, on_dig = b_online_dig;
		uint32_t off_left = nb - b_online, off_dig = b_dig - b_online_dig;

		for (uint32_t i = 0; i < nb; i++) {
			if (chan[i] == CH_ONLINE) {
				dig[i] = gen_rng_below(&rng, on_left) < on_dig;
				on_dig -= dig[i];
				on_left--;
			} else {
				dig[i] = gen_rng_below(&rng, off_left) < off_dig;
				off_dig -= dig[i];
				off_left--;
			}
		}
	}

	ndays = gen_last_day - gen_first_day + 40;
	nprefix = cat->nunits + 2;
	serials = hoso_xcalloc((size_t) ndays * (size_t) nprefix, sizeof(uint16_t));

	for (uint32_t i = 0; i < n; i++) {
		struct gen_case *c = &plan->cases[i];
		int tries = 0;

		gen_rng_seed(&rng, seed, (uint64_t) copy, (uint64_t) i + 1);
		c->id = i;
		c->category = cats[i];
		if (category_received_in_period(c->category)) {
			c->channel = chan[bi];
			c->digitised = dig[bi];
			bi++;
		} else {
			double u = gen_rng_real(&rng);

			c->channel = u < 0.27 ? CH_ONLINE : u < 0.275 ? CH_POSTAL : CH_DIRECT;
			c->digitised = gen_rng_chance(&rng, c->channel == CH_ONLINE ? 0.85 : 0.5);
		}
		if (c->channel == CH_DIRECT) {
			double u = gen_rng_real(&rng);

			c->channel = u < 0.03 ? CH_DIRECT_EMPTY : u < 0.05 ? CH_DIRECT_MISSING : CH_DIRECT;
		}
		c->implied = gen_rng_chance(&rng, 0.4);
		c->nfd = gen_rng_chance(&rng, 0.05);
		c->stale = gen_rng_chance(&rng, 0.005);
		c->resend = gen_rng_chance(&rng, 0.002);
		c->dup_row = gen_rng_chance(&rng, 0.02);
		c->applicant = 1;
		if (c->category == CAT_E_REGISTERED || c->category == CAT_F_REFUSED) {
			draw_unaccepted(&pl, c, &rng);
		} else {
			bool implied = c->implied;

			while (!draw_case(&pl, c, &rng)) {
				c->implied = implied;
				if (++tries > 5000)
					hoso_die("cannot place case %u in category %d", i, c->category);
				pl.retries++;
			}
		}
		/* business applicants for business registration */
		if (c->proc >= 0 && !c->unknown_code) {
			const char *fc = cat->fields[cat->procs[c->proc].field].code;

			if (strcmp(fc, "G09-DN") == 0 || strcmp(fc, "G09-DT") == 0 ||
			    (strcmp(fc, "G09-HKD") != 0 && gen_rng_chance(&rng, 0.04)))
				c->applicant = 2;
		}
		/* how the unit is named */
		c->unit_mode = UM_CODE;
		if (gen_rng_chance(&rng, 0.003) && cat->units[c->unit].unique_name)
			c->unit_mode = UM_NAME_ONLY;
		else if (i % 20011 == 7)
			c->unit_mode = UM_UNRESOLVED;
		{
			int prefix = c->unit_mode == UM_CODE ? c->unit : c->unit_mode == UM_NAME_ONLY ? cat->nunits : cat->nunits + 1;
			int day = hoso_time_date(c->submitted) - gen_first_day + 20;

			if (day < 0)
				day = 0;
			if (day >= ndays)
				day = ndays - 1;
			c->serial = ++serials[(size_t) day * (size_t) nprefix + (size_t) prefix];
		}
	}
	for (uint32_t i = 0; i < n; i++)
		observe(&plan->cases[i], plan->figures);
	hoso_debug("plan: %u cases, %lld redraws", n, pl.retries);
	free(serials);
	free(cats);
	free(chan);
	free(dig);
	free(pl.days.cum);
}

void
gen_plan_release(struct gen_plan *plan)
{
	free(plan->cases);
	memset(plan, 0, sizeof(*plan));
}

bool
gen_plan_check(const struct gen_plan *plan, bool verbose)
{
	bool ok = true;

	for (int i = 0; i < 16; i++) {
		if (plan->figures[i] != reference_figures[i])
			ok = false;
		if (verbose || plan->figures[i] != reference_figures[i])
			hoso_log(plan->figures[i] == reference_figures[i] ? HOSO_LOG_INFO : HOSO_LOG_ERROR,
				 "copy %d: %-20s %8lld (reference %lld)", plan->copy, figure_names[i],
				 plan->figures[i], reference_figures[i]);
	}
	return ok;
}
