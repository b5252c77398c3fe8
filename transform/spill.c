/*
 * spill.c: the transform's temporary files (spill.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoso_log.h"
#include "spill.h"

int
spill_open(const char *dir)
{
	size_t n = strlen(dir) + sizeof("/.hoso-transform-XXXXXX");
	char *path = hoso_xmalloc(n);
	int fd;

	snprintf(path, n, "%s/.hoso-transform-XXXXXX", dir);
	/* mkstemp makes the file 0600 */
	fd = mkstemp(path);
	if (fd < 0)
		hoso_die("cannot create a temporary file in \"%s\": %s", dir, strerror(errno));
	if (unlink(path) != 0)
		hoso_die("cannot unlink \"%s\": %s", path, strerror(errno));
	free(path);
	return fd;
}

void
spill_write(int fd, unsigned long long offset, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, (off_t) offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			hoso_die("cannot write a temporary file: %s", n < 0 ? strerror(errno) : "no space");
		p += n;
		len -= (size_t) n;
		offset += (unsigned long long) n;
	}
}

/* Whole pages only: the ends of an extent share theirs with its neighbours. */
#define DISCARD_PAGE 4096ULL
/* Given back this much at a time (and at the end): each hole punched costs a system call. */
#define DISCARD_BYTES (64 * 1024ULL)

void
spill_reader_init(struct spill_reader *r, int fd, unsigned long long offset,
		  unsigned long long length, size_t bufsize, bool discard)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->pos = offset;
	r->end = offset + length;
	r->discard = discard;
	r->discarded = (offset + DISCARD_PAGE - 1) / DISCARD_PAGE * DISCARD_PAGE;
	r->cap = bufsize;
	r->buf = hoso_xmalloc(bufsize);
}

void
spill_reader_release(struct spill_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
}

int
spill_reader_done(const struct spill_reader *r)
{
	return r->start == r->len && r->pos == r->end;
}

/* Give back the whole pages read so far; best effort (a file system may not punch holes). */
static void
discard_read(struct spill_reader *r)
{
	unsigned long long upto = r->pos / DISCARD_PAGE * DISCARD_PAGE;

	if (!r->discard || upto <= r->discarded ||
	    (upto - r->discarded < DISCARD_BYTES && r->pos < r->end))
		return;
	(void) fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t) r->discarded,
			 (off_t) (upto - r->discarded));
	r->discarded = upto;
}

const void *
spill_take(struct spill_reader *r, size_t n)
{
	const char *p;

	if (r->len - r->start < n) {
		memmove(r->buf, r->buf + r->start, r->len - r->start);
		r->len -= r->start;
		r->start = 0;
		if (n > r->cap) {
			r->cap = n > 2 * r->cap ? n : 2 * r->cap;
			r->buf = hoso_xrealloc(r->buf, r->cap);
		}
		while (r->len < n) {
			size_t want = r->cap - r->len;
			ssize_t got;

			if (want > r->end - r->pos)
				want = (size_t) (r->end - r->pos);
			if (want == 0)
				hoso_die("a temporary file ends %zu bytes short of its record",
					 n - r->len);
			got = pread(r->fd, r->buf + r->len, want, (off_t) r->pos);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				hoso_die("cannot read a temporary file back: %s",
					 got < 0 ? strerror(errno) : "it is shorter than written");
			r->len += (size_t) got;
			r->pos += (unsigned long long) got;
			discard_read(r);
		}
	}
	p = r->buf + r->start;
	r->start += n;
	return p;
}

uint8_t
spill_take_u8(struct spill_reader *r)
{
	return *(const uint8_t *) spill_take(r, 1);
}

uint32_t
spill_take_u32(struct spill_reader *r)
{
	uint32_t v;

	memcpy(&v, spill_take(r, sizeof(v)), sizeof(v));
	return v;
}

int64_t
spill_take_i64(struct spill_reader *r)
{
	int64_t v;

	memcpy(&v, spill_take(r, sizeof(v)), sizeof(v));
	return v;
}
