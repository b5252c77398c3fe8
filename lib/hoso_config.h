/*
 * hoso_config.h: declarative YAML configuration files (pipeline files,
 * CSV source schemas), read with libyaml's document API and checked
 * against key tables in the spirit of Fluent Bit's config maps.
 *
 * This module holds what every such file shares: reading the file,
 * parsing exactly one YAML document, walking a mapping against a key
 * table (unknown keys with the allowed ones listed, duplicate keys,
 * required keys) and reporting errors as "FILE:LINE:COLUMN: message",
 * 1-based.  What each key's value means, and the checks across keys, stay
 * with the caller: hoso_pipeline.c, hoso_source_schema.c.
 *
 * Only the first error is reported: later ones are often consequences of
 * it.  Every function that reports returns false (or NULL) after
 * appending its message to cfg->err.
 *
 *	struct hoso_config cfg;
 *	yaml_node_t *root;
 *
 *	hoso_config_init(&cfg, name, &style, err);
 *	root = hoso_config_parse(&cfg, data, len);
 *	ok = root && hoso_config_apply(&cfg, &top_table, "", root, out);
 *	hoso_config_release(&cfg);
 */
#ifndef HOSO_CONFIG_H
#define HOSO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "hoso_buf.h"

/* Keys of the largest table hoso_config_apply accepts. */
#define HOSO_CONFIG_MAX_KEYS 16
/* Room for a dotted key name in messages, e.g. "more_sources[1].paths[0]". */
#define HOSO_CONFIG_KEY_TEXT 256
/* How much of a bad value a message quotes, in bytes. */
#define HOSO_CONFIG_MAX_QUOTED 80

struct hoso_config;
struct hoso_config_key;

/*
 * Set one key's value from node into the struct at base.  key is the
 * dotted name for messages.  Returns false after a message.
 */
typedef bool hoso_config_load_fn(struct hoso_config *cfg, const struct hoso_config_key *k,
				 const char *key, yaml_node_t *node, void *base);

struct hoso_config_key {
	const char *name;
	int type;			/* the caller's own enum of value types */
	bool required;
	size_t offset;			/* of the value in the table's struct */
	size_t count_offset;		/* lists: of their size_t count */
	const char *def;		/* default, written as in the file; NULL = none */
	const struct hoso_config_table *sub;	/* the keys of a nested mapping */
	const char *const *choices;	/* NULL-terminated */
	const char *help;
};

struct hoso_config_table {
	const struct hoso_config_key *keys;
	size_t nkeys;			/* at most HOSO_CONFIG_MAX_KEYS */
	hoso_config_load_fn *load;	/* sets the value of any key of the table */
};

/*
 * What kind of file a configuration is, for messages.  The three flags at
 * the end keep the wording each kind of file had before they shared this
 * module; a new kind of file should leave them false.
 */
struct hoso_config_style {
	const char *what;		/* "a pipeline file": "not WHAT", "WHAT holds one" */
	size_t max_bytes;		/* hoso_config_read_file refuses larger files */
	const char *empty;		/* the message for a file without a document */
	const char *top_name;		/* the top mapping in messages; NULL = unnamed */
	const char *top_expected;	/* what the top node must be, "a mapping of ..." */
	/* "columns[0]: expected a key name, found ...", not "expected a key name, ..." */
	bool bad_key_names_mapping;
	/* unknown key "NAME": its first 80 bytes as written, not as a JSON string */
	bool raw_unknown_keys;
	/* a reader error at 1:1 with "(at byte N)"; a parser error without its context */
	bool terse_yaml_errors;
};

struct hoso_config {
	const char *file;		/* name in messages; borrowed */
	const struct hoso_config_style *style;	/* borrowed */
	struct hoso_buf *err;		/* borrowed; messages are appended */
	yaml_document_t doc;		/* owned once hoso_config_parse has loaded it */
	bool have_doc;
};

/* Start reading the configuration named file; nothing is allocated yet. */
void hoso_config_init(struct hoso_config *cfg, const char *file,
		      const struct hoso_config_style *style, struct hoso_buf *err);
/* Free the document; every node and every text borrowed from it goes too. */
void hoso_config_release(struct hoso_config *cfg);

/*
 * Read the file at path into data (which the caller releases, also on
 * failure).  Refuses a file larger than style->max_bytes.  Messages are
 * "PATH: ..." without a line.
 */
bool hoso_config_read_file(const char *path, const struct hoso_config_style *style,
			   struct hoso_buf *data, struct hoso_buf *err);

/*
 * Parse len bytes of data (no NUL needed) as exactly one YAML document.
 * Returns its root node, owned by cfg, or NULL after a message for a
 * syntax error, an empty file or a second document.
 */
yaml_node_t *hoso_config_parse(struct hoso_config *cfg, const char *data, size_t len);

/*
 * Walk the mapping node with table: each key must be one of the table's,
 * at most once, and every required key must be there; each value goes to
 * table->load with base.  prefix is the dotted name of the mapping, "" at
 * the top (where a node that is not a mapping is reported with
 * style->top_name and style->top_expected).
 */
bool hoso_config_apply(struct hoso_config *cfg, const struct hoso_config_table *table,
		       const char *prefix, yaml_node_t *node, void *base);

/* Append "FILE:LINE:COLUMN: message" for the 0-based libyaml mark; returns false. */
bool hoso_config_error_at(struct hoso_config *cfg, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "KEY: expected EXPECTED, found WHAT-NODE-IS" at node; without "KEY: " when key is NULL. */
bool hoso_config_type_error(struct hoso_config *cfg, const yaml_node_t *node, const char *key,
			    const char *expected);
/*
 * What node is, for "found ..." in messages: "a mapping", "a list",
 * "nothing", or the scalar as a JSON string, cut after 80 bytes with "...".
 */
void hoso_config_describe(struct hoso_buf *out, const yaml_node_t *node);
/* A plain empty, ~ or null scalar. */
bool hoso_config_is_null(const yaml_node_t *node);

/* hoso_config_text flags */
#define HOSO_CONFIG_NULL_IS_EMPTY 0x1	/* a null scalar reads as "" instead of an error */
#define HOSO_CONFIG_UTF8 0x2		/* refuse text that is not valid UTF-8 */

/*
 * The text of a scalar node, borrowed from cfg's document; NULL after
 * "KEY: expected EXPECTED, found ..." for anything else (a null too,
 * unless HOSO_CONFIG_NULL_IS_EMPTY) or a message for a NUL character.
 */
const char *hoso_config_text(struct hoso_config *cfg, const yaml_node_t *node, const char *key,
			     const char *expected, unsigned flags);

size_t hoso_config_seq_len(const yaml_node_t *node);
yaml_node_t *hoso_config_seq_item(struct hoso_config *cfg, const yaml_node_t *node, size_t i);
/* hoso_config_apply for item i of the sequence seq, named "key[i]" in messages. */
bool hoso_config_apply_item(struct hoso_config *cfg, const struct hoso_config_table *table,
			    const char *key, const yaml_node_t *seq, size_t i, void *base);
/* The value of key name in mapping, or NULL. */
yaml_node_t *hoso_config_find_key(struct hoso_config *cfg, const yaml_node_t *mapping,
				  const char *name);

/* "nightly" from "pipelines/nightly.yaml" (or .yml); the caller frees it. */
char *hoso_config_default_name(const char *file);

#endif
