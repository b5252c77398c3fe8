/*
 * cases.c: accumulating a run's messages per case, within a memory budget.
 *
 * Each partition keeps its entries in fixed-size chunks (pointers to them
 * stay valid), found through an open-addressing index of entry numbers;
 * its progress rows live in one array, each case's chained from its last;
 * case numbers are packed in blocks.  No allocation per message, and a few
 * bytes of overhead a case.  A spilled partition is written as one record
 * per case (spill_case), freed, and filled again by later messages; its
 * segments are merged back in the order they were written.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "hoso_log.h"
#include "spill.h"

#define CASE_CHUNK 64			/* entries per chunk (~11 KiB) */
#define ARENA_BLOCK (4 * 1024)		/* case numbers are short: few blocks */
#define FIRST_ROWS 64
/* A smaller partition is not worth a spill: a budget below 256 of them is not kept. */
#define SPILL_MIN_BYTES (32 * 1024)
#define SPILL_FLUSH_BYTES (1024 * 1024)
#define SPILL_READ_BYTES (256 * 1024)
#define SPILL_MAX_TEXT (1024 * 1024)	/* longer text in a spill record is damage */
#define SPILL_MAGIC 0xC5

enum { SPILL_TOUCHED = 1, SPILL_LISTED = 2, SPILL_VERSION = 4 };
_Static_assert(CASE_PARTITIONS <= 256, "case_entry.part holds a partition number in a byte");

void
case_table_init(struct case_table *t, char **const *paths, size_t budget, const char *spill_dir)
{
	memset(t, 0, sizeof(*t));
	hoso_map_init(&t->strings);
	t->paths = paths;
	t->budget = budget;
	t->spill_dir = spill_dir;
	t->spill_fd = -1;
	pthread_mutex_init(&t->spill_lock, NULL);
	hoso_buf_init(&t->spill_buf);
}

struct case_entry *
case_part_at(const struct case_part *part, size_t i)
{
	return &part->chunks[i / CASE_CHUNK][i % CASE_CHUNK];
}

/* Free what the partition holds in memory; its spilled segments stay listed. */
static void
part_free_storage(struct case_part *p)
{
	struct case_extent *spills = p->spills;
	size_t nspills = p->nspills;

	for (size_t i = 0; i < p->ncases; i++)
		free(case_part_at(p, i)->latest.rounds);
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	free(p->index);
	free(p->rows);
	for (size_t i = 0; i < p->nblocks; i++)
		free(p->blocks[i]);
	free(p->blocks);
	memset(p, 0, sizeof(*p));
	p->spills = spills;
	p->nspills = nspills;
}

void
case_part_release(struct case_part *part)
{
	part_free_storage(part);
	free(part->spills);
	memset(part, 0, sizeof(*part));
}

void
case_table_release(struct case_table *t)
{
	const struct hoso_map_entry *e;

	for (int p = 0; p < CASE_PARTITIONS; p++)
		case_part_release(&t->parts[p]);
	for (size_t i = 0; hoso_map_next(&t->strings, &i, &e);)
		free(e->value);
	hoso_map_release(&t->strings);
	if (t->spill_fd >= 0)
		close(t->spill_fd);
	hoso_buf_release(&t->spill_buf);
	free(t->spill_rows);
	pthread_mutex_destroy(&t->spill_lock);
	memset(t, 0, sizeof(*t));
	t->spill_fd = -1;
}

const char *
case_table_intern(struct case_table *t, const char *s)
{
	void **slot;

	if (!s)
		return NULL;
	slot = hoso_map_slot(&t->strings, s, strlen(s));
	if (!*slot)
		*slot = hoso_xstrdup(s);
	return *slot;
}

static char *
arena_strdup(struct case_part *p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *copy;

	if (n > p->arena_left) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		p->blocks = hoso_xrealloc(p->blocks, (p->nblocks + 1) * sizeof(*p->blocks));
		p->arena = p->blocks[p->nblocks++] = hoso_xmalloc(size);
		p->arena_left = size;
		p->bytes += size;
	}
	copy = p->arena;
	memcpy(copy, s, n);
	p->arena += n;
	p->arena_left -= n;
	return copy;
}

