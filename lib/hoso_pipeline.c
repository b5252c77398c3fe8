/*
 * hoso_pipeline.c: read a pipeline file with libyaml's document API and
 * check it against the key tables below (in the spirit of Fluent Bit's
 * config maps): each key has a type, whether it is required, a default
 * written as it would appear in the file, and where its value goes.  The
 * same tables set the defaults, name the allowed keys in messages and
 * free the result, so a new key is one table row.
 *
 * libyaml's marks are 0-based; messages add one to both.  Only the first
 * error is reported: later ones are often consequences of it.
 */
#include <errno.h>
#include <glob.h>
#include <libpq-fe.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yaml.h>

#include "hoso_log.h"
#include "hoso_pipeline.h"

/* A pipeline is a screenful of YAML; anything far bigger is a mistake. */
#define MAX_PIPELINE_BYTES (1024 * 1024)
#define MAX_FORMAT_NAME 64
#define MAX_LINE_BYTES_LIMIT (1024L * 1024 * 1024)
/* How much of a bad value a message quotes. */
#define MAX_QUOTED 80
/* Room for a dotted key name in messages, e.g. "more_sources[1].paths[0]". */
#define KEY_TEXT 256
/* Keys of the largest table (pipeline_keys). */
#define MAX_KEYS 16

enum key_type {
	KEY_STRING,			/* a non-empty string (char *) */
	KEY_FORMAT,			/* dvcqg-jsonl or a CSV schema name, [a-z0-9_-]+ */
	KEY_CHOICE,			/* one of key_spec.choices */
	KEY_IDENT,			/* a PostgreSQL identifier, [a-z_][a-z0-9_]{0,62} */
	KEY_CONNINFO,			/* a libpq connection string without a password */
	KEY_RATIO,			/* a number in [0, 1] (double) */
	KEY_COUNT,			/* a whole number >= 0 (long long); absent = -1 */
	KEY_BYTES,			/* a whole number in [1, 1 GiB] (long) */
	KEY_PATHS,			/* a non-empty list of globs (char **, size_t) */
	KEY_MAPPING,			/* keys of a sub-table, stored in the same struct */
	KEY_SOURCE,			/* one source mapping (struct hoso_source) */
	KEY_SOURCES,			/* a list of source mappings (struct hoso_source *, size_t) */
};

struct key_table;

struct key_spec {
	const char *name;
	enum key_type type;
	bool required;
	const char *def;		/* default, written as in the file; NULL = none */
	size_t offset;			/* of the value in the table's struct */
	size_t count_offset;		/* KEY_PATHS, KEY_SOURCES: of the size_t count */
	const struct key_table *sub;	/* KEY_MAPPING, KEY_SOURCE, KEY_SOURCES */
	const char *const *choices;	/* KEY_CHOICE, NULL-terminated */
	const char *help;
};

struct key_table {
	const char *name;		/* "" at the top, else the key that holds it */
	const struct key_spec *keys;
	size_t nkeys;
};

#define PL(field) offsetof(struct hoso_pipeline, field)
#define SRC(field) offsetof(struct hoso_source, field)
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const personal_data_choices[] = { "drop", "hash", NULL };

static const struct key_spec source_keys[] = {
	{ "paths", KEY_PATHS, true, NULL, SRC(paths), SRC(npaths), NULL, NULL,
	  "globs of the landing files; {date:FMT} expands per day of the run" },
	{ "format", KEY_FORMAT, true, NULL, SRC(format), 0, NULL, NULL,
	  "dvcqg-jsonl or the name of a CSV source schema" },
	{ "schema_dir", KEY_STRING, false, NULL, SRC(schema_dir), 0, NULL, NULL,
	  "where CSV source schemas are looked up" },
};
static const struct key_table source_table = { "source", source_keys, NKEYS(source_keys) };

