/*
 * hoso_layout.h: the layouts of the record stream (docs/design.md §1) and of
 * the staging files (§2), declared once.
 *
 * Each layout is an X-macro list of X(name, KIND).  From it come the field
 * positions the readers use (enum hoso_d_field ...), the column lists every
 * COPY names, the SELECT list that reads archived messages back, and the
 * rows the writers fill by name (struct hoso_value) and write in list
 * order.  A field's place is written only here, so a writer cannot put two
 * fields in each other's place, and a table whose physical column order
 * differs (ADD COLUMN) still receives each value in its own column.
 *
 * KIND: INT, CODE (text kept as sent), TEXT (free text, stored in NFC),
 * TIME (record stream: 14-digit local time; staging: timestamptz), BOOL,
 * JSON, DATE, PATH (a unit path, text[]).
 */
#ifndef HOSO_LAYOUT_H
#define HOSO_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"

enum hoso_kind {
	HOSO_KIND_INT, HOSO_KIND_CODE, HOSO_KIND_TEXT, HOSO_KIND_TIME, HOSO_KIND_BOOL,
	HOSO_KIND_JSON, HOSO_KIND_DATE, HOSO_KIND_PATH
};

/* ---- the record stream: F D P X E, each after its type letter ---- */

#define HOSO_F_FIELDS(X) \
	X(file_no, INT) X(path, CODE) X(size, INT) X(sha256, CODE) X(format, CODE)

/* What follows file_no in D and P records: where the message was, whose case. */
#define HOSO_MESSAGE_FIELDS(X) \
	X(line, INT) X(pos, INT) X(src, CODE) X(at, TIME) X(case_no, CODE)

#define HOSO_D_BODY(X) HOSO_MESSAGE_FIELDS(X) \
	X(procedure_code, CODE) X(procedure_name, TEXT) X(field_code, CODE) \
	X(channel_raw, CODE) X(applicant_type, CODE) X(submitted_at, TIME) \
	X(accepted_at, TIME) X(due_at, TIME) X(status, INT) X(processed_at, TIME) \
	X(returned_at, TIME) X(refused_at, TIME) X(unit_name, TEXT) X(return_form, CODE) \
	X(digitised, BOOL) X(paid_online, BOOL) X(vneid, BOOL) X(has_fee, BOOL) \
	X(e_result, BOOL) X(reuse, BOOL) X(supplements, CODE) X(applicant_hash, CODE)
#define HOSO_D_FIELDS(X) X(file_no, INT) HOSO_D_BODY(X)

#define HOSO_P_BODY(X) HOSO_MESSAGE_FIELDS(X) \
	X(event_at, TIME) X(status, INT) X(content, TEXT) X(department, TEXT) \
	X(step_start, TIME) X(step_deadline, TIME) X(handler_hash, CODE)
#define HOSO_P_FIELDS(X) X(file_no, INT) HOSO_P_BODY(X)

#define HOSO_X_FIELDS(X) \
	X(file_no, INT) X(line, INT) X(byte_offset, INT) X(field, CODE) X(reason, CODE) \
	X(raw, CODE)

#define HOSO_E_COUNTS(X) \
	X(lines, INT) X(messages, INT) X(dossiers, INT) X(progress, INT) \
	X(other_messages, INT) X(rejects, INT) X(unknown_fields, JSON)
#define HOSO_E_FIELDS(X) X(file_no, INT) HOSO_E_COUNTS(X)

/* Field positions: 0 is the type letter, then the list in order. */
#define HOSO_ENUM_F_(name, kind) HOSO_F_##name,
#define HOSO_ENUM_D_(name, kind) HOSO_D_##name,
#define HOSO_ENUM_P_(name, kind) HOSO_P_##name,
#define HOSO_ENUM_X_(name, kind) HOSO_X_##name,
#define HOSO_ENUM_E_(name, kind) HOSO_E_##name,
enum hoso_f_field { HOSO_F_TYPE_, HOSO_F_FIELDS(HOSO_ENUM_F_) HOSO_F_NFIELDS };
enum hoso_d_field { HOSO_D_TYPE_, HOSO_D_FIELDS(HOSO_ENUM_D_) HOSO_D_NFIELDS };
enum hoso_p_field { HOSO_P_TYPE_, HOSO_P_FIELDS(HOSO_ENUM_P_) HOSO_P_NFIELDS };
enum hoso_x_field { HOSO_X_TYPE_, HOSO_X_FIELDS(HOSO_ENUM_X_) HOSO_X_NFIELDS };
enum hoso_e_field { HOSO_E_TYPE_, HOSO_E_FIELDS(HOSO_ENUM_E_) HOSO_E_NFIELDS };

/* ---- the staging files ---- */

