/*
 * hoso_source_schema.c: a CSV source schema, checked against the key
 * tables below as hoso_pipeline.c checks pipelines: each key has a type,
 * whether it is required and where its value goes, so a new key is one
 * table row.  Reading the YAML and walking the tables is hoso_config.c's
 * work; this file says what each value means.  Checks across keys (a field
 * mapped twice, a date column without a format) run once every key is
 * read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_config.h"
#include "hoso_log.h"
#include "hoso_source_schema.h"
#include "hoso_text.h"

#define MAX_NAME 64

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

static hoso_config_load_fn load_value;

#define SC(field) offsetof(struct hoso_source_schema, field)
#define CO(field) offsetof(struct hoso_source_column, field)
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))
#define FIELD(base, off, type) ((type *) ((char *) (base) + (off)))
#define KEY(n, t, req, off, count_off) \
	{ .name = n, .type = t, .required = req, .offset = off, .count_offset = count_off }

static const struct hoso_config_key column_keys[] = {
	KEY("title", KEY_STRING, true, CO(title), 0),
	KEY("field", KEY_FIELD, false, CO(field), 0),
	KEY("ignore", KEY_BOOL, false, CO(ignore), 0),
	KEY("personal", KEY_BOOL, false, CO(personal), 0),
	KEY("optional", KEY_BOOL, false, CO(optional), 0),
	KEY("date_formats", KEY_DATE_FORMATS, false, CO(date_formats), CO(ndate_formats)),
	KEY("values", KEY_VALUES, false, 0, 0),
};
static const struct hoso_config_table column_table = {
	column_keys, NKEYS(column_keys), load_value
};

static const struct hoso_config_key schema_keys[] = {
	KEY("name", KEY_NAME, false, SC(name), 0),
	KEY("src", KEY_STRING, true, SC(src), 0),
	KEY("delimiter", KEY_DELIMITER, false, SC(delimiter), 0),
	KEY("date_formats", KEY_DATE_FORMATS, false, SC(date_formats), SC(ndate_formats)),
	KEY("columns", KEY_COLUMNS, true, 0, 0),
	KEY("defaults", KEY_DEFAULTS, false, 0, 0),
};
static const struct hoso_config_table schema_table = {
	schema_keys, NKEYS(schema_keys), load_value
};
_Static_assert(NKEYS(column_keys) <= HOSO_CONFIG_MAX_KEYS &&
	       NKEYS(schema_keys) <= HOSO_CONFIG_MAX_KEYS, "HOSO_CONFIG_MAX_KEYS is too small");

static const struct hoso_config_style schema_style = {
	.what = "a source schema",
	/* a schema is a screenful of YAML; anything far bigger is a mistake */
	.max_bytes = 1024 * 1024,
	.empty = "the schema is empty; it needs at least src and columns",
	.top_name = "the schema",
	.top_expected = "a mapping of source schema keys",
	.bad_key_names_mapping = true,
	.raw_unknown_keys = true,
	.terse_yaml_errors = true,
};

/* The text of a scalar (a null counts as "" when allow_empty), or NULL after a message. */
static const char *
scalar_text(struct hoso_config *cfg, const yaml_node_t *node, const char *key,
	    const char *expected, bool allow_empty)
{
	return hoso_config_text(cfg, node, key, expected,
				HOSO_CONFIG_UTF8 | (allow_empty ? HOSO_CONFIG_NULL_IS_EMPTY : 0));
}

static char *
fold(const char *s)
{
	struct hoso_buf b = HOSO_BUF_INIT;

	char *r;

	if (!hoso_text_fold(&b, s, strlen(s)))
		hoso_buf_reset(&b);
	r = hoso_xstrdup(b.data);
	hoso_buf_release(&b);
	return r;
}

static bool
load_date_formats(struct hoso_config *cfg, const struct hoso_config_key *k, const char *key,
		  yaml_node_t *node, void *base)
{
	char ***v = FIELD(base, k->offset, char **);
	size_t *n = FIELD(base, k->count_offset, size_t);
	size_t count = node->type == YAML_SEQUENCE_NODE ? hoso_config_seq_len(node) : 1;

	if (node->type == YAML_MAPPING_NODE)
		return hoso_config_type_error(cfg, node, key, "a date format or a list of them");
	if (count == 0)
		return hoso_config_error_at(cfg, node->start_mark,
					    "%s: expected at least one date format", key);
	*v = hoso_xcalloc(count, sizeof(char *));
	*n = count;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = node->type == YAML_SEQUENCE_NODE ?
			hoso_config_seq_item(cfg, node, i) : node;
		char itemkey[HOSO_CONFIG_KEY_TEXT + 24];
		const char *text, *why;

		snprintf(itemkey, sizeof(itemkey), "%s[%zu]", key, i);
		text = scalar_text(cfg, item, itemkey, "a date format such as dd/MM/yyyy HH:mm:ss",
				   false);
		if (!text)
			return false;
		why = hoso_source_date_check(text);
		if (why)
			return hoso_config_error_at(cfg, item->start_mark,
						    "%s: bad date format \"%s\": %s", itemkey, text,
						    why);
		(*v)[i] = hoso_xstrdup(text);
	}
	return true;
}