static const struct key_spec reference_keys[] = {
	{ "units", KEY_STRING, false, NULL, PL(reference.units), 0, NULL, NULL,
	  "unit catalogue (units.csv)" },
	{ "procedures", KEY_STRING, false, NULL, PL(reference.procedures), 0, NULL, NULL,
	  "procedure catalogue (procedures.csv)" },
	{ "calendar", KEY_STRING, false, NULL, PL(reference.calendar), 0, NULL, NULL,
	  "directory of working-day calendars (YYYY.csv)" },
};
static const struct key_table reference_table = {
	"reference", reference_keys, NKEYS(reference_keys)
};

static const struct key_spec rejects_keys[] = {
	{ "max_ratio", KEY_RATIO, false, "0.01", PL(rejects.max_ratio), 0, NULL, NULL,
	  "largest share of a run's records that may be rejected" },
	{ "max_count", KEY_COUNT, false, NULL, PL(rejects.max_count), 0, NULL, NULL,
	  "largest number of rejected records in a run" },
	{ "file", KEY_STRING, false, NULL, PL(rejects.file), 0, NULL, NULL,
	  "file for the verbatim rejected lines, created mode 0600" },
};
static const struct key_table rejects_table = { "rejects", rejects_keys, NKEYS(rejects_keys) };

static const struct key_spec target_keys[] = {
	{ "conninfo", KEY_CONNINFO, false, NULL, PL(target.conninfo), 0, NULL, NULL,
	  "libpq connection string, without a password" },
	{ "schema", KEY_IDENT, false, "hoso", PL(target.schema), 0, NULL, NULL,
	  "warehouse schema" },
};
static const struct key_table target_table = { "target", target_keys, NKEYS(target_keys) };

static const struct key_spec pipeline_keys[] = {
	{ "name", KEY_STRING, false, NULL, PL(name), 0, NULL, NULL,
	  "pipeline name; default: the file name without .yaml" },
	{ "source", KEY_SOURCE, true, NULL, PL(source), 0, &source_table, NULL,
	  "the source files" },
	{ "more_sources", KEY_SOURCES, false, NULL, PL(more_sources), PL(nmore_sources),
	  &source_table, NULL, "further sources shaped like source" },
	{ "prefer", KEY_FORMAT, false, NULL, PL(prefer), 0, NULL, NULL,
	  "the format that wins for a case present in two sources" },
	{ "reference", KEY_MAPPING, false, NULL, 0, 0, &reference_table, NULL,
	  "reference data files" },
	{ "profile", KEY_STRING, false, NULL, PL(profile), 0, NULL, NULL,
	  "counting profile" },
	{ "rejects", KEY_MAPPING, false, NULL, 0, 0, &rejects_table, NULL,
	  "reject policy" },
	{ "personal_data", KEY_CHOICE, false, "drop", PL(personal_data), 0, NULL,
	  personal_data_choices, "drop, or hash with the key in HOSO_HMAC_KEY" },
	{ "max_line_bytes", KEY_BYTES, false, "1048576", PL(max_line_bytes), 0, NULL, NULL,
	  "longest input line accepted" },
	{ "staging", KEY_STRING, false, ".hoso/staging", PL(staging), 0, NULL, NULL,
	  "directory for the staging files" },
	{ "target", KEY_MAPPING, false, NULL, 0, 0, &target_table, NULL,
	  "the warehouse" },
};
static const struct key_table pipeline_table = { "", pipeline_keys, NKEYS(pipeline_keys) };
_Static_assert(NKEYS(pipeline_keys) <= MAX_KEYS, "MAX_KEYS is too small");

struct loader {
	const char *file;
	yaml_document_t *doc;
	struct hoso_buf *err;
};

#define FIELD(base, off, type) ((type *) ((char *) (base) + (off)))

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

/* What a node is, for "found ..." in messages. */
static void
describe(struct hoso_buf *out, const yaml_node_t *node)
{
	size_t len;

	if (node->type == YAML_MAPPING_NODE) {
		hoso_buf_addstr(out, "a mapping");
		return;
	}
	if (node->type == YAML_SEQUENCE_NODE) {
		hoso_buf_addstr(out, "a list");
		return;
	}
	if (is_null(node)) {
		hoso_buf_addstr(out, "nothing");
		return;
	}
	len = node->data.scalar.length;
	if (len > MAX_QUOTED) {
		len = MAX_QUOTED;
		while (len > 0 && (node->data.scalar.value[len] & 0xC0) == 0x80)
			len--;		/* do not cut a character in two */
	}
	hoso_buf_add_json_string(out, (const char *) node->data.scalar.value, len);
	if (len < node->data.scalar.length)
		hoso_buf_addstr(out, "...");
}

