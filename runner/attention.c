/*
 * attention.c: what a run's operator must look at, from the transform's
 * report (staging report.json): cases whose unit the unit catalogue does
 * not resolve or finds by name only, unknown procedure codes, unknown channel codes, and days the
 * calendar does not list (counted as Monday-Friday).  Each is printed at the
 * end of the run with its count and its most frequent values; above the
 * pipeline's attention.max_unresolved_ratio the run fails before loading.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_json.h"
#include "hoso_log.h"
#include "runner.h"

/* values named per line: enough to recognise a pattern, short enough to read */
#define ATTENTION_TOP 5

struct counted {
	const char *key;
	size_t keylen;
	unsigned long long n;
};

static unsigned long long
number(const struct hoso_json_value *obj, const char *key)
{
	const struct hoso_json_value *v = hoso_json_get(obj, key);

	return v && v->type == HOSO_JSON_NUMBER ? strtoull(v->u.s, NULL, 10) : 0;
}

static int
by_count(const void *a, const void *b)
{
	const struct counted *x = a, *y = b;
	int c;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	c = memcmp(x->key, y->key, x->keylen < y->keylen ? x->keylen : y->keylen);
	return c ? c : (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

static int
by_key(const void *a, const void *b)
{
	const struct counted *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->keylen < y->keylen ? x->keylen : y->keylen);

	return c ? c : (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

/*
 * One line for the map report[key]: "WHAT: TOTAL UNIT_WORD in N distinct
 * values: top values with counts; HINT".  Days are listed in date order
 * with their range, the rest by count.  Returns the number of distinct
 * values (0: nothing printed).
 */
static size_t
attention_line(const struct hoso_json_value *report, const char *key, const char *what,
	       const char *unit_word, const char *value_word, bool dates, const char *hint,
	       struct hoso_buf *summary, struct hoso_buf *block)
{
	const struct hoso_json_value *map = hoso_json_get(report, key);
	struct hoso_buf line = HOSO_BUF_INIT;
	struct counted *v;
	unsigned long long total = 0;
	size_t n;

	if (!map || map->type != HOSO_JSON_OBJECT || map->len == 0)
		return 0;
	n = map->len;
	v = hoso_xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const struct hoso_json_member *m = &map->u.members[i];

		v[i].key = m->key;
		v[i].keylen = m->keylen;
		v[i].n = m->value.type == HOSO_JSON_NUMBER ? strtoull(m->value.u.s, NULL, 10) : 0;
		total += v[i].n;
	}
	qsort(v, n, sizeof(*v), dates ? by_key : by_count);
	hoso_buf_addf(&line, "attention: %s: %llu %s, %zu %s%s", what, total, unit_word, n,
		      value_word, n == 1 ? "" : "s");
	if (dates && n > 1)
		hoso_buf_addf(&line, " from %.*s to %.*s", (int) v[0].keylen, v[0].key,
			      (int) v[n - 1].keylen, v[n - 1].key);
	hoso_buf_addstr(&line, ": ");
	for (size_t i = 0; i < n && i < ATTENTION_TOP; i++) {
		if (i)
			hoso_buf_addstr(&line, ", ");
		hoso_buf_add_json_string(&line, v[i].key, v[i].keylen);
		hoso_buf_addf(&line, " (%llu)", v[i].n);
	}
	if (n > ATTENTION_TOP)
		hoso_buf_addf(&line, ", and %zu more", n - ATTENTION_TOP);
	hoso_buf_addf(&line, "; %s\n", hint);
	hoso_buf_addstr(block, line.data);
	hoso_buf_addf(summary, "%s%s %llu", summary->len ? ", " : "", what, total);
	hoso_buf_release(&line);
	free(v);
	return n;
}

void
runner_attention_print(const struct hoso_buf *block)
{
	const char *line = block->data;

	if (!block->len) {
		hoso_info("attention: nothing: every unit, procedure, channel code and day was known");
		return;
	}
	while (line && *line) {
		const char *end = strchr(line, '\n');
		int len = end ? (int) (end - line) : (int) strlen(line);

		hoso_warning("%.*s", len, line);
		line = end ? end + 1 : NULL;
	}
}

int
runner_attention(const struct hoso_pipeline *p, const char *staging, struct hoso_buf *block,
		 struct hoso_buf *why)
{
	struct hoso_json_parser jp;
	const struct hoso_json_value *report;
	struct hoso_buf text = HOSO_BUF_INIT, summary = HOSO_BUF_INIT;
	char path[4200];
	unsigned long long derived, unresolved;
	int ret = HOSO_EXIT_OK;
	FILE *f;

	snprintf(path, sizeof(path), "%s/report.json", staging);
	f = fopen(path, "r");
	if (!f) {
		hoso_buf_addf(block, "attention: cannot read %s; nothing to report\n", path);
		return HOSO_EXIT_OK;
	}
	{
		char buf[8192];
		size_t n;

		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			hoso_buf_add(&text, buf, n);
	}
	fclose(f);
	hoso_json_parser_init(&jp);
	report = text.len ? hoso_json_parse(&jp, text.data, text.len) : NULL;
	if (!report || report->type != HOSO_JSON_OBJECT) {
		hoso_buf_addf(block, "attention: %s is not a JSON object; nothing to report\n", path);
		goto done;
	}
	attention_line(report, "unresolved_units", "unresolved units", "cases", "unit name",
		       false, "add them to the unit catalogue (reference.units), then rerun a failed "
		       "run, or rebuild the days a run loaded", &summary, block);
	attention_line(report, "units_by_name_only", "units found by name only", "cases",
		       "agency code", false,
		       "the unit catalogue has no unit of these case numbers' agency codes, so the "
		       "units were found by their names: is it this province's catalogue?",
		       &summary, block);
	attention_line(report, "unknown_procedures", "unknown procedures", "cases",
		       "procedure code", false,
		       "add them to the procedure catalogue (reference.procedures)", &summary, block);
	attention_line(report, "unknown_channels", "unknown channel codes", "records", "code",
		       false, "these cases count as received in person", &summary, block);
	attention_line(report, "calendar_days_outside", "days outside the calendar", "lookups",
		       "day", true,
		       "they counted as Monday-Friday; add their year's YYYY.csv to reference.calendar",
		       &summary, block);

	derived = number(report, "cases_derived");
	unresolved = number(report, "cases_unresolved");
	if (derived > 0 && (double) unresolved / (double) derived > p->attention.max_unresolved_ratio) {
		hoso_buf_addf(why, "%llu of %llu cases (%.1f %%) have a unit or procedure the "
			      "catalogues do not know, above attention.max_unresolved_ratio %g (%s)",
			      unresolved, derived, 100.0 * (double) unresolved / (double) derived,
			      p->attention.max_unresolved_ratio, summary.len ? summary.data : "");
		hoso_error("%s; nothing was loaded", why->data);
		ret = HOSO_EXIT_FAILED;
	}
done:
	hoso_json_parser_release(&jp);
	hoso_buf_release(&text);
	hoso_buf_release(&summary);
	return ret;
}
