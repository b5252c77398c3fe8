/*
 * hoso_layout.c: the tables generated from hoso_layout.h's lists.
 */
#include <string.h>

#include "hoso_layout.h"
#include "hoso_time.h"

#define COLUMN_(name, kind) { #name, HOSO_KIND_##kind },

static const struct hoso_column f_fields[] = { HOSO_F_FIELDS(COLUMN_) };
static const struct hoso_column d_fields[] = { HOSO_D_FIELDS(COLUMN_) };
static const struct hoso_column p_fields[] = { HOSO_P_FIELDS(COLUMN_) };
static const struct hoso_column x_fields[] = { HOSO_X_FIELDS(COLUMN_) };
static const struct hoso_column e_fields[] = { HOSO_E_FIELDS(COLUMN_) };

#define NELEM(a) ((int) (sizeof(a) / sizeof((a)[0])))

#define STAGING_COLUMNS_(id, file, table, columns, nkey) \
	static const struct hoso_column id##_columns[] = { columns(COLUMN_) };
HOSO_STAGING_FILES(STAGING_COLUMNS_)

#define STAGING_LAYOUT_(id, file, table, columns, nkey) \
	[HOSO_STAGING_##id] = { file, table, id##_columns, NELEM(id##_columns), nkey },
const struct hoso_staging_layout hoso_staging_layouts[HOSO_STAGING_NFILES] = {
	HOSO_STAGING_FILES(STAGING_LAYOUT_)
};

#define STAGING_NAME_(id, file, table, columns, nkey) file,
const char *const hoso_staging_all_names[] = {
	HOSO_STAGING_FILES(STAGING_NAME_)
	HOSO_STAGING_REPORT, HOSO_STAGING_MANIFEST, HOSO_STAGING_MANIFEST ".tmp",
	HOSO_STAGING_READ_MANIFEST, HOSO_STAGING_READ_MANIFEST ".tmp",
	HOSO_STAGING_PRIOR_RECORDS,
	HOSO_STAGING_REBUILD_KEYS, HOSO_STAGING_OWNER, NULL
};

bool
hoso_staging_is_read_file(enum hoso_staging_file f)
{
#define READ_FILE_(id) f == HOSO_STAGING_##id ||
	return HOSO_STAGING_READ_FILES(READ_FILE_) false;
#undef READ_FILE_
}

const struct hoso_column *
hoso_record_layout(char type, int *nfields)
{
	switch (type) {
	case 'F': *nfields = NELEM(f_fields); return f_fields;
	case 'D': *nfields = NELEM(d_fields); return d_fields;
	case 'P': *nfields = NELEM(p_fields); return p_fields;
	case 'X': *nfields = NELEM(x_fields); return x_fields;
	case 'E': *nfields = NELEM(e_fields); return e_fields;
	default: *nfields = 0; return NULL;
	}
}

void
hoso_staging_column_list(enum hoso_staging_file f, int n, struct hoso_buf *out)
{
	const struct hoso_staging_layout *l = &hoso_staging_layouts[f];

	if (n < 0 || n > l->ncolumns)
		n = l->ncolumns;
	for (int i = 0; i < n; i++) {
		if (i)
			hoso_buf_add(out, ", ", 2);
		hoso_buf_addstr(out, l->columns[i].name);
	}
}

void
hoso_value_str(struct hoso_value *v, const char *s)
{
	if (s)
		hoso_value_text(v, s, strlen(s));
	else
		v->type = HOSO_VALUE_NULL;
}

void
hoso_value_time(struct hoso_value *v, long long t)
{
	if (t == HOSO_TIME_NONE) {
		v->type = HOSO_VALUE_NULL;
		return;
	}
	v->type = HOSO_VALUE_TIME;
	v->i = t;
}
