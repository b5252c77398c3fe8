/*
 * hoso_log.h: the one logging module of every hoso program.
 *
 * Diagnostics go to stderr, never stdout (stdout carries data).  A message
 * names what failed and where: "file.jsonl.gz:1042: NgayTiepNhan: invalid
 * date ...".  With --log-format json every diagnostic is one JSON object per
 * line, for schedulers.
 */
#ifndef HOSO_LOG_H
#define HOSO_LOG_H

#include <stdarg.h>

enum hoso_log_level { HOSO_LOG_DEBUG, HOSO_LOG_INFO, HOSO_LOG_WARNING, HOSO_LOG_ERROR };
enum hoso_log_format { HOSO_LOG_TEXT, HOSO_LOG_JSON };

/* Exit statuses fixed by interfaces.md. */
#define HOSO_EXIT_OK 0
#define HOSO_EXIT_FAILED 1
#define HOSO_EXIT_USAGE 2
#define HOSO_EXIT_LOCKED 75

void hoso_log_init(const char *progname);
void hoso_log_set_format(enum hoso_log_format format);
void hoso_log_set_level(enum hoso_log_level level);
const char *hoso_log_progname(void);

void hoso_log(enum hoso_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hoso_vlog(enum hoso_log_level level, const char *fmt, va_list ap);

#define hoso_error(...) hoso_log(HOSO_LOG_ERROR, __VA_ARGS__)
#define hoso_warning(...) hoso_log(HOSO_LOG_WARNING, __VA_ARGS__)
#define hoso_info(...) hoso_log(HOSO_LOG_INFO, __VA_ARGS__)
#define hoso_debug(...) hoso_log(HOSO_LOG_DEBUG, __VA_ARGS__)

/* Print "progname: message" and exit; for out-of-memory and similar. */
void hoso_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Allocation that never returns NULL (dies on exhaustion). */
void *hoso_xmalloc(size_t size);
void *hoso_xcalloc(size_t n, size_t size);
void *hoso_xrealloc(void *ptr, size_t size);
char *hoso_xstrdup(const char *s);
char *hoso_xstrndup(const char *s, size_t n);

#endif
