/*
 * shard.c: a national warehouse sharded by province (docs/national.md).
 *
 *   hoso shard init TOPOLOGY      migrate every shard and the coordinator,
 *                                 make the coordinator's foreign partitions
 *   hoso shard status TOPOLOGY    each server: reachable, schema, last loads
 *   hoso shard run TOPOLOGY [--jobs N] [--date D | --from D --to D] PIPELINE...
 *                                 "hoso run" of each pipeline on its shard,
 *                                 up to N at a time
 *   hoso shard move TOPOLOGY --province CODE --from-shard SHARD
 *                                 move a province's rows to the shard the
 *                                 topology now gives it
 *
 * The topology file names the coordinator and the shards (libpq connection
 * strings without passwords, or service=NAME) and the provinces each shard
 * owns:
 *
 *   coordinator: "service=hoso-national"
 *   shards:
 *     - name: north
 *       conninfo: "host=db1 dbname=hoso"
 *       provinces: [H01, H02]
 *
 * A load goes straight to its province's shard, in one transaction there:
 * postgres_fdw has no two-phase commit, and COPY through the coordinator's
 * foreign partitions goes row by row.
 */
#include <errno.h>
#include <stddef.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hoso_buf.h"
#include "hoso_cli.h"
#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_pg.h"
#include "hoso_topology.h"
#include "runner.h"

/*
 * A pipeline that names its province writes its rows as that province's
 * (the session parameter hoso.province, the default of every province
 * column); with a topology its warehouse is the province's shard.
 */
bool
runner_national_target(struct hoso_pipeline *p, const char *topology_path)
{
	if (p->province) {
		const char *old = getenv("PGOPTIONS");
		struct hoso_buf opts = HOSO_BUF_INIT;

		if (!hoso_province_code_ok(p->province)) {
			hoso_error("province: \"%s\" is not a province code ([A-Za-z0-9_-]+)", p->province);
			return false;
		}
		hoso_buf_addf(&opts, "%s%s-c hoso.province=%s", old ? old : "", old ? " " : "",
			      p->province);
		setenv("PGOPTIONS", opts.data, 1);	/* the runner's connection and its stages' */
		hoso_buf_release(&opts);
	}
	if (topology_path) {
		struct hoso_topology t;
		const struct hoso_topology_shard *s;

		if (!p->province) {
			hoso_error("--topology: the pipeline names no province (key \"province\")");
			return false;
		}
		if (p->target.conninfo) {
			hoso_error("--topology: the pipeline names its own target.conninfo; "
				   "in a national warehouse the topology says where a province goes");
			return false;
		}
		if (!hoso_topology_load(topology_path, &t))
			return false;
		s = hoso_topology_shard_of(&t, p->province);
		if (!s) {
			hoso_error("%s: no shard holds province %s", topology_path, p->province);
			hoso_topology_release(&t);
			return false;
		}
		hoso_info("province %s: shard \"%s\"", p->province, s->name);
		p->target.conninfo = hoso_xstrdup(s->conninfo);
		hoso_topology_release(&t);
	}
	return true;
}

/* ---- hoso shard init ---- */

static int
migrate(const char *conninfo, const char *what)
{
	char *v[] = { (char *) runner_stage_path("hoso-load"), (char *) "--migrate",
		      (char *) "--conninfo", (char *) conninfo, NULL };
	int rc = runner_run_command(v);

	if (rc != HOSO_EXIT_OK)
		hoso_error("%s: migration failed", what);
	return rc;
}

/* The shard's server options ({keyword, value}... as a text[] literal) and user. */
static bool
server_options(const struct hoso_topology_shard *s, struct hoso_buf *array, char **user)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(s->conninfo, &msg);

	PQfreemem(msg);
	*user = NULL;
	if (!opts) {
		hoso_error("shard \"%s\": not a valid libpq connection string", s->name);
		return false;
	}
	hoso_buf_addch(array, '{');
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (strcmp(o->keyword, "user") == 0) {
			*user = hoso_xstrdup(o->val);
			continue;
		}
		for (int k = 0; k < 2; k++) {
			const char *v = k ? o->val : o->keyword;

			if (array->len > 1)
				hoso_buf_addch(array, ',');
			hoso_buf_addch(array, '"');
			for (; *v; v++) {
				if (*v == '"' || *v == '\\')
					hoso_buf_addch(array, '\\');
				hoso_buf_addch(array, *v);
			}
			hoso_buf_addch(array, '"');
		}
	}
	hoso_buf_addch(array, '}');
	PQconninfoFree(opts);
	return true;
}

