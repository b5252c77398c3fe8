/*
 * transform.h: what the transform's modules share.
 */
#ifndef TRANSFORM_TRANSFORM_H
#define TRANSFORM_TRANSFORM_H

#include <stdbool.h>

#include "cases.h"
#include "hoso_map.h"
#include "hoso_reference.h"
#include "staging.h"
#include "summary.h"

/* Counters and lists for report.json and the run report. */
struct transform_report {
	unsigned long long dossiers, progress, rejects, files;
	unsigned long long prior_dossiers, prior_progress;
	unsigned long long cases_derived, cases_received, orphan_cases, inconsistent_cases;
	unsigned long long bad_supplements;
	unsigned long long cases_unresolved;	/* unit unresolved or procedure unknown */
	struct hoso_map unresolved_units;	/* unit name -> count (as uintptr_t) */
	struct hoso_map shared_unit_names;	/* unit name -> owned "code, code": units bearing it that day */
	struct hoso_map unknown_procedures;	/* code -> count */
	struct hoso_map unknown_channels;	/* value -> count */
	struct hoso_map units_by_name_only;	/* agency code not in the catalogue -> cases
						   whose unit was found by name */
};

struct transform {
	struct hoso_reference ref;
	struct case_table cases;
	struct staging staging;
	struct summary summary;		/* the derived cases' summary rows */
	struct transform_report report;
	/* file table: file_no -> path and format (prior messages' files included) */
	char **paths;
	char **formats;			/* F.format; NULL when not given */
	size_t npaths;
	const char *prefer;		/* --prefer: versions from files of this format win */
	bool personal_hash;
	int jobs;			/* threads that derive */
	struct hoso_buf scratch;	/* NFC of one field at a time, reused */
};

/* Read one record stream; prior streams only feed the case table. */
bool transform_read_stream(struct transform *tr, FILE *in, const char *name, bool prior);
/* Fetch the archived messages of the run's cases from the warehouse. */
bool transform_fetch_prior(struct transform *tr, const char *conninfo, const char *tmpdir);
/* Derive and write the facts of every touched case, and the summary rows. */
void transform_derive_all(struct transform *tr);
void transform_report_json(const struct transform *tr, struct hoso_buf *out);
void transform_release_shared_names(struct transform_report *report);

#endif
