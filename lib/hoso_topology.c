/*
 * hoso_topology.c: the topology file of a national warehouse
 * (docs/national.md): the coordinator, the shards and the provinces each
 * owns, as "hoso shard" and "hoso run --topology" read it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "hoso_config.h"
#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_topology.h"

enum { T_TEXT, T_NAME, T_CONNINFO, T_LIST, T_SHARDS };

#define SHARD_OFF(f) offsetof(struct hoso_topology_shard, f)
#define TOPO_OFF(f) offsetof(struct hoso_topology, f)

static bool topology_load_key(struct hoso_config *cfg, const struct hoso_config_key *k,
			      const char *key, yaml_node_t *node, void *base);

static const struct hoso_config_key shard_keys[] = {
	{ "name", T_NAME, true, SHARD_OFF(name), 0, NULL, NULL, NULL,
	  "shard name ([a-z0-9_]+): the coordinator's server hoso_shard_NAME" },
	{ "conninfo", T_CONNINFO, true, SHARD_OFF(conninfo), 0, NULL, NULL, NULL,
	  "libpq connection string of the shard, without a password" },
	{ "provinces", T_LIST, true, SHARD_OFF(provinces), SHARD_OFF(nprovinces), NULL, NULL, NULL,
	  "the province codes whose rows the shard holds" },
};
static const struct hoso_config_table shard_table = {
	shard_keys, sizeof(shard_keys) / sizeof(shard_keys[0]), topology_load_key
};

static const struct hoso_config_key topology_keys[] = {
	{ "coordinator", T_CONNINFO, true, TOPO_OFF(coordinator), 0, NULL, NULL, NULL,
	  "libpq connection string of the coordinator, without a password" },
	{ "shards", T_SHARDS, true, TOPO_OFF(shards), TOPO_OFF(nshards), NULL, &shard_table, NULL,
	  "the shards" },
};
static const struct hoso_config_table topology_table = {
	topology_keys, sizeof(topology_keys) / sizeof(topology_keys[0]), topology_load_key
};

static const struct hoso_config_style topology_style = {
	.what = "a topology file",
	.max_bytes = 1024 * 1024,
	.empty = "the topology is empty; it needs the keys \"coordinator\" and \"shards\"",
	.top_expected = "a mapping with the keys coordinator and shards",
};

#define FIELD(base, off, type) ((type *) ((char *) (base) + (off)))

static bool
is_name(const char *s, const char *chars, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && strspn(s, chars) == n;
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"
#define PROVINCE_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

bool
hoso_province_code_ok(const char *s)
{
	return is_name(s, PROVINCE_CHARS, 32);
}

static bool
topology_load_key(struct hoso_config *cfg, const struct hoso_config_key *k, const char *key,
		  yaml_node_t *node, void *base)
{
	const char *text;

	switch (k->type) {
	case T_NAME:
	case T_CONNINFO:
		text = hoso_config_text(cfg, node, key, "a string", HOSO_CONFIG_UTF8);
		if (!text)
			return false;
		if (k->type == T_NAME && !is_name(text, NAME_CHARS, 40))
			return hoso_config_type_error(cfg, node, key, "a name ([a-z0-9_]+, at most 40)");
		/* the one check every connection string passes: no secret, nested or not */
		if (k->type == T_CONNINFO && !hoso_pg_conninfo_check(text))
			return hoso_config_error_at(cfg, node->start_mark,
						    "%s: this connection string is refused (above)", key);
		*FIELD(base, k->offset, char *) = hoso_xstrdup(text);
		return true;
	case T_LIST: {
		size_t n = hoso_config_seq_len(node);
		char **list;

		/* empty: a shard just added, or one whose provinces all moved away */
		if (node->type != YAML_SEQUENCE_NODE)
			return hoso_config_type_error(cfg, node, key, "a list of province codes");
		if (n == 0)
			return true;
		list = hoso_xcalloc(n, sizeof(char *));
		*FIELD(base, k->offset, char **) = list;
		for (size_t i = 0; i < n; i++) {
			yaml_node_t *item = hoso_config_seq_item(cfg, node, i);

			text = item ? hoso_config_text(cfg, item, key, "a province code", 0) : NULL;
			if (!text)
				return false;
			if (!hoso_province_code_ok(text))
				return hoso_config_type_error(cfg, item, key,
							      "a province code ([A-Za-z0-9_-]+)");
			list[i] = hoso_xstrdup(text);
			*FIELD(base, k->count_offset, size_t) = i + 1;
		}
		return true;
	}
	case T_SHARDS: {
		size_t n = hoso_config_seq_len(node);
		struct hoso_topology_shard *shards;

		if (node->type != YAML_SEQUENCE_NODE || n == 0)
			return hoso_config_type_error(cfg, node, key, "a non-empty list of shards");
		shards = hoso_xcalloc(n, sizeof(*shards));
		*FIELD(base, k->offset, struct hoso_topology_shard *) = shards;
		for (size_t i = 0; i < n; i++) {
			char item_key[HOSO_CONFIG_KEY_TEXT];
			yaml_node_t *item = hoso_config_seq_item(cfg, node, i);

			*FIELD(base, k->count_offset, size_t) = i + 1;
			snprintf(item_key, sizeof(item_key), "%s[%zu]", key, i);
			if (!item || !hoso_config_apply(cfg, k->sub, item_key, item, &shards[i]))
				return false;
			/* the same province on two shards, or a shard named twice */
			for (size_t j = 0; j < i; j++) {
				if (strcmp(shards[j].name, shards[i].name) == 0)
					return hoso_config_error_at(cfg, item->start_mark,
								    "%s: shard \"%s\" is named twice",
								    item_key, shards[i].name);
				for (size_t a = 0; a < shards[i].nprovinces; a++)
					for (size_t b = 0; b < shards[j].nprovinces; b++)
						if (strcmp(shards[i].provinces[a], shards[j].provinces[b]) == 0)
							return hoso_config_error_at(cfg, item->start_mark,
								"%s: province %s is on shard \"%s\" already: a province has one shard",
								item_key, shards[i].provinces[a], shards[j].name);
			}
			for (size_t a = 0; a < shards[i].nprovinces; a++)
				for (size_t b = 0; b < a; b++)
					if (strcmp(shards[i].provinces[a], shards[i].provinces[b]) == 0)
						return hoso_config_error_at(cfg, item->start_mark,
							"%s: province %s is listed twice",
							item_key, shards[i].provinces[a]);
		}
		return true;
	}
	default:
		return false;
	}
}

