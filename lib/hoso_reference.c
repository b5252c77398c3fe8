/*
 * hoso_reference.c: load the unit catalogue, the procedure catalogue and
 * the working-day calendar (docs/design.md §4) with hoso_csv, and resolve
 * a case's unit and procedure against them.
 *
 * Every file has a header row that must name the columns in the documented
 * order; every value is checked, and a bad one stops the load with
 * "path:line: column NAME: why", because a half-read catalogue would
 * silently move cases to the unresolved unit.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_csv.h"
#include "hoso_log.h"
#include "hoso_reference.h"
#include "hoso_text.h"

#define MAX_COLUMNS 12

static const char *const unit_columns[] = {
	"code", "name", "aliases", "level", "parent_code", "valid_from", "valid_to",
	"successor_code",
};
enum { U_CODE, U_NAME, U_ALIASES, U_LEVEL, U_PARENT, U_FROM, U_TO, U_SUCCESSOR };

static const char *const procedure_columns[] = {
	"code", "name", "field_code", "field_name", "limit_value", "limit_unit",
	"online_level", "has_fee", "paper_result", "integrated", "valid_from", "valid_to",
};
enum {
	P_CODE, P_NAME, P_FIELD_CODE, P_FIELD_NAME, P_LIMIT_VALUE, P_LIMIT_UNIT,
	P_ONLINE_LEVEL, P_HAS_FEE, P_PAPER_RESULT, P_INTEGRATED, P_FROM, P_TO,
};

static const char *const calendar_columns[] = { "date", "working", "reason" };
enum { C_DATE, C_WORKING, C_REASON };

static const char *const unit_levels[] = { "TINH", "SO_NGANH", "HUYEN", "XA", NULL };
static const char *const limit_units[] = { "hours", "days", "working_days", "months", NULL };
static const char *const online_levels[] = { "TOAN_TRINH", "MOT_PHAN", "NONE", NULL };

/*
 * One CSV file read row by row; values[i] is column i in NFC, valid until
 * the next row.
 */
struct table {
	const char *path;
	FILE *file;
	struct hoso_csv csv;
	const char *const *columns;
	size_t ncolumns;
	struct hoso_buf values[MAX_COLUMNS];
	struct hoso_buf *err;
};

static bool
table_error(struct table *t, size_t column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool
table_error(struct table *t, size_t column, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hoso_buf_addf(t->err, "%s:%lu: column %s: %s", t->path, t->csv.line,
		      t->columns[column], msg);
	return false;
}

/* Read one row into t->values; 1 a row, 0 the end, -1 an error in t->err. */
static int
table_next(struct table *t)
{
	struct hoso_buf msg = HOSO_BUF_INIT;
	enum hoso_csv_status st = hoso_csv_next(&t->csv, &msg);

	if (st == HOSO_CSV_ERROR) {
		hoso_buf_addf(t->err, "%s:%s", t->path, msg.data);
		hoso_buf_release(&msg);
		return -1;
	}
	hoso_buf_release(&msg);
	if (st == HOSO_CSV_END)
		return 0;
	for (size_t i = 0; i < t->ncolumns; i++) {
		hoso_buf_reset(&t->values[i]);
		if (strlen(t->csv.fields[i]) != t->csv.lengths[i])
			return table_error(t, i, "contains a NUL byte"), -1;
		if (!hoso_text_nfc(&t->values[i], t->csv.fields[i], t->csv.lengths[i]))
			return table_error(t, i, "not valid UTF-8"), -1;
	}
	return 1;
}

static void
table_close(struct table *t)
{
	for (size_t i = 0; i < t->ncolumns; i++)
		hoso_buf_release(&t->values[i]);
	hoso_csv_release(&t->csv);
	if (t->file)
		fclose(t->file);
	t->file = NULL;
}

/* Open path and check its header row. */
static bool
table_open(struct table *t, const char *path, const char *const *columns, size_t ncolumns,
	   struct hoso_buf *err)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->path = path;
	t->columns = columns;
	t->ncolumns = ncolumns;
	t->err = err;
	t->file = fopen(path, "rb");
	if (!t->file) {
		hoso_buf_addf(err, "%s: cannot open: %s", path, strerror(errno));
		return false;
	}
	hoso_csv_init(&t->csv, hoso_csv_read_stdio, t->file);
	t->csv.columns = ncolumns;
	r = table_next(t);
	if (r == 0)
		hoso_buf_addf(err, "%s:1: the header row is missing", path);
	if (r <= 0)
		goto fail;
	for (size_t i = 0; i < ncolumns; i++) {
		if (strcmp(t->values[i].data, columns[i]) != 0) {
			hoso_buf_addf(err, "%s:%lu: header: column %zu must be \"%s\", found \"%s\"",
				      path, t->csv.line, i + 1, columns[i], t->values[i].data);
			goto fail;
		}
	}
	return true;

fail:
	table_close(t);
	return false;
}

