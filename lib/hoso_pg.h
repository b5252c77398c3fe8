/*
 * hoso_pg.h: libpq helpers shared by every program that talks to the
 * warehouse: connecting (never with a password in the connection string),
 * checked commands and queries, and COPY in both directions.
 *
 * Every function logs its own error with hoso_error() and returns false
 * (or NULL); callers only decide what to do next.  No function here leaves
 * a PGresult behind: each result is cleared on every path, except the one a
 * query function returns, which the caller owns and must PQclear().
 */
#ifndef HOSO_PG_H
#define HOSO_PG_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Connect with conninfo (a keyword=value string or a URI; NULL means
 * $HOSO_CONNINFO when set, else libpq's environment: PGHOST, PGDATABASE,
 * PGSERVICE, .pgpass ...).  A conninfo that carries a secret is refused:
 * secrets belong in .pgpass or a service file.
 * The client encoding is UTF8.  Returns NULL after logging on failure; the
 * caller owns the connection and must PQfinish() it.
 */
PGconn *hoso_pg_connect(const char *conninfo, const char *application_name);

/*
 * The environment variable through which the runner hands the pipeline's
 * connection string to its stages: the environment of a process is
 * readable by its user only, its command line by everyone (ps).  A NULL
 * conninfo means this variable's value when set, else libpq's environment.
 */
#define HOSO_CONNINFO_ENV "HOSO_CONNINFO"

/*
 * True when conninfo is well-formed and carries no secret (password,
 * sslpassword), neither itself nor in a value that is itself a connection
 * string; logs otherwise, without quoting it.
 */
bool hoso_pg_conninfo_check(const char *conninfo);

/* Run a command (or a query whose rows are not wanted); logs on failure. */
bool hoso_pg_exec(PGconn *conn, const char *sql);

/* Same with text parameters ($1 ...; a NULL pointer is SQL NULL). */
bool hoso_pg_exec_params(PGconn *conn, const char *sql, int nparams,
			 const char *const *params);

/*
 * A query returning rows, with text parameters.  Returns the result (owned
 * by the caller, PQclear it) or NULL after logging.
 */
PGresult *hoso_pg_query(PGconn *conn, const char *sql, int nparams,
			const char *const *params);

/*
 * COPY ... FROM STDIN, in three steps for callers that produce the data
 * themselves: begin (sends the command; false if the server did not enter
 * COPY IN), put (any number of times), end.  End with abort_message NULL to
 * commit the COPY, or with a message to make the server fail it; end drains
 * every result and returns true only if the COPY succeeded.  After a false
 * put, still call end (with a message).
 */
bool hoso_pg_copy_begin(PGconn *conn, const char *copy_sql);
bool hoso_pg_copy_put(PGconn *conn, const char *data, size_t len);
bool hoso_pg_copy_end(PGconn *conn, const char *abort_message);

/* COPY ... FROM STDIN with the contents of a file. */
bool hoso_pg_copy_in_file(PGconn *conn, const char *copy_sql, const char *path);
/*
 * For a COPY made from a file's rows: path opened (a missing file starts no
 * COPY), then copy_sql begun; the open file, or NULL after logging why.  End
 * with hoso_pg_copy_end_file, which closes it, as hoso_pg_copy_end would.
 */
FILE *hoso_pg_copy_begin_file(PGconn *conn, const char *copy_sql, const char *path);
bool hoso_pg_copy_end_file(PGconn *conn, FILE *f, const char *path, const char *abort_message);

/* COPY ... TO STDOUT written to a stream (not closed). */
bool hoso_pg_copy_out(PGconn *conn, const char *copy_sql, FILE *out);

/*
 * The server's message of a failed result, without its trailing newline,
 * in a static buffer (valid until the next call).
 */
const char *hoso_pg_result_error(const PGresult *res, const PGconn *conn);
/*
 * Log the server's error of res (or of conn when res has none) as one
 * message: the primary text, prefixed by "what: " when what is given, with
 * the server's DETAIL and HINT as the message's detail and hint, its
 * SQLSTATE and CONTEXT as fields.  A PL/pgSQL stack is not shown in text
 * mode; a COPY's context (the file's line and column) ends the message.
 */
void hoso_pg_log_error(const char *what, const PGresult *res, const PGconn *conn);

#endif
