/*
 * summary.h: the derived cases' contributions to hoso.summary_day,
 * summary_procedure_day and summary_procedure_month (docs/design.md §8),
 * added up in memory as the cases are derived and written as staging files,
 * so that the load adds them with one upsert per table instead of joining
 * the new facts back (what hoso.summary_day_apply and
 * hoso.summary_procedure_apply compute with p_sign = 1, row for row).
 *
 * Memory grows with the distinct (day, unit path[, procedure]) keys, a few
 * tens of thousands at scale 1, not with the cases.
 */
#ifndef TRANSFORM_SUMMARY_H
#define TRANSFORM_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_map.h"
#include "hoso_milestones.h"
#include "hoso_time.h"
#include "staging.h"

/* What one received case's contributions are computed from: its case_fact,
 * case_due and case_status rows as the transform writes them. */
struct summary_case {
	const char *unit_path;		/* the unit_path literal of case_fact */
	const char *procedure_code;	/* NULL: none */
	int channel;
	bool digitised, has_fee, paid_online, vneid, reuse, e_result, paper_result;
	hoso_time accepted_at, end_at, due_at_end, late_766_at;
	enum hoso_end_kind end_kind;
	long long working_seconds;	/* < 0: none */
	bool on_time_766;		/* for resolved cases */
	const struct hoso_span *due;	/* case_due rows, ordered by from_at */
	size_t ndue;
	const struct hoso_span *status;	/* case_status rows */
	size_t nstatus;
};

struct summary {
	struct hoso_map day;		/* day + unit path -> struct summary_day_row */
	struct hoso_map procedure_day;	/* day + unit path + code -> struct summary_procedure_row */
	struct hoso_map procedure_month;
};

void summary_init(struct summary *s);
void summary_release(struct summary *s);
/* Add the contributions of one received case. */
void summary_add_case(struct summary *s, const struct summary_case *c);
/* Write the three summary staging files' rows, sorted by key. */
void summary_write(const struct summary *s, struct staging *st);

#endif