/* FNV-1a over src, a NUL and case_no */
static uint64_t
key_hash(const char *src, const char *case_no)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = src; *p; p++)
		h = (h ^ (unsigned char) *p) * 1099511628211ULL;
	h *= 1099511628211ULL;
	for (const char *p = case_no; *p; p++)
		h = (h ^ (unsigned char) *p) * 1099511628211ULL;
	return h;
}

/* The partition of a key: the hash's top byte (the index uses its low bits). */
static int
key_part(uint64_t hash)
{
	return (int) (hash >> 56) % CASE_PARTITIONS;
}

static bool
is_case(const struct case_entry *c, const char *src, const char *case_no)
{
	return strcmp(c->case_no, case_no) == 0 && strcmp(c->src, src) == 0;
}

/* The index slot holding the case, or the empty slot where it would go. */
static struct case_slot *
index_slot(const struct case_part *p, const char *src, const char *case_no, uint64_t hash)
{
	size_t mask = p->index_cap - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct case_slot *slot = &p->index[i];

		if (slot->entry == 0)
			return slot;
		if (slot->hash == (uint32_t) hash &&
		    is_case(case_part_at(p, slot->entry - 1), src, case_no))
			return slot;
	}
}

/* Rebuild the index with room for one more case at a load under 1/2. */
static void
index_grow(struct case_part *p)
{
	size_t cap = p->index_cap ? p->index_cap * 2 : 64;

	while ((p->ncases + 1) * 2 > cap)
		cap *= 2;
	p->bytes += (cap - p->index_cap) * sizeof(*p->index);
	p->index_cap = cap;
	free(p->index);
	p->index = hoso_xcalloc(p->index_cap, sizeof(*p->index));
	for (size_t i = 0; i < p->ncases; i++) {
		const struct case_entry *c = case_part_at(p, i);
		uint64_t hash = key_hash(c->src, c->case_no);
		struct case_slot *slot = index_slot(p, c->src, c->case_no, hash);

		*slot = (struct case_slot) { (uint32_t) (i + 1), (uint32_t) hash };
	}
}

/*
 * The partition's entry for the key, made when new with src as given: the
 * caller stores an interned src in a new entry (*created).
 */
static struct case_entry *
part_get(struct case_part *p, int part_no, const char *src, const char *case_no, uint64_t hash,
	 bool *created)
{
	struct case_slot *slot;
	struct case_entry *c;

	*created = false;
	/* load factor under 1/2 */
	if ((p->ncases + 1) * 2 > p->index_cap) {
		if (p->ncases >= UINT32_MAX - 1)
			hoso_die("more than %u cases in one partition", UINT32_MAX - 1);
		index_grow(p);
	}
	slot = index_slot(p, src, case_no, hash);
	if (slot->entry)
		return case_part_at(p, slot->entry - 1);
	if (p->ncases == p->nchunks * CASE_CHUNK) {
		p->chunks = hoso_xrealloc(p->chunks, (p->nchunks + 1) * sizeof(*p->chunks));
		p->chunks[p->nchunks++] = hoso_xmalloc(CASE_CHUNK * sizeof(**p->chunks));
		p->bytes += CASE_CHUNK * sizeof(**p->chunks);
	}
	c = case_part_at(p, p->ncases);
	memset(c, 0, sizeof(*c));
	c->src = src;
	c->case_no = arena_strdup(p, case_no);
	c->part = (uint8_t) part_no;
	for (int s = 0; s < 11 - CASE_FIRST_STATUS; s++)
		c->first_at_with_status[s] = HOSO_TIME_NONE;
	*slot = (struct case_slot) { (uint32_t) ++p->ncases, (uint32_t) hash };
	*created = true;
	return c;
}

static void
add_row(struct case_part *p, struct case_entry *c, const struct progress_row *row)
{
	if (p->nrows == p->caprows) {
		size_t cap = p->caprows ? p->caprows * 2 : FIRST_ROWS;

		if (p->nrows >= UINT32_MAX - 1)
			hoso_die("more than %u progress rows in one partition", UINT32_MAX - 1);
		p->rows = hoso_xrealloc(p->rows, cap * sizeof(*p->rows));
		p->bytes += (cap - p->caprows) * sizeof(*p->rows);
		p->caprows = cap;
	}
	p->rows[p->nrows] = *row;
	p->rows[p->nrows].prev = c->last_row;
	c->last_row = (uint32_t) ++p->nrows;
}