#define HOSO_FILES_COLUMNS(X) HOSO_F_FIELDS(X) HOSO_E_COUNTS(X)
/* the archive: file_no in the file, rewritten to the ledger's file_id by the load */
#define HOSO_DOSSIER_MSG_COLUMNS(X) X(file_id, INT) HOSO_D_BODY(X)
#define HOSO_PROGRESS_MSG_COLUMNS(X) X(file_id, INT) HOSO_P_BODY(X)
#define HOSO_CASE_FACT_COLUMNS(X) \
	X(src, CODE) X(case_no, CODE) X(unit_code, CODE) X(unit_path, PATH) \
	X(procedure_code, CODE) X(procedure_known, BOOL) X(field_code, CODE) X(channel, INT) \
	X(status, INT) X(received, BOOL) X(accepted_at, TIME) X(finished_at, TIME) \
	X(closed_at, TIME) X(end_at, TIME) X(end_kind, CODE) X(due_at_end, TIME) \
	X(original_due_at, TIME) X(digitised, BOOL) X(paid_online, BOOL) X(has_fee, BOOL) \
	X(e_result, BOOL) X(paper_result, BOOL) X(vneid, BOOL) X(reuse, BOOL) \
	X(supplement_rounds, INT) X(working_seconds, INT) X(inconsistent, BOOL) \
	X(first_event_at, TIME) X(last_event_at, TIME) X(judged_766, BOOL) \
	X(on_time_766, BOOL) X(late_766_at, TIME)
#define HOSO_CASE_DUE_COLUMNS(X) X(src, CODE) X(case_no, CODE) X(from_at, TIME) X(due_at, TIME)
#define HOSO_CASE_STATUS_COLUMNS(X) X(src, CODE) X(case_no, CODE) X(from_at, TIME) X(status, INT)
#define HOSO_REJECT_COLUMNS(X) HOSO_X_FIELDS(X)
/* The counters of hoso.summary_day: what one day adds to a unit path. */
#define HOSO_SUMMARY_DAY_COUNTERS(X) \
	X(received_online, INT) X(received_direct, INT) X(received_postal, INT) \
	X(digitised_at_intake, INT) X(fee_cases, INT) X(fee_paid_online, INT) \
	X(online_vneid, INT) X(reuse_cases, INT) X(resolved_early, INT) \
	X(resolved_on_time, INT) X(resolved_late, INT) X(closed_other, INT) \
	X(paper_resolved, INT) X(paper_resolved_e_result, INT) \
	X(resolved_working_seconds, INT) X(d_open, INT) X(d_overdue, INT) X(d_paused, INT) \
	X(resolved_on_time_766, INT) X(d_late_766, INT)
#define HOSO_SUMMARY_DAY_COLUMNS(X) X(day, DATE) X(unit_path, PATH) HOSO_SUMMARY_DAY_COUNTERS(X)
#define HOSO_SUMMARY_PROCEDURE_COUNTERS(X) X(resolved, INT) X(working_seconds, INT)
#define HOSO_SUMMARY_PROCEDURE_DAY_COLUMNS(X) \
	X(day, DATE) X(unit_path, PATH) X(procedure_code, CODE) HOSO_SUMMARY_PROCEDURE_COUNTERS(X)
#define HOSO_SUMMARY_PROCEDURE_MONTH_COLUMNS(X) \
	X(month, DATE) X(unit_path, PATH) X(procedure_code, CODE) HOSO_SUMMARY_PROCEDURE_COUNTERS(X)

/*
 * The staging files: X(ID, file name, table it loads into, columns, nkey).
 * The table is the warehouse's, or for files.tsv and reject.tsv the load's
 * temporary table.  The summary files are added to their table by key
 * (load/summary.c): their first nkey columns (the table's key adds the
 * province, which the file leaves to the column's default), the rest are
 * counters.
 */
#define HOSO_STAGING_FILES(X) \
	X(FILES, "files.tsv", "load_files", HOSO_FILES_COLUMNS, 0) \
	X(DOSSIER_MSG, "dossier_msg.tsv", "hoso.dossier_msg", HOSO_DOSSIER_MSG_COLUMNS, 0) \
	X(PROGRESS_MSG, "progress_msg.tsv", "hoso.progress_msg", HOSO_PROGRESS_MSG_COLUMNS, 0) \
	X(CASE_FACT, "case_fact.tsv", "hoso.case_fact", HOSO_CASE_FACT_COLUMNS, 0) \
	X(CASE_DUE, "case_due.tsv", "hoso.case_due", HOSO_CASE_DUE_COLUMNS, 0) \
	X(CASE_STATUS, "case_status.tsv", "hoso.case_status", HOSO_CASE_STATUS_COLUMNS, 0) \
	X(REJECT, "reject.tsv", "load_reject", HOSO_REJECT_COLUMNS, 0) \
	X(SUMMARY_DAY, "summary_day.tsv", "hoso.summary_day", HOSO_SUMMARY_DAY_COLUMNS, 2) \
	X(SUMMARY_PROCEDURE_DAY, "summary_procedure_day.tsv", "hoso.summary_procedure_day", \
	  HOSO_SUMMARY_PROCEDURE_DAY_COLUMNS, 3) \
	X(SUMMARY_PROCEDURE_MONTH, "summary_procedure_month.tsv", "hoso.summary_procedure_month", \
	  HOSO_SUMMARY_PROCEDURE_MONTH_COLUMNS, 3)

