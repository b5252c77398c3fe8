/*
 * csv.c: CSV exports of a case-handling system (docs/input.md §3), read through
 * a source schema (lib/hoso_source_schema.h).  Each row becomes one D
 * record, like a portal dossier object; there are no P records.
 *
 * The input comes as lines (lib/hoso_input: gzip or plain, BOM, CRLF);
 * a record whose quoted field holds line breaks spans several lines, so
 * lines are joined until the quotes close, and the whole record is then
 * split by the RFC 4180 reader (lib/hoso_csv).  The first record is the
 * header: its titles, folded like the schema's, say which column is which.
 *
 * A row's _at is the end (23:59:59) of the file's landing day; its line
 * orders rows of one file (docs/input.md §3).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "hoso_csv.h"
#include "hoso_log.h"
#include "hoso_source_schema.h"
#include "hoso_text.h"

/* A record longer than this (quotes never closing) is cut and rejected. */
#define MAX_RECORD_FLOOR (16 * 1024 * 1024)

struct csv_format {
	struct extract_format base;	/* first: f->format points here */
	struct hoso_source_schema schema;
	char *schema_path;
	struct csv_format *next;
};

static struct csv_format *all_formats;

struct csv_state {
	const struct csv_format *cf;
	char at[15];			/* the rows' _at, yyyyMMddHHmmss */
	bool have_header;
	char delimiter;
	size_t ncols;
	int *col_schema;		/* header column -> schema column, -1 unknown */
	char **col_title;		/* header titles as written */
	int field_col[HOSO_SF_NFIELDS];	/* field -> header column, -1 none */
	/* the record being joined */
	struct hoso_buf rec;
	bool pending, in_quotes, field_start;
	long rec_line, last_line;
	uint64_t rec_offset;
	struct hoso_input_line line;	/* the record, for rejects */
	/* per row */
	struct hoso_buf val[HOSO_SF_NFIELDS];
	bool has_val[HOSO_SF_NFIELDS];
	struct hoso_buf fold, err, hash_input;
};

static void *csv_begin(struct extract_file *f);
static void csv_line(void *state, struct extract_file *f, const struct hoso_input_line *line);
static void csv_finish(void *state, struct extract_file *f);
static void csv_end(void *state, struct extract_file *f);

const struct extract_format *
extract_csv_format(const char *schema_path, struct hoso_buf *err)
{
	struct csv_format *cf;

	for (cf = all_formats; cf; cf = cf->next)
		if (strcmp(cf->schema_path, schema_path) == 0)
			return &cf->base;
	cf = hoso_xcalloc(1, sizeof(*cf));
	if (!hoso_source_schema_load(schema_path, &cf->schema, err)) {
		free(cf);
		return NULL;
	}
	cf->schema_path = hoso_xstrdup(schema_path);
	cf->base.name = cf->schema.name;
	cf->base.begin = csv_begin;
	cf->base.line = csv_line;
	cf->base.finish = csv_finish;
	cf->base.end = csv_end;
	cf->next = all_formats;
	all_formats = cf;
	return &cf->base;
}

void
extract_csv_release_all(void)
{
	while (all_formats) {
		struct csv_format *cf = all_formats;

		all_formats = cf->next;
		hoso_source_schema_release(&cf->schema);
		free(cf->schema_path);
		free(cf);
	}
}

void
extract_csv_describe(const struct extract_format *format, FILE *out)
{
	const struct csv_format *cf = (const struct csv_format *) format;
	const struct hoso_source_schema *s = &cf->schema;

	fprintf(out, "schema: %s (%s), _src %s, delimiter %s, %zu columns\n", s->name,
		cf->schema_path, s->src,
		s->delimiter == ';' ? "\";\"" : s->delimiter == ',' ? "\",\"" : "guessed from the header",
		s->ncolumns);
}