/* The case's rows in arrival order, in *rows (grown as needed); returns their count. */
static size_t
rows_in_arrival_order(const struct case_part *p, const struct case_entry *c,
		      struct progress_row **rows, size_t *cap)
{
	size_t n = 0;

	for (uint32_t r = c->last_row; r; r = p->rows[r - 1].prev)
		n++;
	if (n > *cap) {
		*cap = n;
		*rows = hoso_xrealloc(*rows, n * sizeof(**rows));
	}
	for (uint32_t r = c->last_row, i = (uint32_t) n; r; r = p->rows[r - 1].prev)
		(*rows)[--i] = p->rows[r - 1];
	return n;
}

/* Keep the earlier of each status's first _at. */
static void
merge_first_at(struct case_entry *c, const hoso_time *first)
{
	for (int s = 0; s < 11 - CASE_FIRST_STATUS; s++)
		if (first[s] != HOSO_TIME_NONE &&
		    (c->first_at_with_status[s] == HOSO_TIME_NONE || first[s] < c->first_at_with_status[s]))
			c->first_at_with_status[s] = first[s];
}

static void
put_text(struct hoso_buf *b, const char *s)
{
	uint32_t n = s ? (uint32_t) strlen(s) : UINT32_MAX;

	spill_put_u32(b, n);
	if (s)
		hoso_buf_add(b, s, n);
}

/*
 * One case's spill record: magic, flags, src, case_no, the first _at of
 * each status, the latest version when there is one, the rows in arrival
 * order.
 */
static void
spill_case(struct hoso_buf *b, const struct case_part *p, const struct case_entry *c,
	   struct progress_row **rows, size_t *cap)
{
	const struct dossier_version *v = &c->latest;
	size_t n;

	spill_put_u8(b, SPILL_MAGIC);
	spill_put_u8(b, (uint8_t) ((c->touched ? SPILL_TOUCHED : 0) | (c->listed ? SPILL_LISTED : 0) |
				  (c->has_version ? SPILL_VERSION : 0)));
	put_text(b, c->src);
	put_text(b, c->case_no);
	for (int s = 0; s < 11 - CASE_FIRST_STATUS; s++)
		spill_put_i64(b, c->first_at_with_status[s]);
	if (c->has_version) {
		spill_put_i64(b, v->order.at);
		spill_put_u32(b, v->order.file_no);
		spill_put_u32(b, v->order.line);
		spill_put_u32(b, v->order.pos);
		spill_put_i64(b, v->accepted_at);
		spill_put_i64(b, v->due_at);
		spill_put_i64(b, v->processed_at);
		spill_put_i64(b, v->returned_at);
		spill_put_i64(b, v->refused_at);
		put_text(b, v->procedure_code);
		put_text(b, v->field_code);
		put_text(b, v->unit_name);
		spill_put_u32(b, v->nrounds);
		for (uint32_t i = 0; i < v->nrounds; i++) {
			spill_put_i64(b, v->rounds[i].requested);
			spill_put_i64(b, v->rounds[i].received);
			spill_put_i64(b, v->rounds[i].due_before);
			spill_put_i64(b, v->rounds[i].due_after);
		}
		spill_put_u8(b, v->status);
		spill_put_u8(b, v->channel);
		spill_put_u8(b, (uint8_t) (v->preferred | v->digitised << 1 | v->paid_online << 2 |
					  v->vneid << 3 | v->has_fee << 4 | v->e_result << 5 |
					  v->reuse << 6));
	}
	n = rows_in_arrival_order(p, c, rows, cap);
	spill_put_u32(b, (uint32_t) n);
	for (size_t i = 0; i < n; i++) {
		const struct progress_row *row = &(*rows)[i];

		spill_put_i64(b, row->at);
		spill_put_i64(b, row->event_at);
		spill_put_i64(b, (int64_t) row->content_hash);
		spill_put_u32(b, row->file_no);
		spill_put_u8(b, (uint8_t) row->status);
		spill_put_u32(b, row->line);
		spill_put_u32(b, row->pos);
	}
}

