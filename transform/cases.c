/*
 * cases.c: accumulating a run's messages per case.
 *
 * Entries live in fixed-size chunks (pointers to them stay valid), found
 * through an open-addressing index of entry numbers; progress rows live in
 * one array, each case's chained from its last; case numbers are packed in
 * blocks.  No allocation per message, and a few bytes of overhead a case.
 */
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "hoso_log.h"

#define CASE_CHUNK 4096			/* entries per chunk (~700 KiB) */
#define ARENA_BLOCK (1024 * 1024)	/* case numbers are short: few blocks */

void
case_table_init(struct case_table *t, char **const *paths)
{
	memset(t, 0, sizeof(*t));
	hoso_map_init(&t->strings);
	t->paths = paths;
}

void
case_table_release(struct case_table *t)
{
	const struct hoso_map_entry *e;

	for (size_t i = 0; i < t->ncases; i++)
		free(case_table_at(t, i)->latest.rounds);
	for (size_t i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	free(t->index);
	free(t->rows);
	for (size_t i = 0; hoso_map_next(&t->strings, &i, &e);)
		free(e->value);
	hoso_map_release(&t->strings);
	for (size_t i = 0; i < t->nblocks; i++)
		free(t->blocks[i]);
	free(t->blocks);
	memset(t, 0, sizeof(*t));
}

struct case_entry *
case_table_at(const struct case_table *t, size_t i)
{
	return &t->chunks[i / CASE_CHUNK][i % CASE_CHUNK];
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
arena_strdup(struct case_table *t, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (n > t->arena_left) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		t->blocks = hoso_xrealloc(t->blocks, (t->nblocks + 1) * sizeof(*t->blocks));
		t->arena = t->blocks[t->nblocks++] = hoso_xmalloc(size);
		t->arena_left = size;
	}
	p = t->arena;
	memcpy(p, s, n);
	t->arena += n;
	t->arena_left -= n;
	return p;
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

static bool
is_case(const struct case_entry *c, const char *src, const char *case_no)
{
	return strcmp(c->case_no, case_no) == 0 && strcmp(c->src, src) == 0;
}

/* The index slot holding the case, or the empty slot where it would go. */
static struct case_slot *
index_slot(const struct case_table *t, const char *src, const char *case_no, uint64_t hash)
{
	size_t mask = t->index_cap - 1;

	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		struct case_slot *slot = &t->index[i];

		if (slot->entry == 0)
			return slot;
		if (slot->hash == (uint32_t) hash &&
		    is_case(case_table_at(t, slot->entry - 1), src, case_no))
			return slot;
	}
}

/* Rebuild the index with room for one more case at a load under 1/2. */
static void
index_grow(struct case_table *t)
{
	size_t cap = t->index_cap ? t->index_cap * 2 : 1024;

	while ((t->ncases + 1) * 2 > cap)
		cap *= 2;
	t->index_cap = cap;
	free(t->index);
	t->index = hoso_xcalloc(t->index_cap, sizeof(*t->index));
	for (size_t i = 0; i < t->ncases; i++) {
		const struct case_entry *c = case_table_at(t, i);
		uint64_t hash = key_hash(c->src, c->case_no);
		struct case_slot *slot = index_slot(t, c->src, c->case_no, hash);

		*slot = (struct case_slot) { (uint32_t) (i + 1), (uint32_t) hash };
	}
}

void
case_table_drop_index(struct case_table *t)
{
	free(t->index);
	t->index = NULL;
	t->index_cap = 0;
	t->last = NULL;
}

struct case_entry *
case_table_find(const struct case_table *t, const char *src, const char *case_no)
{
	struct case_slot *slot;

	if (t->index_cap == 0)
		return NULL;
	slot = index_slot(t, src, case_no, key_hash(src, case_no));
	return slot->entry ? case_table_at(t, slot->entry - 1) : NULL;
}

struct case_entry *
case_table_get(struct case_table *t, const char *src, const char *case_no)
{
	struct case_slot *slot;
	struct case_entry *c;
	uint64_t hash;

	if (t->last && is_case(t->last, src, case_no))
		return t->last;
	/* load factor under 1/2 */
	if ((t->ncases + 1) * 2 > t->index_cap) {
		if (t->ncases >= UINT32_MAX - 1)
			hoso_die("more than %u cases in one run", UINT32_MAX - 1);
		index_grow(t);
	}
	hash = key_hash(src, case_no);
	slot = index_slot(t, src, case_no, hash);
	if (slot->entry)
		return t->last = case_table_at(t, slot->entry - 1);
	if (t->ncases == t->nchunks * CASE_CHUNK) {
		t->chunks = hoso_xrealloc(t->chunks, (t->nchunks + 1) * sizeof(*t->chunks));
		t->chunks[t->nchunks++] = hoso_xmalloc(CASE_CHUNK * sizeof(**t->chunks));
	}
	c = case_table_at(t, t->ncases);
	memset(c, 0, sizeof(*c));
	c->src = case_table_intern(t, src);
	c->case_no = arena_strdup(t, case_no);
	for (int s = 0; s < 11 - CASE_FIRST_STATUS; s++)
		c->first_at_with_status[s] = HOSO_TIME_NONE;
	*slot = (struct case_slot) { (uint32_t) ++t->ncases, (uint32_t) hash };
	return t->last = c;
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

void
case_offer_dossier(struct case_table *t, struct case_entry *c, struct dossier_version *v)
{
	if (v->status >= CASE_FIRST_STATUS) {
		hoso_time *first = &c->first_at_with_status[v->status - CASE_FIRST_STATUS];

		if (*first == HOSO_TIME_NONE || v->order.at < *first)
			*first = v->order.at;
	}
	/* the preferred source wins whatever the _at; within a rank, the latest */
	if (!c->has_version || v->preferred > c->latest.preferred ||
	    (v->preferred == c->latest.preferred &&
	     msg_order_compare(t, &v->order, &c->latest.order) > 0)) {
		free(c->latest.rounds);
		c->latest = *v;
		c->latest.procedure_code = case_table_intern(t, v->procedure_code);
		c->latest.field_code = case_table_intern(t, v->field_code);
		c->latest.unit_name = case_table_intern(t, v->unit_name);
		c->has_version = true;
	} else {
		free(v->rounds);
	}
	v->rounds = NULL;
}

void
case_add_progress(struct case_table *t, struct case_entry *c, const struct progress_row *row)
{
	if (t->nrows == t->caprows) {
		if (t->nrows >= UINT32_MAX - 1)
			hoso_die("more than %u progress rows in one run", UINT32_MAX - 1);
		t->caprows = t->caprows ? t->caprows * 2 : 4096;
		t->rows = hoso_xrealloc(t->rows, t->caprows * sizeof(*t->rows));
	}
	t->rows[t->nrows] = *row;
	t->rows[t->nrows].prev = c->last_row;
	c->last_row = (uint32_t) ++t->nrows;
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
case_order_progress(const struct case_table *t, const struct case_entry *c,
		    struct progress_row **rows, size_t *cap)
{
	size_t n = 0, kept = 0;

	for (uint32_t r = c->last_row; r; r = t->rows[r - 1].prev)
		n++;
	if (n == 0)
		return 0;
	if (n > *cap) {
		*cap = n;
		*rows = hoso_xrealloc(*rows, n * sizeof(**rows));
	}
	/* in arrival order, as they were offered */
	for (uint32_t r = c->last_row, i = (uint32_t) n; r; r = t->rows[r - 1].prev)
		(*rows)[--i] = t->rows[r - 1];
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
