/*
 * hoso_pipeline.c: a pipeline file, checked against the key tables below
 * (in the spirit of Fluent Bit's config maps): each key has a type,
 * whether it is required, a default written as it would appear in the
 * file, and where its value goes.  The same tables set the defaults, name
 * the allowed keys in messages and free the result, so a new key is one
 * table row.  Reading the YAML and walking the tables is hoso_config.c's
 * work; this file says what each value means and checks across keys.
 */
#include <errno.h>
#include <glob.h>
#include <libpq-fe.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hoso_config.h"
#include "hoso_paths.h"
#include "hoso_log.h"
#include "hoso_pipeline.h"

#define MAX_FORMAT_NAME 64
#define MAX_LINE_BYTES_LIMIT (1024L * 1024 * 1024)

enum key_type {
	KEY_STRING,			/* a non-empty string (char *) */
	KEY_PATH,			/* a file or directory (char *), resolved like a glob */
	KEY_FORMAT,			/* dvcqg-jsonl or a CSV schema name, [a-z0-9_-]+ */
	KEY_CHOICE,			/* one of choices */
	KEY_IDENT,			/* a PostgreSQL identifier, [a-z_][a-z0-9_]{0,62} */
	KEY_CONNINFO,			/* a libpq connection string without a password */
	KEY_RATIO,			/* a number in [0, 1] (double) */
	KEY_COUNT,			/* a whole number >= 0 (long long); absent = -1 */
	KEY_BYTES,			/* a whole number in [1, 1 GiB] (long) */
	KEY_PATHS,			/* a non-empty list of globs (char **, size_t); each
					   resolved against the pipeline file's directory,
					   "{datadir}/" against hoso's data directory */
	KEY_MAPPING,			/* keys of a sub-table, stored in the same struct */
	KEY_SOURCE,			/* one source mapping (struct hoso_source) */
	KEY_SOURCES,			/* a list of source mappings (struct hoso_source *, size_t) */
};

static hoso_config_load_fn load_value;

#define PL(field) offsetof(struct hoso_pipeline, field)
#define SRC(field) offsetof(struct hoso_source, field)
#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))
#define TABLE(keys) { keys, NKEYS(keys), load_value }

static const char *const personal_data_choices[] = { "drop", "hash", NULL };

/* name, type, required, offset, count_offset, default, sub-table, choices, help */
static const struct hoso_config_key source_keys[] = {
	{ "paths", KEY_PATHS, true, SRC(paths), SRC(npaths), NULL, NULL, NULL,
	  "globs of the landing files; {date:FMT} expands per day of the run" },
	{ "format", KEY_FORMAT, true, SRC(format), 0, NULL, NULL, NULL,
	  "dvcqg-jsonl or the name of a CSV source schema" },
	{ "schema_dir", KEY_PATH, false, SRC(schema_dir), 0, NULL, NULL, NULL,
	  "where CSV source schemas are looked up" },
};
static const struct hoso_config_table source_table = TABLE(source_keys);

static const struct hoso_config_key reference_keys[] = {
	{ "units", KEY_PATH, false, PL(reference.units), 0, NULL, NULL, NULL,
	  "unit catalogue (units.csv)" },
	{ "procedures", KEY_PATH, false, PL(reference.procedures), 0, NULL, NULL, NULL,
	  "procedure catalogue (procedures.csv)" },
	{ "calendar", KEY_PATH, false, PL(reference.calendar), 0, NULL, NULL, NULL,
	  "directory of working-day calendars (YYYY.csv)" },
};
static const struct hoso_config_table reference_table = TABLE(reference_keys);

static const struct hoso_config_key rejects_keys[] = {
	{ "max_ratio", KEY_RATIO, false, PL(rejects.max_ratio), 0, "0.01", NULL, NULL,
	  "largest share of a run's records that may be rejected" },
	{ "max_count", KEY_COUNT, false, PL(rejects.max_count), 0, NULL, NULL, NULL,
	  "largest number of rejected records in a run" },
	{ "file", KEY_PATH, false, PL(rejects.file), 0, NULL, NULL, NULL,
	  "file for the rejected lines (personal data removed), created mode 0600" },
};
static const struct hoso_config_table rejects_table = TABLE(rejects_keys);