/*
 * Write b's whole records of partition p to the spill file as a segment of
 * p's.  The file's end is taken under the lock, so that threads may spill
 * different partitions at once.
 */
static void
spill_segment(struct case_table *t, struct case_part *p, struct hoso_buf *b)
{
	unsigned long long start;

	pthread_mutex_lock(&t->spill_lock);
	start = t->spill_end;
	t->spill_end += b->len;
	t->spilled_bytes += b->len;
	pthread_mutex_unlock(&t->spill_lock);
	spill_write(t->spill_fd, start, b->data, b->len);
	p->spills = hoso_xrealloc(p->spills, (p->nspills + 1) * sizeof(*p->spills));
	p->spills[p->nspills++] = (struct case_extent) { start, b->len };
	hoso_buf_reset(b);
}

/*
 * Write every case of partition p to the spill file, in segments of about
 * SPILL_FLUSH_BYTES gathered in b, and free it.
 */
static void
spill_part(struct case_table *t, struct case_part *p, struct hoso_buf *b,
	   struct progress_row **rows, size_t *cap)
{
	unsigned long long bytes = 0;
	size_t held = p->bytes;

	hoso_buf_reset(b);
	for (size_t i = 0; i < p->ncases; i++) {
		spill_case(b, p, case_part_at(p, i), rows, cap);
		if (b->len >= SPILL_FLUSH_BYTES || i + 1 == p->ncases) {
			bytes += b->len;
			spill_segment(t, p, b);
		}
	}
	hoso_debug("spilled %zu cases (%zu bytes in memory) to %llu bytes", p->ncases, held, bytes);
	part_free_storage(p);
	pthread_mutex_lock(&t->spill_lock);
	t->spills++;
	t->bytes -= held;
	pthread_mutex_unlock(&t->spill_lock);
}

/* Spill the largest partitions until the table holds half its budget. */
static void
spill_down(struct case_table *t)
{
	t->last = NULL;
	while (t->bytes > t->budget / 2) {
		struct case_part *largest = &t->parts[0];

		for (int p = 1; p < CASE_PARTITIONS; p++)
			if (t->parts[p].bytes > largest->bytes)
				largest = &t->parts[p];
		if (largest->bytes < SPILL_MIN_BYTES)
			break;
		if (t->spill_fd < 0)
			t->spill_fd = spill_open(t->spill_dir);
		spill_part(t, largest, &t->spill_buf, &t->spill_rows, &t->spill_caprows);
	}
}

bool
case_part_has_rest(const struct case_table *t, int p)
{
	return t->parts[p].nspills > 0 && t->parts[p].ncases > 0;
}

void
case_part_spill_rest(struct case_table *t, int p, struct hoso_buf *buf)
{
	struct progress_row *rows = NULL;
	size_t cap = 0;

	spill_part(t, &t->parts[p], buf, &rows, &cap);
	free(rows);
}

struct case_entry *
case_table_get(struct case_table *t, const char *src, const char *case_no)
{
	struct case_part *p;
	struct case_entry *c;
	uint64_t hash;
	size_t before;
	bool created;

	if (t->last && is_case(t->last, src, case_no))
		return t->last;
	if (t->budget && t->bytes > t->budget)
		spill_down(t);
	hash = key_hash(src, case_no);
	p = &t->parts[key_part(hash)];
	before = p->bytes;
	c = part_get(p, key_part(hash), src, case_no, hash, &created);
	if (created)
		c->src = case_table_intern(t, src);
	t->bytes += p->bytes - before;
	return t->last = c;
}

void
case_table_mark(struct case_table *t, const char *src, const char *case_no)
{
	case_table_get(t, src, case_no)->listed = true;
}

