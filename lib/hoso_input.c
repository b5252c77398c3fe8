/*
 * hoso_input.c: gzip or plain byte source, and the line splitter over it.
 *
 * Two layers.  The decoder turns the file into decompressed bytes (reading,
 * hashing the on-disk bytes, inflating member after member, dropping a BOM
 * at the start of each member) and fills large chunks.  The line splitter
 * takes chunks in order and hands out lines, pointing into the chunk when a
 * line lies within one and copying into a bounded carry buffer when it
 * spans two.  With threads the decoder runs ahead in its own thread, filling
 * a small ring of chunks.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zlib.h>

#include "hoso_bytes.h"
#include "hoso_input.h"
#include "hoso_log.h"
#include "hoso_sha256.h"

/*
 * Reads of 1 MiB keep system calls rare and hold a whole landing file of
 * the usual size; chunks of 1 MiB amortise the hand-over between threads;
 * four of them let the decoder run ahead without holding much memory
 * (5 MiB per open file, plus one line, plus one whole member below).
 */
#define RAW_SIZE (1024 * 1024)
/*
 * A gzip member whose compressed bytes are all in raw and that inflates to
 * at most this much is inflated in one call by libdeflate (about twice as
 * fast as zlib's streaming inflate, CRC included); larger ones, and any
 * libdeflate refuses, stream through zlib, whose errors are the ones
 * reported.
 */
#define WHOLE_MEMBER_MAX (8 * 1024 * 1024)
#define CHUNK_SIZE (1024 * 1024)
#define NCHUNKS 4
/* How much of the content is examined to tell text from binary. */
#define SNIFF_SIZE 8192

enum decoder_state { DEC_HEAD, DEC_BODY, DEC_NEXT_MEMBER, DEC_EOF, DEC_ERROR };

struct chunk {
	unsigned char *data;	/* owned, CHUNK_SIZE bytes */
	size_t len;
	uint64_t offset;	/* decompressed offset of data[0] */
	bool last;		/* no chunk follows: end of file or error */
};

struct hoso_input_source {
	const char *path;	/* as given, not owned */
	/* where the bytes come from: fd, or memory */
	int fd;
	bool close_fd;
	const unsigned char *mem;
	size_t memlen, mempos;
	bool src_eof;

	/* decoder */
	unsigned char *raw;	/* owned, RAW_SIZE */
	size_t raw_pos, raw_len;	/* plain: pending bytes of raw */
	z_stream z;
	bool z_ready;
	struct libdeflate_decompressor *whole_dec;	/* owned, made on first use */
	unsigned char *whole;	/* owned: the current member inflated, when whole_active */
	size_t whole_cap, whole_len, whole_pos;
	bool whole_active;
	enum decoder_state state;
	unsigned char head[3];
	size_t head_len, head_pos;
	bool head_member_end;	/* the member ended within its first 3 bytes */
	uint64_t offset;	/* decompressed offset of the next byte out */
	uint64_t size;		/* bytes decoded so far */
	uint64_t disk_size;	/* bytes found by the checksum pass */
	FILE *spool;		/* owned: standard input copied aside, or NULL */
	char why[200];		/* decoder failure, without location */

	/* chunk ring */
	struct chunk chunks[NCHUNKS];
	size_t nchunks;		/* 1 when unthreaded */
	size_t head_idx, count;	/* ring: next chunk to consume, chunks filled */
	bool threaded, thread_started, stop;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;

	/* line splitter */
	struct chunk *cur;	/* chunk being split, or NULL */
	size_t pos;
	bool sniffed;
	bool finished;
	bool failed;		/* the splitter's own verdict (decoder state is the thread's) */
	size_t max_line;
	char *carry;		/* owned, max_line + 1 bytes once needed */
	size_t carry_len;
	uint64_t carry_total, carry_offset;
	bool in_line;
};

