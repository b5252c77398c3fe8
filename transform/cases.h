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
 * scale 1); the cases beyond a memory budget wait in a spill file.
 * Strings that repeat across cases (src, codes, unit names) are interned.
 */
#ifndef TRANSFORM_CASES_H
#define TRANSFORM_CASES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso_buf.h"
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
	const char *case_no;		/* in the partition's arena */
	struct dossier_version latest;	/* valid when has_version */
	hoso_time first_at_with_status[11 - CASE_FIRST_STATUS];
	uint32_t last_row;		/* + 1, 0 for none: rows are chained backwards */
	uint8_t part;			/* the partition holding it */
	bool has_version;
	bool touched;			/* the run brought a message about it */
	bool listed;			/* named by --derive-only's keys */
};

/* An index slot: the hash spares a visit to the entries that differ. */
struct case_slot {
	uint32_t entry;			/* entry number + 1, 0 = empty */
	uint32_t hash;			/* low bits of the key's hash */
};

/*
 * The cases are split by a hash of their key into partitions, each a
 * table of its own: when the table outgrows its memory budget, the
 * largest partitions are written to a spill file and freed, and each is
 * read back whole when its turn comes to be derived.  A case's facts
 * depend on its messages only, so partitions are derived independently.
 */
#define CASE_PARTITIONS 256

/* Where one spilled segment of a partition lies in the spill file. */
struct case_extent {
	unsigned long long offset, length;
};

struct case_part {
	struct case_entry **chunks;	/* CASE_CHUNK entries each: entries never move */
	size_t nchunks;
	size_t ncases;
	struct case_slot *index;	/* open addressing, linear probing */
	size_t index_cap;		/* a power of two */
	struct progress_row *rows;	/* the partition's rows, in arrival order */
	size_t nrows, caprows;
	char *arena;			/* case numbers, in blocks */
	size_t arena_left;
	char **blocks;
	size_t nblocks;
	size_t bytes;			/* what it holds, for the budget */
	struct case_extent *spills;	/* its segments in the spill file, oldest first */
	size_t nspills;
};

struct case_table {
	struct case_part parts[CASE_PARTITIONS];
	struct case_entry *last;	/* the last one found: messages come by case */
	struct hoso_map strings;	/* interned strings: text -> owned copy */
	char **const *paths;		/* the file table's paths, by file number */
	size_t budget;			/* bytes the partitions may hold; 0: no limit */
	size_t bytes;			/* what they hold */
	const char *spill_dir;		/* where the spill file is made (and unlinked) */
	int spill_fd;			/* -1 until the first spill */
	/* the file's end and the counters, taken under the lock once threads spill */
	pthread_mutex_t spill_lock;
	unsigned long long spill_end;
	unsigned long long spilled_bytes;
	unsigned long spills;
	/* the reading thread's records before a write, kept from one spill to the next */
	struct hoso_buf spill_buf;
	struct progress_row *spill_rows;
	size_t spill_caprows;
};

/*
 * paths: where the caller keeps its file table (file_no -> path).  budget:
 * bytes of cases held in memory before partitions are spilled (0: never);
 * the spill file is made in spill_dir, unlinked at once (it vanishes with
 * the process) and readable by its owner only.
 */
void case_table_init(struct case_table *t, char **const *paths, size_t budget,
		     const char *spill_dir);
void case_table_release(struct case_table *t);
struct case_entry *case_table_get(struct case_table *t, const char *src, const char *case_no);
/* Note that (src, case_no) is to be derived if any message mentions it. */
void case_table_mark(struct case_table *t, const char *src, const char *case_no);
/*
 * Free the indexes once every message has been read (deriving visits
 * entries), and the reading thread's spill buffers.
 */
void case_table_drop_index(struct case_table *t);
/*
 * Whether partition p was spilled and holds cases since: its rest is best
 * spilled before deriving begins, since each is read back whole anyway,
 * and deriving then holds little more than one partition a thread beside
 * the summary rows it adds up (which fill up early, while few partitions
 * have been derived and freed).
 */
bool case_part_has_rest(const struct case_table *t, int p);
/*
 * Spill what partition p holds (case_part_has_rest), its records gathered
 * in buf.  Threads may spill different partitions at once, once the
 * messages are all read.
 */
void case_part_spill_rest(struct case_table *t, int p, struct hoso_buf *buf);
/* A copy of s owned by the table, the same pointer for the same text. */
const char *case_table_intern(struct case_table *t, const char *s);
int msg_order_compare(const struct case_table *t, const struct msg_order *a,
		      const struct msg_order *b);
/*
 * Call fn for every case, spilled or not, each once with all it gathered;
 * stops at the first false fn returns (and returns false).
 */
bool case_table_each(struct case_table *t, bool (*fn)(const struct case_entry *, void *),
		     void *arg);

/*
 * Partition p whole, in *out: its spilled segments read back and merged
 * with what it holds in memory (whose storage is then freed).  The table
 * is only read, except partition p: threads may load different partitions
 * at once.  A spill file that does not read back as written is fatal.
 * last: p is never loaded again, so its spilled segments' space is given
 * back as they are read.
 */
void case_part_load(struct case_table *t, int p, struct case_part *out, bool last);
void case_part_release(struct case_part *part);
struct case_entry *case_part_at(const struct case_part *part, size_t i);

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
size_t case_order_progress(const struct case_table *t, const struct case_part *part,
			   const struct case_entry *c, struct progress_row **rows, size_t *cap);

#endif
