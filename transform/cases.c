/*
 * cases.c: accumulating a run's messages per case.
 */
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "hoso_buf.h"
#include "hoso_log.h"

void
case_table_init(struct case_table *t)
{
	hoso_map_init(&t->by_key);
	t->ncases = 0;
}

void
dossier_version_free(struct dossier_version *v)
{
	if (!v)
		return;
	free(v->procedure_code);
	free(v->field_code);
	free(v->unit_name);
	free(v->rounds);
	free(v);
}

void
case_table_release(struct case_table *t)
{
	const struct hoso_map_entry *e;

	for (size_t i = 0; hoso_map_next(&t->by_key, &i, &e);) {
		struct case_entry *c = e->value;

		free(c->src);
		free(c->case_no);
		dossier_version_free(c->latest);
		free(c->rows);
		free(c);
	}
	hoso_map_release(&t->by_key);
	t->ncases = 0;
}

struct case_entry *
case_table_get(struct case_table *t, const char *src, const char *case_no)
{
	struct hoso_buf key = HOSO_BUF_INIT;
	struct case_entry **slot;

	hoso_buf_addstr(&key, src);
	hoso_buf_addch(&key, '\0');
	hoso_buf_addstr(&key, case_no);
	slot = (struct case_entry **) hoso_map_slot(&t->by_key, key.data, key.len);
	hoso_buf_release(&key);
	if (!*slot) {
		struct case_entry *c = hoso_xcalloc(1, sizeof(*c));

		c->src = hoso_xstrdup(src);
		c->case_no = hoso_xstrdup(case_no);
		for (int s = 0; s <= 10; s++)
			c->first_at_with_status[s] = HOSO_TIME_NONE;
		*slot = c;
		t->ncases++;
	}
	return *slot;
}

int
msg_order_compare(const struct msg_order *a, const struct msg_order *b)
{
	int c;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	c = strcmp(a->path, b->path);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

void
case_offer_dossier(struct case_entry *c, struct dossier_version *v)
{
	hoso_time *first = &c->first_at_with_status[v->status];

	if (*first == HOSO_TIME_NONE || v->order.at < *first)
		*first = v->order.at;
	/* the preferred source wins whatever the _at; within a rank, the latest */
	if (!c->latest || v->preferred > c->latest->preferred ||
	    (v->preferred == c->latest->preferred &&
	     msg_order_compare(&v->order, &c->latest->order) > 0)) {
		dossier_version_free(c->latest);
		c->latest = v;
	} else {
		dossier_version_free(v);
	}
}

void
case_add_progress(struct case_entry *c, const struct progress_row *row)
{
	if (c->nrows == c->caprows) {
		c->caprows = c->caprows ? c->caprows * 2 : 4;
		c->rows = hoso_xrealloc(c->rows, c->caprows * sizeof(*c->rows));
	}
	c->rows[c->nrows++] = *row;
}

static int
compare_identity(const void *pa, const void *pb)
{
	const struct progress_row *a = pa, *b = pb;

	if (a->event_at != b->event_at)
		return a->event_at < b->event_at ? -1 : 1;
	if (a->status != b->status)
		return a->status - b->status;
	if (a->content_hash != b->content_hash)
		return a->content_hash < b->content_hash ? -1 : 1;
	return msg_order_compare(&a->order, &b->order);
}

static int
compare_history(const void *pa, const void *pb)
{
	const struct progress_row *a = pa, *b = pb;

	if (a->event_at != b->event_at)
		return a->event_at < b->event_at ? -1 : 1;
	return msg_order_compare(&a->order, &b->order);
}

void
case_order_progress(struct case_entry *c)
{
	size_t n = 0;

	if (c->nrows == 0)
		return;
	qsort(c->rows, c->nrows, sizeof(*c->rows), compare_identity);
	for (size_t i = 0; i < c->nrows; i++) {
		const struct progress_row *r = &c->rows[i];

		if (n > 0 && c->rows[n - 1].event_at == r->event_at &&
		    c->rows[n - 1].status == r->status &&
		    c->rows[n - 1].content_hash == r->content_hash)
			continue;
		c->rows[n++] = *r;
	}
	c->nrows = n;
	qsort(c->rows, c->nrows, sizeof(*c->rows), compare_history);
}