static const struct hoso_config_key attention_keys[] = {
	{ "max_unresolved_ratio", KEY_RATIO, false, PL(attention.max_unresolved_ratio), 0, "1",
	  NULL, NULL, "largest share of a run's cases whose unit or procedure the catalogues "
	  "do not know; above it the run fails before loading (default 1: only warn)" },
};
static const struct hoso_config_table attention_table = TABLE(attention_keys);
static const struct hoso_config_key dates_keys[] = {
	{ "from", KEY_STRING, false, PL(dates.from), 0, "2000-01-01", NULL, NULL,
	  "earliest plausible day of a timestamp (YYYY-MM-DD); earlier ones are rejects" },
	{ "to", KEY_STRING, false, PL(dates.to), 0, NULL, NULL, NULL,
	  "latest plausible day (YYYY-MM-DD); default: the day after the run" },
};
static const struct hoso_config_table dates_table = TABLE(dates_keys);

static const struct hoso_config_key target_keys[] = {
	{ "conninfo", KEY_CONNINFO, false, PL(target.conninfo), 0, NULL, NULL, NULL,
	  "libpq connection string, without a password" },
	{ "schema", KEY_IDENT, false, PL(target.schema), 0, "hoso", NULL, NULL,
	  "warehouse schema: hoso, the only one the warehouse's SQL names" },
};
static const struct hoso_config_table target_table = TABLE(target_keys);

static const struct hoso_config_key pipeline_keys[] = {
	{ "name", KEY_STRING, false, PL(name), 0, NULL, NULL, NULL,
	  "pipeline name; default: the file name without .yaml" },
	{ "source", KEY_SOURCE, true, PL(source), 0, NULL, &source_table, NULL,
	  "the source files" },
	{ "more_sources", KEY_SOURCES, false, PL(more_sources), PL(nmore_sources), NULL,
	  &source_table, NULL, "further sources shaped like source" },
	{ "prefer", KEY_FORMAT, false, PL(prefer), 0, NULL, NULL, NULL,
	  "the format that wins for a case present in two sources" },
	{ "reference", KEY_MAPPING, false, 0, 0, NULL, &reference_table, NULL,
	  "reference data files" },
	{ "profile", KEY_STRING, false, PL(profile), 0, NULL, NULL, NULL,
	  "counting profile, checked against the warehouse and kept in the run row" },
	{ "province", KEY_STRING, false, PL(province), 0, NULL, NULL, NULL,
	  "province code its rows carry; in a national warehouse, the shard that owns it" },
	{ "rejects", KEY_MAPPING, false, 0, 0, NULL, &rejects_table, NULL,
	  "reject policy" },
	{ "attention", KEY_MAPPING, false, 0, 0, NULL, &attention_table, NULL,
	  "what a run reports at its end, and when it fails instead" },
	{ "dates", KEY_MAPPING, false, 0, 0, NULL, &dates_table, NULL,
	  "the plausible days of a timestamp" },
	{ "personal_data", KEY_CHOICE, false, PL(personal_data), 0, "drop", NULL,
	  personal_data_choices, "drop, or hash with the key in HOSO_HMAC_KEY" },
	{ "max_line_bytes", KEY_BYTES, false, PL(max_line_bytes), 0, "1048576", NULL, NULL,
	  "longest input line accepted" },
	{ "staging", KEY_PATH, false, PL(staging), 0, ".hoso/staging", NULL, NULL,
	  "directory for the staging files" },
	{ "transform_memory_mib", KEY_COUNT, false, PL(transform_memory_mib), 0, NULL, NULL, NULL,
	  "MiB of cases hoso-transform holds before it spills some to a temporary file "
	  "in the staging directory (default 96; 0: no limit)" },
	{ "target", KEY_MAPPING, false, 0, 0, NULL, &target_table, NULL,
	  "the warehouse" },
	{ "metrics_file", KEY_STRING, false, PL(metrics_file), 0, NULL, NULL, NULL,
	  "Prometheus text file (node_exporter textfile collector) written after each run" },
};
static const struct hoso_config_table pipeline_table = TABLE(pipeline_keys);
_Static_assert(NKEYS(pipeline_keys) <= HOSO_CONFIG_MAX_KEYS, "HOSO_CONFIG_MAX_KEYS is too small");

static const struct hoso_config_style pipeline_style = {
	.what = "a pipeline file",
	/* a pipeline is a screenful of YAML; anything far bigger is a mistake */
	.max_bytes = 1024 * 1024,
	.empty = "the pipeline is empty; it needs at least the key \"source\"",
	.top_expected = "a mapping of pipeline keys",
};