static void
province_array(const struct hoso_topology_shard *s, struct hoso_buf *array)
{
	hoso_buf_addch(array, '{');
	for (size_t j = 0; j < s->nprovinces; j++)
		hoso_buf_addf(array, "%s\"%s\"", j ? "," : "", s->provinces[j]);	/* checked chars */
	hoso_buf_addch(array, '}');
}

/* Migrate every shard, then the coordinator. */
static bool
migrate_all(const struct hoso_topology *t)
{
	for (size_t i = 0; i < t->nshards; i++) {
		char what[96];

		snprintf(what, sizeof(what), "shard \"%s\"", t->shards[i].name);
		if (migrate(t->shards[i].conninfo, what) != HOSO_EXIT_OK)
			return false;
	}
	return migrate(t->coordinator, "coordinator") == HOSO_EXIT_OK;
}

/* The text of hoso's data file schemas/coordinator/NAME into out. */
static bool
read_coordinator_file(const char *name, struct hoso_buf *out)
{
	const char *datadir = hoso_datadir();
	struct hoso_buf path = HOSO_BUF_INIT;
	bool ok;

	if (!datadir) {
		hoso_error("cannot find hoso's data directory (schemas/coordinator); set HOSO_DATADIR");
		return false;
	}
	hoso_buf_addf(&path, "%s/schemas/coordinator/%s", datadir, name);
	ok = hoso_buf_read_file(out, path.data);
	if (!ok)
		hoso_error("%s: %s", path.data, strerror(errno));
	hoso_buf_release(&path);
	return ok;
}

