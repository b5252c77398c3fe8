/*
 * hoso_source_schema.c: read a CSV source schema with libyaml's document
 * API against the key tables below, as hoso_pipeline.c reads pipelines:
 * each key has a type, whether it is required and where its value goes,
 * so a new key is one table row.  Checks across keys (a field mapped twice,
 * a date column without a format) run once every key is read.
 *
 * libyaml's marks are 0-based; messages add one to both.  Only the first
 * error is reported.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hoso_input.h"
#include "hoso_log.h"
#include "hoso_source_schema.h"
#include "hoso_text.h"

/* A schema is a screenful of YAML; anything far bigger is a mistake. */
#define MAX_SCHEMA_BYTES (1024 * 1024)
#define MAX_NAME 64
#define MAX_QUOTED 80
#define KEY_TEXT 256
#define MAX_KEYS 8

static const struct {
	const char *name;
	enum hoso_sfield_kind kind;
} sfields[HOSO_SF_NFIELDS] = {
	[HOSO_SF_MAHOSO] = { "MaHoSo", HOSO_SK_TEXT },
	[HOSO_SF_MATTHC] = { "MaTTHC", HOSO_SK_TEXT },
	[HOSO_SF_TENTTHC] = { "TenTTHC", HOSO_SK_TEXT },
	[HOSO_SF_MALINHVUC] = { "MaLinhVuc", HOSO_SK_TEXT },
	[HOSO_SF_TENLINHVUC] = { "TenLinhVuc", HOSO_SK_TEXT },
	[HOSO_SF_KENH] = { "KenhThucHien", HOSO_SK_TEXT },
	[HOSO_SF_LOAIDOITUONG] = { "LoaiDoiTuong", HOSO_SK_TEXT },
	[HOSO_SF_NGAYNOP] = { "NgayNopHoSo", HOSO_SK_DATE },
	[HOSO_SF_NGAYTIEPNHAN] = { "NgayTiepNhan", HOSO_SK_DATE },
	[HOSO_SF_NGAYHENTRA] = { "NgayHenTra", HOSO_SK_DATE },
	[HOSO_SF_TRANGTHAI] = { "TrangThaiHoSo", HOSO_SK_STATUS },
	[HOSO_SF_NGAYKETTHUC] = { "NgayKetThucXuLy", HOSO_SK_DATE },
	[HOSO_SF_NGAYTRA] = { "NgayTra", HOSO_SK_DATE },
	[HOSO_SF_NGAYTUCHOI] = { "NgayTuChoi", HOSO_SK_DATE },
	[HOSO_SF_DONVI] = { "DonViXuLy", HOSO_SK_TEXT },
	[HOSO_SF_HINHTHUC] = { "HinhThuc", HOSO_SK_TEXT },
	[HOSO_SF_SOHOA] = { "HoSoCoThanhPhanSoHoa", HOSO_SK_FLAG },
	[HOSO_SF_THANHTOAN] = { "DuocThanhToanTrucTuyen", HOSO_SK_FLAG },
	[HOSO_SF_VNEID] = { "TaiKhoanDuocXacThucVoiVNeID", HOSO_SK_FLAG },
	[HOSO_SF_COLEPHI] = { "CoLePhi", HOSO_SK_FLAG },
	[HOSO_SF_KETQUADIENTU] = { "CoKetQuaDienTu", HOSO_SK_FLAG },
	[HOSO_SF_TAISUDUNG] = { "CoTaiSuDung", HOSO_SK_FLAG },
	[HOSO_SF_CHUHOSO] = { "ChuHoSo", HOSO_SK_PERSONAL },
	[HOSO_SF_SOGIAYTO] = { "SoGiayToChuHoSo", HOSO_SK_PERSONAL },
};

const char *
hoso_sfield_name(enum hoso_sfield f)
{
	return f >= 0 && f < HOSO_SF_NFIELDS ? sfields[f].name : "?";
}

enum hoso_sfield_kind
hoso_sfield_kind(enum hoso_sfield f)
{
	return sfields[f].kind;
}

