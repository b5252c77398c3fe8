/*
 * derive.c: from a touched case's messages to its warehouse facts: the
 * case_fact row, its due-date steps and its status steps.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoso_index766.h"
#include "hoso_log.h"
#include "hoso_milestones.h"
#include "hoso_worktime.h"
#include "spill.h"
#include "transform.h"

#define MAX_UNIT_DEPTH 16	/* province > district > commune is 3 deep */

static void
count_in(struct hoso_map *map, const char *key)
{
	void **slot = hoso_map_slot(map, key, strlen(key));

	*slot = (void *) ((uintptr_t) *slot + 1);
}

/* unit codes from the root to the unit, as a PostgreSQL array literal */
static void
unit_path_literal(const struct hoso_unit *unit, struct hoso_buf *out)
{
	const struct hoso_unit *chain[MAX_UNIT_DEPTH];
	int n = 0;

	hoso_buf_reset(out);
	if (!unit) {
		hoso_buf_addstr(out, "{" HOSO_UNRESOLVED_UNIT "}");
		return;
	}
	for (const struct hoso_unit *u = unit; u && n < MAX_UNIT_DEPTH; u = u->parent)
		chain[n++] = u;
	hoso_buf_addch(out, '{');
	for (int i = n - 1; i >= 0; i--) {
		hoso_buf_addch(out, '"');
		for (const char *p = chain[i]->code; *p; p++) {
			if (*p == '"' || *p == '\\')
				hoso_buf_addch(out, '\\');
			hoso_buf_addch(out, *p);
		}
		hoso_buf_addch(out, '"');
		if (i > 0)
			hoso_buf_addch(out, ',');
	}
	hoso_buf_addch(out, '}');
}

static hoso_time
earliest(hoso_time a, hoso_time b)
{
	if (a == HOSO_TIME_NONE)
		return b;
	return b == HOSO_TIME_NONE || a <= b ? a : b;
}

static hoso_time
latest(hoso_time a, hoso_time b)
{
	if (a == HOSO_TIME_NONE)
		return b;
	return b == HOSO_TIME_NONE || a >= b ? a : b;
}

/*
 * The day a case's unit is judged on: a case keeps the unit that accepted
 * it, whenever it ends; one never accepted, the unit of its first event
 * (the dossier message itself when no progress row came).
 */
static hoso_date
unit_day(const struct hoso_milestones *m, hoso_time first_event, hoso_time dossier_at)
{
	if (m->accepted_at != HOSO_TIME_NONE)
		return hoso_time_date(m->accepted_at);
	first_event = earliest(first_event, dossier_at);
	return first_event == HOSO_TIME_NONE ? HOSO_DATE_NONE : hoso_time_date(first_event);
}