/* One row of conn's query as text (NULL, logged, when it fails). */
static char *
query_text(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = hoso_pg_query(conn, sql, nparams, params);
	char *text;

	if (!res)
		return NULL;
	text = hoso_xstrdup(PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return text;
}

/* A session on shard s with on-shard.sql's functions (NULL, logged, when it fails). */
static PGconn *
shard_session(const struct hoso_topology_shard *s, const char *on_shard_sql, const char *what)
{
	PGconn *conn = hoso_pg_connect(s->conninfo, what);

	if (conn && (!hoso_pg_exec(conn, "SET client_min_messages = warning") ||
		     !hoso_pg_exec(conn, on_shard_sql))) {
		PQfinish(conn);
		conn = NULL;
	}
	if (!conn)
		hoso_error("shard \"%s\": cannot connect or set up its session", s->name);
	return conn;
}

/*
 * In conn's open transaction on shard s: the views the coordinator reads,
 * of the provinces the topology gives s; tables is the coordinator's list
 * of sharded tables (a text[] literal).
 */
static bool
shard_views(PGconn *conn, const struct hoso_topology_shard *s, const char *tables)
{
	struct hoso_buf arr = HOSO_BUF_INIT;
	const char *p[3];
	bool ok;

	province_array(s, &arr);
	p[0] = s->name;
	p[1] = arr.data;
	p[2] = tables;
	ok = hoso_pg_exec_params(conn, "SELECT pg_temp.shard_views($1, $2::text[], $3::text[])", 3, p);
	if (!ok)
		hoso_error("shard \"%s\": cannot make the views the coordinator reads", s->name);
	hoso_buf_release(&arr);
	return ok;
}

/* Every shard's views, each in a transaction of its own (see shard_views). */
static bool
all_shard_views(const struct hoso_topology *t, const char *tables)
{
	struct hoso_buf on_shard = HOSO_BUF_INIT;
	bool ok = read_coordinator_file("on-shard.sql", &on_shard);

	for (size_t i = 0; ok && i < t->nshards; i++) {
		PGconn *conn = shard_session(&t->shards[i], on_shard.data, "hoso shard init");

		ok = conn && hoso_pg_exec(conn, "BEGIN") && shard_views(conn, &t->shards[i], tables) &&
		     hoso_pg_exec(conn, "COMMIT");
		if (conn)
			PQfinish(conn);
	}
	hoso_buf_release(&on_shard);
	return ok;
}

/*
 * In the coordinator's open transaction: its partitioned tables, one
 * foreign partition per shard and table as the topology says, the servers
 * and user mappings, the catalogues of the first shard that has loaded
 * any, and the check that every province of the catalogue has a shard.
 * *copied tells whether a catalogue was found.
 */
static bool
coordinator_apply(PGconn *conn, const struct hoso_topology *t, const char *path, const char *sql,
		  bool *copied)
{
	struct hoso_buf arr = HOSO_BUF_INIT, all = HOSO_BUF_INIT;
	PGresult *res;
	bool ok = false;

	*copied = false;
	if (!hoso_pg_exec(conn, sql) || !hoso_pg_exec(conn, "SELECT hoso_shard.partition_tables()") ||
	    !hoso_pg_exec(conn, "SELECT hoso_shard.detach_all()"))
		goto done;
	hoso_buf_addch(&all, '{');
	for (size_t i = 0; i < t->nshards; i++) {
		const struct hoso_topology_shard *s = &t->shards[i];
		char *user = NULL;
		const char *p[3];
		bool set;

		hoso_buf_reset(&arr);
		if (!server_options(s, &arr, &user))
			goto done;
		p[0] = s->name;
		p[1] = arr.data;
		p[2] = user;
		set = hoso_pg_exec_params(conn, "SELECT hoso_shard.set_server($1, $2::text[], $3)", 3, p);
		free(user);
		hoso_buf_reset(&arr);
		province_array(s, &arr);
		p[1] = arr.data;
		if (!set || !hoso_pg_exec_params(conn, "SELECT hoso_shard.attach($1, $2::text[])", 2, p))
			goto done;
		for (size_t j = 0; j < s->nprovinces; j++)
			hoso_buf_addf(&all, "%s\"%s\"", all.len > 1 ? "," : "", s->provinces[j]);
	}
	hoso_buf_addch(&all, '}');
	/* the catalogues of the first shard that has loaded any */
	for (size_t i = 0; i < t->nshards && !*copied; i++) {
		const char *p[1] = { t->shards[i].name };

		res = hoso_pg_query(conn, "SELECT hoso_shard.copy_catalogues($1)", 1, p);
		if (!res) {
			hoso_error("shard \"%s\": cannot copy its catalogues", t->shards[i].name);
			goto done;
		}
		*copied = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
		if (*copied)
			hoso_info("catalogues copied from shard \"%s\" (%s units)", t->shards[i].name,
				  PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	{
		const char *p[1] = { all.data };

		res = hoso_pg_query(conn, "SELECT string_agg(x, ' ') FROM hoso_shard.unassigned($1::text[]) x",
				    1, p);
		if (!res)
			goto done;
		if (!PQgetisnull(res, 0, 0)) {
			hoso_error("%s: no shard holds the province(s) %s of the unit catalogue", path,
				   PQgetvalue(res, 0, 0));
			PQclear(res);
			goto done;
		}
		PQclear(res);
	}
	ok = true;
done:
	hoso_buf_release(&arr);
	hoso_buf_release(&all);
	return ok;
}

static int
shard_init(const char *path)
{
	struct hoso_topology t;
	struct hoso_buf sql = HOSO_BUF_INIT;
	PGconn *conn = NULL;
	int ret = HOSO_EXIT_FAILED;
	bool copied = false;
	size_t n = 0;
	char *tables = NULL;

	if (!hoso_topology_load(path, &t))
		return HOSO_EXIT_USAGE;
	if (!migrate_all(&t) || !read_coordinator_file("shard.sql", &sql))
		goto cleanup;
	conn = hoso_pg_connect(t.coordinator, "hoso shard init");
	if (!conn || !hoso_pg_exec(conn, "SET client_min_messages = warning") ||
	    !hoso_pg_exec(conn, "BEGIN") || !coordinator_apply(conn, &t, path, sql.data, &copied))
		goto cleanup;
	tables = query_text(conn, "SELECT hoso_shard.sharded_tables()::text", 0, NULL);
	if (!tables || !all_shard_views(&t, tables) || !hoso_pg_exec(conn, "COMMIT"))
		goto cleanup;
	if (!copied)
		hoso_warning("no shard has loaded a catalogue yet: run \"hoso shard init\" again after the first loads");
	for (size_t i = 0; i < t.nshards; i++)
		n += t.shards[i].nprovinces;
	printf("coordinator ready: %zu shard(s), %zu province(s)\n", t.nshards, n);
	ret = HOSO_EXIT_OK;
cleanup:
	if (conn)
		PQfinish(conn);
	free(tables);
	hoso_buf_release(&sql);
	hoso_topology_release(&t);
	return ret;
}

/* ---- hoso shard status ---- */

static void
status_of(const char *what, const char *conninfo, const struct hoso_topology_shard *shard, int *down)
{
	struct hoso_buf ci = HOSO_BUF_INIT;
	PGconn *conn;
	PGresult *res;

	hoso_buf_addf(&ci, "%s connect_timeout=5 application_name='hoso shard status'", conninfo);
	conn = PQconnectdb(ci.data);
	hoso_buf_release(&ci);
	if (PQstatus(conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(conn);

		printf("%-24s DOWN  %.*s\n", what, (int) strcspn(m, "\n"), m);
		(*down)++;
		PQfinish(conn);
		return;
	}
	res = PQexec(conn, "SELECT (SELECT max(version) FROM hoso.schema_version),"
			   " (SELECT count(*) FROM hoso.schema_version)");
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		printf("%-24s up    no hoso schema\n", what);
	else
		printf("%-24s up    schema %s (%s migrations)\n", what, PQgetvalue(res, 0, 0),
		       PQgetvalue(res, 0, 1));
	PQclear(res);
	res = PQexec(conn, "SELECT province, max(finished_at) FILTER (WHERE status = 'done'),"
			   " count(*) FILTER (WHERE status = 'failed')"
			   " FROM hoso.run WHERE province <> '' GROUP BY province ORDER BY province");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		for (int i = 0; i < PQntuples(res); i++) {
			bool owned = !shard;

			for (size_t j = 0; shard && j < shard->nprovinces; j++)
				owned = owned || strcmp(shard->provinces[j], PQgetvalue(res, i, 0)) == 0;
			printf("%-24s       %s last load %s%s%s%s\n", "", PQgetvalue(res, i, 0),
			       PQgetisnull(res, i, 1) ? "never" : PQgetvalue(res, i, 1),
			       strcmp(PQgetvalue(res, i, 2), "0") ? ", failed runs: " : "",
			       strcmp(PQgetvalue(res, i, 2), "0") ? PQgetvalue(res, i, 2) : "",
			       /* the coordinator does not count these rows (the shard's views leave them out) */
			       owned ? "" : "; NOT this shard's in the topology: a move stopped midway? "
					    "run hoso shard move again");
		}
	PQclear(res);
	PQfinish(conn);
}

static int
shard_status(const char *path)
{
	struct hoso_topology t;
	int down = 0;

	if (!hoso_topology_load(path, &t))
		return HOSO_EXIT_USAGE;
	status_of("coordinator", t.coordinator, NULL, &down);
	for (size_t i = 0; i < t.nshards; i++) {
		char what[64];

		snprintf(what, sizeof(what), "shard %s (%zu provinces)", t.shards[i].name,
			 t.shards[i].nprovinces);
		status_of(what, t.shards[i].conninfo, &t.shards[i], &down);
	}
	hoso_topology_release(&t);
	return down ? HOSO_EXIT_FAILED : HOSO_EXIT_OK;
}

/* ---- hoso shard move ---- */

/* Province p's rows of table t on from, by COPY into pg_temp.move_T on to. */
static bool
copy_rows(PGconn *from, PGconn *to, const char *t, const char *p)
{
	const char *params[2] = { t, p };
	char *cols_from = query_text(from, "SELECT pg_temp.move_columns($1)", 1, params);
	char *cols_to = query_text(to, "SELECT pg_temp.move_columns($1)", 1, params);
	char *out = query_text(from, "SELECT format('COPY (%s) TO STDOUT', pg_temp.move_rows($1, $2))",
			       2, params);
	char *in = query_text(to, "SELECT format('COPY pg_temp.%I FROM STDIN', 'move_' || $1)", 1, params);
	PGresult *res;
	char *row;
	int n;
	bool ok = false, began;

	if (!cols_from || !cols_to || !out || !in)
		goto done;
	if (strcmp(cols_from, cols_to) != 0) {
		hoso_error("hoso.%s has other columns on the two shards (%s / %s): migrate both", t,
			   cols_from, cols_to);
		goto done;
	}
	res = PQexec(from, out);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		hoso_pg_log_error("old shard", res, from);
		PQclear(res);
		goto done;
	}
	PQclear(res);
	began = hoso_pg_copy_begin(to, in);
	ok = began;
	/* every row is read, even when the new shard fails: the old one's session goes on */
	while ((n = PQgetCopyData(from, &row, 0)) > 0) {
		ok = ok && hoso_pg_copy_put(to, row, (size_t) n);
		PQfreemem(row);
	}
	if (began)
		ok = hoso_pg_copy_end(to, ok && n == -1 ? NULL : "the old shard's COPY failed") && ok;
	/* the old shard's COPY's own result */
	while ((res = PQgetResult(from)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			hoso_pg_log_error("old shard", res, from);
			ok = false;
		}
		PQclear(res);
	}
done:
	free(cols_from);
	free(cols_to);
	free(out);
	free(in);
	return ok;
}

/* Per table "name count md5" lines of province p's rows (pg_temp.move_digest). */
static bool
digest(PGconn *conn, const char *p, struct hoso_buf *out, long long *rows)
{
	const char *params[1] = { p };
	PGresult *res = hoso_pg_query(conn, "SELECT table_name, row_count, rows_md5"
					    " FROM pg_temp.move_digest($1)", 1, params);

	*rows = 0;
	hoso_buf_reset(out);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res); i++) {
		hoso_buf_addf(out, "%s %s %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			      PQgetvalue(res, i, 2));
		*rows += atoll(PQgetvalue(res, i, 1));
	}
	PQclear(res);
	return true;
}

/* The first line where two digests differ, for the error. */
static void
report_difference(const char *a, const char *b)
{
	while (*a && *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la) != 0) {
			hoso_error("old shard: %.*s; new shard: %.*s", (int) la, a, (int) lb, b);
			return;
		}
		a += la + (a[la] != 0);
		b += lb + (b[lb] != 0);
	}
}

