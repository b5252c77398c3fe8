/*
 * summary.c: the summary rows' contributions of the derived cases
 * (summary.h).  Each rule below is the one of hoso.summary_day_apply or
 * hoso.summary_procedure_apply (schemas/warehouse/functions/summary.sql);
 * a day is the local date of an instant, and
 * HOSO_DATE_NONE stands for SQL's NULL.  Because HOSO_DATE_NONE is the
 * smallest day, the larger of two days is also SQL's greatest(), which
 * ignores NULLs; least() needs the care of day_least.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_log.h"
#include "summary.h"

struct summary_day_row {
	hoso_date day;
	char *unit_path;		/* owned */
	long long v[HOSO_SUMMARY_DAY_NCOUNTERS];
};

struct summary_procedure_row {
	hoso_date day;			/* the month's first day for the month rows */
	char *unit_path;		/* owned */
	char *procedure_code;		/* owned; "" for cases without one */
	long long resolved, working_seconds;
};

void
summary_init(struct summary *s)
{
	hoso_map_init(&s->day);
	hoso_map_init(&s->procedure_day);
	hoso_map_init(&s->procedure_month);
}

static void
release_day_rows(struct hoso_map *map)
{
	const struct hoso_map_entry *e;

	for (size_t i = 0; hoso_map_next(map, &i, &e);) {
		struct summary_day_row *r = e->value;

		free(r->unit_path);
		free(r);
	}
	hoso_map_release(map);
}

static void
release_procedure_rows(struct hoso_map *map)
{
	const struct hoso_map_entry *e;

	for (size_t i = 0; hoso_map_next(map, &i, &e);) {
		struct summary_procedure_row *r = e->value;

		free(r->unit_path);
		free(r->procedure_code);
		free(r);
	}
	hoso_map_release(map);
}

void
summary_release(struct summary *s)
{
	release_day_rows(&s->day);
	release_procedure_rows(&s->procedure_day);
	release_procedure_rows(&s->procedure_month);
}

static hoso_date
day_of(hoso_time t)
{
	return t == HOSO_TIME_NONE ? HOSO_DATE_NONE : hoso_time_date(t);
}

/* greatest(a, b): NULLs ignored, NULL only when both are */
static hoso_date
day_greatest(hoso_date a, hoso_date b)
{
	return a >= b ? a : b;
}

/* least(a, b): NULLs ignored, NULL only when both are */
static hoso_date
day_least(hoso_date a, hoso_date b)
{
	if (a == HOSO_DATE_NONE)
		return b;
	return b == HOSO_DATE_NONE || a <= b ? a : b;
}

/* The row of (day, unit path), created with zeros when new. */
static struct summary_day_row *
day_row(struct summary *s, hoso_date day, const char *unit_path)
{
	size_t n = strlen(unit_path);
	char stackkey[256];
	char *key = n + sizeof(day) <= sizeof(stackkey) ? stackkey : hoso_xmalloc(n + sizeof(day));
	void **slot;
	struct summary_day_row *r;

	memcpy(key, &day, sizeof(day));
	memcpy(key + sizeof(day), unit_path, n);
	slot = hoso_map_slot(&s->day, key, n + sizeof(day));
	if (key != stackkey)
		free(key);
	if (!*slot) {
		r = hoso_xmalloc(sizeof(*r));
		memset(r, 0, sizeof(*r));
		r->day = day;
		r->unit_path = hoso_xstrdup(unit_path);
		*slot = r;
	}
	return *slot;
}

static void
add_procedure(struct hoso_map *map, hoso_date day, const char *unit_path, const char *code,
	      long long working_seconds)
{
	struct hoso_buf key = HOSO_BUF_INIT;
	void **slot;
	struct summary_procedure_row *r;

	hoso_buf_add(&key, (const char *) &day, sizeof(day));
	hoso_buf_add(&key, unit_path, strlen(unit_path) + 1);	/* with its NUL: a separator */
	hoso_buf_addstr(&key, code);
	slot = hoso_map_slot(map, key.data, key.len);
	hoso_buf_release(&key);
	if (!*slot) {
		r = hoso_xmalloc(sizeof(*r));
		memset(r, 0, sizeof(*r));
		r->day = day;
		r->unit_path = hoso_xstrdup(unit_path);
		r->procedure_code = hoso_xstrdup(code);
		*slot = r;
	}
	r = *slot;
	r->resolved++;
	r->working_seconds += working_seconds;
}