static bool
digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool
extract_landing_day(const char *path, hoso_date *out)
{
	size_t len = strlen(path);
	bool found = false;

	/* yyyy/MM/dd, the landing tree's own form, wins over a name's yyyyMMdd */
	for (size_t i = 0; !found && i + 10 <= len; i++) {
		const char *p = path + len - 10 - i;
		int y, m, d;

		if (!digits(p, 4) || p[4] != '/' || !digits(p + 5, 2) || p[7] != '/' || !digits(p + 8, 2))
			continue;
		y = atoi(p);
		m = atoi(p + 5);
		d = atoi(p + 8);
		if (hoso_ymd_valid(y, m, d)) {
			*out = hoso_date_from_ymd(y, m, d);
			found = true;
		}
	}
	for (size_t i = 0; !found && i + 8 <= len; i++) {
		const char *p = path + len - 8 - i;
		int y, m, d;

		/* exactly eight digits, not part of a longer number */
		if (!digits(p, 8) || (p > path && p[-1] >= '0' && p[-1] <= '9') ||
		    (p[8] >= '0' && p[8] <= '9'))
			continue;
		y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
		m = (p[4] - '0') * 10 + (p[5] - '0');
		d = (p[6] - '0') * 10 + (p[7] - '0');
		if (hoso_ymd_valid(y, m, d)) {
			*out = hoso_date_from_ymd(y, m, d);
			found = true;
		}
	}
	return found;
}

static void *
csv_begin(struct extract_file *f)
{
	struct csv_state *st = hoso_xcalloc(1, sizeof(*st));
	hoso_date day = f->ex->landing_date;

	hoso_buf_init(&st->rec);
	for (int i = 0; i < HOSO_SF_NFIELDS; i++)
		hoso_buf_init(&st->val[i]);
	hoso_buf_init(&st->fold);
	hoso_buf_init(&st->err);
	hoso_buf_init(&st->hash_input);

	st->cf = (const struct csv_format *) f->format;
	st->delimiter = st->cf->schema.delimiter;
	if (day == HOSO_DATE_NONE && !extract_landing_day(f->path, &day)) {
		hoso_report(HOSO_LOG_ERROR,
			    hoso_msg("%s: cannot tell the file's landing day (no yyyy/MM/dd or "
				     "yyyyMMdd in the path)", f->path),
			    hoso_hint("Give it with --landing-date."));
		f->failed = true;
		return st;
	}
	hoso_time_format_compact(hoso_date_start(day) + 86399, st->at);
	return st;
}

static void
csv_end(void *state, struct extract_file *f)
{
	struct csv_state *st = state;

	if (!st)
		return;
	for (size_t i = 0; i < st->ncols; i++)
		free(st->col_title[i]);
	free(st->col_title);
	free(st->col_schema);
	hoso_buf_release(&st->rec);
	for (int i = 0; i < HOSO_SF_NFIELDS; i++)
		hoso_buf_release(&st->val[i]);
	hoso_buf_release(&st->fold);
	hoso_buf_release(&st->err);
	hoso_buf_release(&st->hash_input);
	free(st);
}

/* ';' or ',' for a header line: the one that occurs more often outside quotes. */
static char
guess_delimiter(const char *s, size_t len)
{
	size_t semi = 0, comma = 0;
	bool q = false;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == ';')
			semi++;
		else if (!q && s[i] == ',')
			comma++;
	}
	return semi >= comma && semi > 0 ? ';' : ',';
}

/* Track whether the joined record is inside a quoted field (RFC 4180). */
static void
scan_quotes(struct csv_state *st, const char *s, size_t len)
{
	if (!st->in_quotes)
		st->field_start = true;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (st->in_quotes) {
			if (c == '"') {
				if (i + 1 < len && s[i + 1] == '"')
					i++;
				else
					st->in_quotes = false;
			}
		} else if (c == st->delimiter) {
			st->field_start = true;
		} else {
			if (c == '"' && st->field_start)
				st->in_quotes = true;
			st->field_start = false;
		}
	}
}

/* Reject the row for one column: field = its title, reason starts "column N". */
static void
reject_column(struct extract_file *f, struct csv_state *st, int col, const char *fmt,
	      const char *value, size_t vlen)
{
	const char *pct = strstr(fmt, "%s");

	hoso_buf_reset(&f->reason);
	hoso_buf_addf(&f->reason, "column %d: ", col + 1);
	if (pct) {
		hoso_buf_add(&f->reason, fmt, (size_t) (pct - fmt));
		extract_quote(f, value, vlen);
		hoso_buf_addstr(&f->reason, pct + 2);
	} else {
		hoso_buf_addstr(&f->reason, fmt);
	}
	extract_reject(f, col >= 0 && (size_t) col < st->ncols ? st->col_title[col] : "-",
		       f->reason.data);
}