/* A shard's session for the move: on-shard.sql's functions, the warehouse lock taken. */
static PGconn *
move_session(const struct hoso_topology_shard *s, const char *on_shard_sql)
{
	PGconn *conn = shard_session(s, on_shard_sql, "hoso shard move");

	/* the lock waits for a run of the shard to finish; none starts until the move ends */
	if (conn && (!hoso_pg_exec(conn, "BEGIN") ||
		     !hoso_pg_exec(conn, "SELECT 1 FROM hoso.run_lock FOR UPDATE"))) {
		hoso_error("shard \"%s\": cannot take its warehouse lock", s->name);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

/*
 * Move province p's rows from shard from_name to the shard that the
 * topology now gives it, then point the coordinator at it.  Each step is
 * one transaction; a rerun after a stop at any point finishes the move
 * (docs/national.md, "Moving a province"):
 *   1. the new shard: copy, commit (only when it holds none of p's rows),
 *      unseen by the coordinator: the shard's views leave p out;
 *   2. compare the two shards' digests of p's rows: equal, or stop;
 *   3. the old shard: delete p's rows, its views without p, commit;
 *   4. the new shard: its views with p, commit;
 *   5. the coordinator: partitions as the topology says, commit.
 * The coordinator's sharded tables are locked throughout, so a national
 * query waits for the move rather than see p twice or not at all.
 */
static int
shard_move(const char *path, const char *p, const char *from_name)
{
	struct hoso_topology t;
	const struct hoso_topology_shard *to = NULL, *from = NULL;
	struct hoso_buf shard_sql = HOSO_BUF_INIT, move_sql = HOSO_BUF_INIT;
	struct hoso_buf old_digest = HOSO_BUF_INIT, new_digest = HOSO_BUF_INIT;
	PGconn *coord = NULL, *old = NULL, *new = NULL;
	long long old_rows = 0, new_rows = 0;
	int ret = HOSO_EXIT_FAILED;
	bool copied = false, catalogue;
	char *tables = NULL;

	if (!hoso_topology_load(path, &t))
		return HOSO_EXIT_USAGE;
	to = hoso_topology_shard_of(&t, p);
	for (size_t i = 0; i < t.nshards; i++)
		if (strcmp(t.shards[i].name, from_name) == 0)
			from = &t.shards[i];
	if (!to || !from || to == from) {
		if (!to)
			hoso_error("%s: no shard holds province %s: list it under its new shard first", path, p);
		else if (!from)
			hoso_error("%s: no shard is named \"%s\" (--from)", path, from_name);
		else
			hoso_error("%s: province %s is on shard \"%s\" already: list it under its new shard",
				   path, p, from_name);
		ret = HOSO_EXIT_USAGE;
		goto cleanup;
	}
	if (!migrate_all(&t) || !read_coordinator_file("shard.sql", &shard_sql) ||
	    !read_coordinator_file("on-shard.sql", &move_sql))
		goto cleanup;
	/* one move at a time; national queries wait until it is over */
	coord = hoso_pg_connect(t.coordinator, "hoso shard move");
	if (!coord || !hoso_pg_exec(coord, "SET client_min_messages = warning") ||
	    !hoso_pg_exec(coord, "BEGIN") || !hoso_pg_exec(coord, shard_sql.data) ||
	    !hoso_pg_exec(coord, "SELECT pg_advisory_xact_lock(hashtext('hoso shard move'))"))
		goto cleanup;
	old = move_session(from, move_sql.data);
	new = old ? move_session(to, move_sql.data) : NULL;
	if (!new || !hoso_pg_exec(coord, "SELECT hoso_shard.lock_tables()") ||
	    !digest(old, p, &old_digest, &old_rows) || !digest(new, p, &new_digest, &new_rows))
		goto cleanup;
	if (old_rows > 0 && new_rows == 0) {
		hoso_info("copying province %s's %lld rows from shard \"%s\" to shard \"%s\"", p, old_rows,
			  from->name, to->name);
		if (!hoso_pg_exec(new, "SELECT pg_temp.move_stage()"))
			goto cleanup;
		for (int i = 0;; i++) {
			char *table;
			char index[16];
			const char *params[1] = { index };

			snprintf(index, sizeof(index), "%d", i + 1);
			table = query_text(new, "SELECT (pg_temp.move_tables())[$1::int]", 1, params);
			if (!table)
				goto cleanup;
			if (!*table) {
				free(table);
				break;
			}
			if (!copy_rows(old, new, table, p)) {
				hoso_error("province %s: copying hoso.%s failed; nothing was moved", p, table);
				free(table);
				goto cleanup;
			}
			free(table);
		}
		{
			const char *params[1] = { p };

			if (!hoso_pg_exec_params(new, "SELECT pg_temp.move_publish($1)", 1, params) ||
			    !digest(new, p, &new_digest, &new_rows))
				goto cleanup;
		}
		copied = true;
	}
	if (old_rows > 0 && strcmp(old_digest.data, new_digest.data) != 0) {
		hoso_error("province %s: shard \"%s\" holds rows of it that are not a copy of shard \"%s\"'s; "
			   "nothing was deleted (did a load of %s run on the new shard before the move?)",
			   p, to->name, from->name, p);
		report_difference(old_digest.data, new_digest.data);
		goto cleanup;
	}
	/* the copy is in, out of the coordinator's sight (the new shard's views leave p out) */
	if (!hoso_pg_exec(new, "COMMIT"))
		goto cleanup;
	tables = query_text(coord, "SELECT hoso_shard.sharded_tables()::text", 0, NULL);
	if (!tables)
		goto cleanup;
	/* out of the old shard, its rows and its views at once */
	if (old_rows > 0) {
		const char *params[1] = { p };

		if (!hoso_pg_exec_params(old, "SELECT pg_temp.move_delete($1)", 1, params))
			goto cleanup;
	}
	if (!shard_views(old, from, tables) || !hoso_pg_exec(old, "COMMIT")) {
		hoso_error("province %s: copied to shard \"%s\" but still on shard \"%s\"; "
			   "run this move again to finish it", p, to->name, from->name);
		goto cleanup;
	}
	/* into the new shard's views: from here on the coordinator reads p there */
	if (!hoso_pg_exec(new, "BEGIN") || !shard_views(new, to, tables) ||
	    !hoso_pg_exec(new, "COMMIT")) {
		hoso_error("province %s: on shard \"%s\" but not yet shown to the coordinator; "
			   "run this move again to finish it", p, to->name);
		goto cleanup;
	}
	if (!coordinator_apply(coord, &t, path, shard_sql.data, &catalogue) ||
	    !hoso_pg_exec(coord, "COMMIT")) {
		hoso_error("province %s: moved to shard \"%s\", but the coordinator was not changed; "
			   "run \"hoso shard init %s\"", p, to->name, path);
		goto cleanup;
	}
	if (copied)
		printf("province %s: %lld rows moved from shard \"%s\" to shard \"%s\"\n", p, old_rows,
		       from->name, to->name);
	else if (old_rows > 0)
		printf("province %s: %lld rows were on shard \"%s\" already; deleted from shard \"%s\"\n", p,
		       old_rows, to->name, from->name);
	else
		printf("province %s: nothing on shard \"%s\" (%lld rows on shard \"%s\"); coordinator updated\n",
		       p, from->name, new_rows, to->name);
	ret = HOSO_EXIT_OK;
cleanup:
	if (new)
		PQfinish(new);
	if (old)
		PQfinish(old);
	if (coord)
		PQfinish(coord);
	free(tables);
	hoso_buf_release(&shard_sql);
	hoso_buf_release(&move_sql);
	hoso_buf_release(&old_digest);
	hoso_buf_release(&new_digest);
	hoso_topology_release(&t);
	return ret;
}

/* ---- hoso shard run ---- */

/*
 * "hoso run PIPELINE --topology T [dates] --wait" for each pipeline, up to
 * jobs at a time: provinces on different shards load at once; those on one
 * shard take its lock in turn.  The exit status is the worst of them.
 */
static int
shard_run(const char *topology, int jobs, char **dates, int ndates, char **pipelines, int n)
{
	pid_t *pids = hoso_xcalloc((size_t) n, sizeof(pid_t));
	int running = 0, next = 0, worst = HOSO_EXIT_OK, failed = 0;

	while (next < n || running > 0) {
		if (next < n && running < jobs) {
			struct runner_argv a = { 0 };

			runner_argv_push(&a, runner_stage_path("hoso"));
			runner_argv_push(&a, "run");
			runner_argv_push(&a, "--topology");
			runner_argv_push(&a, topology);
			runner_argv_push(&a, "--wait");
			for (int i = 0; i < ndates; i++)
				runner_argv_push(&a, dates[i]);
			runner_argv_push(&a, pipelines[next]);
			/* its own child, not the runner's stage table: reaped by waitpid(-1) below */
			pids[next] = fork();
			if (pids[next] == 0) {
				/* runs side by side would draw their progress lines over each other */
				if (jobs > 1)
					setenv("HOSO_NO_PROGRESS", "1", 1);
				execv(a.v[0], a.v);
				_exit(HOSO_EXIT_FAILED);
			}
			runner_argv_release(&a);
			if (pids[next] < 0) {
				worst = HOSO_EXIT_FAILED;
				failed++;
			} else {
				running++;
			}
			next++;
			continue;
		}
		{
			int status;
			pid_t pid = waitpid(-1, &status, 0);

			if (pid < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			for (int i = 0; i < n; i++) {
				int rc;

				if (pids[i] != pid)
					continue;
				running--;
				rc = WIFEXITED(status) ? WEXITSTATUS(status) : HOSO_EXIT_FAILED;
				if (rc != HOSO_EXIT_OK) {
					hoso_error("%s: exit %d", pipelines[i], rc);
					failed++;
					if (worst == HOSO_EXIT_OK || rc == HOSO_EXIT_FAILED)
						worst = rc;
				}
			}
		}
	}
	free(pids);
	printf("%d pipeline(s): %d done, %d failed\n", n, n - failed, failed);
	return worst;
}

static const char *const shard_usage[] = {
	"hoso shard init TOPOLOGY.yaml",
	"hoso shard status TOPOLOGY.yaml",
	"hoso shard run TOPOLOGY.yaml [--jobs N] [--date D | --from D --to D] PIPELINE...",
	"hoso shard move TOPOLOGY.yaml --province CODE --from-shard SHARD",
	NULL
};

/* the parsed command line */
static struct shard_args {
	long long jobs;
	hoso_date day, from, to;
	const char *province, *old_shard;
} args = { .jobs = 2, .day = HOSO_DATE_NONE, .from = HOSO_DATE_NONE, .to = HOSO_DATE_NONE };

static const struct hoso_option shard_options[] = {
	HOSO_OPT_STRING(0, "province", &args.province, "CODE",
			"move: the province whose rows move to the shard the topology gives it"),
	HOSO_OPT_INTEGER("jobs", &args.jobs, "N", 1, 64,
			 "run: load up to N pipelines at a time (default 2)"),
	HOSO_OPT_DATE("date", &args.day, "run: one day (YYYY-MM-DD)"),
	HOSO_OPT_DATE("from", &args.from, "run: a range of days, both included, with --to"),
	HOSO_OPT_DATE("to", &args.to, "run: the range's last day"),
	HOSO_OPT_STRING(0, "from-shard", &args.old_shard, "SHARD",
			"move: the shard that holds the province's rows now"),
	HOSO_OPT_END(),
};

static struct hoso_cli cli = {
	.name = "hoso shard", .usage = shard_usage, .options = shard_options,
	.about = "A national warehouse sharded by province (postgres_fdw foreign partitions).\n"
		 "  init    migrate every shard and the coordinator; make the coordinator's\n"
		 "          partitioned tables over the shards, user mappings and analyst role;\n"
		 "          copy the catalogues from a shard; idempotent\n"
		 "  status  each server's reachability, schema version and last load per province\n"
		 "  run     load each pipeline (which names its province) on its shard\n"
		 "  move    move a province's rows to the shard the topology now gives it\n"
		 "          (from --from-shard), then point the coordinator at it",
	.footer = "Exit status: 0 done, 1 failed (a shard down, a load failed), 2 bad usage.",
	.args_name = "SUBCOMMAND TOPOLOGY.yaml [PIPELINE...]", .min_args = 2, .max_args = -1,
};

static int
sub_init(void)
{
	return shard_init(cli.args[1]);
}

static int
sub_status(void)
{
	return shard_status(cli.args[1]);
}

static int
sub_move(void)
{
	if (!args.province || !args.old_shard)
		return hoso_cli_usage_error(&cli, "shard move needs --province CODE and --from-shard SHARD");
	if (!hoso_province_code_ok(args.province))
		return hoso_cli_usage_error(&cli, "--province: \"%s\" is not a province code "
						  "([A-Za-z0-9_-]+)", args.province);
	return shard_move(cli.args[1], args.province, args.old_shard);
}

static int
sub_run(void)
{
	/* the days go to each province's hoso run as it would take them */
	char iso[2][11];
	char *dates[4] = { "--from", iso[0], "--to", iso[1] };

	if (cli.nargs < 3)
		return hoso_cli_usage_error(&cli, "shard run: name at least one pipeline");
	if (runner_days(&cli, args.day, &args.from, &args.to) != HOSO_EXIT_OK)
		return HOSO_EXIT_USAGE;
	hoso_date_format_iso(args.from, iso[0]);
	hoso_date_format_iso(args.to, iso[1]);
	return shard_run(cli.args[1], (int) args.jobs, dates, 4, cli.args + 2, cli.nargs - 2);
}

static const struct shard_subcommand {
	const char *name;
	int (*fn)(void);
} subcommands[] = {
	{ "init", sub_init }, { "status", sub_status }, { "run", sub_run }, { "move", sub_move },
};

int
runner_cmd_shard(int argc, char **argv)
{
	const struct shard_subcommand *sc = NULL;
	const char *sub;

	if (!hoso_cli_parse(&cli, argc, argv))
		return cli.status;
	sub = cli.args[0];
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(sub, subcommands[i].name) == 0)
			sc = &subcommands[i];
	if (!sc)
		return hoso_cli_usage_error(&cli, "unknown subcommand \"%s\" (init, status, run or move)", sub);
	/* only run takes pipelines and days */
	if (sc->fn != sub_run && (cli.nargs != 2 || args.day != HOSO_DATE_NONE ||
				  args.from != HOSO_DATE_NONE || args.to != HOSO_DATE_NONE))
		return hoso_cli_usage_error(&cli, "shard %s takes only TOPOLOGY.yaml", sub);
	if ((args.province || args.old_shard) && sc->fn != sub_move)
		return hoso_cli_usage_error(&cli, "--province and --from-shard are options of shard move");
	return sc->fn();
}