static void
set_why(struct hoso_input_source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_why(struct hoso_input_source *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	s->state = DEC_ERROR;
}

/* Read more on-disk bytes into raw (at raw + keep); hash and count them. */
static ssize_t
read_source(struct hoso_input_source *s, unsigned char *buf, size_t cap)
{
	ssize_t n;

	if (s->src_eof)
		return 0;
	if (s->mem) {
		n = (ssize_t) (s->memlen - s->mempos < cap ? s->memlen - s->mempos : cap);
		memcpy(buf, s->mem + s->mempos, (size_t) n);
		s->mempos += (size_t) n;
	} else {
		do
			n = read(s->fd, buf, cap);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			set_why(s, "read error: %s", strerror(errno));
			return -1;
		}
	}
	if (n == 0) {
		s->src_eof = true;
		return 0;
	}
	s->size += (uint64_t) n;
	return n;
}

/* Make at least want bytes available to inflate, if the source has them. */
static bool
fill_z(struct hoso_input_source *s, size_t want)
{
	while (s->z.avail_in < want && !s->src_eof) {
		ssize_t n;

		if (s->z.avail_in && s->z.next_in != s->raw)
			memmove(s->raw, s->z.next_in, s->z.avail_in);
		s->z.next_in = s->raw;
		n = read_source(s, s->raw + s->z.avail_in, RAW_SIZE - s->z.avail_in);
		if (n < 0)
			return false;
		s->z.avail_in += (uInt) n;
	}
	return true;
}

static void
zlib_failure(struct hoso_input_source *s, int rc)
{
	const char *msg = s->z.msg ? s->z.msg : "";

	if (strcmp(msg, "incorrect data check") == 0)
		set_why(s, "bad CRC (gzip data check failed)");
	else if (strcmp(msg, "incorrect length check") == 0)
		set_why(s, "bad length (gzip length check failed)");
	else if (rc == Z_MEM_ERROR)
		set_why(s, "out of memory while inflating");
	else
		set_why(s, "corrupt gzip stream (%s)", *msg ? msg : "zlib error");
}

/*
 * Inflate into out[0..cap) until it is full, the member ends or the input
 * runs out (which is a truncated stream).  Returns bytes produced, which
 * count even when the call fails (s->state is DEC_ERROR then): the lines
 * before the damage are still read.
 */
static size_t
inflate_into(struct hoso_input_source *s, unsigned char *out, size_t cap, bool *member_end)
{
	*member_end = false;
	s->z.next_out = out;
	s->z.avail_out = (uInt) cap;
	while (s->z.avail_out > 0) {
		int rc;

		if (s->z.avail_in == 0) {
			if (!fill_z(s, 1))
				break;
			if (s->z.avail_in == 0) {
				set_why(s, "truncated gzip stream");
				break;
			}
		}
		rc = inflate(&s->z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			*member_end = true;
			break;
		}
		if (rc != Z_OK && !(rc == Z_BUF_ERROR && s->z.avail_in == 0)) {
			zlib_failure(s, rc);
			break;
		}
	}
	return cap - s->z.avail_out;
}

/* Read until the source ends or raw is full: whether all input is in raw. */
static bool
fill_all(struct hoso_input_source *s)
{
	return fill_z(s, RAW_SIZE) && s->src_eof;
}

/*
 * At the start of a gzip member: inflate all of it into whole with
 * libdeflate if it can, leaving z.next_in after the member.  Otherwise
 * (too large, not all read, or refused) nothing is consumed and the member
 * streams through zlib.
 */
static void
try_whole_member(struct hoso_input_source *s)
{
	const unsigned char *in;
	size_t in_len, in_used = 0, out_len = 0, cap;
	enum libdeflate_result rc;

	s->whole_active = false;
	if (!fill_all(s))
		return;
	in = s->z.next_in;
	in_len = s->z.avail_in;
	/* a header CRC is checked by zlib only: such members go to zlib */
	if (in_len < 18 || (in[3] & 0x02))
		return;
	/* the size of the file's last member, which is this one when it is alone */
	cap = (size_t) in[in_len - 4] | (size_t) in[in_len - 3] << 8 |
		(size_t) in[in_len - 2] << 16 | (size_t) in[in_len - 1] << 24;
	if (cap > WHOLE_MEMBER_MAX)
		return;
	if (cap < 4096)
		cap = 4096;
	if (!s->whole_dec && !(s->whole_dec = libdeflate_alloc_decompressor()))
		return;
	for (;;) {
		if (s->whole_cap < cap) {
			free(s->whole);
			s->whole = hoso_xmalloc(cap);
			s->whole_cap = cap;
		}
		rc = libdeflate_gzip_decompress_ex(s->whole_dec, in, in_len, s->whole, s->whole_cap,
						   &in_used, &out_len);
		if (rc != LIBDEFLATE_INSUFFICIENT_SPACE || s->whole_cap >= WHOLE_MEMBER_MAX)
			break;
		cap = s->whole_cap * 2 < WHOLE_MEMBER_MAX ? s->whole_cap * 2 : WHOLE_MEMBER_MAX;
	}
	if (rc != LIBDEFLATE_SUCCESS)
		return;
	s->whole_active = true;
	s->whole_len = out_len;
	s->whole_pos = 0;
	s->z.next_in += in_used;
	s->z.avail_in -= (uInt) in_used;
}

