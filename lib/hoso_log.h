/*
 * hoso_log.h: the one logging module of every hoso program.
 *
 * Diagnostics go to stderr, never stdout (stdout carries data).  A message
 * names what failed and where: "file.jsonl.gz:1042: NgayTiepNhan: invalid
 * date ...".  Like PostgreSQL's frontend logging, a message may carry a
 * detail and a hint, each printed on its own line in text mode
 * ("hoso: detail: ...", "hoso: hint: ..."); with --log-format json every
 * message is exactly one JSON object on one line, with the fixed fields
 * ts, level, program, run_id, event, msg, then detail, hint and the event's
 * own fields (docs/logging.md lists the events).
 *
 *   hoso_error("%s: cannot open: %s", path, strerror(errno));
 *   hoso_report(HOSO_LOG_ERROR, hoso_msg("unknown format \"%s\"", name),
 *               hoso_hint("give its file with --schema"));
 *   hoso_report(HOSO_LOG_INFO, hoso_log_event("file_done"), hoso_log_str("file", path),
 *               hoso_log_int("rows", rows), hoso_msg("%s: %lld rows", path, rows));
 *
 * The format, level and run id are exported to the environment
 * (HOSO_LOG_FORMAT, HOSO_LOG_LEVEL, HOSO_RUN_ID) so that the stages a
 * runner starts log the same way without being told on their command line.
 */
#ifndef HOSO_LOG_H
#define HOSO_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum hoso_log_level { HOSO_LOG_DEBUG, HOSO_LOG_INFO, HOSO_LOG_WARNING, HOSO_LOG_ERROR };
enum hoso_log_format { HOSO_LOG_TEXT, HOSO_LOG_JSON };

/* Exit statuses as README.md states them ("Exit status"). */
#define HOSO_EXIT_OK 0
#define HOSO_EXIT_FAILED 1
#define HOSO_EXIT_USAGE 2
#define HOSO_EXIT_LOCKED 75

/* Name the program (basename of progname) and read the inherited settings. */
void hoso_log_init(const char *progname);
void hoso_log_set_format(enum hoso_log_format format);	/* exported */
void hoso_log_set_level(enum hoso_log_level level);	/* exported */
void hoso_log_set_run_id(long long run_id);		/* exported; < 0: none */
bool hoso_log_enabled(enum hoso_log_level level);
bool hoso_log_is_json(void);	/* then stderr takes nothing but log lines */
const char *hoso_log_program(void);

/*
 * One message made of parts, evaluated left to right (PostgreSQL's ereport):
 * hoso_msg is the primary text, the others are optional.  Each part returns
 * 0 so that the parts form one comma expression.  Parts given after a level
 * that is filtered out are not evaluated.
 */
#define hoso_report(level, ...)					\
	do {							\
		if (hoso_log_begin(level)) {			\
			(void) (__VA_ARGS__);			\
			hoso_log_end();				\
		}						\
	} while (0)

bool hoso_log_begin(enum hoso_log_level level);
void hoso_log_end(void);
enum hoso_log_part { HOSO_LOG_MSG, HOSO_LOG_DETAIL, HOSO_LOG_HINT };
int hoso_log_text(enum hoso_log_part part, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define hoso_msg(...) hoso_log_text(HOSO_LOG_MSG, __VA_ARGS__)
#define hoso_detail(...) hoso_log_text(HOSO_LOG_DETAIL, __VA_ARGS__)
#define hoso_hint(...) hoso_log_text(HOSO_LOG_HINT, __VA_ARGS__)
int hoso_log_event(const char *name);	/* a name from docs/logging.md; default "message" */
int hoso_log_str(const char *key, const char *value);	/* NULL value: JSON null */
int hoso_log_int(const char *key, long long value);
int hoso_log_real(const char *key, double value);

/* A message with no other part. */
void hoso_log(enum hoso_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hoso_vlog(enum hoso_log_level level, const char *fmt, va_list ap);

#define hoso_error(...) hoso_log(HOSO_LOG_ERROR, __VA_ARGS__)
#define hoso_warning(...) hoso_log(HOSO_LOG_WARNING, __VA_ARGS__)
#define hoso_info(...) hoso_log(HOSO_LOG_INFO, __VA_ARGS__)
#define hoso_debug(...) hoso_log(HOSO_LOG_DEBUG, __VA_ARGS__)

/* Log the error and exit 1; for out-of-memory and similar. */
void hoso_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Allocation that never returns NULL (dies on exhaustion). */
void *hoso_xmalloc(size_t size);
void *hoso_xcalloc(size_t n, size_t size);
void *hoso_xrealloc(void *ptr, size_t size);
char *hoso_xstrdup(const char *s);
char *hoso_xstrndup(const char *s, size_t n);

#endif