#define HOSO_ENUM_STAGING_(id, file, table, columns, nkey) HOSO_STAGING_##id,
enum hoso_staging_file { HOSO_STAGING_FILES(HOSO_ENUM_STAGING_) HOSO_STAGING_NFILES };

/* Column positions within each staging file (0-based). */
#define HOSO_ENUM_CASE_FACT_(name, kind) HOSO_CASE_FACT_##name,
enum hoso_case_fact_column { HOSO_CASE_FACT_COLUMNS(HOSO_ENUM_CASE_FACT_) HOSO_CASE_FACT_NCOLUMNS };
#define HOSO_ENUM_CASE_DUE_(name, kind) HOSO_CASE_DUE_##name,
enum hoso_case_due_column { HOSO_CASE_DUE_COLUMNS(HOSO_ENUM_CASE_DUE_) HOSO_CASE_DUE_NCOLUMNS };
#define HOSO_ENUM_CASE_STATUS_(name, kind) HOSO_CASE_STATUS_##name,
enum hoso_case_status_column {
	HOSO_CASE_STATUS_COLUMNS(HOSO_ENUM_CASE_STATUS_) HOSO_CASE_STATUS_NCOLUMNS
};
#define HOSO_ENUM_SUMMARY_DAY_(name, kind) HOSO_SUMMARY_DAY_##name,
enum hoso_summary_day_counter {
	HOSO_SUMMARY_DAY_COUNTERS(HOSO_ENUM_SUMMARY_DAY_) HOSO_SUMMARY_DAY_NCOUNTERS
};

/*
 * The files the record streams alone make: complete once the streams are
 * read, before the cases are derived.  The transform then lists them in
 * HOSO_STAGING_READ_MANIFEST, so that a load following it (hoso-load
 * --follow) copies them while the cases are still being derived.
 */
#define HOSO_STAGING_READ_FILES(X) X(FILES) X(DOSSIER_MSG) X(PROGRESS_MSG) X(REJECT)
bool hoso_staging_is_read_file(enum hoso_staging_file f);

/* The other files a staging directory may hold, outside the MANIFEST's list. */
#define HOSO_STAGING_MANIFEST "MANIFEST"
#define HOSO_STAGING_READ_MANIFEST "MANIFEST.read"	/* the MANIFEST's form, of those alone */
/* What the runner writes to a following load's standard input to let it commit. */
#define HOSO_STAGING_COMMIT_WORD "commit\n"
#define HOSO_STAGING_REPORT "report.json"
#define HOSO_STAGING_REBUILD_KEYS "rebuild-keys.tsv"
#define HOSO_STAGING_OWNER "OWNER"		/* which warehouse and run (hoso_owner.h) */
#define HOSO_STAGING_PRIOR_RECORDS "prior-records.tsv"
/* Every name a staging directory may hold, NULL-terminated (for cleanup). */
extern const char *const hoso_staging_all_names[];

struct hoso_column {
	const char *name;
	enum hoso_kind kind;
};

struct hoso_staging_layout {
	const char *file;
	const char *table;
	const struct hoso_column *columns;
	int ncolumns;
	int nkey;			/* the summary files' key: the first nkey columns */
};

extern const struct hoso_staging_layout hoso_staging_layouts[HOSO_STAGING_NFILES];

/* The record stream's layouts, by type letter; NULL for an unknown letter. */
const struct hoso_column *hoso_record_layout(char type, int *nfields);

/* Appends "a, b, c": the staging file's column names (the first n; -1 all). */
void hoso_staging_column_list(enum hoso_staging_file f, int n, struct hoso_buf *out);

/*
 * One value of a row being written, by name: writers fill an array indexed
 * by the layout's enum (zeroed first: every field \N) and write it whole.
 */
enum hoso_value_type {
	HOSO_VALUE_NULL = 0, HOSO_VALUE_TEXT, HOSO_VALUE_INT, HOSO_VALUE_BOOL, HOSO_VALUE_TIME
};
struct hoso_value {
	enum hoso_value_type type;
	const char *s;			/* TEXT: borrowed, len bytes */
	size_t len;
	long long i;			/* INT, BOOL (0/1), TIME (a hoso_time) */
};

static inline void
hoso_value_text(struct hoso_value *v, const char *s, size_t len)
{
	v->type = HOSO_VALUE_TEXT;
	v->s = s;
	v->len = len;
}

/* s NULL: \N */
void hoso_value_str(struct hoso_value *v, const char *s);

static inline void
hoso_value_int(struct hoso_value *v, long long i)
{
	v->type = HOSO_VALUE_INT;
	v->i = i;
}

static inline void
hoso_value_bool(struct hoso_value *v, bool b)
{
	v->type = HOSO_VALUE_BOOL;
	v->i = b;
}

/* HOSO_TIME_NONE: \N */
void hoso_value_time(struct hoso_value *v, long long t);

#endif