static bool
type_error(struct loader *ld, const yaml_node_t *node, const char *key, const char *expected)
{
	struct hoso_buf found = HOSO_BUF_INIT;

	describe(&found, node);
	error_at(ld, node->start_mark, "%s: expected %s, found %s", key, expected, found.data);
	hoso_buf_release(&found);
	return false;
}

/* The text of a string scalar, or NULL (after a message) for anything else. */
static const char *
scalar_text(struct loader *ld, const yaml_node_t *node, const char *key, const char *expected)
{
	if (node->type != YAML_SCALAR_NODE || is_null(node)) {
		type_error(ld, node, key, expected);
		return NULL;
	}
	if (strlen((const char *) node->data.scalar.value) != node->data.scalar.length) {
		error_at(ld, node->start_mark, "%s: contains a NUL character", key);
		return NULL;
	}
	return (const char *) node->data.scalar.value;
}

static bool
matches_charset(const char *s, const char *first, const char *rest, size_t maxlen)
{
	size_t n = strlen(s);

	if (n == 0 || n > maxlen || !strchr(first, s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!strchr(rest, s[i]))
			return false;
	return true;
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"

/* A {date:...} without its closing brace, or with nothing inside. */
static const char *
bad_date_pattern(const char *glob)
{
	const char *p = glob;

	while ((p = strstr(p, "{date:")) != NULL) {
		const char *close = strchr(p + 6, '}');

		if (!close || close == p + 6)
			return p;
		p = close + 1;
	}
	return NULL;
}

/* true when conninfo carries a password; *valid false when libpq cannot parse it */
static bool
conninfo_has_password(const char *conninfo, bool *valid)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &msg);
	bool found = false;

	*valid = opts != NULL;
	PQfreemem(msg);
	if (!opts)
		return false;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val)
			found = true;
	PQconninfoFree(opts);
	return found;
}

static void
set_string(void *base, size_t offset, const char *value)
{
	char **slot = FIELD(base, offset, char *);

	free(*slot);
	*slot = hoso_xstrdup(value);
}

/*
 * Set a scalar key from its text: a default (node NULL, never fails) or a
 * value of the file (node set; false after a message naming the key).
 */
static bool
set_scalar(struct loader *ld, const struct key_spec *k, const char *key,
	   const yaml_node_t *node, const char *text, void *base)
{
	char *end;

	switch (k->type) {
	case KEY_STRING:
		if (!*text)
			return type_error(ld, node, key, "a non-empty string");
		break;
	case KEY_FORMAT:
		if (!matches_charset(text, LOWER_DIGITS "_-", LOWER_DIGITS "_-", MAX_FORMAT_NAME))
			return type_error(ld, node, key,
					  "dvcqg-jsonl or the name of a CSV source schema ([a-z0-9_-]+)");
		break;
	case KEY_CHOICE:
		for (size_t i = 0; k->choices[i]; i++)
			if (strcmp(text, k->choices[i]) == 0)
				goto ok;
		{
			struct hoso_buf list = HOSO_BUF_INIT;

			for (size_t i = 0; k->choices[i]; i++)
				hoso_buf_addf(&list, "%s%s", i == 0 ? "" : k->choices[i + 1] ? ", " : " or ",
					      k->choices[i]);
			type_error(ld, node, key, list.data);
			hoso_buf_release(&list);
			return false;
		}
	case KEY_IDENT:
		if (!matches_charset(text, "abcdefghijklmnopqrstuvwxyz_", LOWER_DIGITS "_", 63))
			return type_error(ld, node, key,
					  "an identifier ([a-z_][a-z0-9_]*, at most 63 characters)");
		break;
	case KEY_CONNINFO:
		{
			bool valid;

			/* never quote the value: it may hold a secret */
			if (conninfo_has_password(text, &valid))
				return error_at(ld, node->start_mark,
						"%s: a password in the connection string is refused; "
						"use PGPASSWORD or ~/.pgpass", key);
			if (!valid)
				return error_at(ld, node->start_mark,
						"%s: not a valid libpq connection string", key);
		}
		break;
	case KEY_RATIO:
		{
			double v;

			errno = 0;
			v = strtod(text, &end);
			if (end == text || *end || errno || !isfinite(v) || v < 0 || v > 1)
				return type_error(ld, node, key, "a number between 0 and 1");
			*FIELD(base, k->offset, double) = v;
			return true;
		}
	case KEY_COUNT:
	case KEY_BYTES:
		{
			long long v, max = k->type == KEY_COUNT ? LLONG_MAX : MAX_LINE_BYTES_LIMIT;
			long long min = k->type == KEY_COUNT ? 0 : 1;

			errno = 0;
			v = strtoll(text, &end, 10);
			if (text[0] < '0' || text[0] > '9' || *end || errno || v < min || v > max) {
				char expected[96];

				snprintf(expected, sizeof(expected), "a whole number from %lld to %lld",
					 min, max);
				return type_error(ld, node, key, expected);
			}
			if (k->type == KEY_COUNT)
				*FIELD(base, k->offset, long long) = v;
			else
				*FIELD(base, k->offset, long) = (long) v;
			return true;
		}
	default:
		return false;
	}
ok:
	set_string(base, k->offset, text);
	return true;
}

