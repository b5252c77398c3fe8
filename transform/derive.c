/*
 * derive.c: from a touched case's messages to its warehouse facts: the
 * case_fact row, its due-date steps and its status steps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_index766.h"
#include "hoso_log.h"
#include "hoso_milestones.h"
#include "hoso_worktime.h"
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
case_unit(struct transform *tr, const struct case_entry *c, hoso_date day,
	  struct hoso_buf *candidates)
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
			void **slot = hoso_map_slot(&tr->report.units_by_name_only, c->case_no,
						    (size_t) (dash - c->case_no));

			*slot = (void *) ((uintptr_t) *slot + 1);
		}
		return unit;
	}
	count_in(&tr->report.unresolved_units, name);
	if (candidates->len)
		note_candidates(hoso_map_slot(&tr->report.shared_unit_names, name, strlen(name)),
				candidates->data);
	return NULL;
}

/* What derive_case reuses from one case to the next. */
struct derive_scratch {
	struct hoso_buf text;
	struct progress_row *rows;
	size_t caprows;
	struct hoso_step *steps;
	size_t capsteps;
	struct hoso_span *spans;	/* the due spans */
	size_t capspans;
	struct hoso_span *status_spans;
	size_t capstatus;
};

static void
derive_case(struct transform *tr, struct case_entry *c, struct derive_scratch *ds)
{
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

	nrows = case_order_progress(&tr->cases, c, &ds->rows, &ds->caprows);
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
	unit = case_unit(tr, c, unit_day(&m, first_event, v->order.at), scratch);
	proc = hoso_reference_procedure(&tr->ref, v->procedure_code);
	if (!proc && v->procedure_code)
		count_in(&tr->report.unknown_procedures, v->procedure_code);
	tr->report.cases_unresolved += !unit || (!proc && v->procedure_code);
	if (m.received && m.end_at != HOSO_TIME_NONE)
		working = hoso_case_working_seconds(&tr->ref.calendar, m.accepted_at, m.end_at,
						    v->rounds, v->nrounds);
	if (m.received)
		hoso_judge_766(&tr->ref.calendar, &view, &m, working,
			       proc ? hoso_limit_from_catalogue(proc->limit_value, proc->limit_unit) :
			       (struct hoso_limit) { HOSO_LIMIT_NONE, 0 }, &j766);

	tr->report.cases_derived++;
	tr->report.cases_received += m.received;
	tr->report.inconsistent_cases += m.inconsistent;

	memset(cf, 0, sizeof(cf));
	hoso_value_str(&cf[HOSO_CASE_FACT_src], c->src);
	hoso_value_str(&cf[HOSO_CASE_FACT_case_no], c->case_no);
	hoso_value_str(&cf[HOSO_CASE_FACT_unit_code], unit ? unit->code : HOSO_UNRESOLVED_UNIT);
	unit_path_literal(unit, scratch);
	hoso_value_text(&cf[HOSO_CASE_FACT_unit_path], scratch->data, scratch->len);
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
	staging_write_row(&tr->staging, HOSO_STAGING_CASE_FACT, cf);

	nspans = hoso_due_spans(&view, *spans);
	for (size_t i = 0; i < nspans; i++) {
		struct hoso_value due[HOSO_CASE_DUE_NCOLUMNS] = { 0 };

		hoso_value_str(&due[HOSO_CASE_DUE_src], c->src);
		hoso_value_str(&due[HOSO_CASE_DUE_case_no], c->case_no);
		hoso_value_time(&due[HOSO_CASE_DUE_from_at], (*spans)[i].from_at);
		hoso_value_time(&due[HOSO_CASE_DUE_due_at], (*spans)[i].due_at);
		staging_write_row(&tr->staging, HOSO_STAGING_CASE_DUE, due);
	}
	nstatus = hoso_status_spans(&view, &m, *steps, nrows, ds->status_spans);
	for (size_t i = 0; i < nstatus; i++) {
		struct hoso_value st[HOSO_CASE_STATUS_NCOLUMNS] = { 0 };

		hoso_value_str(&st[HOSO_CASE_STATUS_src], c->src);
		hoso_value_str(&st[HOSO_CASE_STATUS_case_no], c->case_no);
		hoso_value_time(&st[HOSO_CASE_STATUS_from_at], ds->status_spans[i].from_at);
		hoso_value_int(&st[HOSO_CASE_STATUS_status], ds->status_spans[i].status);
		staging_write_row(&tr->staging, HOSO_STAGING_CASE_STATUS, st);
	}

	/* the summary rows count received cases only, from the rows just written */
	if (m.received) {
		unit_path_literal(unit, scratch);
		summary_add_case(&tr->summary, &(struct summary_case) {
			.unit_path = scratch->data, .procedure_code = v->procedure_code,
			.channel = v->channel, .digitised = v->digitised, .has_fee = v->has_fee,
			.paid_online = v->paid_online, .vneid = v->vneid, .reuse = v->reuse,
			.e_result = v->e_result, .paper_result = proc ? proc->paper_result : false,
			.accepted_at = m.accepted_at, .end_at = m.end_at,
			.due_at_end = m.due_at_end, .late_766_at = j766.late_from,
			.end_kind = m.end_kind, .working_seconds = working,
			.on_time_766 = j766.resolved_on_time,
			.due = *spans, .ndue = nspans, .status = ds->status_spans, .nstatus = nstatus,
		});
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

/*
 * The case rows go out sorted by key: the warehouse's (src, case_no, ...)
 * indexes then take them as appends rather than random inserts, which
 * makes their COPY several times cheaper (BENCHMARKS.md).
 */
void
transform_derive_all(struct transform *tr)
{
	struct derive_scratch ds;
	struct case_entry **order;	/* owned; the entries are the table's */
	size_t n = 0;

	memset(&ds, 0, sizeof(ds));
	case_table_drop_index(&tr->cases);
	order = hoso_xmalloc((tr->cases.ncases ? tr->cases.ncases : 1) * sizeof(*order));
	for (size_t i = 0; i < tr->cases.ncases; i++) {
		struct case_entry *c = case_table_at(&tr->cases, i);

		if (!c->touched)
			continue;
		if (!c->has_version) {
			/* progress rows wait in the archive for their dossier */
			tr->report.orphan_cases++;
			continue;
		}
		order[n++] = c;
	}
	qsort(order, n, sizeof(*order), compare_case_key);
	for (size_t i = 0; i < n; i++)
		derive_case(tr, order[i], &ds);
	free(order);
	free(ds.rows);
	free(ds.steps);
	free(ds.spans);
	free(ds.status_spans);
	hoso_buf_release(&ds.text);
}

static void
map_json(const struct hoso_map *map, struct hoso_buf *out)
{
	const struct hoso_map_entry *e;
	bool first = true;

	hoso_buf_addch(out, '{');
	for (size_t i = 0; hoso_map_next(map, &i, &e);) {
		if (!first)
			hoso_buf_addch(out, ',');
		first = false;
		hoso_buf_add_json_string(out, e->key, e->keylen);
		hoso_buf_addf(out, ":%llu", (unsigned long long) (uintptr_t) e->value);
	}
	hoso_buf_addch(out, '}');
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
	const struct hoso_map_entry *e;
	bool first = true;

	hoso_buf_addch(out, '{');
	for (size_t i = 0; hoso_map_next(map, &i, &e);) {
		const char *p = e->value;

		hoso_buf_addstr(out, first ? "" : ",");
		first = false;
		hoso_buf_add_json_string(out, e->key, e->keylen);
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
