/*
 * cases.h: the transform's table of cases touched by a run.
 *
 * Each case keeps only what derivation needs: its latest dossier version
 * (docs/input.md §2: later _at wins, ties broken by path, line, position; a
 * version from the pipeline's preferred format beats the others whatever
 * its _at, docs/input.md §3), the
 * earliest _at at which any version reported each status the milestones
 * read, and its progress rows.  Memory is therefore bounded per case, not
 * per message: about 170 bytes of case entry, the case number, 16 to 32
 * bytes of index and 40 bytes per progress row (some 290 bytes a case at
 * scale 1).
 * Strings that repeat across cases (src, codes, unit names) are interned.
 */
#ifndef TRANSFORM_CASES_H
#define TRANSFORM_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso_map.h"
#include "hoso_milestones.h"
#include "hoso_time.h"

/* Where a message was logged; orders versions and breaks ties. */
struct msg_order {
	hoso_time at;
	uint32_t file_no;		/* into the file table: its path orders */
	uint32_t line;
	uint32_t pos;
};

/* The first status first_at_with_status keeps: milestones read 7..10 only. */
#define CASE_FIRST_STATUS 7

struct dossier_version {
	struct msg_order order;
	hoso_time accepted_at, due_at, processed_at, returned_at, refused_at;
	const char *procedure_code;	/* interned in the case table */
	const char *field_code;		/* interned */
	const char *unit_name;		/* NFC, interned */
	struct hoso_round *rounds;	/* owned by the case entry */
	uint32_t nrounds;
	uint8_t status;
	uint8_t channel;		/* mapped: 1, 2 or 3 */
	bool preferred;			/* from a file of the pipeline's prefer: format */
	bool digitised, paid_online, vneid, has_fee, e_result, reuse;
};

/* 40 bytes: rows are most of a case table's memory. */
struct progress_row {
	hoso_time at;			/* the message's _at */
	hoso_time event_at;
	unsigned long long content_hash;	/* of the NFC text, for duplicates */
	uint32_t file_no : 28;		/* file numbers stay far below 2^28 */
	uint32_t status : 4;
	uint32_t line;
	uint32_t pos;
	uint32_t prev;			/* the case's previous row + 1, 0 for none */
};

struct case_entry {
	const char *src;		/* interned */
	const char *case_no;		/* in the table's arena */
	struct dossier_version latest;	/* valid when has_version */
	hoso_time first_at_with_status[11 - CASE_FIRST_STATUS];
	uint32_t last_row;		/* + 1, 0 for none: rows are chained backwards */
	bool has_version;
	bool touched;			/* the run brought a message about it */
};

/* An index slot: the hash spares a visit to the entries that differ. */
struct case_slot {
	uint32_t entry;			/* entry number + 1, 0 = empty */
	uint32_t hash;			/* low bits of the key's hash */
};

struct case_table {
	struct case_entry **chunks;	/* CASE_CHUNK entries each: entries never move */
	size_t nchunks;
	size_t ncases;
	struct case_slot *index;	/* open addressing, linear probing */
	size_t index_cap;		/* a power of two */
	struct case_entry *last;	/* the last one found: messages come by case */
	struct progress_row *rows;	/* every case's rows, in arrival order */
	size_t nrows, caprows;
	struct hoso_map strings;	/* interned strings: text -> owned copy */
	char *arena;			/* case numbers, in blocks */
	size_t arena_left;
	char **blocks;
	size_t nblocks;
	char **const *paths;	/* the file table's paths, by file number */
};

/* paths: where the caller keeps its file table (file_no -> path). */
void case_table_init(struct case_table *t, char **const *paths);
void case_table_release(struct case_table *t);
struct case_entry *case_table_get(struct case_table *t, const char *src, const char *case_no);
/*
 * Free the index once every message has been read: deriving visits the
 * entries in order.  A later case_table_get rebuilds it.
 */
void case_table_drop_index(struct case_table *t);
/* NULL when the case is not in the table (or the index was dropped). */
struct case_entry *case_table_find(const struct case_table *t, const char *src, const char *case_no);
struct case_entry *case_table_at(const struct case_table *t, size_t i);
/* A copy of s owned by the table, the same pointer for the same text. */
const char *case_table_intern(struct case_table *t, const char *s);
int msg_order_compare(const struct case_table *t, const struct msg_order *a,
		      const struct msg_order *b);

/*
 * Offer a dossier version; the table keeps it if it is the latest.  v's
 * strings need not outlive the call (the table interns those it keeps); v's
 * rounds (malloc'd, may be NULL) become the table's either way.
 */
void case_offer_dossier(struct case_table *t, struct case_entry *c, struct dossier_version *v);
void case_add_progress(struct case_table *t, struct case_entry *c, const struct progress_row *row);
/*
 * Copy the case's rows to *rows (grown as needed, capacity *cap), drop
 * duplicates (same instant, status and text: one step sent twice, the
 * first logged copy is kept) and put the rest in history order: by
 * instant, then by the order they were logged.  Returns their count.
 */
size_t case_order_progress(const struct case_table *t, const struct case_entry *c,
			   struct progress_row **rows, size_t *cap);

#endif