#define FIELD(base, off, type) ((type *) ((char *) (base) + (off)))

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
 * Set a scalar key from its text: a default (cfg and node NULL, never
 * fails) or a value of the file (false after a message naming the key).
 */
static bool
set_scalar(struct hoso_config *cfg, const struct hoso_config_key *k, const char *key,
	   const yaml_node_t *node, const char *text, void *base)
{
	char *end;

	switch (k->type) {
	case KEY_STRING:
	case KEY_PATH:
		if (!*text)
			return hoso_config_type_error(cfg, node, key, "a non-empty string");
		break;
	case KEY_FORMAT:
		if (!matches_charset(text, LOWER_DIGITS "_-", LOWER_DIGITS "_-", MAX_FORMAT_NAME))
			return hoso_config_type_error(cfg, node, key,
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
			hoso_config_type_error(cfg, node, key, list.data);
			hoso_buf_release(&list);
			return false;
		}
	case KEY_IDENT:
		if (!matches_charset(text, "abcdefghijklmnopqrstuvwxyz_", LOWER_DIGITS "_", 63))
			return hoso_config_type_error(cfg, node, key,
						      "an identifier ([a-z_][a-z0-9_]*, at most 63 characters)");
		break;
	case KEY_CONNINFO:
		{
			bool valid;

			/* never quote the value: it may hold a secret */
			if (conninfo_has_password(text, &valid))
				return hoso_config_error_at(cfg, node->start_mark,
							    "%s: a password in the connection string is refused; "
							    "use PGPASSWORD or ~/.pgpass", key);
			if (!valid)
				return hoso_config_error_at(cfg, node->start_mark,
							    "%s: not a valid libpq connection string", key);
		}
		break;
	case KEY_RATIO:
		{
			double v;

			errno = 0;
			v = strtod(text, &end);
			if (end == text || *end || errno || !isfinite(v) || v < 0 || v > 1)
				return hoso_config_type_error(cfg, node, key, "a number between 0 and 1");
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
				return hoso_config_type_error(cfg, node, key, expected);
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
apply_defaults(const struct hoso_config_table *table, void *base)
{
	for (size_t i = 0; i < table->nkeys; i++) {
		const struct hoso_config_key *k = &table->keys[i];

		if (k->type == KEY_MAPPING)
			apply_defaults(k->sub, base);
		else if (k->type == KEY_COUNT && !k->def)
			*FIELD(base, k->offset, long long) = -1;
		else if (k->def)
			set_scalar(NULL, k, k->name, NULL, k->def, base);
	}
}

static void
release_table(const struct hoso_config_table *table, void *base)
{
	for (size_t i = 0; i < table->nkeys; i++) {
		const struct hoso_config_key *k = &table->keys[i];

		switch (k->type) {
		case KEY_STRING:
		case KEY_PATH:
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

static bool
load_paths(struct hoso_config *cfg, const struct hoso_config_key *k, const char *key,
	   yaml_node_t *node, void *base)
{
	char ***paths = FIELD(base, k->offset, char **);
	size_t *n = FIELD(base, k->count_offset, size_t);
	size_t count;

	if (node->type != YAML_SEQUENCE_NODE)
		return hoso_config_type_error(cfg, node, key, "a list of paths");
	count = hoso_config_seq_len(node);
	if (count == 0)
		return hoso_config_error_at(cfg, node->start_mark,
					    "%s: expected at least one path, found none", key);
	*paths = hoso_xcalloc(count, sizeof(char *));
	*n = count;
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = hoso_config_seq_item(cfg, node, i);
		char itemkey[HOSO_CONFIG_KEY_TEXT + 24];
		const char *text, *bad;

		snprintf(itemkey, sizeof(itemkey), "%s[%zu]", key, i);
		text = hoso_config_text(cfg, item, itemkey, "a path", 0);
		if (!text)
			return false;
		bad = bad_date_pattern(text);
		if (bad)
			return hoso_config_error_at(cfg, item->start_mark,
						    "%s: \"{date:\" at byte %zu needs a strftime format and a closing \"}\"",
						    itemkey, (size_t) (bad - text) + 1);
		(*paths)[i] = hoso_xstrdup(text);
	}
	return true;
}

static bool
load_sources(struct hoso_config *cfg, const struct hoso_config_key *k, const char *key,
	     yaml_node_t *node, void *base)
{
	struct hoso_source **s = FIELD(base, k->offset, struct hoso_source *);
	size_t *n = FIELD(base, k->count_offset, size_t);
	size_t count;

	if (node->type != YAML_SEQUENCE_NODE)
		return hoso_config_type_error(cfg, node, key, "a list of sources");
	count = hoso_config_seq_len(node);
	*s = count ? hoso_xcalloc(count, sizeof(**s)) : NULL;
	*n = count;
	for (size_t i = 0; i < count; i++)
		if (!hoso_config_apply_item(cfg, k->sub, key, node, i, &(*s)[i]))
			return false;
	return true;
}

static bool
load_value(struct hoso_config *cfg, const struct hoso_config_key *k, const char *key,
	   yaml_node_t *node, void *base)
{
	const char *text;

	switch (k->type) {
	case KEY_MAPPING:
		return hoso_config_apply(cfg, k->sub, key, node, base);
	case KEY_SOURCE:
		return hoso_config_apply(cfg, k->sub, key, node, (char *) base + k->offset);
	case KEY_SOURCES:
		return load_sources(cfg, k, key, node, base);
	case KEY_PATHS:
		return load_paths(cfg, k, key, node, base);
	case KEY_RATIO:
		text = hoso_config_text(cfg, node, key, "a number between 0 and 1", 0);
		break;
	case KEY_COUNT:
	case KEY_BYTES:
		text = hoso_config_text(cfg, node, key, "a whole number", 0);
		break;
	default:
		text = hoso_config_text(cfg, node, key, "a string", 0);
		break;
	}
	return text && set_scalar(cfg, k, key, node, text, base);
}

/* The 1-based place of the value of the dotted key path under root, if written. */
static struct hoso_pipeline_where
where_of(struct hoso_config *cfg, yaml_node_t *root, const char *key, const char *sub)
{
	struct hoso_pipeline_where w = { 0, 0 };
	yaml_node_t *node = root ? hoso_config_find_key(cfg, root, key) : NULL;

	if (node && sub)
		node = node->type == YAML_MAPPING_NODE ? hoso_config_find_key(cfg, node, sub) : NULL;
	if (node) {
		w.line = (int) node->start_mark.line + 1;
		w.column = (int) node->start_mark.column + 1;
	}
	return w;
}

static void
record_places(struct hoso_config *cfg, yaml_node_t *root, struct hoso_pipeline *p)
{
	yaml_node_t *more = hoso_config_find_key(cfg, root, "more_sources");

	p->at.units = where_of(cfg, root, "reference", "units");
	p->at.procedures = where_of(cfg, root, "reference", "procedures");
	p->at.calendar = where_of(cfg, root, "reference", "calendar");
	p->at.profile = where_of(cfg, root, "profile", NULL);
	p->at.personal_data = where_of(cfg, root, "personal_data", NULL);
	p->at.target = where_of(cfg, root, "target", "conninfo");
	if (!p->at.target.line)
		p->at.target = where_of(cfg, root, "target", NULL);
	p->source.format_at = where_of(cfg, root, "source", "format");
	for (size_t i = 0; more && i < p->nmore_sources; i++)
		p->more_sources[i].format_at =
			where_of(cfg, hoso_config_seq_item(cfg, more, i), "format", NULL);
}

/* Checks across keys, once every key is read. */
static bool
check_pipeline(struct hoso_config *cfg, yaml_node_t *root, struct hoso_pipeline *p)
{
	record_places(cfg, root, p);
	if (strcmp(p->target.schema, "hoso") != 0) {
		yaml_node_t *target = hoso_config_find_key(cfg, root, "target");

		/* accepting it would load into hoso all the same */
		return hoso_config_error_at(cfg, hoso_config_find_key(cfg, target, "schema")->start_mark,
					    "target.schema: \"%s\" is not supported: the warehouse's "
					    "tables and functions live in the schema hoso; remove the key "
					    "or write hoso", p->target.schema);
	}
	if (p->prefer) {
		bool known = strcmp(p->prefer, p->source.format) == 0;

		for (size_t i = 0; i < p->nmore_sources && !known; i++)
			known = strcmp(p->prefer, p->more_sources[i].format) == 0;
		if (!known)
			return hoso_config_error_at(cfg, hoso_config_find_key(cfg, root, "prefer")->start_mark,
						    "prefer: \"%s\" is not the format of any source",
						    p->prefer);
	}
	return true;
}

bool
hoso_pipeline_load_buffer(const char *name, const char *data, size_t len,
			  struct hoso_pipeline *out, struct hoso_buf *err)
{
	struct hoso_config cfg;
	yaml_node_t *root;
	bool ok;

	memset(out, 0, sizeof(*out));
	apply_defaults(&pipeline_table, out);
	hoso_config_init(&cfg, name, &pipeline_style, err);
	root = hoso_config_parse(&cfg, data, len);
	ok = root && hoso_config_apply(&cfg, &pipeline_table, "", root, out) &&
	     check_pipeline(&cfg, root, out);
	if (ok && !out->name)
		out->name = hoso_config_default_name(name);
	hoso_config_release(&cfg);
	if (!ok)
		hoso_pipeline_release(out);
	return ok;
}

#define DATADIR_PREFIX "{datadir}/"

/*
 * One path of the file made absolute: "{datadir}/..." under hoso's data
 * directory, any other relative path under dir (the pipeline file's).
 */
static bool
resolve_path(char **slot, const char *dir, const char *file, const char *key,
	     struct hoso_buf *err)
{
	struct hoso_buf abs = HOSO_BUF_INIT;
	const char *path = *slot;

	if (!path)
		return true;
	if (strncmp(path, DATADIR_PREFIX, strlen(DATADIR_PREFIX)) == 0) {
		const char *data = hoso_datadir();

		if (!data) {
			hoso_buf_addf(err, "%s: %s: \"%s\" names hoso's data directory, which was not "
				      "found beside the program (set HOSO_DATADIR)", file, key, path);
			return false;
		}
		hoso_buf_addf(&abs, "%s/%s", data, path + strlen(DATADIR_PREFIX));
	} else if (path[0] != '/') {
		hoso_buf_addf(&abs, "%s/%s", dir, path);
	} else {
		return true;
	}
	free(*slot);
	*slot = hoso_xstrdup(abs.data);
	hoso_buf_release(&abs);
	return true;
}

static bool
resolve_table(const struct hoso_config_table *table, void *base, const char *dir,
	      const char *file, struct hoso_buf *err)
{
	bool ok = true;

	for (size_t i = 0; i < table->nkeys && ok; i++) {
		const struct hoso_config_key *k = &table->keys[i];

		switch (k->type) {
		case KEY_PATH:
			ok = resolve_path(FIELD(base, k->offset, char *), dir, file, k->name, err);
			break;
		case KEY_PATHS:
			{
				char **paths = *FIELD(base, k->offset, char **);
				size_t n = *FIELD(base, k->count_offset, size_t);

				for (size_t j = 0; j < n && ok; j++)
					ok = resolve_path(&paths[j], dir, file, k->name, err);
			}
			break;
		case KEY_MAPPING:
			ok = resolve_table(k->sub, base, dir, file, err);
			break;
		case KEY_SOURCE:
			ok = resolve_table(k->sub, (char *) base + k->offset, dir, file, err);
			break;
		case KEY_SOURCES:
			{
				struct hoso_source *s = *FIELD(base, k->offset, struct hoso_source *);
				size_t n = *FIELD(base, k->count_offset, size_t);

				for (size_t j = 0; j < n && ok; j++)
					ok = resolve_table(k->sub, &s[j], dir, file, err);
			}
			break;
		default:
			break;
		}
	}
	return ok;
}

bool
hoso_pipeline_load(const char *path, struct hoso_pipeline *out, struct hoso_buf *err)
{
	struct hoso_buf data = HOSO_BUF_INIT, dir = HOSO_BUF_INIT;
	const char *slash = strrchr(path, '/');
	char *absdir;
	bool ok;

	memset(out, 0, sizeof(*out));
	ok = hoso_config_read_file(path, &pipeline_style, &data, err) &&
	     hoso_pipeline_load_buffer(path, data.data, data.len, out, err);
	hoso_buf_release(&data);
	if (!ok)
		return false;
	/* the directory that holds the file's name (a symlinked file is not followed) */
	if (slash)
		hoso_buf_add(&dir, path, slash == path ? 1 : (size_t) (slash - path));
	else
		hoso_buf_addf(&dir, ".");
	absdir = realpath(dir.data, NULL);
	if (!absdir) {
		hoso_buf_addf(err, "%s: cannot resolve its directory: %s", path, strerror(errno));
		ok = false;
	} else {
		ok = resolve_table(&pipeline_table, out, absdir, path, err);
	}
	free(absdir);
	hoso_buf_release(&dir);
	if (!ok)
		hoso_pipeline_release(out);
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
		r = glob(pattern.data, 0, NULL, &g);
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