static int
sfield_find(const char *name)
{
	for (int i = 0; i < HOSO_SF_NFIELDS; i++)
		if (strcmp(sfields[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- date formats ---- */

const char *
hoso_source_date_check(const char *format)
{
	bool y = false, mo = false, d = false, h = false, mi = false, s = false;
	const char *p = format;

	if (!*format)
		return "empty";
	while (*p) {
		size_t n = 1;

		while (p[n] == p[0])
			n++;
		switch (*p) {
		case 'y':
			if (n != 4 || y)
				return "the year must be yyyy, once";
			y = true;
			break;
		case 'M': case 'd': case 'H': case 'm': case 's': {
			bool *seen = *p == 'M' ? &mo : *p == 'd' ? &d : *p == 'H' ? &h : *p == 'm' ? &mi : &s;

			if (n > 2 || *seen)
				return "MM, dd, HH, mm and ss are one or two letters, once each";
			*seen = true;
			break;
		}
		default:
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
				return "unknown letter (known: yyyy MM dd HH mm ss)";
			break;
		}
		p += n;
	}
	if (!y || !mo || !d)
		return "needs yyyy, MM and dd";
	if ((mi && !h) || (s && !mi))
		return "minutes need hours, seconds need minutes";
	return NULL;
}

bool
hoso_source_date_parse(const char *format, const char *s, size_t len, hoso_time *out)
{
	int v[6] = { 0, 0, 0, 0, 0, 0 };	/* y M d H m s */
	const char *p = format;
	size_t i = 0;

	while (*p) {
		size_t n = 1, digits = 0, max;
		int k, val = 0;

		while (p[n] == p[0])
			n++;
		k = *p == 'y' ? 0 : *p == 'M' ? 1 : *p == 'd' ? 2 : *p == 'H' ? 3 :
			*p == 'm' ? 4 : *p == 's' ? 5 : -1;
		if (k < 0) {
			for (size_t j = 0; j < n; j++)
				if (i >= len || s[i++] != p[0])
					return false;
			p += n;
			continue;
		}
		/* one letter: one or two digits; otherwise exactly as many as letters */
		max = n == 1 ? 2 : n;
		while (digits < max && i < len && s[i] >= '0' && s[i] <= '9') {
			val = val * 10 + (s[i++] - '0');
			digits++;
		}
		if (digits == 0 || (n > 1 && digits != n))
			return false;
		v[k] = val;
		p += n;
	}
	if (i != len || !hoso_ymd_valid(v[0], v[1], v[2]) || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return false;
	*out = hoso_date_start(hoso_date_from_ymd(v[0], v[1], v[2])) + v[3] * 3600 + v[4] * 60 + v[5];
	return true;
}

/* ---- the key tables ---- */

enum key_type {
	KEY_STRING,		/* a non-empty string (char *) */
	KEY_NAME,		/* [a-z0-9_-]+ */
	KEY_DELIMITER,		/* ";" or "," (char) */
	KEY_BOOL,		/* true or false (bool) */
	KEY_FIELD,		/* a field name (int) */
	KEY_DATE_FORMATS,	/* a format or a list of formats (char **, size_t) */
	KEY_VALUES,		/* a mapping of value -> value (column) */
	KEY_COLUMNS,		/* a list of column mappings (schema) */
	KEY_DEFAULTS,		/* a mapping of field -> value (schema) */
};

struct key_spec {
	const char *name;
	enum key_type type;
	bool required;
	size_t offset;
	size_t count_offset;	/* KEY_DATE_FORMATS */
};

struct key_table {
	const struct key_spec *keys;
	size_t nkeys;
};

#define SC(field) offsetof(struct hoso_source_schema, field)
#define CO(field) offsetof(struct hoso_source_column, field)
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))
#define FIELD(base, off, type) ((type *) ((char *) (base) + (off)))

static const struct key_spec column_keys[] = {
	{ "title", KEY_STRING, true, CO(title), 0 },
	{ "field", KEY_FIELD, false, CO(field), 0 },
	{ "ignore", KEY_BOOL, false, CO(ignore), 0 },
	{ "personal", KEY_BOOL, false, CO(personal), 0 },
	{ "optional", KEY_BOOL, false, CO(optional), 0 },
	{ "date_formats", KEY_DATE_FORMATS, false, CO(date_formats), CO(ndate_formats) },
	{ "values", KEY_VALUES, false, 0, 0 },
};
static const struct key_table column_table = { column_keys, NKEYS(column_keys) };

static const struct key_spec schema_keys[] = {
	{ "name", KEY_NAME, false, SC(name), 0 },
	{ "src", KEY_STRING, true, SC(src), 0 },
	{ "delimiter", KEY_DELIMITER, false, SC(delimiter), 0 },
	{ "date_formats", KEY_DATE_FORMATS, false, SC(date_formats), SC(ndate_formats) },
	{ "columns", KEY_COLUMNS, true, 0, 0 },
	{ "defaults", KEY_DEFAULTS, false, 0, 0 },
};
static const struct key_table schema_table = { schema_keys, NKEYS(schema_keys) };
_Static_assert(NKEYS(column_keys) <= MAX_KEYS && NKEYS(schema_keys) <= MAX_KEYS,
	       "MAX_KEYS is too small");

struct loader {
	const char *file;
	yaml_document_t *doc;
	struct hoso_buf *err;
	struct hoso_source_schema *schema;
};

static bool
error_at(struct loader *ld, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool
error_at(struct loader *ld, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hoso_buf_addf(ld->err, "%s:%zu:%zu: %s", ld->file, mark.line + 1, mark.column + 1, msg);
	return false;
}

static bool
is_null(const yaml_node_t *node)
{
	const char *v;

	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *) node->data.scalar.value;
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static bool
type_error(struct loader *ld, const yaml_node_t *node, const char *key, const char *expected)
{
	struct hoso_buf found = HOSO_BUF_INIT;

	if (node->type == YAML_MAPPING_NODE)
		hoso_buf_addstr(&found, "a mapping");
	else if (node->type == YAML_SEQUENCE_NODE)
		hoso_buf_addstr(&found, "a list");
	else if (is_null(node))
		hoso_buf_addstr(&found, "nothing");
	else {
		size_t len = node->data.scalar.length;

		if (len > MAX_QUOTED) {
			len = MAX_QUOTED;
			while (len > 0 && (node->data.scalar.value[len] & 0xC0) == 0x80)
				len--;
		}
		hoso_buf_add_json_string(&found, (const char *) node->data.scalar.value, len);
		if (len < node->data.scalar.length)
			hoso_buf_addstr(&found, "...");
	}
	error_at(ld, node->start_mark, "%s: expected %s, found %s", key, expected, found.data);
	hoso_buf_release(&found);
	return false;
}

/* The text of a scalar (a null counts as ""), or NULL after a message. */
static const char *
scalar_text(struct loader *ld, const yaml_node_t *node, const char *key, const char *expected,
	    bool allow_empty)
{
	if (node->type != YAML_SCALAR_NODE || (!allow_empty && is_null(node))) {
		type_error(ld, node, key, expected);
		return NULL;
	}
	if (strlen((const char *) node->data.scalar.value) != node->data.scalar.length) {
		error_at(ld, node->start_mark, "%s: contains a NUL character", key);
		return NULL;
	}
	if (is_null(node))
		return "";
	if (hoso_utf8_check((const char *) node->data.scalar.value, node->data.scalar.length) !=
	    node->data.scalar.length) {
		error_at(ld, node->start_mark, "%s: not valid UTF-8", key);
		return NULL;
	}
	return (const char *) node->data.scalar.value;
}

static size_t
seq_len(const yaml_node_t *node)
{
	return (size_t) (node->data.sequence.items.top - node->data.sequence.items.start);
}

static yaml_node_t *
seq_item(struct loader *ld, const yaml_node_t *node, size_t i)
{
	return yaml_document_get_node(ld->doc, node->data.sequence.items.start[i]);
}

static char *
fold(const char *s)
{
	struct hoso_buf b = HOSO_BUF_INIT;

	char *r;

	if (!hoso_text_fold(&b, s, strlen(s)) || !b.data)
		hoso_buf_addstr(&b, "");
	r = hoso_xstrdup(b.data);
	hoso_buf_release(&b);
	return r;
}

static bool load_mapping(struct loader *ld, const struct key_table *table, const char *prefix,
			 yaml_node_t *node, void *base);

static bool
load_date_formats(struct loader *ld, const struct key_spec *k, const char *key, yaml_node_t *node,
		  void *base)
{
	char ***v = FIELD(base, k->offset, char **);
	size_t *n = FIELD(base, k->count_offset, size_t);
	size_t count = node->type == YAML_SEQUENCE_NODE ? seq_len(node) : 1;

	if (node->type == YAML_MAPPING_NODE)
		return type_error(ld, node, key, "a date format or a list of them");
	if (count == 0)
		return error_at(ld, node->start_mark, "%s: expected at least one date format", key);
	*v = hoso_xcalloc(count, sizeof(char *));
	*n = count;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = node->type == YAML_SEQUENCE_NODE ? seq_item(ld, node, i) : node;
		char itemkey[KEY_TEXT + 24];
		const char *text, *why;

		snprintf(itemkey, sizeof(itemkey), "%s[%zu]", key, i);
		text = scalar_text(ld, item, itemkey, "a date format such as dd/MM/yyyy HH:mm:ss",
				   false);
		if (!text)
			return false;
		why = hoso_source_date_check(text);
		if (why)
			return error_at(ld, item->start_mark, "%s: bad date format \"%s\": %s",
					itemkey, text, why);
		(*v)[i] = hoso_xstrdup(text);
	}
	return true;
}

static bool
load_values(struct loader *ld, const char *key, yaml_node_t *node, struct hoso_source_column *c)
{
	size_t count;

	if (node->type != YAML_MAPPING_NODE)
		return type_error(ld, node, key, "a mapping of value: code");
	count = (size_t) (node->data.mapping.pairs.top - node->data.mapping.pairs.start);
	c->value_keys = hoso_xcalloc(count + 1, sizeof(char *));
	c->value_to = hoso_xcalloc(count + 1, sizeof(char *));
	for (size_t i = 0; i < count; i++) {
		yaml_node_pair_t *pair = &node->data.mapping.pairs.start[i];
		yaml_node_t *kn = yaml_document_get_node(ld->doc, pair->key);
		yaml_node_t *vn = yaml_document_get_node(ld->doc, pair->value);
		const char *from = scalar_text(ld, kn, key, "a value as written in the export", true);
		const char *to;
		char *folded;

		if (!from)
			return false;
		to = scalar_text(ld, vn, key, "the value it stands for", true);
		if (!to)
			return false;
		folded = fold(from);
		for (size_t j = 0; j < c->nvalues; j++)
			if (strcmp(c->value_keys[j], folded) == 0) {
				free(folded);
				return error_at(ld, kn->start_mark,
						"%s: \"%s\" is listed twice (after case folding)", key,
						from);
			}
		c->value_keys[c->nvalues] = folded;
		c->value_to[c->nvalues++] = hoso_xstrdup(to);
	}
	return true;
}

/* A value of a field: what a STATUS or FLAG field accepts (dates are checked per row). */
static const char *
bad_value(int field, const char *v)
{
	enum hoso_sfield_kind kind = sfields[field].kind;

	if (!*v)
		return NULL;
	if (kind == HOSO_SK_STATUS) {
		char *end;
		long n = strtol(v, &end, 10);

		return *end || n < 1 || n > 10 || v[0] == '0' || v[0] == '+' || v[0] == '-' ||
			v[0] == ' ' ? "a status code from 1 to 10" : NULL;
	}
	if (kind == HOSO_SK_FLAG)
		return strcmp(v, "0") == 0 || strcmp(v, "1") == 0 ||
			(field == HOSO_SF_THANHTOAN && strcmp(v, "2") == 0) ? NULL :
			field == HOSO_SF_THANHTOAN ? "0, 1 or 2" : "0 or 1";
	return NULL;
}

static bool
load_defaults(struct loader *ld, const char *key, yaml_node_t *node)
{
	if (node->type != YAML_MAPPING_NODE)
		return type_error(ld, node, key, "a mapping of field: value");
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *kn = yaml_document_get_node(ld->doc, pair->key);
		yaml_node_t *vn = yaml_document_get_node(ld->doc, pair->value);
		const char *name = scalar_text(ld, kn, key, "a field name", false);
		const char *v, *why;
		int f;

		if (!name)
			return false;
		f = sfield_find(name);
		if (f < 0)
			return error_at(ld, kn->start_mark, "%s: unknown field \"%s\"", key, name);
		if (sfields[f].kind == HOSO_SK_PERSONAL || sfields[f].kind == HOSO_SK_DATE ||
		    f == HOSO_SF_MAHOSO)
			return error_at(ld, kn->start_mark, "%s: %s cannot have a default", key, name);
		if (ld->schema->defaults[f])
			return error_at(ld, kn->start_mark, "%s: %s is given twice", key, name);
		v = scalar_text(ld, vn, key, "a value", false);
		if (!v)
			return false;
		why = bad_value(f, v);
		if (why)
			return error_at(ld, vn->start_mark, "%s.%s: expected %s, found \"%s\"", key,
					name, why, v);
		ld->schema->defaults[f] = hoso_xstrdup(v);
	}
	return true;
}

/* Checks of one column once its keys are read. */
static bool
check_column(struct loader *ld, yaml_node_t *node, struct hoso_source_column *c, size_t index)
{
	struct hoso_source_schema *s = ld->schema;

	c->key = fold(c->title);
	c->line = node->start_mark.line + 1;
	if (!*c->key)
		return error_at(ld, node->start_mark, "columns[%zu]: the title is blank", index);
	for (size_t j = 0; j < index; j++)
		if (strcmp(s->columns[j].key, c->key) == 0)
			return error_at(ld, node->start_mark,
					"columns[%zu]: title \"%s\" already at line %zu "
					"(titles match after NFC and case folding)",
					index, c->title, s->columns[j].line);
	if (c->field >= 0 && c->ignore)
		return error_at(ld, node->start_mark,
				"columns[%zu] \"%s\": a column with a field is not ignored",
				index, c->title);
	if (c->field < 0 && !c->ignore && !c->personal)
		return error_at(ld, node->start_mark,
				"columns[%zu] \"%s\": needs field, ignore: true or personal: true",
				index, c->title);
	if (c->field >= 0 && c->personal && sfields[c->field].kind != HOSO_SK_PERSONAL)
		return error_at(ld, node->start_mark,
				"columns[%zu] \"%s\": %s is not personal data; a personal column "
				"has no field, or ChuHoSo / SoGiayToChuHoSo", index, c->title,
				sfields[c->field].name);
	if (c->field >= 0 && sfields[c->field].kind == HOSO_SK_PERSONAL)
		c->personal = true;
	if (c->field >= 0) {
		if (s->column_of[c->field] >= 0)
			return error_at(ld, node->start_mark,
					"columns[%zu] \"%s\": field %s is already the column \"%s\" "
					"(line %zu)", index, c->title, sfields[c->field].name,
					s->columns[s->column_of[c->field]].title,
					s->columns[s->column_of[c->field]].line);
		s->column_of[c->field] = (int) index;
	}
	if (c->ndate_formats && (c->field < 0 || sfields[c->field].kind != HOSO_SK_DATE))
		return error_at(ld, node->start_mark,
				"columns[%zu] \"%s\": date_formats belong to a date field", index,
				c->title);
	if (c->nvalues && c->field < 0)
		return error_at(ld, node->start_mark,
				"columns[%zu] \"%s\": values belong to a column with a field", index,
				c->title);
	for (size_t j = 0; j < c->nvalues; j++) {
		const char *why = bad_value(c->field, c->value_to[j]);

		if (why)
			return error_at(ld, node->start_mark,
					"columns[%zu] \"%s\": values: %s must be %s, found \"%s\"",
					index, c->title, sfields[c->field].name, why, c->value_to[j]);
	}
	return true;
}

static bool
load_columns(struct loader *ld, const char *key, yaml_node_t *node)
{
	struct hoso_source_schema *s = ld->schema;
	size_t count;

	if (node->type != YAML_SEQUENCE_NODE)
		return type_error(ld, node, key, "a list of columns");
	count = seq_len(node);
	if (count == 0)
		return error_at(ld, node->start_mark, "%s: expected at least one column", key);
	s->columns = hoso_xcalloc(count, sizeof(*s->columns));
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = seq_item(ld, node, i);
		struct hoso_source_column *c = &s->columns[i];
		char itemkey[KEY_TEXT + 24];

		c->field = -1;
		s->ncolumns = i + 1;
		snprintf(itemkey, sizeof(itemkey), "%s[%zu]", key, i);
		if (!load_mapping(ld, &column_table, itemkey, item, c) ||
		    !check_column(ld, item, c, i))
			return false;
	}
	return true;
}

static bool
load_value(struct loader *ld, const struct key_spec *k, const char *key, yaml_node_t *node,
	   void *base)
{
	const char *text;

	switch (k->type) {
	case KEY_DATE_FORMATS:
		return load_date_formats(ld, k, key, node, base);
	case KEY_VALUES:
		return load_values(ld, key, node, base);
	case KEY_COLUMNS:
		return load_columns(ld, key, node);
	case KEY_DEFAULTS:
		return load_defaults(ld, key, node);
	case KEY_STRING:
		text = scalar_text(ld, node, key, "a non-empty string", false);
		if (!text)
			return false;
		if (!*text)
			return type_error(ld, node, key, "a non-empty string");
		*FIELD(base, k->offset, char *) = hoso_xstrdup(text);
		return true;
	case KEY_NAME:
		text = scalar_text(ld, node, key, "a name ([a-z0-9_-]+)", false);
		if (!text)
			return false;
		if (strlen(text) > MAX_NAME || strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
		    strlen(text))
			return type_error(ld, node, key, "a name ([a-z0-9_-]+, at most 64 characters)");
		*FIELD(base, k->offset, char *) = hoso_xstrdup(text);
		return true;
	case KEY_DELIMITER:
		text = scalar_text(ld, node, key, "\";\" or \",\"", false);
		if (!text)
			return false;
		if (strcmp(text, ";") != 0 && strcmp(text, ",") != 0)
			return type_error(ld, node, key, "\";\" or \",\"");
		*FIELD(base, k->offset, char) = text[0];
		return true;
	case KEY_BOOL:
		text = scalar_text(ld, node, key, "true or false", false);
		if (!text)
			return false;
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
			*FIELD(base, k->offset, bool) = text[0] == 't';
			return true;
		}
		return type_error(ld, node, key, "true or false");
	case KEY_FIELD:
		{
			int f;

			text = scalar_text(ld, node, key, "a field name", false);
			if (!text)
				return false;
			f = sfield_find(text);
			if (f < 0) {
				struct hoso_buf list = HOSO_BUF_INIT;

				for (int i = 0; i < HOSO_SF_NFIELDS; i++)
					hoso_buf_addf(&list, "%s%s", i ? ", " : "", sfields[i].name);
				error_at(ld, node->start_mark, "%s: unknown field \"%s\" (known: %s)",
					 key, text, list.data);
				hoso_buf_release(&list);
				return false;
			}
			*FIELD(base, k->offset, int) = f;
			return true;
		}
	}
	return false;
}