/* The current member's next bytes, from whole or through zlib (inflate_into). */
static size_t
member_read(struct hoso_input_source *s, unsigned char *out, size_t cap, bool *member_end)
{
	size_t k;

	if (!s->whole_active)
		return inflate_into(s, out, cap, member_end);
	k = s->whole_len - s->whole_pos < cap ? s->whole_len - s->whole_pos : cap;
	memcpy(out, s->whole + s->whole_pos, k);
	s->whole_pos += k;
	*member_end = s->whole_pos == s->whole_len;
	if (*member_end)
		s->whole_active = false;
	return k;
}

/*
 * At the start of a member (or of a plain file): take its first three
 * bytes aside and drop them if they are a BOM.
 */
static void
read_head(struct hoso_input_source *s)
{
	s->head_len = s->head_pos = 0;
	s->head_member_end = false;
	if (s->z_ready) {
		try_whole_member(s);
		while (s->head_len < 3 && !s->head_member_end) {
			bool end;

			s->head_len += member_read(s, s->head + s->head_len, 3 - s->head_len, &end);
			s->head_member_end = end;
			if (s->state == DEC_ERROR)
				return;	/* the head bytes so far still go out */
		}
	} else {
		while (s->raw_len - s->raw_pos < 3 && !s->src_eof) {
			ssize_t n;

			memmove(s->raw, s->raw + s->raw_pos, s->raw_len - s->raw_pos);
			s->raw_len -= s->raw_pos;
			s->raw_pos = 0;
			n = read_source(s, s->raw + s->raw_len, RAW_SIZE - s->raw_len);
			if (n < 0)
				break;
			s->raw_len += (size_t) n;
		}
		s->head_len = s->raw_len - s->raw_pos < 3 ? s->raw_len - s->raw_pos : 3;
		memcpy(s->head, s->raw + s->raw_pos, s->head_len);
		s->raw_pos += s->head_len;
	}
	if (s->head_len == 3 && memcmp(s->head, "\xEF\xBB\xBF", 3) == 0) {
		s->head_len = 0;
		s->offset += 3;
	}
	if (s->state != DEC_ERROR)
		s->state = s->head_member_end ? DEC_NEXT_MEMBER : DEC_BODY;
}

/* After a member's end: EOF, another member, or garbage. */
static void
next_member(struct hoso_input_source *s)
{
	if (!fill_z(s, 2))
		return;
	if (s->z.avail_in == 0) {
		s->state = DEC_EOF;
		return;
	}
	if (s->z.avail_in < 2 || s->z.next_in[0] != 0x1f || s->z.next_in[1] != 0x8b) {
		set_why(s, "trailing data after the end of the gzip stream");
		return;
	}
	if (inflateReset(&s->z) != Z_OK) {
		zlib_failure(s, Z_STREAM_ERROR);
		return;
	}
	read_head(s);
}

/*
 * Decompressed bytes into out[0..cap): all contiguous, starting at
 * s->offset on entry.  A BOM skip (which moves s->offset) only happens at
 * the end of a call, so callers can see it before the next one.
 * Returns the count; 0 at end of file or on error (s->state tells which).
 */