static void
apply_defaults(const struct key_table *table, void *base)
{
	for (size_t i = 0; i < table->nkeys; i++) {
		const struct key_spec *k = &table->keys[i];

		if (k->type == KEY_MAPPING)
			apply_defaults(k->sub, base);
		else if (k->type == KEY_COUNT && !k->def)
			*FIELD(base, k->offset, long long) = -1;
		else if (k->def)
			set_scalar(NULL, k, k->name, NULL, k->def, base);
	}
}

static void
release_table(const struct key_table *table, void *base)
{
	for (size_t i = 0; i < table->nkeys; i++) {
		const struct key_spec *k = &table->keys[i];

		switch (k->type) {
		case KEY_STRING:
		case KEY_FORMAT:
		case KEY_CHOICE:
		case KEY_IDENT:
		case KEY_CONNINFO:
			free(*FIELD(base, k->offset, char *));
			break;
		case KEY_PATHS:
			{
				char **paths = *FIELD(base, k->offset, char **);
				size_t n = *FIELD(base, k->count_offset, size_t);

				for (size_t j = 0; j < n; j++)
					free(paths[j]);
				free(paths);
			}
			break;
		case KEY_MAPPING:
			release_table(k->sub, base);
			break;
		case KEY_SOURCE:
			release_table(k->sub, (char *) base + k->offset);
			break;
		case KEY_SOURCES:
			{
				struct hoso_source *s = *FIELD(base, k->offset, struct hoso_source *);
				size_t n = *FIELD(base, k->count_offset, size_t);

				for (size_t j = 0; j < n; j++)
					release_table(k->sub, &s[j]);
				free(s);
			}
			break;
		default:
			break;
		}
	}
}

static bool load_mapping(struct loader *ld, const struct key_table *table, const char *prefix,
			 yaml_node_t *node, void *base);

static bool
load_paths(struct loader *ld, const struct key_spec *k, const char *key, yaml_node_t *node,
	   void *base)
{
	char ***paths = FIELD(base, k->offset, char **);
	size_t *n = FIELD(base, k->count_offset, size_t);
	size_t count;

	if (node->type != YAML_SEQUENCE_NODE)
		return type_error(ld, node, key, "a list of paths");
	count = (size_t) (node->data.sequence.items.top - node->data.sequence.items.start);
	if (count == 0)
		return error_at(ld, node->start_mark, "%s: expected at least one path, found none",
				key);
	*paths = hoso_xcalloc(count, sizeof(char *));
	*n = count;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, node->data.sequence.items.start[i]);
		char itemkey[KEY_TEXT + 24];
		const char *text, *bad;

		snprintf(itemkey, sizeof(itemkey), "%s[%zu]", key, i);
		text = scalar_text(ld, item, itemkey, "a path");
		if (!text)
			return false;
		bad = bad_date_pattern(text);
		if (bad)
			return error_at(ld, item->start_mark,
					"%s: \"{date:\" at byte %zu needs a strftime format and a closing \"}\"",
					itemkey, (size_t) (bad - text) + 1);
		(*paths)[i] = hoso_xstrdup(text);
	}
	return true;
}