/* Whether the ", "-separated list holds code as a whole item. */
static bool
list_has(const char *list, const char *code, size_t len)
{
	for (const char *p = list; (p = strstr(p, code)) != NULL; p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

/* Add the codes of the ", "-separated candidates to the name's list in *slot. */
static void
note_candidates(void **slot, const char *candidates)
{
	struct hoso_buf list = HOSO_BUF_INIT;

	hoso_buf_addstr(&list, *slot ? (const char *) *slot : "");
	for (const char *p = candidates; *p;) {
		size_t len = strcspn(p, ",");

		if (!list_has(list.data, p, len))
			hoso_buf_addf(&list, "%s%.*s", list.len ? ", " : "", (int) len, p);
		p += len;
		p += strspn(p, ", ");
	}
	free(*slot);
	*slot = hoso_xstrdup(list.data);
	hoso_buf_release(&list);
}

/*
 * Resolve the case's unit; what does not resolve is counted in the run
 * report, and a name that several units bore that day is listed with them.
 */
static const struct hoso_unit *
case_unit(const struct transform *tr, struct transform_report *report, const struct case_entry *c,
	  hoso_date day, struct hoso_buf *candidates)
{
	const char *name = c->latest.unit_name ? c->latest.unit_name : "";
	const struct hoso_unit *unit;

	hoso_buf_reset(candidates);
	unit = hoso_reference_case_unit(&tr->ref, c->case_no, c->latest.unit_name, day,
					candidates);
	if (unit) {
		/*
		 * Found by its name although the catalogue has no unit of the
		 * case number's agency code: often another province's unit of the
		 * same name (every province has a "Sở Tư pháp"), worth a look.
		 */
		const char *dash = c->case_no ? strchr(c->case_no, '-') : NULL;

		if (dash && dash > c->case_no &&
		    !hoso_map_get(&tr->ref.unit_by_code, c->case_no, (size_t) (dash - c->case_no))) {
			void **slot = hoso_map_slot(&report->units_by_name_only, c->case_no,
						    (size_t) (dash - c->case_no));

			*slot = (void *) ((uintptr_t) *slot + 1);
		}
		return unit;
	}
	count_in(&report->unresolved_units, name);
	if (candidates->len)
		note_candidates(hoso_map_slot(&report->shared_unit_names, name, strlen(name)),
				candidates->data);
	return NULL;
}

/*
 * The deriving threads' rows wait in run files of two kinds, each merged
 * into its staging files by a thread of its own: the case_fact rows, and
 * the case_due and case_status rows (about as many bytes).
 */
enum run_kind { RUN_FACT, RUN_STEPS, RUN_KINDS };
#define RUN_MAX_TABLES 2
static const struct {
	int ntables;
	enum hoso_staging_file tables[RUN_MAX_TABLES];	/* a chunk's rows, in this order */
} run_kinds[RUN_KINDS] = {
	[RUN_FACT] = { 1, { HOSO_STAGING_CASE_FACT } },
	[RUN_STEPS] = { 2, { HOSO_STAGING_CASE_DUE, HOSO_STAGING_CASE_STATUS } },
};

/*
 * What the threads share: which partition comes next, where each one's
 * rows went.  The threads first spill the rests of the spilled partitions
 * (case_part_has_rest), then derive the partitions; one that was spilled
 * only once no thread spills any more.
 */
struct derive_plan {
	struct transform *tr;
	pthread_mutex_t summary_lock;
	int rests[CASE_PARTITIONS];	/* the partitions with a rest to spill */
	int nrests;
	int next_rest;			/* into rests, taken atomically */
	pthread_mutex_t lock;
	pthread_cond_t spilled;		/* spilling dropped to 0 */
	int spilling;			/* threads not done spilling rests */
	int order[CASE_PARTITIONS];	/* the partitions, held ones first */
	int nheld;
	int next;			/* into order, taken atomically */
	struct transform_report reports[CASE_PARTITIONS];
	struct {
		int fd;
		struct case_extent extent;
	} runs[CASE_PARTITIONS][RUN_KINDS];
};

/* A deriving thread's run file of one kind. */
struct run_out {
	int fd;				/* -1 until the first write */
	unsigned long long end;
	struct hoso_buf buf;		/* chunks before a write */
};

/*
 * One deriving thread.  The partitions are shared out between the threads;
 * each partition's rows go to the thread's run files, as one chunk a case
 * in key order, and are merged in key order afterwards, so the staging
 * files do not depend on which thread derived what.  A chunk: the lengths
 * of src, case_no and of the case's rows of each of the kind's files (u32
 * each), then those bytes; the rows without their first two columns, src
 * and case_no, which the merge puts back (a quarter of the bytes the run
 * files would write and read again).  A case without rows of a kind has no
 * chunk in its runs.
 */
/* The key columns the case files begin with, left out of the runs. */
#define RUN_KEY_COLUMNS 2
_Static_assert(HOSO_CASE_FACT_src == 0 && HOSO_CASE_FACT_case_no == 1 &&
	       HOSO_CASE_DUE_src == 0 && HOSO_CASE_DUE_case_no == 1 &&
	       HOSO_CASE_STATUS_src == 0 && HOSO_CASE_STATUS_case_no == 1,
	       "the case files begin with src and case_no");

struct derive_worker {
	struct transform *tr;
	struct derive_plan *plan;
	struct transform_report *report;	/* the partition being derived's */
	struct hoso_buf fact, due, status;	/* the case's rows */
	/* the unit path literal of path_unit: cases in key order mostly share their unit */
	struct hoso_buf path;
	const struct hoso_unit *path_unit;
	bool path_valid;
	struct run_out runs[RUN_KINDS];
	/* reused from one case to the next */
	struct hoso_buf text;
	struct progress_row *rows;
	size_t caprows;
	struct hoso_step *steps;
	size_t capsteps;
	struct hoso_span *spans;	/* the due spans */
	size_t capspans;
	struct hoso_span *status_spans;
	size_t capstatus;
	pthread_t thread;
};

static void
derive_case(struct derive_worker *ds, const struct case_part *part, const struct case_entry *c)
{
	struct transform *tr = ds->tr;
	struct transform_report *report = ds->report;
	const struct dossier_version *v = &c->latest;
	struct hoso_buf *scratch = &ds->text;
	struct hoso_step **steps = &ds->steps;
	struct hoso_span **spans = &ds->spans;
	size_t *capsteps = &ds->capsteps, *capspans = &ds->capspans;
	const struct progress_row *rows;
	size_t nrows;
	struct hoso_dossier_view view;
	struct hoso_milestones m;
	struct hoso_judgement_766 j766 = { false, HOSO_TIME_NONE };
	const struct hoso_unit *unit;
	const struct hoso_procedure *proc;
	struct hoso_value cf[HOSO_CASE_FACT_NCOLUMNS];
	size_t nspans, nstatus;
	long long working = -1;
	hoso_time first_event, last_event;

	nrows = case_order_progress(&tr->cases, part, c, &ds->rows, &ds->caprows);
	rows = ds->rows;
	if (nrows > *capsteps) {
		*capsteps = nrows;
		*steps = hoso_xrealloc(*steps, *capsteps * sizeof(**steps));
	}
	for (size_t i = 0; i < nrows; i++)
		(*steps)[i] = (struct hoso_step) { rows[i].event_at, (int) rows[i].status };
	if (nrows + v->nrounds + 2 > *capspans) {
		*capspans = nrows + v->nrounds + 2;
		*spans = hoso_xrealloc(*spans, *capspans * sizeof(**spans));
	}
	if (nrows + 2 > ds->capstatus) {
		ds->capstatus = nrows + 2;
		ds->status_spans = hoso_xrealloc(ds->status_spans,
						 ds->capstatus * sizeof(*ds->status_spans));
	}

	view = (struct hoso_dossier_view) {
		.status = v->status, .accepted_at = v->accepted_at, .due_at = v->due_at,
		.processed_at = v->processed_at, .returned_at = v->returned_at,
		.refused_at = v->refused_at, .rounds = v->rounds, .nrounds = v->nrounds,
	};
	for (int s = 0; s <= 10; s++)
		view.first_at_with_status[s] = s >= CASE_FIRST_STATUS ?
			c->first_at_with_status[s - CASE_FIRST_STATUS] : HOSO_TIME_NONE;
	hoso_milestones_derive(&view, *steps, nrows, &m);

	first_event = m.accepted_at;
	last_event = latest(m.end_at, v->order.at);
	if (nrows) {
		first_event = earliest(first_event, rows[0].event_at);
		last_event = latest(last_event, rows[nrows - 1].event_at);
	}
	unit = case_unit(tr, report, c, unit_day(&m, first_event, v->order.at), scratch);
	proc = hoso_reference_procedure(&tr->ref, v->procedure_code);
	if (!proc && v->procedure_code)
		count_in(&report->unknown_procedures, v->procedure_code);
	report->cases_unresolved += !unit || (!proc && v->procedure_code);
	if (m.received && m.end_at != HOSO_TIME_NONE)
		working = hoso_case_working_seconds(&tr->ref.calendar, m.accepted_at, m.end_at,
						    v->rounds, v->nrounds);
	if (m.received)
		hoso_judge_766(&tr->ref.calendar, &view, &m, working,
			       proc ? hoso_limit_from_catalogue(proc->limit_value, proc->limit_unit) :
			       (struct hoso_limit) { HOSO_LIMIT_NONE, 0 }, &j766);

	report->cases_derived++;
	report->cases_received += m.received;
	report->inconsistent_cases += m.inconsistent;

	memset(cf, 0, sizeof(cf));
	hoso_value_str(&cf[HOSO_CASE_FACT_src], c->src);
	hoso_value_str(&cf[HOSO_CASE_FACT_case_no], c->case_no);
	hoso_value_str(&cf[HOSO_CASE_FACT_unit_code], unit ? unit->code : HOSO_UNRESOLVED_UNIT);
	if (!ds->path_valid || ds->path_unit != unit) {
		unit_path_literal(unit, &ds->path);
		ds->path_unit = unit;
		ds->path_valid = true;
	}
	hoso_value_text(&cf[HOSO_CASE_FACT_unit_path], ds->path.data, ds->path.len);
	hoso_value_str(&cf[HOSO_CASE_FACT_procedure_code], v->procedure_code);
	hoso_value_bool(&cf[HOSO_CASE_FACT_procedure_known], proc != NULL);
	hoso_value_str(&cf[HOSO_CASE_FACT_field_code],
		       proc && proc->field_code ? proc->field_code : v->field_code);
	hoso_value_int(&cf[HOSO_CASE_FACT_channel], v->channel);
	hoso_value_int(&cf[HOSO_CASE_FACT_status], v->status);
	hoso_value_bool(&cf[HOSO_CASE_FACT_received], m.received);
	hoso_value_time(&cf[HOSO_CASE_FACT_accepted_at], m.accepted_at);
	hoso_value_time(&cf[HOSO_CASE_FACT_finished_at], m.finished_at);
	hoso_value_time(&cf[HOSO_CASE_FACT_closed_at], m.closed_at);
	hoso_value_time(&cf[HOSO_CASE_FACT_end_at], m.end_at);
	hoso_value_str(&cf[HOSO_CASE_FACT_end_kind], m.end_kind == HOSO_END_RESOLVED ? "R" :
		       m.end_kind == HOSO_END_CLOSED ? "C" : NULL);
	hoso_value_time(&cf[HOSO_CASE_FACT_due_at_end], m.due_at_end);
	hoso_value_time(&cf[HOSO_CASE_FACT_original_due_at], m.original_due_at);
	hoso_value_bool(&cf[HOSO_CASE_FACT_digitised], v->digitised);
	hoso_value_bool(&cf[HOSO_CASE_FACT_paid_online], v->paid_online);
	hoso_value_bool(&cf[HOSO_CASE_FACT_has_fee], v->has_fee);
	hoso_value_bool(&cf[HOSO_CASE_FACT_e_result], v->e_result);
	hoso_value_bool(&cf[HOSO_CASE_FACT_paper_result], proc ? proc->paper_result : false);
	hoso_value_bool(&cf[HOSO_CASE_FACT_vneid], v->vneid);
	hoso_value_bool(&cf[HOSO_CASE_FACT_reuse], v->reuse);
	hoso_value_int(&cf[HOSO_CASE_FACT_supplement_rounds], (long long) v->nrounds);
	if (working >= 0)
		hoso_value_int(&cf[HOSO_CASE_FACT_working_seconds], working);
	hoso_value_bool(&cf[HOSO_CASE_FACT_inconsistent], m.inconsistent);
	hoso_value_time(&cf[HOSO_CASE_FACT_first_event_at], first_event);
	hoso_value_time(&cf[HOSO_CASE_FACT_last_event_at], last_event);
	/* 766 criterion 2.1, judged once here (hoso_index766.h) */
	hoso_value_bool(&cf[HOSO_CASE_FACT_judged_766], true);
	if (m.end_kind == HOSO_END_RESOLVED)
		hoso_value_bool(&cf[HOSO_CASE_FACT_on_time_766], j766.resolved_on_time);
	hoso_value_time(&cf[HOSO_CASE_FACT_late_766_at], j766.late_from);
	staging_format_row_from(&ds->fact, HOSO_STAGING_CASE_FACT, cf, RUN_KEY_COLUMNS);

	nspans = hoso_due_spans(&view, *spans);
	for (size_t i = 0; i < nspans; i++) {
		struct hoso_value due[HOSO_CASE_DUE_NCOLUMNS] = { 0 };

		hoso_value_str(&due[HOSO_CASE_DUE_src], c->src);
		hoso_value_str(&due[HOSO_CASE_DUE_case_no], c->case_no);
		hoso_value_time(&due[HOSO_CASE_DUE_from_at], (*spans)[i].from_at);
		hoso_value_time(&due[HOSO_CASE_DUE_due_at], (*spans)[i].due_at);
		staging_format_row_from(&ds->due, HOSO_STAGING_CASE_DUE, due, RUN_KEY_COLUMNS);
	}
	nstatus = hoso_status_spans(&view, &m, *steps, nrows, ds->status_spans);
	for (size_t i = 0; i < nstatus; i++) {
		struct hoso_value st[HOSO_CASE_STATUS_NCOLUMNS] = { 0 };

		hoso_value_str(&st[HOSO_CASE_STATUS_src], c->src);
		hoso_value_str(&st[HOSO_CASE_STATUS_case_no], c->case_no);
		hoso_value_time(&st[HOSO_CASE_STATUS_from_at], ds->status_spans[i].from_at);
		hoso_value_int(&st[HOSO_CASE_STATUS_status], ds->status_spans[i].status);
		staging_format_row_from(&ds->status, HOSO_STAGING_CASE_STATUS, st, RUN_KEY_COLUMNS);
	}

	/* the summary rows count received cases only, from the rows just written */
	if (m.received) {
		/* one summary for all threads: a copy each would double its memory */
		pthread_mutex_lock(&ds->plan->summary_lock);
		summary_add_case(&tr->summary, &(struct summary_case) {
			.unit_path = ds->path.data, .procedure_code = v->procedure_code,
			.channel = v->channel, .digitised = v->digitised, .has_fee = v->has_fee,
			.paid_online = v->paid_online, .vneid = v->vneid, .reuse = v->reuse,
			.e_result = v->e_result, .paper_result = proc ? proc->paper_result : false,
			.accepted_at = m.accepted_at, .end_at = m.end_at,
			.due_at_end = m.due_at_end, .late_766_at = j766.late_from,
			.end_kind = m.end_kind, .working_seconds = working,
			.on_time_766 = j766.resolved_on_time,
			.due = *spans, .ndue = nspans, .status = ds->status_spans, .nstatus = nstatus,
		});
		pthread_mutex_unlock(&ds->plan->summary_lock);
	}
}

/* Byte order of (src, case_no): the order of the warehouse's keys. */
static int
compare_case_key(const void *pa, const void *pb)
{
	const struct case_entry *a = *(const struct case_entry *const *) pa;
	const struct case_entry *b = *(const struct case_entry *const *) pb;
	int c = strcmp(a->src, b->src);

	return c ? c : strcmp(a->case_no, b->case_no);
}

#define RUN_FLUSH_BYTES (1024 * 1024)
#define RUN_READ_BYTES (16 * 1024)
#define RUN_HEADER_WORDS (RUN_KEY_COLUMNS + RUN_MAX_TABLES)

static void
run_flush(struct derive_worker *w, struct run_out *run)
{
	if (run->buf.len == 0)
		return;
	if (run->fd < 0)
		run->fd = spill_open(w->tr->staging.dir);
	spill_write(run->fd, run->end, run->buf.data, run->buf.len);
	run->end += run->buf.len;
	hoso_buf_reset(&run->buf);
}

/* Append the case's chunk of a kind to its run (derive_worker's comment). */
static void
run_add_chunk(struct derive_worker *w, struct run_out *run, const struct case_entry *c,
	      const struct hoso_buf *const *rows, int nrows)
{
	uint32_t header[RUN_HEADER_WORDS] = { (uint32_t) strlen(c->src), (uint32_t) strlen(c->case_no) };
	size_t len = 0;

	for (int k = 0; k < nrows; k++)
		len += header[RUN_KEY_COLUMNS + k] = (uint32_t) rows[k]->len;
	if (len == 0)
		return;
	hoso_buf_add(&run->buf, header, (RUN_KEY_COLUMNS + (size_t) nrows) * sizeof(*header));
	hoso_buf_add(&run->buf, c->src, header[0]);
	hoso_buf_add(&run->buf, c->case_no, header[1]);
	for (int k = 0; k < nrows; k++)
		hoso_buf_add(&run->buf, rows[k]->data, rows[k]->len);
	if (run->buf.len >= RUN_FLUSH_BYTES)
		run_flush(w, run);
}

static void
run_add_case(struct derive_worker *w, const struct case_entry *c)
{
	const struct hoso_buf *fact[] = { &w->fact }, *steps[] = { &w->due, &w->status };

	run_add_chunk(w, &w->runs[RUN_FACT], c, fact, 1);
	run_add_chunk(w, &w->runs[RUN_STEPS], c, steps, 2);
	hoso_buf_reset(&w->fact);
	hoso_buf_reset(&w->due);
	hoso_buf_reset(&w->status);
}

/* Whether the case is to be derived: the run brought it, or --derive-only lists it. */
static bool
case_wanted(const struct case_entry *c)
{
	return c->touched || (c->listed && (c->has_version || c->last_row));
}

/* Derive partition p's cases in key order into the worker's run, then free the partition. */
static void
derive_partition(struct derive_worker *w, int p)
{
	struct case_table *t = &w->tr->cases;
	struct case_part loaded, *part = &t->parts[p];
	const struct case_entry **order;	/* the entries are the partition's */
	unsigned long long start[RUN_KINDS];
	size_t n = 0;

	w->report = &w->plan->reports[p];
	if (part->nspills) {
		case_part_load(t, p, &loaded, true);
		case_part_release(part);
		part = &loaded;
	}
	order = hoso_xmalloc((part->ncases ? part->ncases : 1) * sizeof(*order));
	for (size_t i = 0; i < part->ncases; i++) {
		const struct case_entry *c = case_part_at(part, i);

		if (!case_wanted(c))
			continue;
		if (!c->has_version) {
			/* progress rows wait in the archive for their dossier */
			w->report->orphan_cases++;
			continue;
		}
		order[n++] = c;
	}
	qsort(order, n, sizeof(*order), compare_case_key);
	for (int k = 0; k < RUN_KINDS; k++) {
		run_flush(w, &w->runs[k]);
		start[k] = w->runs[k].end;
	}
	for (size_t i = 0; i < n; i++) {
		derive_case(w, part, order[i]);
		run_add_case(w, order[i]);
	}
	for (int k = 0; k < RUN_KINDS; k++) {
		run_flush(w, &w->runs[k]);
		w->plan->runs[p][k].fd = w->runs[k].fd;
		w->plan->runs[p][k].extent = (struct case_extent) { start[k], w->runs[k].end - start[k] };
	}
	free(order);
	case_part_release(part);
}

static void *
worker_main(void *arg)
{
	struct derive_worker *w = arg;
	struct derive_plan *plan = w->plan;
	int i;

	/* the run buffer is empty until deriving begins: it gathers the spill records */
	while ((i = __atomic_fetch_add(&plan->next_rest, 1, __ATOMIC_RELAXED)) < plan->nrests)
		case_part_spill_rest(&w->tr->cases, plan->rests[i], &w->runs[RUN_FACT].buf);
	pthread_mutex_lock(&plan->lock);
	if (--plan->spilling == 0) {
		/*
		 * The spilled partitions' heap was the reading thread's: a
		 * deriving thread allocates in an arena of its own and would
		 * not reuse it, so its pages go back before any is loaded
		 * (without this the peak grows by a third at scale 10).
		 */
		if (plan->nrests > 0)
			malloc_trim(0);
		pthread_cond_broadcast(&plan->spilled);
	}
	pthread_mutex_unlock(&plan->lock);
	while ((i = __atomic_fetch_add(&plan->next, 1, __ATOMIC_RELAXED)) < CASE_PARTITIONS) {
		if (i >= plan->nheld) {
			pthread_mutex_lock(&plan->lock);
			while (plan->spilling > 0)
				pthread_cond_wait(&plan->spilled, &plan->lock);
			pthread_mutex_unlock(&plan->lock);
		}
		derive_partition(w, plan->order[i]);
	}
	return NULL;
}

/* One partition's run being merged: its current case's chunk. */
struct run_cursor {
	struct spill_reader r;
	int nwords;			/* in the kind's header */
	uint32_t header[RUN_HEADER_WORDS];
	const char *body;		/* src, case_no, then the rows */
};

static bool
cursor_next(struct run_cursor *cur)
{
	size_t len = 0;

	if (spill_reader_done(&cur->r))
		return false;
	memcpy(cur->header, spill_take(&cur->r, (size_t) cur->nwords * sizeof(*cur->header)),
	       (size_t) cur->nwords * sizeof(*cur->header));
	/* a few 32-bit lengths: their sum cannot overflow a size_t */
	for (int k = 0; k < cur->nwords; k++)
		len += cur->header[k];
	cur->body = spill_take(&cur->r, len);
	return true;
}

static int
compare_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* The order of compare_case_key, on the chunks' keys. */
static int
compare_cursors(const struct run_cursor *a, const struct run_cursor *b)
{
	int c = compare_bytes(a->body, a->header[0], b->body, b->header[0]);

	return c ? c : compare_bytes(a->body + a->header[0], a->header[1],
				     b->body + b->header[0], b->header[1]);
}

static void
heap_down(struct run_cursor **heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct run_cursor *tmp;

		if (l < n && compare_cursors(heap[l], heap[m]) < 0)
			m = l;
		if (l + 1 < n && compare_cursors(heap[l + 1], heap[m]) < 0)
			m = l + 1;
		if (m == i)
			return;
		tmp = heap[i];
		heap[i] = heap[m];
		heap[m] = tmp;
		i = m;
	}
}

/* One kind's merge, on a thread of its own. */
struct run_merge {
	struct transform *tr;
	const struct derive_plan *plan;
	enum run_kind kind;
	pthread_t thread;
};

/* Every partition's run of a kind into the kind's staging files, in key order. */
static void *
merge_runs(void *arg)
{
	const struct run_merge *m = arg;
	const struct derive_plan *plan = m->plan;
	int ntables = run_kinds[m->kind].ntables;
	struct run_cursor *cursors = hoso_xcalloc(CASE_PARTITIONS, sizeof(*cursors));
	struct run_cursor **heap = hoso_xcalloc(CASE_PARTITIONS, sizeof(*heap));
	struct hoso_buf key = HOSO_BUF_INIT;
	size_t n = 0, ncursors = 0;

	for (int p = 0; p < CASE_PARTITIONS; p++) {
		struct run_cursor *cur = &cursors[ncursors];

		if (plan->runs[p][m->kind].extent.length == 0)
			continue;
		spill_reader_init(&cur->r, plan->runs[p][m->kind].fd,
				  plan->runs[p][m->kind].extent.offset,
				  plan->runs[p][m->kind].extent.length, RUN_READ_BYTES, true);
		cur->nwords = RUN_KEY_COLUMNS + ntables;
		ncursors++;
		if (cursor_next(cur))
			heap[n++] = cur;
	}
	for (size_t i = n; i-- > 0;)
		heap_down(heap, n, i);
	while (n > 0) {
		struct run_cursor *cur = heap[0];
		const char *rows = cur->body + cur->header[0] + cur->header[1];

		/* the key columns the rows lack: src TAB case_no TAB */
		hoso_buf_reset(&key);
		hoso_buf_add_copy_field(&key, cur->body, cur->header[0]);
		hoso_buf_addch(&key, '\t');
		hoso_buf_add_copy_field(&key, cur->body + cur->header[0], cur->header[1]);
		hoso_buf_addch(&key, '\t');
		for (int k = 0; k < ntables; k++) {
			uint32_t len = cur->header[RUN_KEY_COLUMNS + k];

			staging_append_prefixed(&m->tr->staging, run_kinds[m->kind].tables[k], key.data,
						key.len, rows, len);
			rows += len;
		}
		if (!cursor_next(cur))
			heap[0] = heap[--n];
		heap_down(heap, n, 0);
	}
	for (size_t i = 0; i < ncursors; i++)
		spill_reader_release(&cursors[i].r);
	hoso_buf_release(&key);
	free(cursors);
	free(heap);
	return NULL;
}

static void
add_counts(struct hoso_map *into, const struct hoso_map *from)
{
	const struct hoso_map_entry *e;

	for (size_t i = 0; hoso_map_next(from, &i, &e);) {
		void **slot = hoso_map_slot(into, e->key, e->keylen);

		*slot = (void *) ((uintptr_t) *slot + (uintptr_t) e->value);
	}
}

/* Add a partition's report of its derived cases to the run's, and free it. */
static void
report_merge(struct transform_report *into, struct transform_report *from)
{
	const struct hoso_map_entry *e;

	into->cases_derived += from->cases_derived;
	into->cases_received += from->cases_received;
	into->orphan_cases += from->orphan_cases;
	into->inconsistent_cases += from->inconsistent_cases;
	into->cases_unresolved += from->cases_unresolved;
	add_counts(&into->unresolved_units, &from->unresolved_units);
	add_counts(&into->unknown_procedures, &from->unknown_procedures);
	add_counts(&into->units_by_name_only, &from->units_by_name_only);
	for (size_t i = 0; hoso_map_next(&from->shared_unit_names, &i, &e);)
		note_candidates(hoso_map_slot(&into->shared_unit_names, e->key, e->keylen), e->value);
	hoso_map_release(&from->unresolved_units);
	hoso_map_release(&from->unknown_procedures);
	hoso_map_release(&from->units_by_name_only);
	transform_release_shared_names(from);
}

/*
 * The case rows go out sorted by key: the warehouse's (src, case_no, ...)
 * indexes then take them as appends rather than random inserts, which
 * makes their COPY several times cheaper (BENCHMARKS.md).  The partitions
 * are derived by tr->jobs threads, each case's rows kept in run files,
 * then merged in key order, each kind of run by a thread of its own while
 * this one adds up the reports (in partition order) and writes the
 * summary rows.
 */
void
transform_derive_all(struct transform *tr)
{
	struct derive_plan *plan = hoso_xcalloc(1, sizeof(*plan));
	int nworkers = tr->jobs > 0 ? tr->jobs : 1, n = 0;
	struct derive_worker *workers;
	struct run_merge merges[RUN_KINDS];

	plan->tr = tr;
	pthread_mutex_init(&plan->summary_lock, NULL);
	pthread_mutex_init(&plan->lock, NULL);
	pthread_cond_init(&plan->spilled, NULL);
	case_table_drop_index(&tr->cases);
	for (int p = 0; p < CASE_PARTITIONS; p++)
		if (case_part_has_rest(&tr->cases, p))
			plan->rests[plan->nrests++] = p;
	/* the spilled partitions last: by then the held ones have been freed */
	for (int pass = 0; pass < 2; pass++) {
		for (int p = 0; p < CASE_PARTITIONS; p++)
			if ((tr->cases.parts[p].nspills > 0) == pass)
				plan->order[n++] = p;
		if (pass == 0)
			plan->nheld = n;
	}
	if (nworkers > CASE_PARTITIONS)
		nworkers = CASE_PARTITIONS;
	plan->spilling = nworkers;
	workers = hoso_xcalloc((size_t) nworkers, sizeof(*workers));
	for (int i = 0; i < nworkers; i++) {
		workers[i].tr = tr;
		workers[i].plan = plan;
		for (int k = 0; k < RUN_KINDS; k++)
			workers[i].runs[k].fd = -1;
	}
	for (int i = 1; i < nworkers; i++) {
		int rc = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);

		if (rc != 0)
			hoso_die("cannot start a deriving thread: %s", strerror(rc));
	}
	worker_main(&workers[0]);
	for (int i = 1; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	/* the summary files and each kind's files are written by one thread each */
	for (int k = 0; k < RUN_KINDS; k++) {
		int rc;

		merges[k] = (struct run_merge) { .tr = tr, .plan = plan, .kind = (enum run_kind) k };
		rc = pthread_create(&merges[k].thread, NULL, merge_runs, &merges[k]);
		if (rc != 0)
			hoso_die("cannot start a merging thread: %s", strerror(rc));
	}
	for (int p = 0; p < CASE_PARTITIONS; p++)
		report_merge(&tr->report, &plan->reports[p]);
	summary_write(&tr->summary, &tr->staging);
	for (int k = 0; k < RUN_KINDS; k++)
		pthread_join(merges[k].thread, NULL);
	for (int i = 0; i < nworkers; i++) {
		struct derive_worker *w = &workers[i];

		for (int k = 0; k < RUN_KINDS; k++) {
			if (w->runs[k].fd >= 0)
				close(w->runs[k].fd);
			hoso_buf_release(&w->runs[k].buf);
		}
		hoso_buf_release(&w->fact);
		hoso_buf_release(&w->due);
		hoso_buf_release(&w->status);
		hoso_buf_release(&w->path);
		free(w->rows);
		free(w->steps);
		free(w->spans);
		free(w->status_spans);
		hoso_buf_release(&w->text);
	}
	free(workers);
	pthread_mutex_destroy(&plan->summary_lock);
	pthread_mutex_destroy(&plan->lock);
	pthread_cond_destroy(&plan->spilled);
	free(plan);
}

static int
compare_entry_keys(const void *pa, const void *pb)
{
	const struct hoso_map_entry *a = *(const struct hoso_map_entry *const *) pa;
	const struct hoso_map_entry *b = *(const struct hoso_map_entry *const *) pb;

	return compare_bytes(a->key, a->keylen, b->key, b->keylen);
}

/*
 * The map's entries by key: their order in the map follows the order of
 * insertion, which threads make vary.  The caller frees the array.
 */
static const struct hoso_map_entry **
sorted_entries(const struct hoso_map *map)
{
	const struct hoso_map_entry **sorted = hoso_xmalloc((map->count ? map->count : 1) * sizeof(*sorted));
	const struct hoso_map_entry *e;
	size_t n = 0;

	for (size_t i = 0; hoso_map_next(map, &i, &e);)
		sorted[n++] = e;
	qsort(sorted, n, sizeof(*sorted), compare_entry_keys);
	return sorted;
}

static void
map_json(const struct hoso_map *map, struct hoso_buf *out)
{
	const struct hoso_map_entry **sorted = sorted_entries(map);

	hoso_buf_addch(out, '{');
	for (size_t i = 0; i < map->count; i++) {
		const struct hoso_map_entry *e = sorted[i];

		if (i)
			hoso_buf_addch(out, ',');
		hoso_buf_add_json_string(out, e->key, e->keylen);
		hoso_buf_addf(out, ":%llu", (unsigned long long) (uintptr_t) e->value);
	}
	hoso_buf_addch(out, '}');
	free(sorted);
}

void
transform_release_shared_names(struct transform_report *report)
{
	const struct hoso_map_entry *e;

	for (size_t i = 0; hoso_map_next(&report->shared_unit_names, &i, &e);)
		free(e->value);
	hoso_map_release(&report->shared_unit_names);
}

/* {"name": ["code", ...], ...} from the ", "-separated lists */
static void
shared_names_json(const struct hoso_map *map, struct hoso_buf *out)
{
	const struct hoso_map_entry **sorted = sorted_entries(map);

	hoso_buf_addch(out, '{');
	for (size_t i = 0; i < map->count; i++) {
		const char *p = sorted[i]->value;

		hoso_buf_addstr(out, i ? "," : "");
		hoso_buf_add_json_string(out, sorted[i]->key, sorted[i]->keylen);
		hoso_buf_addstr(out, ":[");
		while (*p) {
			size_t len = strcspn(p, ",");

			hoso_buf_add_json_string(out, p, len);
			p += len;
			p += strspn(p, ", ");
			hoso_buf_addstr(out, *p ? "," : "");
		}
		hoso_buf_addch(out, ']');
	}
	hoso_buf_addch(out, '}');
	free(sorted);
}

void
transform_report_json(const struct transform *tr, struct hoso_buf *out)
{
	const struct transform_report *r = &tr->report;

	hoso_buf_addf(out,
		      "{\"files\":%llu,\"dossiers\":%llu,\"progress\":%llu,\"rejects\":%llu,"
		      "\"prior_dossiers\":%llu,\"prior_progress\":%llu,\"cases_derived\":%llu,"
		      "\"cases_received\":%llu,\"orphan_cases\":%llu,\"inconsistent_cases\":%llu,"
		      "\"cases_unresolved\":%llu,\"calendar_days_missing\":%zu,\"unresolved_units\":",
		      r->files, r->dossiers, r->progress, r->rejects, r->prior_dossiers,
		      r->prior_progress, r->cases_derived, r->cases_received, r->orphan_cases,
		      r->inconsistent_cases, r->cases_unresolved, tr->ref.calendar.missing_lookups);
	map_json(&r->unresolved_units, out);
	hoso_buf_addstr(out, ",\"shared_unit_names\":");
	shared_names_json(&r->shared_unit_names, out);
	hoso_buf_addstr(out, ",\"unknown_procedures\":");
	map_json(&r->unknown_procedures, out);
	hoso_buf_addstr(out, ",\"unknown_channels\":");
	map_json(&r->unknown_channels, out);
	hoso_buf_addstr(out, ",\"units_by_name_only\":");
	map_json(&r->units_by_name_only, out);
	hoso_buf_addstr(out, ",\"calendar_days_outside\":");
	map_json(&tr->ref.calendar.missing_days, out);
	hoso_buf_addstr(out, "}\n");
}