static char *
optional_copy(const char *s)
{
	return *s ? hoso_xstrdup(s) : NULL;
}

static bool
one_of(const char *s, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(s, *allowed) == 0)
			return true;
	return false;
}

static void
join(struct hoso_buf *out, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		hoso_buf_addf(out, "%s%s", i ? ", " : "", list[i]);
}

static bool
check_choice(struct table *t, size_t column, const char *const *allowed)
{
	struct hoso_buf list = HOSO_BUF_INIT;

	if (one_of(t->values[column].data, allowed))
		return true;
	join(&list, allowed);
	table_error(t, column, "\"%s\" is not one of %s", t->values[column].data, list.data);
	hoso_buf_release(&list);
	return false;
}

/* An empty cell is HOSO_DATE_NONE. */
static bool
parse_date(struct table *t, size_t column, hoso_date *out)
{
	const char *s = t->values[column].data;

	*out = HOSO_DATE_NONE;
	if (!*s || hoso_date_parse_iso(s, strlen(s), out))
		return true;
	return table_error(t, column, "\"%s\" is not a date (YYYY-MM-DD)", s);
}

static bool
parse_validity(struct table *t, size_t from_col, size_t to_col, hoso_date *from, hoso_date *to)
{
	if (!parse_date(t, from_col, from) || !parse_date(t, to_col, to))
		return false;
	if (*from != HOSO_DATE_NONE && *to != HOSO_DATE_NONE && *to < *from)
		return table_error(t, to_col, "%s is before valid_from %s",
				   t->values[to_col].data, t->values[from_col].data);
	return true;
}

/* An empty cell is false. */
static bool
parse_flag(struct table *t, size_t column, bool *out)
{
	const char *s = t->values[column].data;

	if (!*s || strcmp(s, "0") == 0 || strcmp(s, "1") == 0) {
		*out = s[0] == '1';
		return true;
	}
	return table_error(t, column, "expected 0 or 1, found \"%s\"", s);
}

static bool
parse_required(struct table *t, size_t column)
{
	if (*t->values[column].data)
		return true;
	return table_error(t, column, "must not be empty");
}

/* Remember the line of each code, to name both lines of a duplicate. */
static bool
check_unique(struct table *t, struct hoso_map *lines, size_t column)
{
	const char *code = t->values[column].data;
	void **slot = hoso_map_slot(lines, code, strlen(code));

	if (*slot)
		return table_error(t, column, "duplicate code \"%s\" (first at line %lu)", code,
				   (unsigned long) (uintptr_t) *slot);
	*slot = (void *) (uintptr_t) t->csv.line;
	return true;
}

void
hoso_reference_init(struct hoso_reference *ref)
{
	memset(ref, 0, sizeof(*ref));
	hoso_map_init(&ref->unit_by_code);
	hoso_map_init(&ref->unit_by_name);
	hoso_map_init(&ref->procedure_by_code);
	hoso_calendar_init(&ref->calendar);
}

static void
unit_release(struct hoso_unit *u)
{
	free(u->code);
	free(u->name);
	free(u->aliases);
	free(u->level);
	free(u->parent_code);
	free(u->successor_code);
}

static void
procedure_release(struct hoso_procedure *p)
{
	free(p->code);
	free(p->name);
	free(p->field_code);
	free(p->field_name);
	free(p->limit_unit);
	free(p->online_level);
}