/* "L:C: message" of the CSV reader, made absolute and put as the reason. */
static void
reject_parse(struct extract_file *f, struct csv_state *st, const char *msg)
{
	char *end;
	unsigned long line = strtoul(msg, &end, 10), col = 0;

	if (*end == ':')
		col = strtoul(end + 1, &end, 10);
	if (*end == ':')
		end++;
	while (*end == ' ')
		end++;
	line += (unsigned long) st->rec_line - 1;
	hoso_buf_reset(&f->reason);
	if ((long) line == st->rec_line)
		hoso_buf_addf(&f->reason, "character %lu: %s", col, end);
	else
		hoso_buf_addf(&f->reason, "line %lu, character %lu: %s", line, col, end);
	extract_reject(f, "-", f->reason.data);
}

static bool
read_header(struct extract_file *f, struct csv_state *st, const struct hoso_csv *csv)
{
	const struct hoso_source_schema *s = &st->cf->schema;
	struct hoso_buf missing = HOSO_BUF_INIT;
	bool *seen = hoso_xcalloc(s->ncolumns + 1, sizeof(*seen));

	st->ncols = csv->nfields;
	st->col_schema = hoso_xcalloc(st->ncols, sizeof(*st->col_schema));
	st->col_title = hoso_xcalloc(st->ncols, sizeof(*st->col_title));
	for (int i = 0; i < HOSO_SF_NFIELDS; i++)
		st->field_col[i] = -1;
	for (size_t i = 0; i < st->ncols; i++) {
		int k;

		st->col_title[i] = hoso_xstrndup(csv->fields[i], csv->lengths[i]);
		hoso_buf_reset(&st->fold);
		if (!hoso_text_fold(&st->fold, csv->fields[i], csv->lengths[i]))
			hoso_buf_add(&st->fold, csv->fields[i], csv->lengths[i]);
		k = st->fold.len ? hoso_source_schema_find(s, st->fold.data, st->fold.len) : -1;
		if (k >= 0 && seen[k])
			k = -1;		/* a repeated title: the first one counts */
		st->col_schema[i] = k;
		if (k >= 0) {
			seen[k] = true;
			if (s->columns[k].field >= 0)
				st->field_col[s->columns[k].field] = (int) i;
		} else if (csv->lengths[i]) {
			/* listed in the drift report even when no row follows */
			hoso_map_slot(&f->unknown_fields, csv->fields[i], csv->lengths[i]);
		}
	}
	for (size_t k = 0; k < s->ncolumns; k++) {
		const struct hoso_source_column *c = &s->columns[k];

		if (!seen[k] && c->field >= 0 && !c->optional)
			hoso_buf_addf(&missing, "%s\"%s\"", missing.len ? ", " : "", c->title);
	}
	free(seen);
	if (missing.len) {
		hoso_error("%s:%ld: the header lacks the mapped column(s) %s of source schema %s",
			   f->path, st->rec_line, missing.data, s->name);
		f->failed = true;
	}
	hoso_buf_release(&missing);
	st->have_header = true;
	return !f->failed;
}

/* s without leading and trailing blanks */
static void
trim(const char **s, size_t *len)
{
	while (*len && (**s == ' ' || **s == '\t'))
		(*s)++, (*len)--;
	while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'))
		(*len)--;
}

/* The row without personal data, as a JSON object of title: value. */
static void
row_json(struct extract_file *f, struct csv_state *st, const struct hoso_csv *csv)
{
	const struct hoso_source_schema *s = &st->cf->schema;
	bool first = true;

	hoso_buf_reset(&f->raw);
	hoso_buf_addch(&f->raw, '{');
	for (size_t i = 0; i < st->ncols && i < csv->nfields; i++) {
		int k = st->col_schema[i];

		if (k < 0 || s->columns[k].personal || s->columns[k].field < 0)
			continue;
		if (!first)
			hoso_buf_addch(&f->raw, ',');
		first = false;
		hoso_buf_add_json_string(&f->raw, st->col_title[i], strlen(st->col_title[i]));
		hoso_buf_addch(&f->raw, ':');
		hoso_buf_add_json_string(&f->raw, csv->fields[i],
					 csv->lengths[i] > EXTRACT_RAW_CAP / 4 ? EXTRACT_RAW_CAP / 4 :
					 csv->lengths[i]);
	}
	hoso_buf_addch(&f->raw, '}');
	f->raw_done = true;
}

