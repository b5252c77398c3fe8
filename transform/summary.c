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

/* Keys are zeroed before they are filled: their bytes are hashed and compared. */
struct summary_day_key {
	hoso_date day;
	uint32_t unit_path;		/* string id */
};

struct summary_day_row {
	struct summary_day_key key;
	long long v[HOSO_SUMMARY_DAY_NCOUNTERS];
};

struct summary_procedure_key {
	hoso_date day;			/* the month's first day for the month rows */
	uint32_t unit_path, procedure_code;	/* string ids; "" for cases without a code */
};

struct summary_procedure_row {
	struct summary_procedure_key key;
	long long resolved, working_seconds;
};

static void
table_init(struct summary_table *t, size_t rowsize, size_t keysize)
{
	memset(t, 0, sizeof(*t));
	t->rowsize = rowsize;
	t->keysize = keysize;
}

static void
table_release(struct summary_table *t)
{
	free(t->rows);
	free(t->slots);
	table_init(t, t->rowsize, t->keysize);
}

/* FNV-1a over the key's bytes */
static uint64_t
key_hash(const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* Keys are whole 32-bit words (both key structs): compared a word at a time, no call. */
_Static_assert(sizeof(struct summary_day_key) % 4 == 0 && sizeof(struct summary_procedure_key) % 4 == 0,
	       "summary keys are whole 32-bit words");

static bool
key_equal(const unsigned char *a, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i += 4) {
		uint32_t x, y;

		memcpy(&x, a + i, 4);
		memcpy(&y, b + i, 4);
		if (x != y)
			return false;
	}
	return true;
}

static void
table_grow_slots(struct summary_table *t)
{
	size_t nslots = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *slots = hoso_xmalloc(nslots * sizeof(*slots));

	memset(slots, 0, nslots * sizeof(*slots));
	for (size_t r = 0; r < t->n; r++) {
		size_t i = key_hash(t->rows + r * t->rowsize, t->keysize) & (nslots - 1);

		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = (uint32_t) (r + 1);
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
}

/*
 * The row of key, added with zero counters when new.  The pointer holds
 * until the next call (the rows may move).
 */
static void *
table_row(struct summary_table *t, const void *key)
{
	size_t i;
	unsigned char *row;

	if ((t->n + 1) * 2 > t->nslots)
		table_grow_slots(t);
	i = key_hash(key, t->keysize) & (t->nslots - 1);
	for (; t->slots[i]; i = (i + 1) & (t->nslots - 1)) {
		row = t->rows + (t->slots[i] - 1) * t->rowsize;
		if (key_equal(row, key, t->keysize))
			return row;
	}
	if (t->n == UINT32_MAX - 1)
		hoso_die("summary: more than %u rows", (unsigned) (UINT32_MAX - 1));
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->rows = hoso_xrealloc(t->rows, t->cap * t->rowsize);
	}
	row = t->rows + t->n * t->rowsize;
	memset(row, 0, t->rowsize);
	memcpy(row, key, t->keysize);
	t->slots[i] = (uint32_t) (++t->n);
	return row;
}

/* The id of string str, stored once. */
static uint32_t
string_id(struct summary *s, const char *str)
{
	void **slot = hoso_map_slot(&s->string_ids, str, strlen(str));

	if (!*slot) {
		if (s->nstrings == s->capstrings) {
			s->capstrings = s->capstrings ? s->capstrings * 2 : 256;
			s->strings = hoso_xrealloc(s->strings, s->capstrings * sizeof(*s->strings));
		}
		s->strings[s->nstrings] = hoso_xstrdup(str);
		*slot = (void *) (uintptr_t) ++s->nstrings;
	}
	return (uint32_t) ((uintptr_t) *slot - 1);
}

void
summary_init(struct summary *s)
{
	memset(s, 0, sizeof(*s));
	hoso_map_init(&s->string_ids);
	table_init(&s->day, sizeof(struct summary_day_row), sizeof(struct summary_day_key));
	table_init(&s->procedure_day, sizeof(struct summary_procedure_row),
		   sizeof(struct summary_procedure_key));
	table_init(&s->procedure_month, sizeof(struct summary_procedure_row),
		   sizeof(struct summary_procedure_key));
}