static void
release_names(struct hoso_map *unit_by_name)
{
	const struct hoso_map_entry *e;

	for (size_t i = 0; hoso_map_next(unit_by_name, &i, &e);) {
		struct hoso_unit_names *names = e->value;

		free(names->units);
		free(names);
	}
	hoso_map_release(unit_by_name);
	hoso_map_init(unit_by_name);
}

void
hoso_reference_release(struct hoso_reference *ref)
{
	for (size_t i = 0; i < ref->nunits; i++)
		unit_release(&ref->units[i]);
	free(ref->units);
	for (size_t i = 0; i < ref->nprocedures; i++)
		procedure_release(&ref->procedures[i]);
	free(ref->procedures);
	for (size_t i = 0; i < ref->calendar_days; i++)
		free(ref->calendar_entries[i].reason);
	free(ref->calendar_entries);
	hoso_map_release(&ref->unit_by_code);
	release_names(&ref->unit_by_name);
	hoso_map_release(&ref->procedure_by_code);
	hoso_calendar_release(&ref->calendar);
	memset(ref, 0, sizeof(*ref));
}

static void
add_name(struct hoso_reference *ref, const struct hoso_unit *unit, const char *name, size_t len)
{
	struct hoso_buf key = HOSO_BUF_INIT;
	struct hoso_unit_names *names;
	void **slot;

	/* names were NFC-checked on reading, so folding cannot fail */
	if (!hoso_text_fold(&key, name, len) || key.len == 0) {
		hoso_buf_release(&key);
		return;
	}
	slot = hoso_map_slot(&ref->unit_by_name, key.data, key.len);
	if (!*slot)
		*slot = hoso_xcalloc(1, sizeof(struct hoso_unit_names));
	names = *slot;
	/* a unit's aliases come right after its name, so a repeat is the last one */
	if (!names->nunits || names->units[names->nunits - 1] != unit) {
		names->units = hoso_xrealloc(names->units,
					     (names->nunits + 1) * sizeof(*names->units));
		names->units[names->nunits++] = unit;
	}
	hoso_buf_release(&key);
}

/* Build the maps and parent pointers once every row is in ref->units. */
static bool
link_units(struct hoso_reference *ref, const char *path, struct hoso_buf *err)
{
	for (size_t i = 0; i < ref->nunits; i++) {
		struct hoso_unit *u = &ref->units[i];

		*hoso_map_slot(&ref->unit_by_code, u->code, strlen(u->code)) = u;
	}
	for (size_t i = 0; i < ref->nunits; i++) {
		struct hoso_unit *u = &ref->units[i];
		const char *a = u->aliases;

		if (u->parent_code) {
			u->parent = hoso_map_get(&ref->unit_by_code, u->parent_code,
						 strlen(u->parent_code));
			if (!u->parent) {
				hoso_buf_addf(err, "%s:%lu: column parent_code: unknown unit \"%s\"",
					      path, u->line, u->parent_code);
				return false;
			}
		}
		add_name(ref, u, u->name, strlen(u->name));
		while (a && *a) {
			const char *bar = strchr(a, '|');
			size_t len = bar ? (size_t) (bar - a) : strlen(a);

			add_name(ref, u, a, len);
			a += len + (bar != NULL);
		}
	}
	/* a cycle would make every unit path endless */
	for (size_t i = 0; i < ref->nunits; i++) {
		const struct hoso_unit *u = &ref->units[i];
		size_t depth = 0;

		for (; u && depth <= ref->nunits; u = u->parent)
			depth++;
		if (u) {
			hoso_buf_addf(err, "%s:%lu: column parent_code: unit \"%s\" is its own ancestor",
				      path, ref->units[i].line, ref->units[i].code);
			return false;
		}
	}
	return true;
}

static bool
read_unit(struct table *t, struct hoso_unit *u)
{
	if (!parse_required(t, U_CODE) || !parse_required(t, U_NAME) ||
	    !check_choice(t, U_LEVEL, unit_levels) ||
	    !parse_validity(t, U_FROM, U_TO, &u->valid_from, &u->valid_to))
		return false;
	if (strcmp(t->values[U_PARENT].data, t->values[U_CODE].data) == 0)
		return table_error(t, U_PARENT, "unit \"%s\" is its own parent",
				   t->values[U_CODE].data);
	u->code = hoso_xstrdup(t->values[U_CODE].data);
	u->name = hoso_xstrdup(t->values[U_NAME].data);
	u->aliases = optional_copy(t->values[U_ALIASES].data);
	u->level = hoso_xstrdup(t->values[U_LEVEL].data);
	u->parent_code = optional_copy(t->values[U_PARENT].data);
	u->successor_code = optional_copy(t->values[U_SUCCESSOR].data);
	return true;
}