/* One field's value: mapped, defaulted, checked, in st->val; false after a reject. */
static bool
take_value(struct extract_file *f, struct csv_state *st, const struct hoso_csv *csv, int field)
{
	const struct hoso_source_schema *s = &st->cf->schema;
	int col = st->field_col[field];
	const struct hoso_source_column *c = col >= 0 ? &s->columns[st->col_schema[col]] : NULL;
	struct hoso_buf *out = &st->val[field];
	const char *v = "";
	size_t len = 0;

	hoso_buf_reset(out);
	st->has_val[field] = false;
	if (c && (size_t) col < csv->nfields) {
		v = csv->fields[col];
		len = csv->lengths[col];
		trim(&v, &len);
	}
	if (len && c && c->nvalues) {
		size_t k;

		hoso_buf_reset(&st->fold);
		if (!hoso_text_fold(&st->fold, v, len))
			hoso_buf_add(&st->fold, v, len);
		for (k = 0; k < c->nvalues; k++)
			if (strlen(c->value_keys[k]) == st->fold.len &&
			    memcmp(c->value_keys[k], st->fold.data, st->fold.len) == 0)
				break;
		if (k == c->nvalues) {
			reject_column(f, st, col, "unmapped value %s", v, len);
			return false;
		}
		v = c->value_to[k];
		len = strlen(v);
	}
	if (!len && s->defaults[field]) {
		v = s->defaults[field];
		len = strlen(v);
	}
	if (!len)
		return true;
	switch (hoso_sfield_kind(field)) {
	case HOSO_SK_DATE:
		{
			char **fmts = c->ndate_formats ? c->date_formats : s->date_formats;
			size_t n = c->ndate_formats ? c->ndate_formats : s->ndate_formats;
			hoso_time t;
			char compact[15];
			struct hoso_buf why = HOSO_BUF_INIT;
			size_t k;

			for (k = 0; k < n; k++)
				if (hoso_source_date_parse(fmts[k], v, len, &t))
					break;
			if (k == n) {
				hoso_buf_addstr(&why, "date %s matches no date format of the schema (");
				for (k = 0; k < n; k++)
					hoso_buf_addf(&why, "%s%s", k ? ", " : "", fmts[k]);
				hoso_buf_addstr(&why, ") or is impossible");
				reject_column(f, st, col, why.data, v, len);
				hoso_buf_release(&why);
				return false;
			}
			hoso_time_format_compact(t, compact);
			hoso_buf_add(out, compact, 14);
			break;
		}
	case HOSO_SK_STATUS:
		{
			int n = 0;

			for (size_t i = 0; i < len && n >= 0; i++)
				n = v[i] >= '0' && v[i] <= '9' && len <= 2 ? n * 10 + (v[i] - '0') : -1;
			if (n < 1 || n > 10 || v[0] == '0') {
				reject_column(f, st, col, "unknown status %s", v, len);
				return false;
			}
			hoso_buf_add(out, v, len);
			break;
		}
	case HOSO_SK_FLAG:
		if (!((len == 1 && (v[0] == '0' || v[0] == '1')) ||
		      (field == HOSO_SF_THANHTOAN && len == 1 && v[0] == '2'))) {
			reject_column(f, st, col, field == HOSO_SF_THANHTOAN ?
				      "expected 0, 1 or 2 (or a mapped value), found %s" :
				      "expected 0 or 1 (or a mapped value), found %s", v, len);
			return false;
		}
		hoso_buf_add(out, v, len);
		break;
	default:
		hoso_buf_add(out, v, len);
		break;
	}
	st->has_val[field] = true;
	return true;
}

/* The field's value; \N when the row has none. */
static void
set(struct csv_state *st, struct hoso_value *out, int field)
{
	if (st->has_val[field])
		hoso_value_text(out, st->val[field].data, st->val[field].len);
}

static bool
is_one(struct csv_state *st, int field)
{
	return st->has_val[field] && st->val[field].len == 1 && st->val[field].data[0] == '1';
}

