/*
 * profiles.c: schemas/profiles/NAME.yaml -> hoso.profile and
 * hoso.profile_criterion (the weights and thresholds of a scoring profile,
 * e.g. 766: docs/counting.md §5).  hoso-load --migrate stores them after
 * the migrations, in their transaction, so that the YAML files stay the one
 * source of these figures: each profile's criteria are replaced whole, and
 * the files' digests recorded in hoso.profile_file.
 *
 * A file is a mapping: name, description, criteria (a list of mappings with
 * criterion, name, points, threshold, computed, weight_public, note).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hoso_log.h"
#include "hoso_pg.h"
#include "hoso_schema_files.h"
#include "load.h"

#define MAX_CRITERIA 64

struct criterion {
	const char *criterion, *name, *points, *threshold, *computed, *weight_public, *note;
};

struct profile_file {
	const char *path;
	yaml_document_t doc;
	const char *name, *description;
	struct criterion criteria[MAX_CRITERIA];
	size_t n;
};

static bool
bad(const struct profile_file *pf, const yaml_node_t *node, const char *what)
{
	hoso_error("%s:%zu:%zu: %s", pf->path, node->start_mark.line + 1,
		   node->start_mark.column + 1, what);
	return false;
}

/* The scalar text of NODE (owned by the document), or NULL after an error. */
static const char *
scalar(const struct profile_file *pf, const yaml_node_t *node, const char *key)
{
	char msg[160];

	if (node->type != YAML_SCALAR_NODE) {
		snprintf(msg, sizeof(msg), "%s: expected a scalar", key);
		bad(pf, node, msg);
		return NULL;
	}
	return (const char *) node->data.scalar.value;
}

static bool
is_number(const char *s)
{
	char *end;

	strtod(s, &end);
	return *s && !*end;
}

static bool
read_criterion(struct profile_file *pf, yaml_node_t *node, struct criterion *c)
{
	static const char *const keys[] = { "criterion", "name", "points", "threshold",
					    "computed", "weight_public", "note" };
	const char **slots[] = { &c->criterion, &c->name, &c->points, &c->threshold,
				 &c->computed, &c->weight_public, &c->note };

	if (node->type != YAML_MAPPING_NODE)
		return bad(pf, node, "a criterion must be a mapping");
	memset(c, 0, sizeof(*c));
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&pf->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&pf->doc, p->value);
		const char *key = scalar(pf, k, "key");
		size_t i;

		if (!key)
			return false;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(key, keys[i]) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			char msg[160];

			snprintf(msg, sizeof(msg), "unknown key \"%s\" (expected criterion, name, points, "
				 "threshold, computed, weight_public, note)", key);
			return bad(pf, k, msg);
		}
		*slots[i] = scalar(pf, v, key);
		if (!*slots[i])
			return false;
	}
	if (!c->criterion || !c->name || !c->points || !c->computed || !c->weight_public)
		return bad(pf, node, "a criterion needs criterion, name, points, computed and weight_public");
	if (!is_number(c->points))
		return bad(pf, node, "points: expected a number");
	if (c->threshold && (!is_number(c->threshold) || atof(c->threshold) <= 0 || atof(c->threshold) > 1))
		return bad(pf, node, "threshold: expected a number in (0, 1]");
	if (strcmp(c->computed, "true") == 0 && !c->threshold)
		return bad(pf, node, "a computed criterion needs a threshold");
	if ((strcmp(c->computed, "true") != 0 && strcmp(c->computed, "false") != 0) ||
	    (strcmp(c->weight_public, "true") != 0 && strcmp(c->weight_public, "false") != 0))
		return bad(pf, node, "computed and weight_public are true or false");
	return true;
}

static bool
read_profile(struct profile_file *pf)
{
	yaml_node_t *root = yaml_document_get_root_node(&pf->doc);

	if (!root || root->type != YAML_MAPPING_NODE) {
		hoso_error("%s: expected a mapping with name, description and criteria", pf->path);
		return false;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&pf->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&pf->doc, p->value);
		const char *key = scalar(pf, k, "key");

		if (!key)
			return false;
		if (strcmp(key, "name") == 0) {
			if (!(pf->name = scalar(pf, v, key)))
				return false;
		} else if (strcmp(key, "description") == 0) {
			if (!(pf->description = scalar(pf, v, key)))
				return false;
		} else if (strcmp(key, "criteria") == 0) {
			if (v->type != YAML_SEQUENCE_NODE)
				return bad(pf, v, "criteria: expected a list");
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				if (pf->n == MAX_CRITERIA)
					return bad(pf, v, "too many criteria");
				if (!read_criterion(pf, yaml_document_get_node(&pf->doc, *it), &pf->criteria[pf->n++]))
					return false;
			}
		} else {
			return bad(pf, k, "unknown key (expected name, description, criteria)");
		}
	}
	if (!pf->name || !pf->description || pf->n == 0) {
		hoso_error("%s: name, description and criteria are required", pf->path);
		return false;
	}
	return true;
}