bool
hoso_reference_load_units(struct hoso_reference *ref, const char *path, struct hoso_buf *err)
{
	struct table t;
	struct hoso_map seen;
	size_t cap = 0;
	bool ok = false;
	int r;

	if (ref->nunits) {
		hoso_buf_addf(err, "%s: a unit catalogue is already loaded", path);
		return false;
	}
	if (!table_open(&t, path, unit_columns, U_SUCCESSOR + 1, err))
		return false;
	hoso_map_init(&seen);
	while ((r = table_next(&t)) > 0) {
		struct hoso_unit u = { 0 };

		if (!check_unique(&t, &seen, U_CODE) || !read_unit(&t, &u)) {
			unit_release(&u);
			goto cleanup;
		}
		if (ref->nunits == cap) {
			cap = cap ? 2 * cap : 64;
			ref->units = hoso_xrealloc(ref->units, cap * sizeof(*ref->units));
		}
		u.line = t.csv.line;
		ref->units[ref->nunits++] = u;
	}
	if (r == 0)
		ok = link_units(ref, path, err);

cleanup:
	if (!ok) {
		for (size_t i = 0; i < ref->nunits; i++)
			unit_release(&ref->units[i]);
		free(ref->units);
		ref->units = NULL;
		ref->nunits = 0;
		hoso_map_release(&ref->unit_by_code);
		hoso_map_init(&ref->unit_by_code);
		release_names(&ref->unit_by_name);
	}
	hoso_map_release(&seen);
	table_close(&t);
	return ok;
}

static bool
read_procedure(struct table *t, struct hoso_procedure *p)
{
	const char *limit = t->values[P_LIMIT_VALUE].data;
	const char *unit = t->values[P_LIMIT_UNIT].data;
	const char *online = t->values[P_ONLINE_LEVEL].data;

	if (!parse_required(t, P_CODE) || !parse_required(t, P_NAME))
		return false;
	p->limit_value = -1;
	if (*limit) {
		char *end;

		errno = 0;
		p->limit_value = strtol(limit, &end, 10);
		if (*end || errno || p->limit_value < 0 || limit[0] == '-' || limit[0] == '+' ||
		    limit[0] == ' ')
			return table_error(t, P_LIMIT_VALUE,
					   "expected a whole number of at least 0, found \"%s\"",
					   limit);
		/* the warehouse keeps it as an integer: the load would fail on more */
		if (p->limit_value > INT_MAX)
			return table_error(t, P_LIMIT_VALUE, "%s is more than %d", limit, INT_MAX);
		if (!*unit)
			return table_error(t, P_LIMIT_UNIT, "must not be empty when limit_value is set");
	}
	if (*unit && !check_choice(t, P_LIMIT_UNIT, limit_units))
		return false;
	if (*online && !check_choice(t, P_ONLINE_LEVEL, online_levels))
		return false;
	if (!parse_flag(t, P_HAS_FEE, &p->has_fee) ||
	    !parse_flag(t, P_PAPER_RESULT, &p->paper_result) ||
	    !parse_flag(t, P_INTEGRATED, &p->integrated) ||
	    !parse_validity(t, P_FROM, P_TO, &p->valid_from, &p->valid_to))
		return false;
	p->code = hoso_xstrdup(t->values[P_CODE].data);
	p->name = hoso_xstrdup(t->values[P_NAME].data);
	p->field_code = optional_copy(t->values[P_FIELD_CODE].data);
	p->field_name = optional_copy(t->values[P_FIELD_NAME].data);
	p->limit_unit = optional_copy(unit);
	p->online_level = hoso_xstrdup(*online ? online : "NONE");
	return true;
}

bool
hoso_reference_load_procedures(struct hoso_reference *ref, const char *path,
			       struct hoso_buf *err)
{
	struct table t;
	struct hoso_map seen;
	size_t cap = 0;
	bool ok = false;
	int r;

