/*
 * hoso_records.c: writing and reading the record stream (docs/design.md §1).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/types.h>
#include <unistd.h>

#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_records.h"
#include "hoso_time.h"

/*
 * Output is handed to stdio in blocks of this size: large enough that the
 * pipe to transform sees few write(2) calls, small enough to stay in cache.
 */
#define WRITER_FLUSH_AT (256 * 1024)

void
hoso_records_writer_init(struct hoso_records_writer *w, FILE *out)
{
	w->out = out;
	w->cap = 2 * WRITER_FLUSH_AT;
	w->buf = hoso_xmalloc(w->cap);
	w->len = 0;
	w->nfields = 0;
	w->failed = false;
}

void
hoso_records_writer_release(struct hoso_records_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

static void
write_out(struct hoso_records_writer *w)
{
	if (w->len && !w->failed && fwrite(w->buf, 1, w->len, w->out) != w->len)
		w->failed = true;
	w->len = 0;
}

bool
hoso_records_writer_flush(struct hoso_records_writer *w)
{
	write_out(w);
	if (fflush(w->out) != 0 || ferror(w->out))
		w->failed = true;
	return !w->failed;
}

static inline void
reserve(struct hoso_records_writer *w, size_t extra)
{
	if (w->len + extra > w->cap) {
		while (w->len + extra > w->cap)
			w->cap *= 2;
		w->buf = hoso_xrealloc(w->buf, w->cap);
	}
}

static inline void
separator(struct hoso_records_writer *w)
{
	reserve(w, 1);
	w->buf[w->len++] = '\t';
}

void
hoso_records_begin(struct hoso_records_writer *w, char type)
{
	reserve(w, 1);
	w->buf[w->len++] = type;
	w->nfields = 1;
}

void
hoso_records_field(struct hoso_records_writer *w, const char *s, size_t len)
{
	char *o;

	/* worst case every byte doubles */
	reserve(w, 1 + 2 * len);
	o = w->buf + w->len;
	*o++ = '\t';
	o = hoso_copy_escape(o, s, len);
	w->len = (size_t) (o - w->buf);
	w->nfields++;
}

void
hoso_records_field_str(struct hoso_records_writer *w, const char *s)
{
	if (s)
		hoso_records_field(w, s, strlen(s));
	else
		hoso_records_null(w);
}

void
hoso_records_null(struct hoso_records_writer *w)
{
	reserve(w, 3);
	memcpy(w->buf + w->len, "\t\\N", 3);
	w->len += 3;
	w->nfields++;
}

void
hoso_records_int(struct hoso_records_writer *w, long long v)
{
	char tmp[24];
	int n = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;

	do {
		tmp[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[n++] = '-';
	separator(w);
	reserve(w, (size_t) n);
	while (n)
		w->buf[w->len++] = tmp[--n];
	w->nfields++;
}

void
hoso_records_bool(struct hoso_records_writer *w, bool v)
{
	reserve(w, 2);
	w->buf[w->len++] = '\t';
	w->buf[w->len++] = v ? '1' : '0';
	w->nfields++;
}

void
hoso_records_end(struct hoso_records_writer *w)
{
	reserve(w, 1);
	w->buf[w->len++] = '\n';
	if (w->len >= WRITER_FLUSH_AT)
		write_out(w);
}

void
hoso_records_write(struct hoso_records_writer *w, char type, const struct hoso_value *values,
		   int nvalues)
{
	hoso_records_begin(w, type);
	for (int i = 1; i < nvalues; i++) {
		const struct hoso_value *v = &values[i];
		char compact[16];

		switch (v->type) {
		case HOSO_VALUE_NULL:
			hoso_records_null(w);
			break;
		case HOSO_VALUE_TEXT:
			hoso_records_field(w, v->s, v->len);
			break;
		case HOSO_VALUE_INT:
			hoso_records_int(w, v->i);
			break;
		case HOSO_VALUE_BOOL:
			hoso_records_bool(w, v->i != 0);
			break;
		case HOSO_VALUE_TIME:
			hoso_time_format_compact(v->i, compact);
			hoso_records_field(w, compact, 14);
			break;
		}
	}
	hoso_records_end(w);
}

void
hoso_records_header(struct hoso_records_writer *w)
{
	hoso_records_begin(w, 'H');
	hoso_records_field_str(w, HOSO_RECORDS_MAGIC);
	hoso_records_field_str(w, HOSO_RECORDS_VERSION);
	hoso_records_end(w);
}

void
hoso_records_reader_init(struct hoso_records_reader *r, FILE *in)
{
	memset(r, 0, sizeof(*r));
	r->in = in;
}

void
hoso_records_reader_release(struct hoso_records_reader *r)
{
	free(r->line);
	free(r->fields);
	memset(r, 0, sizeof(*r));
}

long
hoso_records_unescape(char *s, size_t len)
{
	/* most fields hold no escape: nothing moves before the first one */
	char *first = memchr(s, '\\', len);
	char *o;

	if (!first)
		return (long) len;
	o = first;
	for (size_t i = (size_t) (first - s); i < len; i++) {
		char c = s[i];

		if (c != '\\') {
			*o++ = c;
			continue;
		}
		if (++i == len)
			return -1;
		switch (s[i]) {
		case 't': *o++ = '\t'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'v': *o++ = '\v'; break;
		default: *o++ = s[i]; break;	/* COPY: any other char stands for itself */
		}
	}
	return (long) (o - s);
}

/*
 * Split line (n bytes, its newline removed) into fields in place: each
 * field unescaped and NUL-terminated, NULL for \N; *fields grows as
 * needed from *cap, and the count is added to *nf.  false (the reason in
 * err) on a lone backslash.
 */
static bool
split_line(char *line, size_t n, long lineno, char ***fields, size_t *nf, size_t *cap,
	   struct hoso_buf *err)
{
	char *p = line, *end = line + n;
	int field = 0;

	line[n] = '\0';
	for (;;) {
		char *tab = memchr(p, '\t', (size_t) (end - p));
		size_t flen = tab ? (size_t) (tab - p) : (size_t) (end - p);
		long ulen;

		if (*nf == *cap) {
			*cap = *cap ? 2 * *cap : 32;
			*fields = hoso_xrealloc(*fields, *cap * sizeof(**fields));
		}
		field++;
		if (flen == 2 && p[0] == '\\' && p[1] == 'N') {
			(*fields)[(*nf)++] = NULL;
		} else {
			ulen = hoso_records_unescape(p, flen);
			if (ulen < 0) {
				hoso_buf_addf(err, "record stream:%ld: field %d ends in a lone backslash",
					      lineno, field);
				return false;
			}
			p[ulen] = '\0';
			(*fields)[(*nf)++] = p;
		}
		if (!tab)
			return true;
		p = tab + 1;
	}
}

int
hoso_records_next(struct hoso_records_reader *r)
{
	ssize_t n;
	size_t nf = 0, cap = (size_t) r->fieldcap;
	struct hoso_buf err = HOSO_BUF_INIT;
	bool ok;

	errno = 0;
	n = getline(&r->line, &r->linecap, r->in);
	if (n < 0) {
		if (ferror(r->in)) {
			hoso_error("record stream:%ld: read error: %s", r->lineno + 1, strerror(errno));
			return -1;
		}
		return 0;
	}
	r->lineno++;
	if (n == 0 || r->line[n - 1] != '\n') {
		hoso_error("record stream:%ld: truncated record (no end of line)", r->lineno);
		return -1;
	}
	ok = split_line(r->line, (size_t) n - 1, r->lineno, &r->fields, &nf, &cap, &err);
	r->fieldcap = (int) cap;
	if (!ok) {
		hoso_error("%s", err.data);
		hoso_buf_release(&err);
		return -1;
	}
	r->nfields = (int) nf;
	return 1;
}

/* ---- the read-ahead reader ---- */

/* Input whole lines, split in place: fields point into text. */
struct records_batch {
	char *text;
	size_t len, cap;
	char **fields;			/* every record's, one after the other */
	size_t nfields, capfields;
	struct batch_record {
		size_t first;		/* into fields */
		int nfields;
	} *records;
	size_t nrecords, caprecords;
	long first_lineno;		/* records[i] is line first_lineno + i */
	int end;			/* 0: more batches follow; 1: the stream ends; -1: error */
	struct hoso_buf error;		/* the error after the last record (end -1) */
};

/* Fill b with input until it holds a whole line and at least a batch's bytes: 1, 0 at the
 * end of input, -1 on a read error (errno set), -2 when asked to stop. */
static int
fill_batch(struct hoso_records_ahead *a, struct records_batch *b)
{
	bool has_line = b->len && memchr(b->text, '\n', b->len) != NULL;

	while (!(has_line && b->len >= HOSO_RECORDS_AHEAD_BYTES)) {
		struct pollfd pfd[2] = { { a->fd, POLLIN, 0 }, { a->stop_fd, POLLIN, 0 } };
		ssize_t n;

		if (b->len == b->cap) {
			b->cap = b->cap ? 2 * b->cap : HOSO_RECORDS_AHEAD_BYTES;
			b->text = hoso_xrealloc(b->text, b->cap);
		}
		/* a blocked read could not be told to stop */
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].revents)
			return -2;
		n = read(a->fd, b->text + b->len, b->cap - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		has_line = has_line || memchr(b->text + b->len, '\n', (size_t) n) != NULL;
		b->len += (size_t) n;
	}
	return 1;
}

/* Split b's whole lines into records, each handed to the hook; the rest is left in carry. */
static void
split_batch(struct hoso_records_ahead *a, struct records_batch *b, long *lineno, int filled,
	    int read_errno, struct hoso_buf *carry)
{
	char *p = b->text, *end = b->text + b->len, *nl;

	while ((nl = memchr(p, '\n', (size_t) (end - p))) != NULL) {
		struct batch_record *rec;

		if (b->nrecords == b->caprecords) {
			b->caprecords = b->caprecords ? 2 * b->caprecords : 1024;
			b->records = hoso_xrealloc(b->records, b->caprecords * sizeof(*b->records));
		}
		rec = &b->records[b->nrecords];
		rec->first = b->nfields;
		if (!split_line(p, (size_t) (nl - p), ++*lineno, &b->fields, &b->nfields,
				&b->capfields, &b->error)) {
			b->end = -1;
			return;
		}
		rec->nfields = (int) (b->nfields - rec->first);
		b->nrecords++;
		if (a->hook)
			a->hook(a->hook_arg, &b->fields[rec->first], rec->nfields);
		p = nl + 1;
	}
	if (filled < 0) {
		hoso_buf_addf(&b->error, "record stream:%ld: read error: %s", *lineno + 1,
			      strerror(read_errno));
		b->end = -1;
	} else if (filled == 0 && p < end) {
		hoso_buf_addf(&b->error, "record stream:%ld: truncated record (no end of line)",
			      *lineno + 1);
		b->end = -1;
	} else if (filled == 0) {
		b->end = 1;
	} else {
		hoso_buf_add(carry, p, (size_t) (end - p));
	}
}

static void *
ahead_main(void *arg)
{
	struct hoso_records_ahead *a = arg;
	struct hoso_buf carry = HOSO_BUF_INIT;	/* the start of a line the next batch ends */
	long lineno = 0;
	bool done = false;

	while (!done) {
		struct records_batch *b;
		int filled, read_errno;

		pthread_mutex_lock(&a->lock);
		while (a->ready == HOSO_RECORDS_AHEAD_BATCHES && !a->stopping)
			pthread_cond_wait(&a->changed, &a->lock);
		if (a->stopping) {
			pthread_mutex_unlock(&a->lock);
			break;
		}
		/* the slot after the filled ones is free: the caller gave it back */
		b = &a->batches[(a->head + a->ready) % HOSO_RECORDS_AHEAD_BATCHES];
		pthread_mutex_unlock(&a->lock);

		b->len = b->nfields = b->nrecords = 0;
		b->end = 0;
		hoso_buf_reset(&b->error);
		b->first_lineno = lineno + 1;
		if (b->cap < carry.len) {
			b->cap = carry.len;
			b->text = hoso_xrealloc(b->text, b->cap);
		}
		if (carry.len)
			memcpy(b->text, carry.data, carry.len);
		b->len = carry.len;
		hoso_buf_reset(&carry);
		filled = fill_batch(a, b);
		read_errno = errno;
		if (filled == -2)
			break;
		split_batch(a, b, &lineno, filled, read_errno, &carry);
		done = b->end != 0;

		pthread_mutex_lock(&a->lock);
		a->ready++;
		pthread_cond_broadcast(&a->changed);
		pthread_mutex_unlock(&a->lock);
	}
	hoso_buf_release(&carry);
	return NULL;
}

bool
hoso_records_ahead_start(struct hoso_records_ahead *a, int fd,
			 void (*hook)(void *arg, char *const *fields, int nfields), void *hook_arg)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->hook = hook;
	a->hook_arg = hook_arg;
	a->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (a->stop_fd < 0) {
		hoso_error("cannot make an eventfd: %s", strerror(errno));
		return false;
	}
	a->batches = hoso_xcalloc(HOSO_RECORDS_AHEAD_BATCHES, sizeof(*a->batches));
	for (int i = 0; i < HOSO_RECORDS_AHEAD_BATCHES; i++)
		hoso_buf_init(&a->batches[i].error);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->changed, NULL);
	rc = pthread_create(&a->thread, NULL, ahead_main, a);
	if (rc != 0) {
		hoso_error("cannot start the record reading thread: %s", strerror(rc));
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->changed);
		close(a->stop_fd);
		free(a->batches);
		memset(a, 0, sizeof(*a));
		return false;
	}
	return true;
}