/* Replace the profile's row and criteria; inside the caller's transaction. */
static bool
store_profile(PGconn *conn, const struct profile_file *pf)
{
	const char *p[2] = { pf->name, pf->description };

	if (!hoso_pg_exec_params(conn, "INSERT INTO hoso.profile (name, description) VALUES ($1, $2)"
				 " ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description", 2, p) ||
	    !hoso_pg_exec_params(conn, "DELETE FROM hoso.profile_criterion WHERE profile = $1", 1, p))
		return false;
	for (size_t i = 0; i < pf->n; i++) {
		const struct criterion *c = &pf->criteria[i];
		char ord[24];
		const char *q[9] = { pf->name, c->criterion, ord, c->name, c->points, c->threshold,
				     c->computed, c->weight_public, c->note };

		snprintf(ord, sizeof(ord), "%zu", i + 1);
		if (!hoso_pg_exec_params(conn, "INSERT INTO hoso.profile_criterion (profile, criterion, ord, name,"
					 " points, threshold, computed, weight_public, note)"
					 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9, q))
			return false;
	}
	return true;
}

struct load_profiles {
	const struct hoso_schema_list *files;
	struct profile_file *v;		/* one per file, each document loaded */
	size_t n;
};

int
load_profiles_read(const struct hoso_schema_list *files, struct load_profiles **out)
{
	struct load_profiles *lp = hoso_xcalloc(1, sizeof(*lp));

	*out = lp;
	lp->files = files;
	lp->v = hoso_xcalloc(files->n ? files->n : 1, sizeof(*lp->v));
	for (; lp->n < files->n; lp->n++) {
		const struct hoso_schema_file *f = &files->v[lp->n];
		struct profile_file *pf = &lp->v[lp->n];
		yaml_parser_t parser;
		bool ok;

		pf->path = f->path;
		yaml_parser_initialize(&parser);
		/* the bytes whose digest is recorded are the bytes stored */
		yaml_parser_set_input_string(&parser, (const unsigned char *) f->text.data, f->text.len);
		ok = yaml_parser_load(&parser, &pf->doc);
		if (!ok)
			hoso_error("%s:%zu:%zu: %s", pf->path, parser.problem_mark.line + 1,
				   parser.problem_mark.column + 1, parser.problem ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		if (!ok)
			return HOSO_EXIT_USAGE;
		if (!read_profile(pf)) {
			lp->n++;	/* its document is loaded: free it */
			return HOSO_EXIT_USAGE;
		}
	}
	return HOSO_EXIT_OK;
}

bool
load_profiles_store(PGconn *conn, const struct load_profiles *lp)
{
	PGresult *res;
	bool recorded;

	for (size_t i = 0; i < lp->n; i++)
		if (!store_profile(conn, &lp->v[i]))
			return false;
	/* a warehouse migrated by files older than hoso.profile_file keeps no record */
	res = hoso_pg_query(conn, "SELECT to_regclass('hoso.profile_file') IS NOT NULL", 0, NULL);
	if (!res)
		return false;
	recorded = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!recorded)
		return true;
	if (!hoso_pg_exec(conn, "DELETE FROM hoso.profile_file"))
		return false;
	for (size_t i = 0; i < lp->files->n; i++) {
		const char *p[2] = { lp->files->v[i].name, lp->files->v[i].sha };

		if (!hoso_pg_exec_params(conn, "INSERT INTO hoso.profile_file (file, sha256)"
					 " VALUES ($1, $2)", 2, p))
			return false;
	}
	return true;
}

void
load_profiles_free(struct load_profiles *lp)
{
	if (!lp)
		return;
	for (size_t i = 0; i < lp->n; i++)
		yaml_document_delete(&lp->v[i].doc);
	free(lp->v);
	free(lp);
}