static bool
load_mapping(struct loader *ld, const struct key_table *table, const char *prefix,
	     yaml_node_t *node, void *base)
{
	size_t seen[MAX_KEYS] = { 0 };
	char key[KEY_TEXT];

	if (node->type != YAML_MAPPING_NODE) {
		if (!*prefix)
			return type_error(ld, node, "the schema", "a mapping of source schema keys");
		return type_error(ld, node, prefix, "a mapping");
	}
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *knode = yaml_document_get_node(ld->doc, pair->key);
		yaml_node_t *vnode = yaml_document_get_node(ld->doc, pair->value);
		const char *name;
		size_t i;

		if (knode->type != YAML_SCALAR_NODE)
			return type_error(ld, knode, prefix[0] ? prefix : "the schema", "a key name");
		name = (const char *) knode->data.scalar.value;
		for (i = 0; i < table->nkeys; i++)
			if (strcmp(name, table->keys[i].name) == 0)
				break;
		snprintf(key, sizeof(key), "%s%s%.*s", prefix, *prefix ? "." : "", MAX_QUOTED, name);
		if (i == table->nkeys) {
			struct hoso_buf allowed = HOSO_BUF_INIT;

			for (size_t j = 0; j < table->nkeys; j++)
				hoso_buf_addf(&allowed, "%s%s", j ? ", " : "", table->keys[j].name);
			error_at(ld, knode->start_mark, "unknown key \"%.*s\"%s%s (allowed: %s)",
				 MAX_QUOTED, name, *prefix ? " in " : "", prefix, allowed.data);
			hoso_buf_release(&allowed);
			return false;
		}
		if (seen[i])
			return error_at(ld, knode->start_mark, "duplicate key \"%s\" (first at line %zu)",
					key, seen[i]);
		seen[i] = knode->start_mark.line + 1;
		if (!load_value(ld, &table->keys[i], key, vnode, base))
			return false;
	}
	for (size_t i = 0; i < table->nkeys; i++)
		if (table->keys[i].required && !seen[i])
			return error_at(ld, node->start_mark, "missing required key \"%s%s%s\"",
					prefix, *prefix ? "." : "", table->keys[i].name);
	return true;
}