static size_t
decoder_read(struct hoso_input_source *s, unsigned char *out, size_t cap)
{
	size_t n = 0;

	if (s->head_pos < s->head_len) {
		size_t k = s->head_len - s->head_pos < cap ? s->head_len - s->head_pos : cap;

		memcpy(out, s->head + s->head_pos, k);
		s->head_pos += k;
		n += k;
		if (s->head_pos < s->head_len) {
			s->offset += n;
			return n;
		}
	}
	if (s->state == DEC_BODY && n < cap) {
		if (s->z_ready) {
			bool end;

			n += member_read(s, out + n, cap - n, &end);
			if (end && s->state != DEC_ERROR)
				s->state = DEC_NEXT_MEMBER;
		} else if (s->raw_pos < s->raw_len) {
			size_t k = s->raw_len - s->raw_pos < cap - n ? s->raw_len - s->raw_pos : cap - n;

			memcpy(out + n, s->raw + s->raw_pos, k);
			s->raw_pos += k;
			n += k;
		} else {
			/* plain: read straight into the chunk */
			ssize_t k = read_source(s, out + n, cap - n);

			if (k == 0)
				s->state = DEC_EOF;
			if (k > 0)
				n += (size_t) k;
		}
	}
	s->offset += n;
	if (s->state == DEC_NEXT_MEMBER)
		next_member(s);
	return n;
}

/* Fill one chunk: up to CHUNK_SIZE contiguous bytes, or mark it last. */
static void
fill_chunk(struct hoso_input_source *s, struct chunk *c)
{
	/* the first member's head, in the decoder's thread: it may inflate the member */
	if (s->state == DEC_HEAD)
		read_head(s);
	c->len = 0;
	c->offset = s->offset;
	c->last = false;
	while (c->len < CHUNK_SIZE) {
		if ((s->state == DEC_EOF || s->state == DEC_ERROR) && s->head_pos == s->head_len)
			break;
		if (c->len && s->offset != c->offset + c->len)
			break;	/* a BOM was dropped: the next chunk starts after it */
		/* may return 0 and still progress (an empty member) */
		c->len += decoder_read(s, c->data + c->len, CHUNK_SIZE - c->len);
	}
	if (c->len == 0)
		c->last = true;
}