void
summary_release(struct summary *s)
{
	for (size_t i = 0; i < s->nstrings; i++)
		free(s->strings[i]);
	free(s->strings);
	hoso_map_release(&s->string_ids);
	table_release(&s->day);
	table_release(&s->procedure_day);
	table_release(&s->procedure_month);
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

/* The row of (day, unit path id), created with zeros when new. */
static struct summary_day_row *
day_row(struct summary *s, hoso_date day, uint32_t unit_path)
{
	struct summary_day_key key;

	memset(&key, 0, sizeof(key));
	key.day = day;
	key.unit_path = unit_path;
	return table_row(&s->day, &key);
}

static void
add_procedure(struct summary_table *t, hoso_date day, uint32_t unit_path, uint32_t code,
	      long long working_seconds)
{
	struct summary_procedure_key key;
	struct summary_procedure_row *r;

	memset(&key, 0, sizeof(key));
	key.day = day;
	key.unit_path = unit_path;
	key.procedure_code = code;
	r = table_row(t, &key);
	r->resolved++;
	r->working_seconds += working_seconds;
}

/*
 * A state held on the days [start, stop) (stop NULL: still held): +1 on
 * start, -1 on stop, when the span is not empty.  A NULL start would be a
 * row without a day, which the summary table refuses: none is derived.
 */
static void
add_state(struct summary *s, uint32_t unit_path, enum hoso_summary_day_counter col,
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
	uint32_t unit_path = string_id(s, c->unit_path);	/* looked up once a case */
	struct summary_day_row *r;

	/* intake, on the day of accepted_at */
	if (acc_day != HOSO_DATE_NONE) {
		r = day_row(s, acc_day, unit_path);
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

		r = day_row(s, end_day, unit_path);
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
		add_state(s, unit_path, HOSO_SUMMARY_DAY_d_overdue, start,
			  day_least(next_step_day(c->due, c->ndue, i), end_day));
	}

	/* paused: the status 5 and 6 steps, within the case */
	for (size_t i = 0; i < c->nstatus; i++) {
		if (c->status[i].status != 5 && c->status[i].status != 6)
			continue;
		add_state(s, unit_path, HOSO_SUMMARY_DAY_d_paused,
			  day_greatest(day_of(c->status[i].from_at), acc_day),
			  day_least(next_step_day(c->status, c->nstatus, i), end_day));
	}

	/* late under 766 from the day of late_766_at until the end */
	if (c->late_766_at != HOSO_TIME_NONE)
		add_state(s, unit_path, HOSO_SUMMARY_DAY_d_late_766,
			  day_greatest(acc_day, day_of(c->late_766_at)), end_day);

	/* the procedure rows: resolved with a working time */
	if (resolved && c->working_seconds >= 0 && end_day != HOSO_DATE_NONE) {
		uint32_t code = string_id(s, c->procedure_code ? c->procedure_code : "");
		int y, m, d;

		add_procedure(&s->procedure_day, end_day, unit_path, code, c->working_seconds);
		hoso_date_to_ymd(end_day, &y, &m, &d);
		add_procedure(&s->procedure_month, hoso_date_from_ymd(y, m, 1), unit_path, code,
			      c->working_seconds);
	}
}

/* qsort has no context argument: the strings the rows being sorted name */
static char *const *sort_strings;

static int
compare_day_rows(const void *pa, const void *pb)
{
	const struct summary_day_row *a = *(const struct summary_day_row *const *) pa;
	const struct summary_day_row *b = *(const struct summary_day_row *const *) pb;

	if (a->key.day != b->key.day)
		return a->key.day < b->key.day ? -1 : 1;
	return strcmp(sort_strings[a->key.unit_path], sort_strings[b->key.unit_path]);
}

static int
compare_procedure_rows(const void *pa, const void *pb)
{
	const struct summary_procedure_row *a = *(const struct summary_procedure_row *const *) pa;
	const struct summary_procedure_row *b = *(const struct summary_procedure_row *const *) pb;
	int c;

	if (a->key.day != b->key.day)
		return a->key.day < b->key.day ? -1 : 1;
	c = strcmp(sort_strings[a->key.unit_path], sort_strings[b->key.unit_path]);
	return c ? c : strcmp(sort_strings[a->key.procedure_code], sort_strings[b->key.procedure_code]);
}

/* The table's rows in key order; the caller frees the array. */
static void **
sorted_rows(const struct summary *s, const struct summary_table *t,
	    int (*compare)(const void *, const void *))
{
	void **rows = hoso_xmalloc((t->n ? t->n : 1) * sizeof(*rows));

	for (size_t i = 0; i < t->n; i++)
		rows[i] = t->rows + i * t->rowsize;
	sort_strings = s->strings;
	qsort(rows, t->n, sizeof(*rows), compare);
	sort_strings = NULL;
	return rows;
}

static void
field_date(struct hoso_buf *row, hoso_date day)
{
	char iso[16];

	hoso_date_format_iso(day, iso);
	staging_field(row, iso);
}

static void
write_procedure_rows(const struct summary *s, const struct summary_table *t, struct staging *st,
		     enum hoso_staging_file f)
{
	void **rows = sorted_rows(s, t, compare_procedure_rows);

	for (size_t i = 0; i < t->n; i++) {
		const struct summary_procedure_row *r = rows[i];
		struct hoso_buf *row = staging_row(st, f);

		field_date(row, r->key.day);
		staging_field(row, s->strings[r->key.unit_path]);
		staging_field(row, s->strings[r->key.procedure_code]);
		staging_field_int(row, r->resolved);
		staging_field_int(row, r->working_seconds);
		staging_row_end(st, f);
	}
	free(rows);
}

void
summary_write(const struct summary *s, struct staging *st)
{
	void **rows = sorted_rows(s, &s->day, compare_day_rows);

	for (size_t i = 0; i < s->day.n; i++) {
		const struct summary_day_row *r = rows[i];
		struct hoso_buf *row;
		bool zero = true;

		/* a row whose contributions cancelled out is one the load would delete */
		for (int k = 0; k < HOSO_SUMMARY_DAY_NCOUNTERS; k++)
			zero = zero && r->v[k] == 0;
		if (zero)
			continue;
		row = staging_row(st, HOSO_STAGING_SUMMARY_DAY);
		field_date(row, r->key.day);
		staging_field(row, s->strings[r->key.unit_path]);
		for (int k = 0; k < HOSO_SUMMARY_DAY_NCOUNTERS; k++)
			staging_field_int(row, r->v[k]);
		staging_row_end(st, HOSO_STAGING_SUMMARY_DAY);
	}
	free(rows);
	write_procedure_rows(s, &s->procedure_day, st, HOSO_STAGING_SUMMARY_PROCEDURE_DAY);
	write_procedure_rows(s, &s->procedure_month, st, HOSO_STAGING_SUMMARY_PROCEDURE_MONTH);
}