/* Checks across the schema, once every key is read. */
static bool
check_schema(struct loader *ld, yaml_node_t *root)
{
	struct hoso_source_schema *s = ld->schema;

	if (s->column_of[HOSO_SF_MAHOSO] < 0)
		return error_at(ld, root->start_mark, "no column has field MaHoSo (the case number)");
	if (s->column_of[HOSO_SF_MATTHC] < 0 && !s->defaults[HOSO_SF_MATTHC])
		return error_at(ld, root->start_mark,
				"no column has field MaTTHC (the procedure code), and no default");
	if (s->column_of[HOSO_SF_TRANGTHAI] < 0 && !s->defaults[HOSO_SF_TRANGTHAI])
		return error_at(ld, root->start_mark,
				"no column has field TrangThaiHoSo (the status), and no default");
	for (size_t i = 0; i < s->ncolumns; i++) {
		const struct hoso_source_column *c = &s->columns[i];
		yaml_mark_t mark = { 0, c->line - 1, 0 };

		if (c->field >= 0 && sfields[c->field].kind == HOSO_SK_DATE && !c->ndate_formats &&
		    !s->ndate_formats)
			return error_at(ld, mark,
					"column \"%s\" is the date %s but neither it nor the schema "
					"has date_formats", c->title, sfields[c->field].name);
	}
	return true;
}

