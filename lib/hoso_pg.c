/*
 * hoso_pg.c: libpq helpers (see hoso_pg.h).  COPY follows psql's
 * handleCopyIn (src/bin/psql/copy.c): every PQputCopyData is checked, a
 * local failure ends the COPY with an error message so that the server
 * rolls it back, and PQgetResult is called until it returns NULL.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hoso_log.h"
#include "hoso_pg.h"

#define COPY_CHUNK (256 * 1024)	/* large enough that syscalls do not dominate */

const char *
hoso_pg_result_error(const PGresult *res, const PGconn *conn)
{
	static char msg[2048];
	const char *m = res ? PQresultErrorMessage(res) : "";
	size_t n;

	if (!m[0] && conn)
		m = PQerrorMessage(conn);
	if (!m[0])
		m = "unknown error";
	snprintf(msg, sizeof(msg), "%s", m);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	return msg;
}

void
hoso_pg_log_error(const char *what, const PGresult *res, const PGconn *conn)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (!primary)
		primary = hoso_pg_result_error(res, conn);	/* a client-side error */
	/*
	 * A COPY's context names the staging line and column that failed, which
	 * the operator needs; a PL/pgSQL call stack is noise, so it stays a field.
	 */
	if (context && strncmp(context, "COPY ", 5) == 0) {
		hoso_report(HOSO_LOG_ERROR, hoso_log_event("sql_error"),
			    what ? hoso_msg("%s: %s (%s)", what, primary, context)
				 : hoso_msg("%s (%s)", primary, context),
			    detail ? hoso_detail("%s", detail) : 0, hint ? hoso_hint("%s", hint) : 0,
			    sqlstate ? hoso_log_str("sqlstate", sqlstate) : 0);
		return;
	}
	hoso_report(HOSO_LOG_ERROR, hoso_log_event("sql_error"),
		    what ? hoso_msg("%s: %s", what, primary) : hoso_msg("%s", primary),
		    detail ? hoso_detail("%s", detail) : 0, hint ? hoso_hint("%s", hint) : 0,
		    sqlstate ? hoso_log_str("sqlstate", sqlstate) : 0,
		    context ? hoso_log_str("context", context) : 0);
}

/* Keywords whose value is a secret. */
static const char *const secret_keywords[] = { "password", "sslpassword" };

/* A value that is itself a connection string: libpq would expand it. */
static bool
looks_like_conninfo(const char *v)
{
	return strchr(v, '=') || strncmp(v, "postgresql://", 13) == 0 ||
		strncmp(v, "postgres://", 11) == 0;
}

/*
 * Whether conninfo, or a value inside it that is itself a connection
 * string (a dbname='host=h password=p' or a URI), carries a secret.  Never
 * logs the string: libpq's messages may quote it.
 */
static bool
conninfo_ok(const char *conninfo, int depth, bool *valid)
{
	PQconninfoOption *opts, *o;
	char *err = NULL;
	bool ok = true;

	opts = PQconninfoParse(conninfo, &err);
	if (!opts) {
		PQfreemem(err);
		*valid = depth > 0;	/* a nested value that does not parse is just text */
		return depth > 0;
	}
	for (o = opts; o->keyword && ok; o++) {
		if (!o->val || !o->val[0])
			continue;
		for (size_t i = 0; i < sizeof(secret_keywords) / sizeof(secret_keywords[0]); i++) {
			if (strcmp(o->keyword, secret_keywords[i]) == 0) {
				hoso_report(HOSO_LOG_ERROR,
					    hoso_msg("the connection string contains a %s%s", o->keyword,
						     depth > 0 ? " (inside another value)" : ""),
					    hoso_hint("Put it in ~/.pgpass or a service file instead, never "
						      "in a pipeline or on the command line."));
				ok = false;
			}
		}
		if (ok && depth < 3 && looks_like_conninfo(o->val))
			ok = conninfo_ok(o->val, depth + 1, valid);
	}
	PQconninfoFree(opts);
	return ok;
}

/* The connection string given, else $HOSO_CONNINFO, else NULL (libpq's environment). */
static const char *
effective_conninfo(const char *conninfo)
{
	const char *env = getenv(HOSO_CONNINFO_ENV);

	if (conninfo)
		return conninfo;
	return env && *env ? env : NULL;
}

