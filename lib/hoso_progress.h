/*
 * hoso_progress.h: the progress line a long phase draws on a terminal
 * (docs/logging.md), and nothing when stderr is not a terminal, so logs
 * and schedulers never see it.  The runner draws its phases' lines with
 * it (runner/progress.c); hoso-extract run alone draws its own.
 */
#ifndef HOSO_PROGRESS_H
#define HOSO_PROGRESS_H

#include <stdbool.h>
#include <time.h>

struct hoso_progress {
	bool enabled;			/* stderr is a terminal */
	const char *label;
	struct timespec start, last;
	unsigned long long files, bytes, rows;
	bool shown;			/* a line is on screen (needs a newline) */
	char text[256];			/* set by hoso_progress_text: drawn instead of the figures */
};

/*
 * Enabled only when stderr is a terminal, the log is text and not --quiet,
 * and HOSO_NO_PROGRESS is unset.
 */
void hoso_progress_init(struct hoso_progress *p, const char *label);
/*
 * Set the running totals; redraws at most five times a second.  Cheap
 * enough to call once per line.
 */
void hoso_progress_update(struct hoso_progress *p, unsigned long long files,
			  unsigned long long bytes, unsigned long long rows);
/*
 * Draw "label: TEXT" now (a caller that words its own figures); finish
 * draws the last text given.
 */
void hoso_progress_text(struct hoso_progress *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Draw the final figures and end the line. */
void hoso_progress_finish(struct hoso_progress *p);
/*
 * Erase the line on screen, if any, so that another line can be written;
 * the next draw puts it back.
 */
void hoso_progress_interrupt(void);

#endif
