/*
 * hoso_config.c: the machinery shared by declarative YAML configuration
 * files: reading, parsing one document, walking a mapping against a key
 * table, and messages that name FILE:LINE:COLUMN.  The key tables and the
 * meaning of each value live in hoso_pipeline.c and hoso_source_schema.c.
 *
 * libyaml's marks are 0-based; messages add one to both.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_config.h"
#include "hoso_input.h"
#include "hoso_log.h"

void
hoso_config_init(struct hoso_config *cfg, const char *file, const struct hoso_config_style *style,
		 struct hoso_buf *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->file = file;
	cfg->style = style;
	cfg->err = err;
}

void
hoso_config_release(struct hoso_config *cfg)
{
	if (cfg->have_doc)
		yaml_document_delete(&cfg->doc);
	cfg->have_doc = false;
}

bool
hoso_config_read_file(const char *path, const struct hoso_config_style *style,
		      struct hoso_buf *data, struct hoso_buf *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	bool ok = false;

	if (!f) {
		hoso_buf_addf(err, "%s: cannot open: %s", path, strerror(errno));
		return false;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		hoso_buf_add(data, chunk, n);
		if (data->len > style->max_bytes) {
			hoso_buf_addf(err, "%s: larger than %zu bytes; not %s", path,
				      style->max_bytes, style->what);
			goto cleanup;
		}
	}
	if (ferror(f)) {
		hoso_buf_addf(err, "%s: cannot read: %s", path, strerror(errno));
		goto cleanup;
	}
	ok = true;

cleanup:
	fclose(f);
	return ok;
}

bool
hoso_config_error_at(struct hoso_config *cfg, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hoso_buf_addf(cfg->err, "%s:%zu:%zu: %s", cfg->file, mark.line + 1, mark.column + 1, msg);
	return false;
}

bool
hoso_config_is_null(const yaml_node_t *node)
{
	const char *v;

	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *) node->data.scalar.value;
	return !*v || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

void
hoso_config_describe(struct hoso_buf *out, const yaml_node_t *node)
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
	if (hoso_config_is_null(node)) {
		hoso_buf_addstr(out, "nothing");
		return;
	}
	len = node->data.scalar.length;
	if (len > HOSO_CONFIG_MAX_QUOTED) {
		len = HOSO_CONFIG_MAX_QUOTED;
		while (len > 0 && (node->data.scalar.value[len] & 0xC0) == 0x80)
			len--;		/* do not cut a character in two */
	}
	hoso_buf_add_json_string(out, (const char *) node->data.scalar.value, len);
	if (len < node->data.scalar.length)
		hoso_buf_addstr(out, "...");
}

bool
hoso_config_type_error(struct hoso_config *cfg, const yaml_node_t *node, const char *key,
		       const char *expected)
{
	struct hoso_buf found = HOSO_BUF_INIT;

	hoso_config_describe(&found, node);
	hoso_config_error_at(cfg, node->start_mark, "%s%sexpected %s, found %s", key ? key : "",
			     key ? ": " : "", expected, found.data);
	hoso_buf_release(&found);
	return false;
}

const char *
hoso_config_text(struct hoso_config *cfg, const yaml_node_t *node, const char *key,
		 const char *expected, unsigned flags)
{
	const char *text;
	size_t len;

	if (node->type != YAML_SCALAR_NODE ||
	    (!(flags & HOSO_CONFIG_NULL_IS_EMPTY) && hoso_config_is_null(node))) {
		hoso_config_type_error(cfg, node, key, expected);
		return NULL;
	}
	text = (const char *) node->data.scalar.value;
	len = node->data.scalar.length;
	if (strlen(text) != len) {
		hoso_config_error_at(cfg, node->start_mark, "%s: contains a NUL character", key);
		return NULL;
	}
	if (hoso_config_is_null(node))
		return "";
	if ((flags & HOSO_CONFIG_UTF8) && hoso_utf8_check(text, len) != len) {
		hoso_config_error_at(cfg, node->start_mark, "%s: not valid UTF-8", key);
		return NULL;
	}
	return text;
}

size_t
hoso_config_seq_len(const yaml_node_t *node)
{
	return (size_t) (node->data.sequence.items.top - node->data.sequence.items.start);
}

yaml_node_t *
hoso_config_seq_item(struct hoso_config *cfg, const yaml_node_t *node, size_t i)
{
	return yaml_document_get_node(&cfg->doc, node->data.sequence.items.start[i]);
}

bool
hoso_config_apply_item(struct hoso_config *cfg, const struct hoso_config_table *table,
		       const char *key, const yaml_node_t *seq, size_t i, void *base)
{
	char itemkey[HOSO_CONFIG_KEY_TEXT + 24];

	snprintf(itemkey, sizeof(itemkey), "%s[%zu]", key, i);
	return hoso_config_apply(cfg, table, itemkey, hoso_config_seq_item(cfg, seq, i), base);
}

yaml_node_t *
hoso_config_find_key(struct hoso_config *cfg, const yaml_node_t *mapping, const char *name)
{
	for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
	     pair < mapping->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&cfg->doc, pair->key);

		if (k->type == YAML_SCALAR_NODE && strcmp((char *) k->data.scalar.value, name) == 0)
			return yaml_document_get_node(&cfg->doc, pair->value);
	}
	return NULL;
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