void
case_table_drop_index(struct case_table *t)
{
	for (int i = 0; i < CASE_PARTITIONS; i++) {
		struct case_part *p = &t->parts[i];

		t->bytes -= p->index_cap * sizeof(*p->index);
		p->bytes -= p->index_cap * sizeof(*p->index);
		free(p->index);
		p->index = NULL;
		p->index_cap = 0;
	}
	t->last = NULL;
	/* the reading thread spills no more */
	hoso_buf_release(&t->spill_buf);
	free(t->spill_rows);
	t->spill_rows = NULL;
	t->spill_caprows = 0;
}

/* Whether v would replace c's latest version. */
static bool
version_wins(const struct case_table *t, const struct case_entry *c, const struct dossier_version *v)
{
	/* the preferred source wins whatever the _at; within a rank, the latest */
	return !c->has_version || v->preferred > c->latest.preferred ||
		(v->preferred == c->latest.preferred &&
		 msg_order_compare(t, &v->order, &c->latest.order) > 0);
}

/* Keep v (its strings already the table's) if it wins; its rounds are taken either way. */
static void
offer_version(const struct case_table *t, struct case_part *p, struct case_entry *c,
	      struct dossier_version *v)
{
	if (v->status >= CASE_FIRST_STATUS) {
		hoso_time *first = &c->first_at_with_status[v->status - CASE_FIRST_STATUS];

		if (*first == HOSO_TIME_NONE || v->order.at < *first)
			*first = v->order.at;
	}
	if (version_wins(t, c, v)) {
		if (c->has_version) {
			p->bytes -= c->latest.nrounds * sizeof(*c->latest.rounds);
			free(c->latest.rounds);
		}
		c->latest = *v;
		c->has_version = true;
		p->bytes += v->nrounds * sizeof(*v->rounds);
	} else {
		free(v->rounds);
	}
	v->rounds = NULL;
}

void
case_offer_dossier(struct case_table *t, struct case_entry *c, struct dossier_version *v)
{
	struct case_part *p = &t->parts[c->part];
	size_t before = p->bytes;

	if (version_wins(t, c, v)) {
		v->procedure_code = case_table_intern(t, v->procedure_code);
		v->field_code = case_table_intern(t, v->field_code);
		v->unit_name = case_table_intern(t, v->unit_name);
	}
	offer_version(t, p, c, v);
	t->bytes = t->bytes - before + p->bytes;
}

void
case_add_progress(struct case_table *t, struct case_entry *c, const struct progress_row *row)
{
	struct case_part *p = &t->parts[c->part];
	size_t before = p->bytes;

	add_row(p, c, row);
	t->bytes += p->bytes - before;
}

/* ---- reading a partition back ---- */

/* The table's copy of a string a spill record names (interned when it was spilled). */
static const char *
take_interned(const struct case_table *t, struct spill_reader *r, bool nullable)
{
	uint32_t n = spill_take_u32(r);
	const char *s;

	if (n == UINT32_MAX && nullable)
		return NULL;
	if (n > SPILL_MAX_TEXT)
		hoso_die("a spilled case names a string of %u bytes: the spill file is damaged", n);
	s = spill_take(r, n);
	s = hoso_map_get(&t->strings, s, n);
	if (!s)
		hoso_die("a spilled case names a string the transform never read: the spill file is damaged");
	return s;
}

static const char *
take_text(struct spill_reader *r, struct hoso_buf *scratch)
{
	uint32_t n = spill_take_u32(r);

	if (n > SPILL_MAX_TEXT)
		hoso_die("a spilled case number of %u bytes: the spill file is damaged", n);
	hoso_buf_reset(scratch);
	hoso_buf_add(scratch, spill_take(r, n), n);
	if (memchr(scratch->data, '\0', n))
		hoso_die("a spilled case number holds a NUL: the spill file is damaged");
	return scratch->data;
}

static hoso_time
take_time(struct spill_reader *r)
{
	return (hoso_time) spill_take_i64(r);
}