static bool
load_value(struct loader *ld, const struct key_spec *k, const char *key, yaml_node_t *node,
	   void *base)
{
	const char *text;

	switch (k->type) {
	case KEY_MAPPING:
		return load_mapping(ld, k->sub, key, node, base);
	case KEY_SOURCE:
		return load_mapping(ld, k->sub, key, node, (char *) base + k->offset);
	case KEY_SOURCES:
		{
			struct hoso_source **s = FIELD(base, k->offset, struct hoso_source *);
			size_t *n = FIELD(base, k->count_offset, size_t);
			size_t count;

			if (node->type != YAML_SEQUENCE_NODE)
				return type_error(ld, node, key, "a list of sources");
			count = (size_t) (node->data.sequence.items.top -
					  node->data.sequence.items.start);
			*s = count ? hoso_xcalloc(count, sizeof(**s)) : NULL;
			*n = count;
			for (size_t i = 0; i < count; i++) {
				yaml_node_t *item = yaml_document_get_node(
					ld->doc, node->data.sequence.items.start[i]);
				char itemkey[KEY_TEXT + 24];

				snprintf(itemkey, sizeof(itemkey), "%s[%zu]", key, i);
				if (!load_mapping(ld, k->sub, itemkey, item, &(*s)[i]))
					return false;
			}
			return true;
		}
	case KEY_PATHS:
		return load_paths(ld, k, key, node, base);
	default:
		break;
	}
	switch (k->type) {
	case KEY_RATIO:
		text = scalar_text(ld, node, key, "a number between 0 and 1");
		break;
	case KEY_COUNT:
	case KEY_BYTES:
		text = scalar_text(ld, node, key, "a whole number");
		break;
	default:
		text = scalar_text(ld, node, key, "a string");
		break;
	}
	return text && set_scalar(ld, k, key, node, text, base);
}

/* The keys a table allows, for "unknown key" messages. */
static void
list_keys(struct hoso_buf *out, const struct key_table *table)
{
	for (size_t i = 0; i < table->nkeys; i++)
		hoso_buf_addf(out, "%s%s", i ? ", " : "", table->keys[i].name);
}