static char *
default_name(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t len;

	base = base ? base + 1 : file;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
		len -= 5;
	else if (len > 4 && strcmp(base + len - 4, ".yml") == 0)
		len -= 4;
	return hoso_xstrndup(base, len);
}

bool
hoso_source_schema_load_buffer(const char *name, const char *data, size_t len,
			       struct hoso_source_schema *out, struct hoso_buf *err)
{
	struct loader ld = { name, NULL, err, out };
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	bool have_doc = false, ok = false;
	yaml_node_t *root;
	yaml_mark_t start = { 0, 0, 0 };

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < HOSO_SF_NFIELDS; i++)
		out->column_of[i] = -1;
	if (!yaml_parser_initialize(&parser))
		hoso_die("out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *) data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		if (parser.error == YAML_MEMORY_ERROR)
			hoso_die("out of memory while parsing %s", name);
		if (parser.error == YAML_READER_ERROR)
			error_at(&ld, start, "%s (at byte %zu)",
				 parser.problem ? parser.problem : "cannot read the YAML",
				 parser.problem_offset);
		else
			error_at(&ld, parser.problem_mark, "%s",
				 parser.problem ? parser.problem : "cannot parse the YAML");
		goto cleanup;
	}
	have_doc = true;
	ld.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		error_at(&ld, start, "the schema is empty; it needs at least src and columns");
		goto cleanup;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		error_at(&ld, parser.problem_mark, "%s",
			 parser.problem ? parser.problem : "cannot parse the YAML");
		goto cleanup;
	}
	if (yaml_document_get_root_node(&extra)) {
		error_at(&ld, yaml_document_get_root_node(&extra)->start_mark,
			 "a second YAML document; a source schema holds one");
		yaml_document_delete(&extra);
		goto cleanup;
	}
	yaml_document_delete(&extra);
	if (!load_mapping(&ld, &schema_table, "", root, out) || !check_schema(&ld, root))
		goto cleanup;
	if (!out->name) {
		out->name = default_name(name);
		if (!*out->name || strspn(out->name, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
		    strlen(out->name)) {
			error_at(&ld, start, "the file name \"%s\" is not a format name "
				 "([a-z0-9_-]+); give the schema a name", out->name);
			goto cleanup;
		}
	}
	ok = true;

cleanup:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!ok)
		hoso_source_schema_release(out);
	return ok;
}

