/*
 * hoso_log.c: diagnostics on stderr, as text or as JSON lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hoso_log.h"

static const char *log_progname = "hoso";
static enum hoso_log_format log_format = HOSO_LOG_TEXT;
static enum hoso_log_level log_min_level = HOSO_LOG_INFO;

static const char *const level_names[] = { "debug", "info", "warning", "error" };

void
hoso_log_init(const char *progname)
{
	const char *slash = strrchr(progname, '/');

	log_progname = slash ? slash + 1 : progname;
	if (getenv("HOSO_DEBUG"))
		log_min_level = HOSO_LOG_DEBUG;
}

void
hoso_log_set_format(enum hoso_log_format format)
{
	log_format = format;
}

void
hoso_log_set_level(enum hoso_log_level level)
{
	log_min_level = level;
}

const char *
hoso_log_progname(void)
{
	return log_progname;
}

static void
put_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
hoso_vlog(enum hoso_log_level level, const char *fmt, va_list ap)
{
	char msg[4096];

	if (level < log_min_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_format == HOSO_LOG_JSON) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "{\"time\":\"%s\",\"program\":", stamp);
		put_json_string(stderr, log_progname);
		fprintf(stderr, ",\"level\":\"%s\",\"message\":", level_names[level]);
		put_json_string(stderr, msg);
		fputs("}\n", stderr);
	} else if (level == HOSO_LOG_INFO) {
		fprintf(stderr, "%s: %s\n", log_progname, msg);
	} else {
		fprintf(stderr, "%s: %s: %s\n", log_progname, level_names[level], msg);
	}
}

void
hoso_log(enum hoso_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hoso_vlog(level, fmt, ap);
	va_end(ap);
}

void
hoso_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hoso_vlog(HOSO_LOG_ERROR, fmt, ap);
	va_end(ap);
	exit(HOSO_EXIT_FAILED);
}

void *
hoso_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		hoso_die("out of memory (%zu bytes)", size);
	return p;
}

void *
hoso_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		hoso_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
hoso_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		hoso_die("out of memory (%zu bytes)", size);
	return p;
}

char *
hoso_xstrdup(const char *s)
{
	return hoso_xstrndup(s, strlen(s));
}

char *
hoso_xstrndup(const char *s, size_t n)
{
	char *p = hoso_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