	if (ref->nprocedures) {
		hoso_buf_addf(err, "%s: a procedure catalogue is already loaded", path);
		return false;
	}
	if (!table_open(&t, path, procedure_columns, P_TO + 1, err))
		return false;
	hoso_map_init(&seen);
	while ((r = table_next(&t)) > 0) {
		struct hoso_procedure p = { 0 };

		if (!check_unique(&t, &seen, P_CODE) || !read_procedure(&t, &p)) {
			procedure_release(&p);
			goto cleanup;
		}
		if (ref->nprocedures == cap) {
			cap = cap ? 2 * cap : 64;
			ref->procedures = hoso_xrealloc(ref->procedures, cap * sizeof(*ref->procedures));
		}
		ref->procedures[ref->nprocedures++] = p;
	}
	if (r == 0) {
		for (size_t i = 0; i < ref->nprocedures; i++) {
			struct hoso_procedure *p = &ref->procedures[i];

			*hoso_map_slot(&ref->procedure_by_code, p->code, strlen(p->code)) = p;
		}
		ok = true;
	}

cleanup:
	if (!ok) {
		for (size_t i = 0; i < ref->nprocedures; i++)
			procedure_release(&ref->procedures[i]);
		free(ref->procedures);
		ref->procedures = NULL;
		ref->nprocedures = 0;
	}
	hoso_map_release(&seen);
	table_close(&t);
	return ok;
}

/* Read one YYYY.csv: every date of that year exactly once. */
static bool
load_calendar_year(struct hoso_reference *ref, const char *path, int year,
		   struct hoso_calendar_entry **entries, size_t *n, size_t *cap,
		   struct hoso_buf *err)
{
	struct table t;
	hoso_date first = hoso_date_from_ymd(year, 1, 1);
	hoso_date end = hoso_date_from_ymd(year + 1, 1, 1);
	size_t ndays = (size_t) (end - first);
	unsigned long *seen = hoso_xcalloc(ndays, sizeof(*seen));
	size_t count = 0;
	bool ok = false;
	int r;

	if (!table_open(&t, path, calendar_columns, C_REASON + 1, err)) {
		free(seen);
		return false;
	}
	while ((r = table_next(&t)) > 0) {
		hoso_date day;
		bool working;

		if (!parse_required(&t, C_DATE) || !parse_date(&t, C_DATE, &day) ||
		    !parse_required(&t, C_WORKING) || !parse_flag(&t, C_WORKING, &working))
			goto cleanup;
		if (day < first || day >= end) {
			table_error(&t, C_DATE, "%s is not in %d", t.values[C_DATE].data, year);
			goto cleanup;
		}
		if (seen[day - first]) {
			table_error(&t, C_DATE, "%s is listed twice (first at line %lu)",
				    t.values[C_DATE].data, seen[day - first]);
			goto cleanup;
		}
		seen[day - first] = t.csv.line;
		count++;
		hoso_calendar_set(&ref->calendar, day, working);
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 512;
			*entries = hoso_xrealloc(*entries, *cap * sizeof(**entries));
		}
		(*entries)[(*n)++] = (struct hoso_calendar_entry) {
			.day = day, .working = working,
			.reason = optional_copy(t.values[C_REASON].data),
		};
	}
	if (r < 0)
		goto cleanup;
	if (count != ndays) {
		char missing[16] = "";

		for (size_t i = 0; i < ndays; i++) {
			if (!seen[i]) {
				hoso_date_format_iso(first + (hoso_date) i, missing);
				break;
			}
		}
		hoso_buf_addf(err, "%s: %d has %zu days, the file lists %zu (%s is missing)",
			      path, year, ndays, count, missing);
		goto cleanup;
	}
	ok = true;

cleanup:
	free(seen);
	table_close(&t);
	return ok;
}