/* Read one spilled case and merge it into out, the partition being rebuilt. */
static void
absorb_spilled(const struct case_table *t, struct spill_reader *r, struct case_part *out,
	       int part_no, struct hoso_buf *scratch)
{
	const char *src, *case_no;
	struct case_entry *c;
	uint8_t flags;
	uint32_t nrows;
	hoso_time first[11 - CASE_FIRST_STATUS];
	uint64_t hash;
	bool created;

	if (spill_take_u8(r) != SPILL_MAGIC)
		hoso_die("a spilled case does not begin where expected: the spill file is damaged");
	flags = spill_take_u8(r);
	src = take_interned(t, r, false);
	case_no = take_text(r, scratch);
	hash = key_hash(src, case_no);
	if (key_part(hash) != part_no)
		hoso_die("a spilled case is in another partition's segment: the spill file is damaged");
	c = part_get(out, part_no, src, case_no, hash, &created);
	c->touched |= (flags & SPILL_TOUCHED) != 0;
	c->listed |= (flags & SPILL_LISTED) != 0;
	for (int s = 0; s < 11 - CASE_FIRST_STATUS; s++)
		first[s] = take_time(r);
	merge_first_at(c, first);
	if (flags & SPILL_VERSION) {
		struct dossier_version v;
		uint8_t bits;

		memset(&v, 0, sizeof(v));
		v.order.at = take_time(r);
		v.order.file_no = spill_take_u32(r);
		v.order.line = spill_take_u32(r);
		v.order.pos = spill_take_u32(r);
		v.accepted_at = take_time(r);
		v.due_at = take_time(r);
		v.processed_at = take_time(r);
		v.returned_at = take_time(r);
		v.refused_at = take_time(r);
		v.procedure_code = take_interned(t, r, true);
		v.field_code = take_interned(t, r, true);
		v.unit_name = take_interned(t, r, true);
		v.nrounds = spill_take_u32(r);
		if (v.nrounds > SPILL_MAX_TEXT)
			hoso_die("a spilled case with %u supplement rounds: the spill file is damaged",
				 v.nrounds);
		if (v.nrounds) {
			v.rounds = hoso_xcalloc(v.nrounds, sizeof(*v.rounds));
			for (uint32_t i = 0; i < v.nrounds; i++) {
				v.rounds[i].requested = take_time(r);
				v.rounds[i].received = take_time(r);
				v.rounds[i].due_before = take_time(r);
				v.rounds[i].due_after = take_time(r);
			}
		}
		v.status = spill_take_u8(r);
		v.channel = spill_take_u8(r);
		bits = spill_take_u8(r);
		if (v.status < 1 || v.status > 10 || v.channel < 1 || v.channel > 3 || bits > 127)
			hoso_die("a spilled dossier version out of range: the spill file is damaged");
		v.preferred = bits & 1;
		v.digitised = bits >> 1 & 1;
		v.paid_online = bits >> 2 & 1;
		v.vneid = bits >> 3 & 1;
		v.has_fee = bits >> 4 & 1;
		v.e_result = bits >> 5 & 1;
		v.reuse = bits >> 6 & 1;
		offer_version(t, out, c, &v);
	}
	nrows = spill_take_u32(r);
	for (uint32_t i = 0; i < nrows; i++) {
		struct progress_row row;
		uint8_t status;

		memset(&row, 0, sizeof(row));
		row.at = take_time(r);
		row.event_at = take_time(r);
		row.content_hash = (unsigned long long) spill_take_i64(r);
		row.file_no = spill_take_u32(r) & ((1U << 28) - 1);
		status = spill_take_u8(r);
		if (status < 1 || status > 10)
			hoso_die("a spilled progress row out of range: the spill file is damaged");
		row.status = status;
		row.line = spill_take_u32(r);
		row.pos = spill_take_u32(r);
		add_row(out, c, &row);
	}
}

/* Merge one case held in memory (partition from) into out; from is left as it was. */
static void
absorb_held(const struct case_table *t, const struct case_part *from, const struct case_entry *held,
	    struct case_part *out, struct progress_row **rows, size_t *cap)
{
	struct case_entry *c;
	size_t n;
	bool created;