int
hoso_records_ahead_next(struct hoso_records_ahead *a)
{
	for (;;) {
		struct records_batch *b;

		if (!a->holding) {
			pthread_mutex_lock(&a->lock);
			while (a->ready == 0)
				pthread_cond_wait(&a->changed, &a->lock);
			pthread_mutex_unlock(&a->lock);
			a->holding = true;
			a->next_record = 0;
		}
		b = &a->batches[a->head];
		if (a->next_record < b->nrecords) {
			const struct batch_record *rec = &b->records[a->next_record];

			a->fields = &b->fields[rec->first];
			a->nfields = rec->nfields;
			a->lineno = b->first_lineno + (long) a->next_record++;
			return 1;
		}
		if (b->end > 0)
			return 0;
		if (b->end < 0) {
			hoso_error("%s", b->error.data);
			return -1;
		}
		/* every record read: the batch goes back to the thread */
		pthread_mutex_lock(&a->lock);
		a->head = (a->head + 1) % HOSO_RECORDS_AHEAD_BATCHES;
		a->ready--;
		a->holding = false;
		pthread_cond_broadcast(&a->changed);
		pthread_mutex_unlock(&a->lock);
	}
}

void
hoso_records_ahead_stop(struct hoso_records_ahead *a)
{
	uint64_t one = 1;

	if (!a->batches)
		return;
	pthread_mutex_lock(&a->lock);
	a->stopping = true;
	pthread_cond_broadcast(&a->changed);
	pthread_mutex_unlock(&a->lock);
	/* wakes the thread from waiting for input */
	if (write(a->stop_fd, &one, sizeof(one)) != sizeof(one))
		hoso_die("cannot stop the record reading thread: %s", strerror(errno));
	pthread_join(a->thread, NULL);
	close(a->stop_fd);
	for (int i = 0; i < HOSO_RECORDS_AHEAD_BATCHES; i++) {
		struct records_batch *b = &a->batches[i];

		free(b->text);
		free(b->fields);
		free(b->records);
		hoso_buf_release(&b->error);
	}
	free(a->batches);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->changed);
	memset(a, 0, sizeof(*a));
}