/* A calendar file name: exactly four digits, then ".csv". */
static int
calendar_year(const char *name)
{
	if (strlen(name) != 8 || strcmp(name + 4, ".csv") != 0)
		return -1;
	for (int i = 0; i < 4; i++)
		if (name[i] < '0' || name[i] > '9')
			return -1;
	return atoi(name);
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static int
compare_entries(const void *pa, const void *pb)
{
	const struct hoso_calendar_entry *a = pa, *b = pb;

	return (a->day > b->day) - (a->day < b->day);
}

bool
hoso_reference_load_calendar(struct hoso_reference *ref, const char *dir, struct hoso_buf *err)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, cap_names = 0, cap = ref->calendar_days;
	struct hoso_buf path = HOSO_BUF_INIT;
	bool ok = false;

	d = opendir(dir);
	if (!d) {
		hoso_buf_addf(err, "%s: cannot open the calendar directory: %s", dir, strerror(errno));
		return false;
	}
	while ((de = readdir(d)) != NULL) {
		if (calendar_year(de->d_name) < 0)
			continue;
		if (nnames == cap_names) {
			cap_names = cap_names ? 2 * cap_names : 8;
			names = hoso_xrealloc(names, cap_names * sizeof(*names));
		}
		names[nnames++] = hoso_xstrdup(de->d_name);
	}
	closedir(d);
	if (nnames == 0) {
		hoso_buf_addf(err, "%s: no calendar file (YYYY.csv) in the directory", dir);
		goto cleanup;
	}
	qsort(names, nnames, sizeof(*names), compare_names);
	for (size_t i = 0; i < nnames; i++) {
		hoso_buf_reset(&path);
		hoso_buf_addf(&path, "%s/%s", dir, names[i]);
		if (!load_calendar_year(ref, path.data, calendar_year(names[i]),
					&ref->calendar_entries, &ref->calendar_days, &cap, err))
			goto cleanup;
	}
	/* each file holds only its own year, so no day can come twice */
	qsort(ref->calendar_entries, ref->calendar_days, sizeof(*ref->calendar_entries),
	      compare_entries);
	ok = true;

cleanup:
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	hoso_buf_release(&path);
	return ok;
}

bool
hoso_unit_valid_on(const struct hoso_unit *unit, hoso_date day)
{
	if (day == HOSO_DATE_NONE)
		return true;
	return (unit->valid_from == HOSO_DATE_NONE || unit->valid_from <= day) &&
	       (unit->valid_to == HOSO_DATE_NONE || day <= unit->valid_to);
}

/* The one unit valid on day that bears the name; else NULL, listing a tie. */
static const struct hoso_unit *
unit_by_name(const struct hoso_reference *ref, const char *name, hoso_date day,
	     struct hoso_buf *candidates)
{
	struct hoso_buf key = HOSO_BUF_INIT;
	const struct hoso_unit_names *names = NULL;
	const struct hoso_unit *found = NULL;
	size_t nvalid = 0;

	if (hoso_text_fold(&key, name, strlen(name)) && key.len)
		names = hoso_map_get(&ref->unit_by_name, key.data, key.len);
	hoso_buf_release(&key);
	for (size_t i = 0; names && i < names->nunits; i++) {
		if (hoso_unit_valid_on(names->units[i], day)) {
			found = names->units[i];
			nvalid++;
		}
	}
	if (nvalid < 2)
		return found;
	for (size_t i = 0, listed = 0; candidates && i < names->nunits; i++)
		if (hoso_unit_valid_on(names->units[i], day))
			hoso_buf_addf(candidates, "%s%s", listed++ ? ", " : "",
				      names->units[i]->code);
	return NULL;
}

const struct hoso_unit *
hoso_reference_case_unit(const struct hoso_reference *ref, const char *case_no,
			 const char *unit_name, hoso_date day, struct hoso_buf *candidates)
{
	const struct hoso_unit *u = NULL;
	const char *dash = case_no ? strchr(case_no, '-') : NULL;

	if (dash && dash > case_no)
		u = hoso_map_get(&ref->unit_by_code, case_no, (size_t) (dash - case_no));
	if (u && hoso_unit_valid_on(u, day))
		return u;
	return unit_name ? unit_by_name(ref, unit_name, day, candidates) : NULL;
}

const struct hoso_procedure *
hoso_reference_procedure(const struct hoso_reference *ref, const char *code)
{
	if (!code)
		return NULL;
	return hoso_map_get(&ref->procedure_by_code, code, strlen(code));
}
