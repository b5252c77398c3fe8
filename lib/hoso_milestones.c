/*
 * hoso_milestones.c: accepted, finished, closed, end, due dates and status
 * history of one case, following docs/counting.md §2 line by line.
 */
#include "hoso_milestones.h"

static bool
status_in(int status, const int *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == status)
			return true;
	return false;
}

static hoso_time
first_step(const struct hoso_step *steps, size_t nsteps, const int *set, size_t n)
{
	for (size_t i = 0; i < nsteps; i++)
		if (status_in(steps[i].status, set, n))
			return steps[i].event_at;
	return HOSO_TIME_NONE;
}

static hoso_time
first_of(hoso_time a, hoso_time b)
{
	if (a == HOSO_TIME_NONE)
		return b;
	if (b == HOSO_TIME_NONE)
		return a;
	return a < b ? a : b;
}

static hoso_time
finished_at(const struct hoso_dossier_view *d, const struct hoso_step *steps, size_t nsteps)
{
	static const int s9[] = { 9 }, s10[] = { 10 };
	hoso_time t = first_step(steps, nsteps, s9, 1);

	if (t == HOSO_TIME_NONE)
		t = first_step(steps, nsteps, s10, 1);
	if (t != HOSO_TIME_NONE)
		return t;
	if (d->status != 9 && d->status != 10)
		return HOSO_TIME_NONE;
	if (d->processed_at != HOSO_TIME_NONE)
		return d->processed_at;
	if (d->returned_at != HOSO_TIME_NONE)
		return d->returned_at;
	return first_of(d->first_at_with_status[9], d->first_at_with_status[10]);
}

static hoso_time
closed_at(const struct hoso_dossier_view *d, const struct hoso_step *steps, size_t nsteps)
{
	static const int s78[] = { 7, 8 };
	hoso_time t = first_step(steps, nsteps, s78, 2);

	if (t != HOSO_TIME_NONE)
		return t;
	if (d->status != 7 && d->status != 8)
		return HOSO_TIME_NONE;
	if (d->processed_at != HOSO_TIME_NONE)
		return d->processed_at;
	if (d->refused_at != HOSO_TIME_NONE)
		return d->refused_at;
	return d->first_at_with_status[d->status];
}

/* The due date in force before any round was received. */
static hoso_time
due_before_rounds(const struct hoso_dossier_view *d)
{
	const struct hoso_round *earliest = NULL;

	for (size_t i = 0; i < d->nrounds; i++) {
		const struct hoso_round *r = &d->rounds[i];

		if (r->requested == HOSO_TIME_NONE)
			continue;
		if (!earliest || r->requested < earliest->requested)
			earliest = r;
	}
	if (earliest && earliest->due_before != HOSO_TIME_NONE)
		return earliest->due_before;
	return d->due_at;
}

hoso_time
hoso_due_at(const struct hoso_dossier_view *d, hoso_time t)
{
	const struct hoso_round *last = NULL;

	/* the last round received by t, ordered by reception (ties: sent order) */
	for (size_t i = 0; i < d->nrounds; i++) {
		const struct hoso_round *r = &d->rounds[i];

		if (r->received == HOSO_TIME_NONE || r->received > t)
			continue;
		if (!last || r->received >= last->received)
			last = r;
	}
	if (last)
		return last->due_after;
	return due_before_rounds(d);
}

size_t
hoso_due_spans(const struct hoso_dossier_view *d, struct hoso_span *spans)
{
	size_t n = 0;

	spans[n++] = (struct hoso_span) { HOSO_TIME_NONE, due_before_rounds(d), 0 };
	/*
	 * due_at(t) changes only at reception times; evaluating it at each of
	 * them keeps one definition (hoso_due_at) for both uses.  Rounds are few,
	 * so the quadratic order is fine.
	 */
	for (;;) {
		hoso_time next = HOSO_TIME_NONE;
		hoso_time after = spans[n - 1].from_at;

		for (size_t i = 0; i < d->nrounds; i++) {
			hoso_time r = d->rounds[i].received;

			if (r == HOSO_TIME_NONE || (after != HOSO_TIME_NONE && r <= after))
				continue;
			if (next == HOSO_TIME_NONE || r < next)
				next = r;
		}
		if (next == HOSO_TIME_NONE)
			break;
		spans[n++] = (struct hoso_span) { next, hoso_due_at(d, next), 0 };
	}
	return n;
}