void
hoso_topology_release(struct hoso_topology *t)
{
	for (size_t i = 0; i < t->nshards; i++) {
		struct hoso_topology_shard *s = &t->shards[i];

		free(s->name);
		free(s->conninfo);
		for (size_t j = 0; j < s->nprovinces; j++)
			free(s->provinces[j]);
		free(s->provinces);
	}
	free(t->shards);
	free(t->coordinator);
	memset(t, 0, sizeof(*t));
}

bool
hoso_topology_load_buffer(const char *name, const char *data, size_t len, struct hoso_topology *t,
			  struct hoso_buf *err)
{
	struct hoso_config cfg;
	yaml_node_t *root;
	bool ok;

	memset(t, 0, sizeof(*t));
	hoso_config_init(&cfg, name, &topology_style, err);
	root = hoso_config_parse(&cfg, data, len);
	ok = root && hoso_config_apply(&cfg, &topology_table, "", root, t);
	hoso_config_release(&cfg);
	if (!ok)
		hoso_topology_release(t);
	return ok;
}

bool
hoso_topology_load(const char *path, struct hoso_topology *t)
{
	struct hoso_buf data = HOSO_BUF_INIT, err = HOSO_BUF_INIT;
	bool ok;

	memset(t, 0, sizeof(*t));
	ok = hoso_config_read_file(path, &topology_style, &data, &err) &&
	     hoso_topology_load_buffer(path, data.data ? data.data : "", data.len, t, &err);
	if (!ok)
		hoso_error("%s", err.data);
	hoso_buf_release(&data);
	hoso_buf_release(&err);
	return ok;
}

const struct hoso_topology_shard *
hoso_topology_shard_of(const struct hoso_topology *t, const char *province)
{
	for (size_t i = 0; i < t->nshards; i++)
		for (size_t j = 0; j < t->shards[i].nprovinces; j++)
			if (strcmp(t->shards[i].provinces[j], province) == 0)
				return &t->shards[i];
	return NULL;
}