static void
read_row(struct extract_file *f, struct csv_state *st, const struct hoso_csv *csv)
{
	static const int required[] = { HOSO_SF_MAHOSO, HOSO_SF_MATTHC, HOSO_SF_TRANGTHAI };
	const struct hoso_source_schema *s = &st->cf->schema;
	struct hoso_value rec[HOSO_D_NFIELDS];
	char hex[65];
	bool blank = true;

	for (size_t i = 0; i < csv->nfields && blank; i++)
		blank = csv->lengths[i] == 0;
	if (blank)
		return;		/* spreadsheets leave rows of empty cells */
	f->messages++;
	for (size_t i = 0; i < st->ncols && i < csv->nfields; i++)
		if (st->col_schema[i] < 0 && csv->lengths[0 + i] && st->col_title[i][0])
			extract_count_unknown(f, st->col_title[i], strlen(st->col_title[i]));
	row_json(f, st, csv);
	for (int k = 0; k < HOSO_SF_NFIELDS; k++)
		if (!take_value(f, st, csv, k))
			return;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		int k = required[i];

		if (!st->has_val[k]) {
			int col = st->field_col[k];

			hoso_buf_reset(&f->reason);
			if (col >= 0)
				hoso_buf_addf(&f->reason, "column %d: empty (%s is required)", col + 1,
					      hoso_sfield_name(k));
			else
				hoso_buf_addf(&f->reason, "%s is required", hoso_sfield_name(k));
			extract_reject(f, col >= 0 ? st->col_title[col] : hoso_sfield_name(k),
				       f->reason.data);
			return;
		}
	}
	if (st->has_val[HOSO_SF_NGAYTIEPNHAN] && st->has_val[HOSO_SF_NGAYKETTHUC] &&
	    strcmp(st->val[HOSO_SF_NGAYKETTHUC].data, st->val[HOSO_SF_NGAYTIEPNHAN].data) < 0) {
		int col = st->field_col[HOSO_SF_NGAYKETTHUC];

		reject_column(f, st, col, "earlier than the acceptance date %s",
			      st->val[HOSO_SF_NGAYTIEPNHAN].data, 14);
		return;
	}

	memset(rec, 0, sizeof(rec));
	hoso_value_int(&rec[HOSO_D_file_no], f->file_no);
	hoso_value_int(&rec[HOSO_D_line], st->rec_line);
	hoso_value_int(&rec[HOSO_D_pos], 0);
	hoso_value_str(&rec[HOSO_D_src], s->src);
	hoso_value_text(&rec[HOSO_D_at], st->at, 14);
	set(st, &rec[HOSO_D_case_no], HOSO_SF_MAHOSO);
	set(st, &rec[HOSO_D_procedure_code], HOSO_SF_MATTHC);
	set(st, &rec[HOSO_D_procedure_name], HOSO_SF_TENTTHC);
	set(st, &rec[HOSO_D_field_code], HOSO_SF_MALINHVUC);
	set(st, &rec[HOSO_D_channel_raw], HOSO_SF_KENH);
	set(st, &rec[HOSO_D_applicant_type], HOSO_SF_LOAIDOITUONG);
	set(st, &rec[HOSO_D_submitted_at], HOSO_SF_NGAYNOP);
	set(st, &rec[HOSO_D_accepted_at], HOSO_SF_NGAYTIEPNHAN);
	set(st, &rec[HOSO_D_due_at], HOSO_SF_NGAYHENTRA);
	set(st, &rec[HOSO_D_status], HOSO_SF_TRANGTHAI);
	set(st, &rec[HOSO_D_processed_at], HOSO_SF_NGAYKETTHUC);
	set(st, &rec[HOSO_D_returned_at], HOSO_SF_NGAYTRA);
	set(st, &rec[HOSO_D_refused_at], HOSO_SF_NGAYTUCHOI);
	set(st, &rec[HOSO_D_unit_name], HOSO_SF_DONVI);
	set(st, &rec[HOSO_D_return_form], HOSO_SF_HINHTHUC);
	hoso_value_bool(&rec[HOSO_D_digitised], is_one(st, HOSO_SF_SOHOA));
	hoso_value_bool(&rec[HOSO_D_paid_online], is_one(st, HOSO_SF_THANHTOAN) ||
			(st->has_val[HOSO_SF_THANHTOAN] && st->val[HOSO_SF_THANHTOAN].data[0] == '2'));
	hoso_value_bool(&rec[HOSO_D_vneid], is_one(st, HOSO_SF_VNEID));
	hoso_value_bool(&rec[HOSO_D_has_fee], is_one(st, HOSO_SF_COLEPHI));
	hoso_value_bool(&rec[HOSO_D_e_result], is_one(st, HOSO_SF_KETQUADIENTU));
	hoso_value_bool(&rec[HOSO_D_reuse], is_one(st, HOSO_SF_TAISUDUNG));
	/* supplements stay \N: a flat row carries no supplement rounds */
	if (f->ex->hash_personal_data) {
		/* as dvcqg.c: HMAC of "ChuHoSo|SoGiayToChuHoSo" */
		hoso_buf_reset(&st->hash_input);
		hoso_buf_add(&st->hash_input, st->val[HOSO_SF_CHUHOSO].data,
			     st->has_val[HOSO_SF_CHUHOSO] ? st->val[HOSO_SF_CHUHOSO].len : 0);
		hoso_buf_addch(&st->hash_input, '|');
		hoso_buf_add(&st->hash_input, st->val[HOSO_SF_SOGIAYTO].data,
			     st->has_val[HOSO_SF_SOGIAYTO] ? st->val[HOSO_SF_SOGIAYTO].len : 0);
		hoso_hmac_hex(&f->ex->hmac, st->hash_input.data, st->hash_input.len, hex);
		hoso_value_text(&rec[HOSO_D_applicant_hash], hex, 64);
	}
	hoso_records_write(&f->ex->out, 'D', rec, HOSO_D_NFIELDS);
	f->dossiers++;
}

