/*
 * follow.c: a load that runs beside the transform writing its staging
 * directory (hoso-load --follow), so that the archive's COPY and index
 * builds overlap the deriving of the cases.
 *
 * Nothing here weakens the staging contract: every file is copied only
 * once a manifest (MANIFEST.read, then the MANIFEST) lists its size and
 * SHA-256, and checked against it as it is copied; the MANIFEST must agree
 * with MANIFEST.read; and the transaction commits only after both, and
 * after the runner has said "commit" on standard input, which it does once
 * the transform has succeeded and the run's attention checks have passed.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoso_log.h"
#include "hoso_paths.h"
#include "load.h"

/* How often a waiting load looks for the file it waits for. */
#define FOLLOW_POLL_MS 20
#define FOLLOW_GO HOSO_STAGING_COMMIT_WORD

/* A file copied while the transform wrote it, checked once MANIFEST.read lists it. */
struct tailed_file {
	const char *name;	/* the layout's */
	long long size;
	char sha256[65];
};

static struct {
	bool on;
	bool tail;		/* --tail: the streams' files as they are written */
	struct tailed_file tailed[HOSO_STAGING_NFILES];
	int ntailed;
	bool input_ended;	/* standard input is at its end */
	bool go;		/* it said FOLLOW_GO first */
	char said[sizeof(FOLLOW_GO)];
	size_t nsaid;
} follow;

void
load_follow_begin(bool tail)
{
	follow.on = true;
	follow.tail = tail;
}

/* Whether e (NULL: not listed) says other than size and sha256_hex. */
static bool
differs(const struct manifest_entry *e, long long size, const char *sha256_hex)
{
	return !e || e->size != size || strcmp(e->sha256, sha256_hex) != 0;
}

bool
load_follow_tails(void)
{
	return follow.tail;
}

/* Read what standard input has, waiting at most FOLLOW_POLL_MS for it. */
static void
read_input(void)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char buf[64];
	ssize_t n;

	if (follow.input_ended) {
		poll(NULL, 0, FOLLOW_POLL_MS);
		return;
	}
	if (poll(&pfd, 1, FOLLOW_POLL_MS) <= 0)
		return;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		follow.input_ended = true;
		return;
	}
	for (ssize_t i = 0; i < n && follow.nsaid < sizeof(follow.said) - 1; i++)
		follow.said[follow.nsaid++] = buf[i];
	follow.go = strcmp(follow.said, FOLLOW_GO) == 0;
}

static bool
cancelled(void)
{
	if (!follow.input_ended || follow.go)
		return false;
	/* the runner cancelled it, and says why itself */
	hoso_report(HOSO_LOG_DEBUG, hoso_log_event("load_cancelled"),
		    hoso_msg("cancelled before the staging directory was complete: nothing was loaded"));
	return true;
}

/* Wait for DIR/NAME to exist; false when the load is cancelled first. */
bool
load_follow_wait_for(const char *dir, const char *name)
{
	char *path = hoso_path_join(dir, name);
	bool ok = false;

	for (;;) {
		if (access(path, F_OK) == 0) {
			ok = true;
			break;
		}
		if (cancelled())
			break;
		if (follow.go) {
			hoso_error("%s: missing, though the run said to commit; refusing the staging "
				   "directory", path);
			break;
		}
		read_input();
	}
	free(path);
	return ok;
}

bool
load_follow_read_files(const char *dir, struct manifest *m)
{
	manifest_release(m);	/* --tail's, which named the directory alone */
	if (!load_follow_wait_for(dir, HOSO_STAGING_READ_MANIFEST) ||
	    !manifest_read(m, dir, HOSO_STAGING_READ_MANIFEST))
		return false;
	for (int f = 0; f < HOSO_STAGING_NFILES; f++) {
		if (hoso_staging_is_read_file((enum hoso_staging_file) f) &&
		    !manifest_find(m, hoso_staging_layouts[f].file)) {
			hoso_error("%s/%s: does not list %s; refusing the staging directory", dir,
				   HOSO_STAGING_READ_MANIFEST, hoso_staging_layouts[f].file);
			return false;
		}
	}
	return true;
}

bool
load_follow_wait_more(const char *dir, bool *complete)
{
	char *path = hoso_path_join(dir, HOSO_STAGING_READ_MANIFEST);

	/* listed: the file was whole before MANIFEST.read was written, so one more read ends it */
	*complete = access(path, F_OK) == 0;
	free(path);
	if (*complete)
		return true;
	read_input();
	return !cancelled();
}

void
load_follow_tailed(const char *name, long long size, const char *sha256_hex)
{
	struct tailed_file *t = &follow.tailed[follow.ntailed++];

	t->name = name;
	t->size = size;
	memcpy(t->sha256, sha256_hex, sizeof(t->sha256));
}

bool
load_follow_check_tailed(const struct manifest *m)
{
	for (int i = 0; i < follow.ntailed; i++) {
		const struct tailed_file *t = &follow.tailed[i];
		if (differs(manifest_find(m, t->name), t->size, t->sha256)) {
			hoso_error("%s/%s: content does not match %s (size %lld, sha256 %s); refusing "
				   "the staging directory", m->dir, t->name, HOSO_STAGING_READ_MANIFEST,
				   t->size, t->sha256);
			return false;
		}
	}
	return true;
}

bool
load_follow_complete(struct manifest *m, struct hoso_buf *report, bool *have_report)
{
	struct manifest full;
	bool ok;

	if (!load_follow_wait_for(m->dir, HOSO_STAGING_MANIFEST))
		return false;
	ok = load_open_staging(m->dir, &full, report, have_report);
	/* the files already copied were checked against MANIFEST.read: it must say what the MANIFEST says */
	for (size_t i = 0; ok && i < m->n; i++) {
		const struct manifest_entry *was = &m->entries[i];

		if (differs(manifest_find(&full, was->name), was->size, was->sha256)) {
			hoso_error("%s/%s: differs from %s on %s; refusing the staging directory",
				   m->dir, HOSO_STAGING_MANIFEST, HOSO_STAGING_READ_MANIFEST, was->name);
			ok = false;
		}
	}
	if (!ok) {
		manifest_release(&full);
		return false;
	}
	manifest_release(m);
	*m = full;
	return true;
}

bool
load_follow_cancelled(void)
{
	return follow.on && follow.input_ended && !follow.go;
}

bool
load_follow_may_commit(void)
{
	if (!follow.on)
		return true;
	while (!follow.go && !cancelled())
		read_input();
	return follow.go;
}