/* A failed yaml_parser_load; first tells the first document from the second. */
static void
yaml_error(struct hoso_config *cfg, const yaml_parser_t *parser, const char *data, size_t len,
	   bool first)
{
	const char *problem = parser->problem ? parser->problem : "cannot parse the YAML";
	yaml_mark_t start = { 0, 0, 0 };

	if (cfg->style->terse_yaml_errors) {
		if (first && parser->error == YAML_MEMORY_ERROR)
			hoso_die("out of memory while parsing %s", cfg->file);
		if (first && parser->error == YAML_READER_ERROR)
			hoso_config_error_at(cfg, start, "%s (at byte %zu)",
					     parser->problem ? parser->problem : "cannot read the YAML",
					     parser->problem_offset);
		else
			hoso_config_error_at(cfg, parser->problem_mark, "%s", problem);
		return;
	}
	if (parser->error == YAML_READER_ERROR)
		hoso_config_error_at(cfg, mark_of_offset(data, len, parser->problem_offset), "%s",
				     problem);
	else if (parser->error == YAML_MEMORY_ERROR)
		hoso_die("out of memory while parsing %s", cfg->file);
	else if (parser->context)
		hoso_config_error_at(cfg, parser->problem_mark, "%s (%s at line %zu, column %zu)",
				     problem, parser->context, parser->context_mark.line + 1,
				     parser->context_mark.column + 1);
	else
		hoso_config_error_at(cfg, parser->problem_mark, "%s", problem);
}

yaml_node_t *
hoso_config_parse(struct hoso_config *cfg, const char *data, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	yaml_node_t *root = NULL, *second;
	yaml_mark_t start = { 0, 0, 0 };

	if (!yaml_parser_initialize(&parser))
		hoso_die("out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *) data, len);
	if (!yaml_parser_load(&parser, &cfg->doc)) {
		yaml_error(cfg, &parser, data, len, true);
		goto cleanup;
	}
	cfg->have_doc = true;
	root = yaml_document_get_root_node(&cfg->doc);
	if (!root) {
		hoso_config_error_at(cfg, start, "%s", cfg->style->empty);
		goto cleanup;
	}
	if (!yaml_parser_load(&parser, &extra)) {
		yaml_error(cfg, &parser, data, len, false);
		root = NULL;
		goto cleanup;
	}
	second = yaml_document_get_root_node(&extra);
	if (second) {
		hoso_config_error_at(cfg, second->start_mark, "a second YAML document; %s holds one",
				     cfg->style->what);
		root = NULL;
	}
	yaml_document_delete(&extra);

cleanup:
	yaml_parser_delete(&parser);
	return root;
}

/* The keys a table allows, for "unknown key" messages. */
static void
list_keys(struct hoso_buf *out, const struct hoso_config_table *table)
{
	for (size_t i = 0; i < table->nkeys; i++)
		hoso_buf_addf(out, "%s%s", i ? ", " : "", table->keys[i].name);
}

static bool
unknown_key(struct hoso_config *cfg, const struct hoso_config_table *table, const char *prefix,
	    const yaml_node_t *knode)
{
	struct hoso_buf allowed = HOSO_BUF_INIT;
	struct hoso_buf quoted = HOSO_BUF_INIT;

	list_keys(&allowed, table);
	if (cfg->style->raw_unknown_keys)
		hoso_buf_addf(&quoted, "\"%.*s\"", HOSO_CONFIG_MAX_QUOTED,
			      (const char *) knode->data.scalar.value);
	else
		hoso_config_describe(&quoted, knode);
	hoso_config_error_at(cfg, knode->start_mark, "unknown key %s%s%s (allowed: %s)",
			     quoted.data, *prefix ? " in " : "", prefix, allowed.data);
	hoso_buf_release(&allowed);
	hoso_buf_release(&quoted);
	return false;
}

bool
hoso_config_apply(struct hoso_config *cfg, const struct hoso_config_table *table,
		  const char *prefix, yaml_node_t *node, void *base)
{
	/* line of each key's first occurrence, 0 = not seen */
	size_t seen[HOSO_CONFIG_MAX_KEYS] = { 0 };
	char key[HOSO_CONFIG_KEY_TEXT];

	if (table->nkeys > HOSO_CONFIG_MAX_KEYS)
		hoso_die("hoso_config_apply: a table of %zu keys", table->nkeys);
	if (node->type != YAML_MAPPING_NODE)
		return hoso_config_type_error(cfg, node, *prefix ? prefix : cfg->style->top_name,
					      *prefix ? "a mapping" : cfg->style->top_expected);
	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *knode = yaml_document_get_node(&cfg->doc, pair->key);
		yaml_node_t *vnode = yaml_document_get_node(&cfg->doc, pair->value);
		const char *name;
		size_t i;

		if (knode->type != YAML_SCALAR_NODE) {
			const char *owner = NULL;

			if (cfg->style->bad_key_names_mapping)
				owner = *prefix ? prefix : cfg->style->top_name;
			return hoso_config_type_error(cfg, knode, owner, "a key name");
		}
		name = (const char *) knode->data.scalar.value;
		for (i = 0; i < table->nkeys; i++)
			if (strcmp(name, table->keys[i].name) == 0)
				break;
		if (i == table->nkeys)
			return unknown_key(cfg, table, prefix, knode);
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "", name);
		if (seen[i])
			return hoso_config_error_at(cfg, knode->start_mark,
						    "duplicate key \"%s\" (first at line %zu)", key,
						    seen[i]);
		seen[i] = knode->start_mark.line + 1;
		if (!table->load(cfg, &table->keys[i], key, vnode, base))
			return false;
	}
	for (size_t i = 0; i < table->nkeys; i++)
		if (table->keys[i].required && !seen[i])
			return hoso_config_error_at(cfg, node->start_mark,
						    "missing required key \"%s%s%s\"", prefix,
						    *prefix ? "." : "", table->keys[i].name);
	return true;
}

char *
hoso_config_default_name(const char *file)
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
