/*
 * profiles.c: schemas/profiles/NAME.yaml -> hoso.profile and
 * hoso.profile_criterion (the weights and thresholds of a scoring profile,
 * e.g. 766: docs/counting.md §5).  hoso-load --migrate calls it after the
 * migrations, so that the YAML files stay the one source of these figures:
 * each profile's criteria are replaced whole, in one transaction.
 *
 * A file is a mapping: name, description, criteria (a list of mappings with
 * criterion, name, points, threshold, computed, weight_public, note).
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "hoso_log.h"
#include "hoso_pg.h"
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

int
load_profiles(const char *conninfo, const char *dir)
{
	char pattern[4096];
	glob_t g = { 0 };
	struct profile_file *files = NULL;
	size_t nread = 0;
	PGconn *conn = NULL;
	int ret = HOSO_EXIT_USAGE;

	snprintf(pattern, sizeof(pattern), "%s/*.yaml", dir);
	if (glob(pattern, 0, NULL, &g) != 0) {
		globfree(&g);
		return HOSO_EXIT_OK;	/* no profile file: nothing to load */
	}
	files = hoso_xcalloc(g.gl_pathc, sizeof(*files));
	for (; nread < g.gl_pathc; nread++) {
		struct profile_file *pf = &files[nread];
		yaml_parser_t parser;
		FILE *f = fopen(g.gl_pathv[nread], "rb");
		bool ok;

		pf->path = g.gl_pathv[nread];
		if (!f) {
			hoso_error("%s: cannot open", pf->path);
			goto cleanup;
		}
		yaml_parser_initialize(&parser);
		yaml_parser_set_input_file(&parser, f);
		ok = yaml_parser_load(&parser, &pf->doc);
		if (!ok)
			hoso_error("%s:%zu:%zu: %s", pf->path, parser.problem_mark.line + 1,
				   parser.problem_mark.column + 1, parser.problem ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		if (!ok)
			goto cleanup;
		if (!read_profile(pf)) {
			nread++;	/* its document is loaded: free it below */
			goto cleanup;
		}
	}
	ret = HOSO_EXIT_FAILED;
	conn = hoso_pg_connect(conninfo, "hoso-load --migrate (profiles)");
	if (!conn || !hoso_pg_exec(conn, "SET client_min_messages = warning") ||
	    !hoso_pg_exec(conn, "BEGIN"))
		goto cleanup;
	{
		char key[32];
		const char *p[1] = { key };

		/* the same lock as the migrations: one writer of the schema at a time */
		snprintf(key, sizeof(key), "%lld", LOAD_MIGRATE_LOCK_KEY);
		if (!hoso_pg_exec_params(conn, "SELECT pg_advisory_xact_lock($1::bigint)", 1, p))
			goto cleanup;
	}
	for (size_t i = 0; i < nread; i++)
		if (!store_profile(conn, &files[i]))
			goto cleanup;
	if (!hoso_pg_exec(conn, "COMMIT"))
		goto cleanup;
	ret = HOSO_EXIT_OK;
cleanup:
	if (conn)
		PQfinish(conn);	/* an open transaction rolls back */
	for (size_t i = 0; i < nread; i++)
		yaml_document_delete(&files[i].doc);
	free(files);
	globfree(&g);
	return ret;
}
