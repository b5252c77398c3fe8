/*
 * hoso_progress.c: a one-line progress display on a terminal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hoso_log.h"
#include "hoso_progress.h"

/* the line on screen: one terminal, one line */
static struct hoso_progress *on_screen;

static double
seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double) (b->tv_sec - a->tv_sec) + (double) (b->tv_nsec - a->tv_nsec) / 1e9;
}

void
hoso_progress_init(struct hoso_progress *p, const char *label)
{
	*p = (struct hoso_progress) { 0 };
	p->label = label;
	/* --quiet asks for warnings and errors only: no progress either, as in git */
	p->enabled = isatty(STDERR_FILENO) && !getenv("HOSO_NO_PROGRESS") && !hoso_log_is_json() &&
		hoso_log_enabled(HOSO_LOG_INFO);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

static void
draw(struct hoso_progress *p, const struct timespec *now)
{
	double secs = seconds_between(&p->start, now);
	double rate = secs > 0 ? (double) p->rows / secs : 0;

	/* \r and a clearing escape: the line is redrawn in place */
	if (p->text[0])
		fprintf(stderr, "\r\033[K%s: %s", p->label, p->text);
	else if (p->files && !p->rows)
		fprintf(stderr, "\r\033[K%s: %llu files, %.1f MB", p->label, p->files,
			(double) p->bytes / 1e6);
	else if (p->files)
		fprintf(stderr, "\r\033[K%s: %llu files, %.1f MB, %llu rows, %.0f rows/s",
			p->label, p->files, (double) p->bytes / 1e6, p->rows, rate);
	else
		fprintf(stderr, "\r\033[K%s: %.1f MB, %llu rows, %.0f rows/s", p->label,
			(double) p->bytes / 1e6, p->rows, rate);
	fflush(stderr);
	p->shown = true;
	on_screen = p;
}

void
hoso_progress_update(struct hoso_progress *p, unsigned long long files,
		     unsigned long long bytes, unsigned long long rows)
{
	struct timespec now;

	bool new_file = files != p->files;

	if (!p->enabled)
		return;
	p->files = files;
	p->bytes = bytes;
	p->rows = rows;
	/* the clock is read once per 1024 rows: this runs once per input line */
	if ((rows & 1023) != 0 && !new_file)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seconds_between(&p->last, &now) < 0.2)
		return;
	p->last = now;
	draw(p, &now);
}

void
hoso_progress_text(struct hoso_progress *p, const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	if (!p->enabled)
		return;
	va_start(ap, fmt);
	vsnprintf(p->text, sizeof(p->text), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_MONOTONIC, &now);
	p->last = now;
	draw(p, &now);
}

void
hoso_progress_interrupt(void)
{
	if (on_screen && on_screen->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		on_screen->shown = false;
	}
}

void
hoso_progress_finish(struct hoso_progress *p)
{
	struct timespec now;

	if (!p->enabled)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	draw(p, &now);
	fputc('\n', stderr);
	p->shown = false;
	on_screen = NULL;
}