/*
 * A state held on the days [start, stop) (stop NULL: still held): +1 on
 * start, -1 on stop, when the span is not empty.  A NULL start would be a
 * row without a day, which the summary table refuses: none is derived.
 */
static void
add_state(struct summary *s, const char *unit_path, enum hoso_summary_day_counter col,
	  hoso_date start, hoso_date stop)
{
	if (start == HOSO_DATE_NONE)
		return;
	if (stop == HOSO_DATE_NONE) {
		day_row(s, start, unit_path)->v[col]++;
		return;
	}
	if (start < stop) {
		day_row(s, start, unit_path)->v[col]++;
		day_row(s, stop, unit_path)->v[col]--;
	}
}

/*
 * The day of the step after spans[i]: the smallest from_at after its own
 * (after NULL, "from the beginning": the smallest of all); NULL when none.
 * This is lead() over from_at NULLS FIRST, the from_at being distinct.
 */
static hoso_date
next_step_day(const struct hoso_span *spans, size_t n, size_t i)
{
	hoso_time own = spans[i].from_at, next = HOSO_TIME_NONE;

	for (size_t j = 0; j < n; j++) {
		hoso_time t = spans[j].from_at;

		if (t == HOSO_TIME_NONE || (own != HOSO_TIME_NONE && t <= own))
			continue;
		if (next == HOSO_TIME_NONE || t < next)
			next = t;
	}
	return day_of(next);
}

void
summary_add_case(struct summary *s, const struct summary_case *c)
{
	hoso_date acc_day = day_of(c->accepted_at), end_day = day_of(c->end_at);
	bool resolved = c->end_kind == HOSO_END_RESOLVED;
	struct summary_day_row *r;

	/* intake, on the day of accepted_at */
	if (acc_day != HOSO_DATE_NONE) {
		r = day_row(s, acc_day, c->unit_path);
		r->v[HOSO_SUMMARY_DAY_received_online] += c->channel == 2;
		r->v[HOSO_SUMMARY_DAY_received_direct] += c->channel == 1;
		r->v[HOSO_SUMMARY_DAY_received_postal] += c->channel == 3;
		r->v[HOSO_SUMMARY_DAY_digitised_at_intake] += c->digitised;
		r->v[HOSO_SUMMARY_DAY_fee_cases] += c->has_fee;
		r->v[HOSO_SUMMARY_DAY_fee_paid_online] += c->has_fee && c->paid_online;
		r->v[HOSO_SUMMARY_DAY_online_vneid] += c->channel == 2 && c->vneid;
		r->v[HOSO_SUMMARY_DAY_reuse_cases] += c->reuse;
		r->v[HOSO_SUMMARY_DAY_d_open]++;
	}

	/* the end, on the day of end_at; early, on time, late against due_at_end's day */
	if (end_day != HOSO_DATE_NONE) {
		hoso_date due_day = day_of(c->due_at_end);

		r = day_row(s, end_day, c->unit_path);
		r->v[HOSO_SUMMARY_DAY_resolved_early] += resolved && due_day != HOSO_DATE_NONE && end_day < due_day;
		r->v[HOSO_SUMMARY_DAY_resolved_on_time] += resolved && (due_day == HOSO_DATE_NONE || end_day == due_day);
		r->v[HOSO_SUMMARY_DAY_resolved_late] += resolved && due_day != HOSO_DATE_NONE && end_day > due_day;
		r->v[HOSO_SUMMARY_DAY_closed_other] += c->end_kind == HOSO_END_CLOSED;
		r->v[HOSO_SUMMARY_DAY_paper_resolved] += resolved && c->paper_result;
		r->v[HOSO_SUMMARY_DAY_paper_resolved_e_result] += resolved && c->paper_result && c->e_result;
		if (resolved && c->working_seconds >= 0)
			r->v[HOSO_SUMMARY_DAY_resolved_working_seconds] += c->working_seconds;
		r->v[HOSO_SUMMARY_DAY_resolved_on_time_766] += resolved && c->on_time_766;
		r->v[HOSO_SUMMARY_DAY_d_open]--;
	}

	/* overdue: from the day after each step's due day, within the step and the case */
	for (size_t i = 0; i < c->ndue; i++) {
		hoso_date due_day = day_of(c->due[i].due_at), start;

		if (due_day == HOSO_DATE_NONE)
			continue;
		start = day_greatest(day_greatest(day_of(c->due[i].from_at), acc_day), due_day + 1);
		add_state(s, c->unit_path, HOSO_SUMMARY_DAY_d_overdue, start,
			  day_least(next_step_day(c->due, c->ndue, i), end_day));
	}

	/* paused: the status 5 and 6 steps, within the case */
	for (size_t i = 0; i < c->nstatus; i++) {
		if (c->status[i].status != 5 && c->status[i].status != 6)
			continue;
		add_state(s, c->unit_path, HOSO_SUMMARY_DAY_d_paused,
			  day_greatest(day_of(c->status[i].from_at), acc_day),
			  day_least(next_step_day(c->status, c->nstatus, i), end_day));
	}

	/* late under 766 from the day of late_766_at until the end */
	if (c->late_766_at != HOSO_TIME_NONE)
		add_state(s, c->unit_path, HOSO_SUMMARY_DAY_d_late_766,
			  day_greatest(acc_day, day_of(c->late_766_at)), end_day);

	/* the procedure rows: resolved with a working time */
	if (resolved && c->working_seconds >= 0 && end_day != HOSO_DATE_NONE) {
		const char *code = c->procedure_code ? c->procedure_code : "";
		int y, m, d;

		add_procedure(&s->procedure_day, end_day, c->unit_path, code, c->working_seconds);
		hoso_date_to_ymd(end_day, &y, &m, &d);
		add_procedure(&s->procedure_month, hoso_date_from_ymd(y, m, 1), c->unit_path, code,
			      c->working_seconds);
	}
}