	c = part_get(out, held->part, held->src, held->case_no, key_hash(held->src, held->case_no),
		     &created);
	c->touched |= held->touched;
	c->listed |= held->listed;
	merge_first_at(c, held->first_at_with_status);
	if (held->has_version) {
		struct dossier_version v = held->latest;

		if (v.nrounds) {
			v.rounds = hoso_xmalloc(v.nrounds * sizeof(*v.rounds));
			memcpy(v.rounds, held->latest.rounds, v.nrounds * sizeof(*v.rounds));
		}
		offer_version(t, out, c, &v);
	}
	n = rows_in_arrival_order(from, held, rows, cap);
	for (size_t i = 0; i < n; i++)
		add_row(out, c, &(*rows)[i]);
}

void
case_part_load(struct case_table *t, int p, struct case_part *out, bool last)
{
	const struct case_part *held = &t->parts[p];
	struct hoso_buf scratch = HOSO_BUF_INIT;
	struct progress_row *rows = NULL;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	/* in the order the messages came: the oldest segment first, memory last */
	for (size_t s = 0; s < held->nspills; s++) {
		struct spill_reader r;

		spill_reader_init(&r, t->spill_fd, held->spills[s].offset, held->spills[s].length,
				  SPILL_READ_BYTES, last);
		while (!spill_reader_done(&r))
			absorb_spilled(t, &r, out, p, &scratch);
		spill_reader_release(&r);
	}
	for (size_t i = 0; i < held->ncases; i++)
		absorb_held(t, held, case_part_at(held, i), out, &rows, &cap);
	free(rows);
	hoso_buf_release(&scratch);
}

bool
case_table_each(struct case_table *t, bool (*fn)(const struct case_entry *, void *), void *arg)
{
	for (int p = 0; p < CASE_PARTITIONS; p++) {
		struct case_part loaded;
		const struct case_part *part = &t->parts[p];
		bool ok = true;

		if (part->nspills) {
			case_part_load(t, p, &loaded, false);
			part = &loaded;
		}
		for (size_t i = 0; ok && i < part->ncases; i++)
			ok = fn(case_part_at(part, i), arg);
		if (part == &loaded)
			case_part_release(&loaded);
		if (!ok)
			return false;
	}
	return true;
}

int
msg_order_compare(const struct case_table *t, const struct msg_order *a,
		  const struct msg_order *b)
{
	int c;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->file_no != b->file_no) {
		c = strcmp((*t->paths)[a->file_no], (*t->paths)[b->file_no]);
		if (c)
			return c;
	}
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

static struct msg_order
row_order(const struct progress_row *r)
{
	return (struct msg_order) { r->at, r->file_no, r->line, r->pos };
}

static int
compare_identity(const void *pa, const void *pb, void *arg)
{
	const struct progress_row *a = pa, *b = pb;
	struct msg_order oa = row_order(a), ob = row_order(b);

	if (a->event_at != b->event_at)
		return a->event_at < b->event_at ? -1 : 1;
	if (a->status != b->status)
		return (int) a->status - (int) b->status;
	if (a->content_hash != b->content_hash)
		return a->content_hash < b->content_hash ? -1 : 1;
	return msg_order_compare(arg, &oa, &ob);
}

static int
compare_history(const void *pa, const void *pb, void *arg)
{
	const struct progress_row *a = pa, *b = pb;
	struct msg_order oa = row_order(a), ob = row_order(b);

	if (a->event_at != b->event_at)
		return a->event_at < b->event_at ? -1 : 1;
	return msg_order_compare(arg, &oa, &ob);
}

size_t
case_order_progress(const struct case_table *t, const struct case_part *part,
		    const struct case_entry *c, struct progress_row **rows, size_t *cap)
{
	size_t n, kept = 0;

	/* in arrival order, as they were offered */
	n = rows_in_arrival_order(part, c, rows, cap);
	if (n == 0)
		return 0;
	qsort_r(*rows, n, sizeof(**rows), compare_identity, (void *) t);
	for (size_t i = 0; i < n; i++) {
		const struct progress_row *r = &(*rows)[i];

		if (kept > 0 && (*rows)[kept - 1].event_at == r->event_at &&
		    (*rows)[kept - 1].status == r->status &&
		    (*rows)[kept - 1].content_hash == r->content_hash)
			continue;
		(*rows)[kept++] = *r;
	}
	qsort_r(*rows, kept, sizeof(**rows), compare_history, (void *) t);
	return kept;
}