static bool
load_mapping(struct loader *ld, const struct key_table *table, const char *prefix,
	     yaml_node_t *node, void *base)
{
	/* line of each key's first occurrence, 0 = not seen */
	size_t seen[MAX_KEYS] = { 0 };
	char key[KEY_TEXT];

	if (node->type != YAML_MAPPING_NODE) {
		if (!*prefix) {
			struct hoso_buf found = HOSO_BUF_INIT;

			describe(&found, node);
			error_at(ld, node->start_mark,
				 "expected a mapping of pipeline keys, found %s", found.data);
			hoso_buf_release(&found);
			return false;
		}
		return type_error(ld, node, prefix, "a mapping");
	}
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *knode = yaml_document_get_node(ld->doc, pair->key);
		yaml_node_t *vnode = yaml_document_get_node(ld->doc, pair->value);
		const char *name;
		size_t i;

		if (knode->type != YAML_SCALAR_NODE) {
			struct hoso_buf found = HOSO_BUF_INIT;

			describe(&found, knode);
			error_at(ld, knode->start_mark, "expected a key name, found %s", found.data);
			hoso_buf_release(&found);
			return false;
		}
		name = (const char *) knode->data.scalar.value;
		for (i = 0; i < table->nkeys; i++)
			if (strcmp(name, table->keys[i].name) == 0)
				break;
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", name);
		if (i == table->nkeys) {
			struct hoso_buf allowed = HOSO_BUF_INIT;
			struct hoso_buf quoted = HOSO_BUF_INIT;

			list_keys(&allowed, table);
			describe(&quoted, knode);
			error_at(ld, knode->start_mark, "unknown key %s%s%s (allowed: %s)",
				 quoted.data, *prefix ? " in " : "", prefix, allowed.data);
			hoso_buf_release(&allowed);
			hoso_buf_release(&quoted);
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

/* libyaml's reader reports a byte offset; turn it into a mark. */
static yaml_mark_t
mark_of_offset(const char *data, size_t len, size_t offset)
{
	yaml_mark_t mark = { offset, 0, 0 };

	for (size_t i = 0; i < offset && i < len; i++) {
		if (data[i] == '\n') {
			mark.line++;
			mark.column = 0;
		} else if ((data[i] & 0xC0) != 0x80) {
			mark.column++;
		}
	}
	return mark;
}

static bool
yaml_error(struct loader *ld, const yaml_parser_t *parser, const char *data, size_t len)
{
	const char *problem = parser->problem ? parser->problem : "cannot parse the YAML";

	if (parser->error == YAML_READER_ERROR)
		return error_at(ld, mark_of_offset(data, len, parser->problem_offset), "%s", problem);
	if (parser->error == YAML_MEMORY_ERROR)
		hoso_die("out of memory while parsing %s", ld->file);
	if (parser->context)
		return error_at(ld, parser->problem_mark, "%s (%s at line %zu, column %zu)", problem,
				parser->context, parser->context_mark.line + 1,
				parser->context_mark.column + 1);
	return error_at(ld, parser->problem_mark, "%s", problem);
}

static yaml_node_t *
find_key(yaml_document_t *doc, yaml_node_t *mapping, const char *name)
{
	for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
	     pair < mapping->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(doc, pair->key);

		if (k->type == YAML_SCALAR_NODE && strcmp((char *) k->data.scalar.value, name) == 0)
			return yaml_document_get_node(doc, pair->value);
	}
	return NULL;
}

/* Checks across keys, once every key is read. */
static bool
check_pipeline(struct loader *ld, yaml_node_t *root, struct hoso_pipeline *p)
{
	if (p->prefer) {
		bool known = strcmp(p->prefer, p->source.format) == 0;

		for (size_t i = 0; i < p->nmore_sources && !known; i++)
			known = strcmp(p->prefer, p->more_sources[i].format) == 0;
		if (!known)
			return error_at(ld, find_key(ld->doc, root, "prefer")->start_mark,
					"prefer: \"%s\" is not the format of any source", p->prefer);
	}
	return true;
}

/* "nightly" from "pipelines/nightly.yaml" */
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
hoso_pipeline_load_buffer(const char *name, const char *data, size_t len,
			  struct hoso_pipeline *out, struct hoso_buf *err)
{
	struct loader ld = { name, NULL, err };
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	bool have_doc = false, ok = false;
	yaml_node_t *root;

	memset(out, 0, sizeof(*out));
	apply_defaults(&pipeline_table, out);
	if (!yaml_parser_initialize(&parser))
		hoso_die("out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *) data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_error(&ld, &parser, data, len);
		goto cleanup;
	}
	have_doc = true;
	ld.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		yaml_mark_t start = { 0, 0, 0 };

		error_at(&ld, start, "the pipeline is empty; it needs at least the key \"source\"");
		goto cleanup;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		yaml_error(&ld, &parser, data, len);
		goto cleanup;
	}
	if (yaml_document_get_root_node(&extra)) {
		error_at(&ld, yaml_document_get_root_node(&extra)->start_mark,
			 "a second YAML document; a pipeline file holds one");
		yaml_document_delete(&extra);
		goto cleanup;
	}
	yaml_document_delete(&extra);
	if (!load_mapping(&ld, &pipeline_table, "", root, out) || !check_pipeline(&ld, root, out))
		goto cleanup;
	if (!out->name)
		out->name = default_name(name);
	ok = true;

cleanup:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (!ok)
		hoso_pipeline_release(out);
	return ok;
}