static int
compare_day_rows(const void *pa, const void *pb)
{
	const struct summary_day_row *a = *(const struct summary_day_row *const *) pa;
	const struct summary_day_row *b = *(const struct summary_day_row *const *) pb;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return strcmp(a->unit_path, b->unit_path);
}

static int
compare_procedure_rows(const void *pa, const void *pb)
{
	const struct summary_procedure_row *a = *(const struct summary_procedure_row *const *) pa;
	const struct summary_procedure_row *b = *(const struct summary_procedure_row *const *) pb;
	int c;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	c = strcmp(a->unit_path, b->unit_path);
	return c ? c : strcmp(a->procedure_code, b->procedure_code);
}

/* The map's values in key order; the caller frees the array, not the values. */
static void **
sorted_values(const struct hoso_map *map, int (*compare)(const void *, const void *))
{
	void **values = hoso_xmalloc((map->count ? map->count : 1) * sizeof(*values));
	const struct hoso_map_entry *e;
	size_t n = 0;

	for (size_t i = 0; hoso_map_next(map, &i, &e);)
		values[n++] = e->value;
	qsort(values, n, sizeof(*values), compare);
	return values;
}

static void
field_date(struct hoso_buf *row, hoso_date day)
{
	char iso[16];

	hoso_date_format_iso(day, iso);
	staging_field(row, iso);
}

static void
write_procedure_rows(const struct hoso_map *map, struct staging *st, enum hoso_staging_file t)
{
	void **rows = sorted_values(map, compare_procedure_rows);

	for (size_t i = 0; i < map->count; i++) {
		const struct summary_procedure_row *r = rows[i];
		struct hoso_buf *row = staging_row(st, t);

		field_date(row, r->day);
		staging_field(row, r->unit_path);
		staging_field(row, r->procedure_code);
		staging_field_int(row, r->resolved);
		staging_field_int(row, r->working_seconds);
		staging_row_end(st, t);
	}
	free(rows);
}

void
summary_write(const struct summary *s, struct staging *st)
{
	void **rows = sorted_values(&s->day, compare_day_rows);

	for (size_t i = 0; i < s->day.count; i++) {
		const struct summary_day_row *r = rows[i];
		struct hoso_buf *row;
		bool zero = true;

		/* a row whose contributions cancelled out is one the load would delete */
		for (int k = 0; k < HOSO_SUMMARY_DAY_NCOUNTERS; k++)
			zero = zero && r->v[k] == 0;
		if (zero)
			continue;
		row = staging_row(st, HOSO_STAGING_SUMMARY_DAY);
		field_date(row, r->day);
		staging_field(row, r->unit_path);
		for (int k = 0; k < HOSO_SUMMARY_DAY_NCOUNTERS; k++)
			staging_field_int(row, r->v[k]);
		staging_row_end(st, HOSO_STAGING_SUMMARY_DAY);
	}
	free(rows);
	write_procedure_rows(&s->procedure_day, st, HOSO_STAGING_SUMMARY_PROCEDURE_DAY);
	write_procedure_rows(&s->procedure_month, st, HOSO_STAGING_SUMMARY_PROCEDURE_MONTH);
}