void
hoso_milestones_derive(const struct hoso_dossier_view *d,
		       const struct hoso_step *steps, size_t nsteps,
		       struct hoso_milestones *m)
{
	static const int accepting[] = { 2, 4, 5, 6, 9, 10 };

	*m = (struct hoso_milestones) {
		.accepted_at = HOSO_TIME_NONE, .finished_at = HOSO_TIME_NONE,
		.closed_at = HOSO_TIME_NONE, .end_at = HOSO_TIME_NONE,
		.end_kind = HOSO_END_NONE, .due_at_end = HOSO_TIME_NONE,
		.original_due_at = due_before_rounds(d),
	};
	m->accepted_at = d->accepted_at;
	if (m->accepted_at == HOSO_TIME_NONE)
		m->accepted_at = first_step(steps, nsteps, accepting,
					    sizeof(accepting) / sizeof(accepting[0]));
	m->received = d->status != 1 && d->status != 3 && m->accepted_at != HOSO_TIME_NONE;
	if (!m->received)
		return;

	m->finished_at = finished_at(d, steps, nsteps);
	m->closed_at = closed_at(d, steps, nsteps);
	if (m->finished_at != HOSO_TIME_NONE && m->finished_at < m->accepted_at) {
		m->finished_at = m->accepted_at;
		m->inconsistent = true;
	}
	if (m->closed_at != HOSO_TIME_NONE && m->closed_at < m->accepted_at) {
		m->closed_at = m->accepted_at;
		m->inconsistent = true;
	}
	if (m->finished_at != HOSO_TIME_NONE &&
	    (m->closed_at == HOSO_TIME_NONE || m->finished_at <= m->closed_at)) {
		m->end_kind = HOSO_END_RESOLVED;
		m->end_at = m->finished_at;
		m->due_at_end = hoso_due_at(d, m->end_at);
	} else if (m->closed_at != HOSO_TIME_NONE) {
		m->end_kind = HOSO_END_CLOSED;
		m->end_at = m->closed_at;
	}
}

size_t
hoso_status_spans(const struct hoso_dossier_view *d, const struct hoso_milestones *m,
		  const struct hoso_step *steps, size_t nsteps, struct hoso_span *spans)
{
	size_t n = 0;

	if (nsteps == 0) {
		if (m->accepted_at != HOSO_TIME_NONE)
			spans[n++] = (struct hoso_span) { m->accepted_at, HOSO_TIME_NONE, 2 };
		if (m->end_kind == HOSO_END_RESOLVED)
			spans[n++] = (struct hoso_span) { m->end_at, HOSO_TIME_NONE, 9 };
		else if (m->end_kind == HOSO_END_CLOSED)
			spans[n++] = (struct hoso_span) { m->end_at, HOSO_TIME_NONE, d->status };
		/* an end clamped onto accepted_at replaces the implied 2 */
		if (n == 2 && spans[0].from_at == spans[1].from_at) {
			spans[0] = spans[1];
			n = 1;
		}
		return n;
	}
	for (size_t i = 0; i < nsteps; i++) {
		/* several steps at one instant: the last logged one holds */
		if (n > 0 && spans[n - 1].from_at == steps[i].event_at)
			n--;
		spans[n++] = (struct hoso_span) { steps[i].event_at, HOSO_TIME_NONE, steps[i].status };
	}
	return n;
}