bool
hoso_pipeline_load(const char *path, struct hoso_pipeline *out, struct hoso_buf *err)
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
		if (data.len > MAX_PIPELINE_BYTES) {
			hoso_buf_addf(err, "%s: larger than %d bytes; not a pipeline file", path,
				      MAX_PIPELINE_BYTES);
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
	ok = hoso_pipeline_load_buffer(path, data.data ? data.data : "", data.len, out, err);
	hoso_buf_release(&data);
	return ok;
}

void
hoso_pipeline_release(struct hoso_pipeline *p)
{
	release_table(&pipeline_table, p);
	memset(p, 0, sizeof(*p));
}

/* glob with every {date:FMT} replaced by strftime(FMT) of day */
static bool
expand_date(const char *glob, const struct tm *tm, struct hoso_buf *out, struct hoso_buf *err)
{
	const char *p = glob;

	while (*p) {
		const char *open = strstr(p, "{date:");
		const char *close;
		char fmt[256], text[512];
		size_t flen, tlen;

		if (!open) {
			hoso_buf_addstr(out, p);
			break;
		}
		hoso_buf_add(out, p, (size_t) (open - p));
		close = strchr(open + 6, '}');
		flen = close ? (size_t) (close - open - 6) : 0;
		if (!close || flen == 0 || flen >= sizeof(fmt)) {
			hoso_buf_addf(err, "%s: a {date:FMT} needs a format and a closing \"}\"", glob);
			return false;
		}
		memcpy(fmt, open + 6, flen);
		fmt[flen] = '\0';
		/* the format is the pipeline's own, checked by strftime itself */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		tlen = strftime(text, sizeof(text), fmt, tm);
#pragma GCC diagnostic pop
		if (tlen == 0) {
			hoso_buf_addf(err, "%s: {date:%s} gives no text", glob, fmt);
			return false;
		}
		hoso_buf_add(out, text, tlen);
		p = close + 1;
	}
	return true;
}

static int
compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

bool
hoso_pipeline_expand_paths(const struct hoso_source *src, hoso_date day, char ***paths,
			   size_t *n, struct hoso_buf *err)
{
	struct tm tm = { 0 };
	struct hoso_buf pattern = HOSO_BUF_INIT;
	char **out = NULL;
	size_t count = 0, cap = 0, k = 0;
	int y, m, d;

	*paths = NULL;
	*n = 0;
	hoso_date_to_ymd(day, &y, &m, &d);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_wday = (hoso_date_weekday(day) + 1) % 7;	/* struct tm counts from Sunday */
	tm.tm_yday = day - hoso_date_from_ymd(y, 1, 1);
	for (size_t i = 0; i < src->npaths; i++) {
		glob_t g;
		int r;

		hoso_buf_reset(&pattern);
		if (!expand_date(src->paths[i], &tm, &pattern, err))
			goto fail;
		r = glob(pattern.data ? pattern.data : "", 0, NULL, &g);
		if (r == GLOB_NOSPACE)
			hoso_die("out of memory expanding %s", pattern.data);
		if (r == GLOB_ABORTED) {
			hoso_buf_addf(err, "%s: cannot read a directory", pattern.data);
			globfree(&g);
			goto fail;
		}
		/* GLOB_NOMATCH: a day without files is no error */
		for (size_t j = 0; r == 0 && j < g.gl_pathc; j++) {
			if (count == cap) {
				cap = cap ? 2 * cap : 16;
				out = hoso_xrealloc(out, cap * sizeof(*out));
			}
			out[count++] = hoso_xstrdup(g.gl_pathv[j]);
		}
		globfree(&g);
	}
	hoso_buf_release(&pattern);
	if (count)
		qsort(out, count, sizeof(*out), compare_paths);
	for (size_t i = 0; i < count; i++) {
		if (k > 0 && strcmp(out[k - 1], out[i]) == 0)
			free(out[i]);
		else
			out[k++] = out[i];
	}
	*paths = out;
	*n = k;
	return true;

fail:
	hoso_buf_release(&pattern);
	for (size_t i = 0; i < count; i++)
		free(out[i]);
	free(out);
	return false;
}