static void *
decoder_thread(void *arg)
{
	struct hoso_input_source *s = arg;
	bool last = false;

	while (!last) {
		struct chunk *c;

		pthread_mutex_lock(&s->mu);
		while (s->count == s->nchunks && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->stop) {
			pthread_mutex_unlock(&s->mu);
			break;
		}
		c = &s->chunks[(s->head_idx + s->count) % s->nchunks];
		pthread_mutex_unlock(&s->mu);

		fill_chunk(s, c);
		last = c->last;

		pthread_mutex_lock(&s->mu);
		s->count++;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

/* The next chunk in order, or NULL after the last one. */
static struct chunk *
take_chunk(struct hoso_input_source *s)
{
	struct chunk *c;

	if (!s->threaded) {
		c = &s->chunks[0];
		fill_chunk(s, c);
		return c;
	}
	pthread_mutex_lock(&s->mu);
	while (s->count == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	c = &s->chunks[s->head_idx];
	pthread_mutex_unlock(&s->mu);
	return c;
}

static void
give_back_chunk(struct hoso_input_source *s)
{
	if (!s->threaded)
		return;
	pthread_mutex_lock(&s->mu);
	s->head_idx = (s->head_idx + 1) % s->nchunks;
	s->count--;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

const char *
hoso_input_sniff(const unsigned char *d, size_t len)
{
	size_t nul = 0, n = len < SNIFF_SIZE ? len : SNIFF_SIZE;

	if (len >= 4 && memcmp(d, "PK\x03\x04", 4) == 0)
		return "a zip archive";
	if (len >= 4 && (memcmp(d, "PK\x05\x06", 4) == 0 || memcmp(d, "PK\x07\x08", 4) == 0))
		return "a zip archive";
	if (len >= 3 && memcmp(d, "BZh", 3) == 0)
		return "bzip2 data";
	if (len >= 6 && memcmp(d, "\xFD" "7zXZ\x00", 6) == 0)
		return "xz data";
	if (len >= 4 && memcmp(d, "\x28\xB5\x2F\xFD", 4) == 0)
		return "zstd data";
	if (len >= 6 && memcmp(d, "7z\xBC\xAF\x27\x1C", 6) == 0)
		return "a 7-zip archive";
	if (len >= 5 && memcmp(d, "%PDF-", 5) == 0)
		return "a PDF document";
	if (len >= 4 && memcmp(d, "\x7F" "ELF", 4) == 0)
		return "an ELF executable";
	if (len >= 8 && memcmp(d, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return "an OLE document (old Microsoft Office)";
	if (len >= 262 && memcmp(d + 257, "ustar", 5) == 0)
		return "a tar archive";
	/*
	 * Text may carry a stray NUL (a reject of its line); binary data has
	 * many.  One NUL in every 32 bytes of the sample, or a NUL first,
	 * is binary.
	 */
	for (size_t i = 0; i < n; i++)
		nul += d[i] == 0;
	if (n && (d[0] == 0 || nul * 32 >= n))
		return "binary data (NUL bytes)";
	return NULL;
}

static struct hoso_input_source *
source_new(const char *path, size_t max_line)
{
	struct hoso_input_source *s = hoso_xcalloc(1, sizeof(*s));

	s->path = path;
	s->fd = -1;
	s->max_line = max_line ? max_line : HOSO_INPUT_MAX_LINE_DEFAULT;
	s->raw = hoso_xmalloc(RAW_SIZE);
	s->state = DEC_HEAD;
	return s;
}

/* Look at the first bytes and choose the decoder (which drops a leading BOM). */
static bool
source_start(struct hoso_input *in, bool threaded)
{
	struct hoso_input_source *s = in->src;
	const char *looks;
	ssize_t n;

	while (s->raw_len < SNIFF_SIZE && !s->src_eof) {
		n = read_source(s, s->raw + s->raw_len, RAW_SIZE - s->raw_len);
		if (n < 0) {
			snprintf(in->error, sizeof(in->error), "%s: %s", s->path, s->why);
			return false;
		}
		s->raw_len += (size_t) n;
	}
	if (s->raw_len >= 2 && s->raw[0] == 0x1f && s->raw[1] == 0x8b) {
		in->gzip = true;
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
			hoso_die("zlib: cannot initialise inflate");
		s->z_ready = true;
		s->z.next_in = s->raw;
		s->z.avail_in = (uInt) s->raw_len;
		s->raw_len = 0;
	} else if ((looks = hoso_input_sniff(s->raw, s->raw_len)) != NULL) {
		snprintf(in->error, sizeof(in->error), "%s: looks like %s, not gzip or UTF-8 text",
			 s->path, looks);
		return false;
	}
	s->nchunks = threaded ? NCHUNKS : 1;
	for (size_t i = 0; i < s->nchunks; i++)
		s->chunks[i].data = hoso_xmalloc(CHUNK_SIZE);
	s->threaded = threaded;
	if (threaded) {
		pthread_mutex_init(&s->mu, NULL);
		pthread_cond_init(&s->cv, NULL);
		if (pthread_create(&s->thread, NULL, decoder_thread, s) != 0)
			hoso_die("cannot start the decoder thread");
		s->thread_started = true;
	}
	return true;
}

/*
 * The checksum pass: the F record carries the file's SHA-256 and precedes
 * its other records, so the file is hashed before it is decoded.  Standard
 * input (a pipe) is copied to an unlinked temporary file on the way.  A
 * file that fits in raw stays there, and is decoded without a second read.
 */
static bool
checksum_pass(struct hoso_input *in)
{
	struct hoso_input_source *s = in->src;
	struct hoso_sha256 sha;
	struct stat st;
	bool seekable = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
	bool fits = seekable;
	size_t kept = 0;
	ssize_t n;

	if (!seekable) {
		s->spool = tmpfile();
		if (!s->spool) {
			snprintf(in->error, sizeof(in->error), "%s: cannot create a temporary file: %s",
				 s->path, strerror(errno));
			return false;
		}
	}
	hoso_sha256_init(&sha);
	for (;;) {
		unsigned char *buf = s->raw + kept;

		if (kept == RAW_SIZE) {
			fits = false;
			buf = s->raw;
		}
		do
			n = read(s->fd, buf, RAW_SIZE - (size_t) (buf - s->raw));
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			break;
		hoso_sha256_update(&sha, buf, (size_t) n);
		s->disk_size += (uint64_t) n;
		if (fits)
			kept += (size_t) n;
		if (s->spool && fwrite(buf, 1, (size_t) n, s->spool) != (size_t) n) {
			n = -1;
			break;
		}
	}
	hoso_sha256_final_hex(&sha, in->sha256);
	in->size = s->disk_size;
	if (n < 0) {
		snprintf(in->error, sizeof(in->error), "%s: read error: %s", s->path, strerror(errno));
		return false;
	}
	if (s->spool) {
		if (fflush(s->spool) != 0) {
			snprintf(in->error, sizeof(in->error), "%s: cannot write a temporary file: %s",
				 s->path, strerror(errno));
			return false;
		}
		if (s->close_fd)
			close(s->fd);
		s->close_fd = false;
		s->fd = fileno(s->spool);
	}
	if (fits) {
		s->raw_len = kept;
		s->size = kept;
		s->src_eof = true;
		return true;
	}
	if (lseek(s->fd, 0, SEEK_SET) != 0) {
		snprintf(in->error, sizeof(in->error), "%s: cannot rewind: %s", s->path, strerror(errno));
		return false;
	}
	return true;
}

bool
hoso_input_open(struct hoso_input *in, const char *path, size_t max_line_bytes, bool threaded)
{
	memset(in, 0, sizeof(*in));
	in->src = source_new(path, max_line_bytes);
	if (strcmp(path, "-") == 0) {
		in->src->fd = STDIN_FILENO;
	} else {
		in->src->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->src->fd < 0) {
			snprintf(in->error, sizeof(in->error), "%s: cannot open: %s", path,
				 strerror(errno));
			return false;
		}
		in->src->close_fd = true;
	}
	if (!checksum_pass(in))
		return false;
	return source_start(in, threaded);
}

bool
hoso_input_open_memory(struct hoso_input *in, const char *name, const void *data, size_t len,
		       size_t max_line_bytes)
{
	memset(in, 0, sizeof(*in));
	in->src = source_new(name, max_line_bytes);
	in->src->mem = data ? data : (const void *) "";
	in->src->memlen = len;
	{
		struct hoso_sha256 sha;

		hoso_sha256_init(&sha);
		hoso_sha256_update(&sha, in->src->mem, len);
		hoso_sha256_final_hex(&sha, in->sha256);
	}
	in->src->disk_size = in->size = len;
	return source_start(in, false);
}

void
hoso_input_close(struct hoso_input *in)
{
	struct hoso_input_source *s = in->src;

	if (!s)
		return;
	if (s->thread_started) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
	}
	if (s->z_ready)
		inflateEnd(&s->z);
	libdeflate_free_decompressor(s->whole_dec);
	free(s->whole);
	if (s->spool)
		fclose(s->spool);
	else if (s->close_fd)
		close(s->fd);
	for (size_t i = 0; i < NCHUNKS; i++)
		free(s->chunks[i].data);
	free(s->raw);
	free(s->carry);
	free(s);
	in->src = NULL;
}

/* The length of the valid UTF-8 sequence at s[0..avail) (s[0] >= 0x80), or 0. */
static inline size_t
utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned c = s[0];

	if (c >= 0xc2 && c <= 0xdf) {
		if (avail < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;

		if (avail < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;

		if (avail < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

size_t
hoso_utf8_check(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *) str;
	size_t i = 0;

	while (i < len) {
		size_t n;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_sequence(s + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

#if HOSO_BYTES16
/* The mask of the bytes of v in lo..hi. */
static inline unsigned
bytes16_in(hoso_bytes16 v, unsigned char lo, unsigned char hi)
{
	__m128i at_least = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8((char) lo)), v);
	__m128i at_most = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8((char) hi)), v);

	return hoso_bytes16_mask(_mm_and_si128(at_least, at_most));
}

/*
 * Sixteen bytes at a time, as bit masks (bit i for byte i): every lead byte
 * marks the positions its continuation bytes must take, those marks must not
 * overlap and must be exactly the continuation bytes; marks past the block
 * carry into the next one.  The second byte after E0, ED, F0 and F4 is
 * checked by range (no overlong forms, surrogates or code points past
 * U+10FFFF).  Any error only sets bits in err: no branch depends on the text.
 */
bool
hoso_utf8_no_nul(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *) str;
	unsigned err = 0, c1 = 0, c2 = 0, c3 = 0, c_e0 = 0, c_ed = 0, c_f0 = 0, c_f4 = 0;
	unsigned char tail[16];

	for (size_t i = 0; i < len; i += 16) {
		hoso_bytes16 v;
		unsigned high, cont, lead2, lead3, lead4, e1, e2, e3, e0, ed, f0, f4, lo9f, lo8f;

		if (len - i >= 16) {
			v = hoso_bytes16_load(s + i);
		} else {
			/* the last bytes, padded with spaces (plain ASCII) */
			memset(tail, ' ', sizeof(tail));
			memcpy(tail, s + i, len - i);
			v = hoso_bytes16_load(tail);
		}
		high = hoso_bytes16_high_mask(v);
		err |= hoso_bytes16_mask(hoso_bytes16_equal(v, 0));
		if (!(high | c1 | c2 | c3))
			continue;
		cont = bytes16_in(v, 0x80, 0xbf);
		lead2 = bytes16_in(v, 0xc2, 0xdf);
		lead3 = bytes16_in(v, 0xe0, 0xef);
		lead4 = bytes16_in(v, 0xf0, 0xf4);
		e1 = (lead2 | lead3 | lead4) << 1 | c1;
		e2 = (lead3 | lead4) << 2 | c2;
		e3 = lead4 << 3 | c3;
		err |= (e1 & e2) | (e1 & e3) | (e2 & e3);
		err |= ((e1 | e2 | e3) & 0xffff) ^ cont;
		err |= high & ~(cont | lead2 | lead3 | lead4);	/* C0, C1, F5..FF */
		e0 = hoso_bytes16_mask(hoso_bytes16_equal(v, 0xe0));
		ed = hoso_bytes16_mask(hoso_bytes16_equal(v, 0xed));
		f0 = hoso_bytes16_mask(hoso_bytes16_equal(v, 0xf0));
		f4 = hoso_bytes16_mask(hoso_bytes16_equal(v, 0xf4));
		lo9f = hoso_bytes16_mask(hoso_bytes16_below(v, 0xa0));
		lo8f = hoso_bytes16_mask(hoso_bytes16_below(v, 0x90));
		err |= (((e0 << 1 | c_e0) & lo9f) | ((ed << 1 | c_ed) & ~lo9f) |
			((f0 << 1 | c_f0) & lo8f) | ((f4 << 1 | c_f4) & ~lo8f)) & 0xffff;
		c1 = e1 >> 16;
		c2 = e2 >> 16;
		c3 = e3 >> 16;
		c_e0 = e0 >> 15;
		c_ed = ed >> 15;
		c_f0 = f0 >> 15;
		c_f4 = f4 >> 15;
	}
	/* a sequence cut by the end */
	return !(err | c1 | c2 | c3);
}
#else
bool
hoso_utf8_no_nul(const char *s, size_t len)
{
	return hoso_utf8_check(s, len) == len && !memchr(s, 0, len);
}
#endif

/* A line's NUL or invalid UTF-8: the first one, if any, is its flaw. */
static void
check_line(struct hoso_input_line *line)
{
	const unsigned char *s = (const unsigned char *) line->data;
	size_t len = line->len, i = 0;

	/* the usual verdict, quickly; the flaw is looked for only when there is one */
	if (hoso_utf8_no_nul(line->data, len))
		return;
	while (i < len) {
		size_t n = 1;

		if (s[i] == 0) {
			line->flaw = HOSO_LINE_NUL;
			line->flaw_column = i + 1;
			return;
		}
		if (s[i] >= 0x80 && !(n = utf8_sequence(s + i, len - i))) {
			line->flaw = HOSO_LINE_BAD_UTF8;
			line->flaw_column = i + 1;
			return;
		}
		i += n;
	}
}

/* Finish a line: drop the CR of CRLF, judge its length, check its bytes. */
static void
finish_line(struct hoso_input_source *s, struct hoso_input_line *line, const char *data,
	    size_t kept, uint64_t total, uint64_t offset)
{
	if (total == kept && kept && data[kept - 1] == '\r') {
		kept--;
		total--;
	}
	line->data = data;
	line->len = kept < s->max_line ? kept : s->max_line;
	line->full_len = total;
	line->offset = offset;
	line->flaw = HOSO_LINE_OK;
	line->flaw_column = 0;
	if (total > s->max_line)
		line->flaw = HOSO_LINE_TOO_LONG;
	else
		check_line(line);
}

static void
carry_add(struct hoso_input_source *s, const unsigned char *p, size_t n)
{
	/* keep max_line + 1 bytes: enough to see a CR just past the limit */
	size_t room = s->max_line + 1 - s->carry_len;
	size_t k = n < room ? n : room;

	if (!s->carry)
		s->carry = hoso_xmalloc(s->max_line + 1);
	memcpy(s->carry + s->carry_len, p, k);
	s->carry_len += k;
	s->carry_total += n;
}

int
hoso_input_next(struct hoso_input *in, struct hoso_input_line *line)
{
	struct hoso_input_source *s = in->src;

	if (!s || s->finished)
		return s && s->failed ? -1 : 0;
	if (!s->nchunks)
		return -1;	/* the open failed (in->error says why): nothing to read */
	for (;;) {
		struct chunk *c = s->cur;
		const unsigned char *p, *nl;

		if (!c || s->pos == c->len) {
			if (c) {
				give_back_chunk(s);
				s->cur = NULL;
			}
			c = take_chunk(s);
			if (c->last) {
				s->finished = true;
				give_back_chunk(s);
				if (s->state == DEC_ERROR) {
					s->failed = true;
					snprintf(in->error, sizeof(in->error),
						 "%s:%ld: byte offset %llu: %s", s->path,
						 in->lines + 1, (unsigned long long) s->offset, s->why);
					return -1;
				}
				if (s->size != s->disk_size) {
					s->failed = true;
					snprintf(in->error, sizeof(in->error),
						 "%s: file changed while being read (%llu bytes, then %llu)",
						 s->path, (unsigned long long) s->disk_size,
						 (unsigned long long) s->size);
					return -1;
				}
				if (s->in_line) {
					/* a last line without an end of line */
					s->in_line = false;
					line->lineno = ++in->lines;
					finish_line(s, line, s->carry, s->carry_len, s->carry_total,
						    s->carry_offset);
					if (line->full_len)
						return 1;
				}
				return 0;
			}
			s->cur = c;
			s->pos = 0;
			if (!s->sniffed) {
				/* decompressed content can be binary too (a .tar.gz) */
				const char *looks = in->gzip ? hoso_input_sniff(c->data, c->len) : NULL;

				s->sniffed = true;
				if (looks) {
					snprintf(in->error, sizeof(in->error),
						 "%s: looks like gzip-compressed %s, not UTF-8 text",
						 s->path, looks);
					s->finished = true;
					s->failed = true;
					return -1;
				}
			}
		}
		p = c->data + s->pos;
		nl = memchr(p, '\n', c->len - s->pos);
		if (!nl) {
			if (!s->in_line) {
				s->in_line = true;
				s->carry_len = 0;
				s->carry_total = 0;
				s->carry_offset = c->offset + s->pos;
			}
			carry_add(s, p, c->len - s->pos);
			s->pos = c->len;
			continue;
		}
		s->pos = (size_t) (nl - c->data) + 1;
		line->lineno = ++in->lines;
		if (s->in_line) {
			s->in_line = false;
			carry_add(s, p, (size_t) (nl - p));
			finish_line(s, line, s->carry, s->carry_len, s->carry_total, s->carry_offset);
		} else {
			finish_line(s, line, (const char *) p, (size_t) (nl - p), (uint64_t) (nl - p),
				    c->offset + (uint64_t) (p - c->data));
		}
		if (line->full_len == 0)
			continue;	/* empty line: counted, not returned */
		return 1;
	}
}
