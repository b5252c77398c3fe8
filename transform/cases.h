/*
 * cases.h: the transform's table of cases touched by a run.
 *
 * Each case keeps only what derivation needs: its latest dossier version
 * (input.md §2: later _at wins, ties broken by path, line, position; a
 * version from the pipeline's preferred format beats the others whatever
 * its _at, input.md §3), the
 * earliest _at at which any version reported each status, and its progress
 * rows.  Memory is therefore bounded per case, not per message.
 */
#ifndef TRANSFORM_CASES_H
#define TRANSFORM_CASES_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_map.h"
#include "hoso_milestones.h"
#include "hoso_time.h"

/* Where a message was logged; orders versions and breaks ties. */
struct msg_order {
	hoso_time at;
	const char *path;	/* owned by the file table */
	long line;
	int pos;
};

struct dossier_version {
	struct msg_order order;
	bool preferred;			/* from a file of the pipeline's prefer: format */
	int status;
	int channel;			/* mapped: 1, 2 or 3 */
	hoso_time accepted_at, due_at, processed_at, returned_at, refused_at;
	char *procedure_code;
	char *field_code;
	char *unit_name;		/* NFC */
	bool digitised, paid_online, vneid, has_fee, e_result, reuse;
	struct hoso_round *rounds;
	size_t nrounds;
};

struct progress_row {
	struct msg_order order;
	hoso_time event_at;
	int status;
	unsigned long long content_hash;	/* of the NFC text, for duplicates */
};

struct case_entry {
	char *src;
	char *case_no;
	bool touched;			/* the run brought a message about it */
	struct dossier_version *latest;
	hoso_time first_at_with_status[11];
	struct progress_row *rows;
	size_t nrows, caprows;
};

struct case_table {
	struct hoso_map by_key;		/* "src\0case_no" -> struct case_entry */
	size_t ncases;
};

void case_table_init(struct case_table *t);
void case_table_release(struct case_table *t);
struct case_entry *case_table_get(struct case_table *t, const char *src, const char *case_no);
int msg_order_compare(const struct msg_order *a, const struct msg_order *b);

/* Offer a dossier version; the table keeps it if it is the latest. */
void case_offer_dossier(struct case_entry *c, struct dossier_version *v);
void case_add_progress(struct case_entry *c, const struct progress_row *row);
/*
 * Drop duplicate progress rows (same instant, status and text: one step
 * sent twice, the first logged copy is kept) and put the rest in history
 * order: by instant, then by the order they were logged.
 */
void case_order_progress(struct case_entry *c);
void dossier_version_free(struct dossier_version *v);

#endif