bool
hoso_pg_conninfo_check(const char *conninfo)
{
	bool valid = true, ok;

	conninfo = effective_conninfo(conninfo);
	if (!conninfo)
		return true;
	ok = conninfo_ok(conninfo, 0, &valid);
	if (!valid)
		hoso_error("the connection string is not valid (expected keyword=value pairs "
			   "or a postgresql:// URI)");
	return ok && valid;
}

/*
 * The server's notices and warnings go through the log, not libpq's own
 * print to stderr, which would break the JSON lines.  A notice (an IF NOT
 * EXISTS that skipped, ...) is a debug message; a warning stays a warning.
 */
static void
log_notice(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	bool warning = severity && strcmp(severity, "WARNING") == 0;

	hoso_report(warning ? HOSO_LOG_WARNING : HOSO_LOG_DEBUG, hoso_log_event("server_notice"),
		    hoso_msg("%s", primary ? primary : "(no message)"),
		    detail ? hoso_detail("%s", detail) : 0, hint ? hoso_hint("%s", hint) : 0);
}

/* connect_timeout of conn's settings (the environment's included), 0: none */
static int
connect_timeout(PGconn *conn)
{
	PQconninfoOption *opts = PQconninfo(conn), *o;
	int seconds = 0;

	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "connect_timeout") == 0 && o->val)
			seconds = atoi(o->val);
	PQconninfoFree(opts);
	return seconds > 0 ? seconds : 0;
}

/*
 * Finish a PQconnectStartParams connection.  The asynchronous form is used
 * so that the notice receiver is in place before the server's start-up
 * warnings arrive; it does not apply connect_timeout itself, so this does,
 * for the whole connection.
 */
static bool
connect_wait(PGconn *conn, int *timed_out_after)
{
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	int timeout = connect_timeout(conn);
	time_t deadline = time(NULL) + timeout;

	while (st != PGRES_POLLING_OK) {
		struct pollfd p = { .fd = PQsocket(conn),
				    .events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT };
		int ready;

		if (st == PGRES_POLLING_FAILED)
			return false;
		ready = poll(&p, 1, timeout > 0 ? 1000 : -1);
		if (ready < 0 && errno != EINTR)
			return false;
		if (ready == 0) {
			if (time(NULL) >= deadline) {
				*timed_out_after = timeout;
				return false;
			}
			continue;
		}
		st = PQconnectPoll(conn);
	}
	return true;
}

PGconn *
hoso_pg_connect(const char *conninfo, const char *application_name)
{
	/* conninfo comes after application_name so that its own setting wins */
	const char *keys[4], *values[4];
	PGconn *conn;
	int n = 0, timed_out_after = 0;

	if (!hoso_pg_conninfo_check(conninfo))
		return NULL;
	conninfo = effective_conninfo(conninfo);
	if (application_name) {
		keys[n] = "application_name";
		values[n++] = application_name;
	}
	if (conninfo) {
		keys[n] = "dbname";
		values[n++] = conninfo;
	}
	keys[n] = "client_encoding";
	values[n++] = "UTF8";
	keys[n] = NULL;
	values[n] = NULL;
	conn = PQconnectStartParams(keys, values, 1);
	if (!conn) {
		hoso_error("cannot connect to the warehouse: out of memory");
		return NULL;
	}
	PQsetNoticeReceiver(conn, log_notice, NULL);
	if (PQstatus(conn) == CONNECTION_BAD || !connect_wait(conn, &timed_out_after) ||
	    PQstatus(conn) != CONNECTION_OK) {
		const char *why = hoso_pg_result_error(NULL, conn);
		size_t first = strcspn(why, "\n");
		const char *more = why + first + strspn(why + first, "\n\t ");

		/* libpq's later lines ("Is the server running ...?") make the detail */
		hoso_report(HOSO_LOG_ERROR, hoso_log_event("connect_failed"),
			    timed_out_after
			    ? hoso_msg("cannot connect to the warehouse: no answer in %d s "
				       "(connect_timeout)", timed_out_after)
			    : hoso_msg("cannot connect to the warehouse: %.*s", (int) first, why),
			    *more && !timed_out_after ? hoso_detail("%s", more) : 0);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

static bool
result_ok(PGresult *res, PGconn *conn, ExecStatusType want, const char *sql)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == want || (want == PGRES_COMMAND_OK && st == PGRES_TUPLES_OK))
		return true;
	(void) sql;
	hoso_pg_log_error(NULL, res, conn);
	return false;
}