bool
hoso_source_schema_load(const char *path, struct hoso_source_schema *out, struct hoso_buf *err)
{
	FILE *f = fopen(path, "rb");
	struct hoso_buf data = HOSO_BUF_INIT;
	char chunk[8192];
	size_t n;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!f) {
		hoso_buf_addf(err, "%s: cannot open: %s", path, strerror(errno));
		return false;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		hoso_buf_add(&data, chunk, n);
		if (data.len > MAX_SCHEMA_BYTES) {
			hoso_buf_addf(err, "%s: larger than %d bytes; not a source schema", path,
				      MAX_SCHEMA_BYTES);
			fclose(f);
			hoso_buf_release(&data);
			return false;
		}
	}
	if (ferror(f)) {
		hoso_buf_addf(err, "%s: cannot read: %s", path, strerror(errno));
		fclose(f);
		hoso_buf_release(&data);
		return false;
	}
	fclose(f);
	ok = hoso_source_schema_load_buffer(path, data.data ? data.data : "", data.len, out, err);
	hoso_buf_release(&data);
	return ok;
}

static void
free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
hoso_source_schema_release(struct hoso_source_schema *s)
{
	for (size_t i = 0; i < s->ncolumns; i++) {
		struct hoso_source_column *c = &s->columns[i];

		free(c->title);
		free(c->key);
		free_strings(c->date_formats, c->ndate_formats);
		free_strings(c->value_keys, c->nvalues);
		free_strings(c->value_to, c->nvalues);
	}
	free(s->columns);
	free_strings(s->date_formats, s->ndate_formats);
	for (int i = 0; i < HOSO_SF_NFIELDS; i++)
		free(s->defaults[i]);
	free(s->name);
	free(s->src);
	memset(s, 0, sizeof(*s));
}

int
hoso_source_schema_find(const struct hoso_source_schema *s, const char *key, size_t keylen)
{
	for (size_t i = 0; i < s->ncolumns; i++)
		if (strlen(s->columns[i].key) == keylen && memcmp(s->columns[i].key, key, keylen) == 0)
			return (int) i;
	return -1;
}