/* The joined record is complete: split it, then header or row. */
static void
record(struct extract_file *f, struct csv_state *st)
{
	struct hoso_csv csv;
	struct hoso_csv_memory mem = { st->rec.data, st->rec.len, 0, 0 };
	enum hoso_csv_status rc;

	st->line = (struct hoso_input_line) {
		.data = mem.data, .len = mem.len, .lineno = st->rec_line, .offset = st->rec_offset,
		.flaw = HOSO_LINE_OK, .full_len = mem.len,
	};
	f->line = &st->line;
	f->root = NULL;
	f->raw_done = false;
	hoso_csv_init(&csv, hoso_csv_read_memory, &mem);
	csv.delimiter = st->delimiter;
	csv.columns = st->have_header ? st->ncols : 0;
	csv.max_record_bytes = mem.len + 1;
	hoso_buf_reset(&st->err);
	rc = hoso_csv_next(&csv, &st->err);
	if (rc == HOSO_CSV_RECORD && !st->have_header)
		read_header(f, st, &csv);
	else if (rc == HOSO_CSV_RECORD)
		read_row(f, st, &csv);
	else if (rc == HOSO_CSV_ERROR && !st->have_header) {
		hoso_error("%s:%s (in the header)", f->path, st->err.data);
		f->failed = true;
	} else if (rc == HOSO_CSV_ERROR) {
		f->messages++;
		reject_parse(f, st, st->err.data);
	}
	hoso_csv_release(&csv);
	hoso_buf_reset(&st->rec);
	st->pending = false;
	st->in_quotes = false;
}

static void
csv_line(void *state, struct extract_file *f, const struct hoso_input_line *line)
{
	struct csv_state *st = state;
	size_t cap = f->ex->max_line_bytes > MAX_RECORD_FLOOR ? f->ex->max_line_bytes :
		MAX_RECORD_FLOOR;

	if (!st->delimiter)
		st->delimiter = guess_delimiter(line->data, line->len);
	if (!st->pending) {
		st->pending = true;
		st->rec_line = line->lineno;
		st->rec_offset = line->offset;
	} else {
		/* line breaks inside quotes, empty lines (which the input skips) included */
		for (long k = st->last_line; k < line->lineno; k++)
			hoso_buf_addch(&st->rec, '\n');
	}
	st->last_line = line->lineno;
	hoso_buf_add(&st->rec, line->data, line->len);
	scan_quotes(st, line->data, line->len);
	/* a quote that never closes would otherwise swallow the rest of the file */
	if (!st->in_quotes || st->rec.len > cap)
		record(f, st);
}

static void
csv_finish(void *state, struct extract_file *f)
{
	struct csv_state *st = state;

	if (st->pending)
		record(f, st);
	if (!st->have_header && !f->failed) {
		/* an empty export: nothing to load, and nothing known about its columns */
		hoso_warning("%s: empty (no header row)", f->path);
	}
}