bool
hoso_pg_exec(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	bool ok = result_ok(res, conn, PGRES_COMMAND_OK, sql);

	PQclear(res);
	return ok;
}

bool
hoso_pg_exec_params(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	bool ok = result_ok(res, conn, PGRES_COMMAND_OK, sql);

	PQclear(res);
	return ok;
}

PGresult *
hoso_pg_query(PGconn *conn, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);

	if (!result_ok(res, conn, PGRES_TUPLES_OK, sql)) {
		PQclear(res);
		return NULL;
	}
	return res;
}

/* Collect the results left after a command until libpq says there are none. */
static bool
drain_results(PGconn *conn, bool ok)
{
	PGresult *res;

	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			if (ok)
				hoso_pg_log_error(NULL, res, conn);
			ok = false;
		}
		PQclear(res);
	}
	return ok;
}

bool
hoso_pg_copy_begin(PGconn *conn, const char *copy_sql)
{
	PGresult *res = PQexec(conn, copy_sql);

	if (PQresultStatus(res) == PGRES_COPY_IN) {
		PQclear(res);
		return true;
	}
	hoso_error("%s", hoso_pg_result_error(res, conn));
	PQclear(res);
	drain_results(conn, false);
	return false;
}

bool
hoso_pg_copy_put(PGconn *conn, const char *data, size_t len)
{
	while (len > 0) {
		/* PQputCopyData takes an int length */
		int n = len > (1u << 30) ? 1 << 30 : (int) len;

		if (PQputCopyData(conn, data, n) != 1) {
			hoso_error("sending COPY data failed: %s", hoso_pg_result_error(NULL, conn));
			return false;
		}
		data += n;
		len -= (size_t) n;
	}
	return true;
}

bool
hoso_pg_copy_end(PGconn *conn, const char *abort_message)
{
	bool ok = true;

	if (PQputCopyEnd(conn, abort_message) != 1) {
		hoso_error("ending COPY failed: %s", hoso_pg_result_error(NULL, conn));
		ok = false;
	}
	/* an aborted COPY's error result repeats our own message: already logged */
	return drain_results(conn, ok && !abort_message) && ok && !abort_message;
}

FILE *
hoso_pg_copy_begin_file(PGconn *conn, const char *copy_sql, const char *path)
{
	FILE *f = fopen(path, "rb");

	/* open first: a file that is not there must not start a COPY */
	if (!f) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	if (!hoso_pg_copy_begin(conn, copy_sql)) {
		fclose(f);
		return NULL;
	}
	return f;
}

bool
hoso_pg_copy_end_file(PGconn *conn, FILE *f, const char *path, const char *abort_message)
{
	fclose(f);
	if (!hoso_pg_copy_end(conn, abort_message)) {
		if (!abort_message)
			hoso_error("COPY from \"%s\" failed", path);
		return false;
	}
	return true;
}

bool
hoso_pg_copy_in_file(PGconn *conn, const char *copy_sql, const char *path)
{
	static char buf[COPY_CHUNK];
	FILE *f = hoso_pg_copy_begin_file(conn, copy_sql, path);
	const char *abort_message = NULL;
	size_t n;

	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (!hoso_pg_copy_put(conn, buf, n)) {
			abort_message = "sending the data failed";
			break;
		}
	}
	if (!abort_message && ferror(f)) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		abort_message = "reading the input file failed";
	}
	return hoso_pg_copy_end_file(conn, f, path, abort_message);
}

bool
hoso_pg_copy_out(PGconn *conn, const char *copy_sql, FILE *out)
{
	PGresult *res = PQexec(conn, copy_sql);
	bool ok = true;
	char *buf;
	int n;

	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		hoso_error("%s", hoso_pg_result_error(res, conn));
		PQclear(res);
		drain_results(conn, false);
		return false;
	}
	PQclear(res);
	/* keep reading after a local write error so that the connection stays usable */
	while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
		if (ok && fwrite(buf, 1, (size_t) n, out) != (size_t) n) {
			hoso_error("writing COPY output failed: %s", strerror(errno));
			ok = false;
		}
		PQfreemem(buf);
	}
	if (n == -2) {
		hoso_error("reading COPY data failed: %s", hoso_pg_result_error(NULL, conn));
		ok = false;
	}
	return drain_results(conn, ok) && ok;
}