static bool
load_values(struct hoso_config *cfg, const char *key, yaml_node_t *node,
	    struct hoso_source_column *c)
{
	size_t count;

	if (node->type != YAML_MAPPING_NODE)
		return hoso_config_type_error(cfg, node, key, "a mapping of value: code");
	count = (size_t) (node->data.mapping.pairs.top - node->data.mapping.pairs.start);
	c->value_keys = hoso_xcalloc(count + 1, sizeof(char *));
	c->value_to = hoso_xcalloc(count + 1, sizeof(char *));
	for (size_t i = 0; i < count; i++) {
		yaml_node_pair_t *pair = &node->data.mapping.pairs.start[i];
		yaml_node_t *kn = yaml_document_get_node(&cfg->doc, pair->key);
		yaml_node_t *vn = yaml_document_get_node(&cfg->doc, pair->value);
		const char *from = scalar_text(cfg, kn, key, "a value as written in the export", true);
		const char *to;
		char *folded;

		if (!from)
			return false;
		to = scalar_text(cfg, vn, key, "the value it stands for", true);
		if (!to)
			return false;
		folded = fold(from);
		for (size_t j = 0; j < c->nvalues; j++)
			if (strcmp(c->value_keys[j], folded) == 0) {
				free(folded);
				return hoso_config_error_at(cfg, kn->start_mark,
							    "%s: \"%s\" is listed twice (after case folding)",
							    key, from);
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
load_defaults(struct hoso_config *cfg, const char *key, yaml_node_t *node,
	      struct hoso_source_schema *s)
{
	if (node->type != YAML_MAPPING_NODE)
		return hoso_config_type_error(cfg, node, key, "a mapping of field: value");
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *kn = yaml_document_get_node(&cfg->doc, pair->key);
		yaml_node_t *vn = yaml_document_get_node(&cfg->doc, pair->value);
		const char *name = scalar_text(cfg, kn, key, "a field name", false);
		const char *v, *why;
		int f;

		if (!name)
			return false;
		f = sfield_find(name);
		if (f < 0)
			return hoso_config_error_at(cfg, kn->start_mark, "%s: unknown field \"%s\"",
						    key, name);
		if (sfields[f].kind == HOSO_SK_PERSONAL || sfields[f].kind == HOSO_SK_DATE ||
		    f == HOSO_SF_MAHOSO)
			return hoso_config_error_at(cfg, kn->start_mark,
						    "%s: %s cannot have a default", key, name);
		if (s->defaults[f])
			return hoso_config_error_at(cfg, kn->start_mark, "%s: %s is given twice", key,
						    name);
		v = scalar_text(cfg, vn, key, "a value", false);
		if (!v)
			return false;
		why = bad_value(f, v);
		if (why)
			return hoso_config_error_at(cfg, vn->start_mark,
						    "%s.%s: expected %s, found \"%s\"", key, name, why,
						    v);
		s->defaults[f] = hoso_xstrdup(v);
	}
	return true;
}

/* Checks of column index of s once its keys are read. */
static bool
check_column(struct hoso_config *cfg, yaml_node_t *node, struct hoso_source_schema *s,
	     size_t index)
{
	struct hoso_source_column *c = &s->columns[index];

	c->key = fold(c->title);
	c->line = node->start_mark.line + 1;
	if (!*c->key)
		return hoso_config_error_at(cfg, node->start_mark, "columns[%zu]: the title is blank",
					    index);
	for (size_t j = 0; j < index; j++)
		if (strcmp(s->columns[j].key, c->key) == 0)
			return hoso_config_error_at(cfg, node->start_mark,
						    "columns[%zu]: title \"%s\" already at line %zu "
						    "(titles match after NFC and case folding)",
						    index, c->title, s->columns[j].line);
	if (c->field >= 0 && c->ignore)
		return hoso_config_error_at(cfg, node->start_mark,
					    "columns[%zu] \"%s\": a column with a field is not ignored",
					    index, c->title);
	if (c->field < 0 && !c->ignore && !c->personal)
		return hoso_config_error_at(cfg, node->start_mark,
					    "columns[%zu] \"%s\": needs field, ignore: true or personal: true",
					    index, c->title);
	if (c->field >= 0 && c->personal && sfields[c->field].kind != HOSO_SK_PERSONAL)
		return hoso_config_error_at(cfg, node->start_mark,
					    "columns[%zu] \"%s\": %s is not personal data; a personal column "
					    "has no field, or ChuHoSo / SoGiayToChuHoSo", index, c->title,
					    sfields[c->field].name);
	if (c->field >= 0 && sfields[c->field].kind == HOSO_SK_PERSONAL)
		c->personal = true;
	if (c->field >= 0) {
		if (s->column_of[c->field] >= 0)
			return hoso_config_error_at(cfg, node->start_mark,
						    "columns[%zu] \"%s\": field %s is already the column \"%s\" "
						    "(line %zu)", index, c->title, sfields[c->field].name,
						    s->columns[s->column_of[c->field]].title,
						    s->columns[s->column_of[c->field]].line);
		s->column_of[c->field] = (int) index;
	}
	if (c->ndate_formats && (c->field < 0 || sfields[c->field].kind != HOSO_SK_DATE))
		return hoso_config_error_at(cfg, node->start_mark,
					    "columns[%zu] \"%s\": date_formats belong to a date field",
					    index, c->title);
	if (c->nvalues && c->field < 0)
		return hoso_config_error_at(cfg, node->start_mark,
					    "columns[%zu] \"%s\": values belong to a column with a field",
					    index, c->title);
	for (size_t j = 0; j < c->nvalues; j++) {
		const char *why = bad_value(c->field, c->value_to[j]);

		if (why)
			return hoso_config_error_at(cfg, node->start_mark,
						    "columns[%zu] \"%s\": values: %s must be %s, found \"%s\"",
						    index, c->title, sfields[c->field].name, why,
						    c->value_to[j]);
	}
	return true;
}

static bool
load_columns(struct hoso_config *cfg, const char *key, yaml_node_t *node,
	     struct hoso_source_schema *s)
{
	size_t count;

	if (node->type != YAML_SEQUENCE_NODE)
		return hoso_config_type_error(cfg, node, key, "a list of columns");
	count = hoso_config_seq_len(node);
	if (count == 0)
		return hoso_config_error_at(cfg, node->start_mark, "%s: expected at least one column",
					    key);
	s->columns = hoso_xcalloc(count, sizeof(*s->columns));
	for (size_t i = 0; i < count; i++) {
		s->columns[i].field = -1;
		s->ncolumns = i + 1;
		if (!hoso_config_apply_item(cfg, &column_table, key, node, i, &s->columns[i]) ||
		    !check_column(cfg, hoso_config_seq_item(cfg, node, i), s, i))
			return false;
	}
	return true;
}

/* base is the schema for KEY_COLUMNS and KEY_DEFAULTS, the column for KEY_VALUES. */
static bool
load_value(struct hoso_config *cfg, const struct hoso_config_key *k, const char *key,
	   yaml_node_t *node, void *base)
{
	const char *text;

	switch (k->type) {
	case KEY_DATE_FORMATS:
		return load_date_formats(cfg, k, key, node, base);
	case KEY_VALUES:
		return load_values(cfg, key, node, base);
	case KEY_COLUMNS:
		return load_columns(cfg, key, node, base);
	case KEY_DEFAULTS:
		return load_defaults(cfg, key, node, base);
	case KEY_STRING:
		text = scalar_text(cfg, node, key, "a non-empty string", false);
		if (!text)
			return false;
		if (!*text)
			return hoso_config_type_error(cfg, node, key, "a non-empty string");
		*FIELD(base, k->offset, char *) = hoso_xstrdup(text);
		return true;
	case KEY_NAME:
		text = scalar_text(cfg, node, key, "a name ([a-z0-9_-]+)", false);
		if (!text)
			return false;
		if (strlen(text) > MAX_NAME || strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
		    strlen(text))
			return hoso_config_type_error(cfg, node, key,
						      "a name ([a-z0-9_-]+, at most 64 characters)");
		*FIELD(base, k->offset, char *) = hoso_xstrdup(text);
		return true;
	case KEY_DELIMITER:
		text = scalar_text(cfg, node, key, "\";\" or \",\"", false);
		if (!text)
			return false;
		if (strcmp(text, ";") != 0 && strcmp(text, ",") != 0)
			return hoso_config_type_error(cfg, node, key, "\";\" or \",\"");
		*FIELD(base, k->offset, char) = text[0];
		return true;
	case KEY_BOOL:
		text = scalar_text(cfg, node, key, "true or false", false);
		if (!text)
			return false;
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
			*FIELD(base, k->offset, bool) = text[0] == 't';
			return true;
		}
		return hoso_config_type_error(cfg, node, key, "true or false");
	case KEY_FIELD:
		{
			int f;

			text = scalar_text(cfg, node, key, "a field name", false);
			if (!text)
				return false;
			f = sfield_find(text);
			if (f < 0) {
				struct hoso_buf list = HOSO_BUF_INIT;

				for (int i = 0; i < HOSO_SF_NFIELDS; i++)
					hoso_buf_addf(&list, "%s%s", i ? ", " : "", sfields[i].name);
				hoso_config_error_at(cfg, node->start_mark,
						     "%s: unknown field \"%s\" (known: %s)", key, text,
						     list.data);
				hoso_buf_release(&list);
				return false;
			}
			*FIELD(base, k->offset, int) = f;
			return true;
		}
	}
	return false;
}

/* Checks across the schema, once every key is read. */
static bool
check_schema(struct hoso_config *cfg, yaml_node_t *root, const struct hoso_source_schema *s)
{
	if (s->column_of[HOSO_SF_MAHOSO] < 0)
		return hoso_config_error_at(cfg, root->start_mark,
					    "no column has field MaHoSo (the case number)");
	if (s->column_of[HOSO_SF_MATTHC] < 0 && !s->defaults[HOSO_SF_MATTHC])
		return hoso_config_error_at(cfg, root->start_mark,
					    "no column has field MaTTHC (the procedure code), and no default");
	if (s->column_of[HOSO_SF_TRANGTHAI] < 0 && !s->defaults[HOSO_SF_TRANGTHAI])
		return hoso_config_error_at(cfg, root->start_mark,
					    "no column has field TrangThaiHoSo (the status), and no default");
	for (size_t i = 0; i < s->ncolumns; i++) {
		const struct hoso_source_column *c = &s->columns[i];
		yaml_mark_t mark = { 0, c->line - 1, 0 };

		if (c->field >= 0 && sfields[c->field].kind == HOSO_SK_DATE && !c->ndate_formats &&
		    !s->ndate_formats)
			return hoso_config_error_at(cfg, mark,
						    "column \"%s\" is the date %s but neither it nor the schema "
						    "has date_formats", c->title, sfields[c->field].name);
	}
	return true;
}

/* The name of an unnamed schema is its file name, which must then be a format name. */
static bool
name_from_file(struct hoso_config *cfg, struct hoso_source_schema *s)
{
	yaml_mark_t start = { 0, 0, 0 };

	s->name = hoso_config_default_name(cfg->file);
	if (!*s->name || strspn(s->name, "abcdefghijklmnopqrstuvwxyz0123456789_-") !=
	    strlen(s->name))
		return hoso_config_error_at(cfg, start, "the file name \"%s\" is not a format name "
					    "([a-z0-9_-]+); give the schema a name", s->name);
	return true;
}

bool
hoso_source_schema_load_buffer(const char *name, const char *data, size_t len,
			       struct hoso_source_schema *out, struct hoso_buf *err)
{
	struct hoso_config cfg;
	yaml_node_t *root;
	bool ok;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < HOSO_SF_NFIELDS; i++)
		out->column_of[i] = -1;
	hoso_config_init(&cfg, name, &schema_style, err);
	root = hoso_config_parse(&cfg, data, len);
	ok = root && hoso_config_apply(&cfg, &schema_table, "", root, out) &&
	     check_schema(&cfg, root, out) && (out->name || name_from_file(&cfg, out));
	hoso_config_release(&cfg);
	if (!ok)
		hoso_source_schema_release(out);
	return ok;
}

bool
hoso_source_schema_load(const char *path, struct hoso_source_schema *out, struct hoso_buf *err)
{
	struct hoso_buf data = HOSO_BUF_INIT;
	bool ok;

	memset(out, 0, sizeof(*out));
	ok = hoso_config_read_file(path, &schema_style, &data, err) &&
	     hoso_source_schema_load_buffer(path, data.data, data.len, out, err);
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
