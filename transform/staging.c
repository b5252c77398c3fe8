/*
 * staging.c: writing the staging directory.  Rows are gathered in a buffer
 * and written in large blocks; the SHA-256 of each file is computed as it is
 * written, so the MANIFEST costs no second read.  Hashing and writing take
 * a fifth of the transform's time, so writer threads do them: the caller
 * hands a full block over and fills the next meanwhile.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_sha256.h"
#include "hoso_time.h"
#include "staging.h"

#define STAGING_FLUSH_BYTES (256 * 1024)	/* one write per ~256 KiB */

/* The writer of a file (STAGING_WRITERS). */
static struct staging_writer *
writer_of(struct staging *s, enum hoso_staging_file t)
{
	return &s->writers[t == HOSO_STAGING_DOSSIER_MSG || t == HOSO_STAGING_CASE_FACT ? 0 : 1];
}

/* A writer thread: hash and write blocks in the order they were handed over. */
static void *
writer_main(void *arg)
{
	struct staging_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct staging_block *b;
		struct staging_file *sf;

		while (w->count == 0 && !w->closing)
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->count == 0)
			break;
		b = &w->queue[w->head];
		sf = &w->staging->files[b->table];
		/* the block at head is the writer's until count drops */
		pthread_mutex_unlock(&w->lock);
		if (!w->failed && fwrite(b->data.data, 1, b->data.len, sf->f) != b->data.len) {
			w->write_errno = errno;
			w->failed = true;
		}
		hoso_sha256_update(&sf->sha, b->data.data, b->data.len);
		sf->bytes += b->data.len;
		hoso_buf_reset(&b->data);
		pthread_mutex_lock(&w->lock);
		w->head = (w->head + 1) % STAGING_QUEUE;
		w->count--;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Wait for the writers to drain their rings and end; their results are ours after. */
static void
writers_stop(struct staging *s)
{
	for (int i = 0; i < STAGING_WRITERS; i++) {
		struct staging_writer *w = &s->writers[i];

		if (!w->running)
			continue;
		pthread_mutex_lock(&w->lock);
		w->closing = true;
		pthread_cond_broadcast(&w->changed);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
		w->running = false;
		if (w->failed && !s->failed) {
			s->failed = true;
			s->write_errno = w->write_errno;
		}
	}
}

bool
staging_open(struct staging *s, const char *dir)
{
	char *manifest;
	int rc;

	memset(s, 0, sizeof(*s));
	/* a writer's staging pointer says its lock is made (staging_release) */
	for (int i = 0; i < STAGING_WRITERS; i++) {
		struct staging_writer *w = &s->writers[i];

		w->staging = s;
		pthread_mutex_init(&w->lock, NULL);
		pthread_cond_init(&w->changed, NULL);
		for (int k = 0; k < STAGING_QUEUE; k++)
			hoso_buf_init(&w->queue[k].data);
	}
	s->dir = hoso_xstrdup(dir);
	if (!hoso_make_dirs(dir))
		return false;
	/* an old MANIFEST would vouch for files we are about to rewrite */
	for (int i = 0; i < 2; i++) {
		manifest = hoso_path_join(dir, i == 0 ? HOSO_STAGING_MANIFEST : HOSO_STAGING_READ_MANIFEST);
		if (unlink(manifest) != 0 && errno != ENOENT) {
			hoso_error("cannot remove \"%s\": %s", manifest, strerror(errno));
			free(manifest);
			return false;
		}
		free(manifest);
	}
	for (int t = 0; t < HOSO_STAGING_NFILES; t++) {
		char *path = hoso_path_join(dir, hoso_staging_layouts[t].file);

		s->files[t].f = fopen(path, "w");
		if (!s->files[t].f) {
			hoso_error("cannot create \"%s\": %s", path, strerror(errno));
			free(path);
			return false;
		}
		free(path);
		hoso_buf_init(&s->files[t].row);
		hoso_sha256_init(&s->files[t].sha);
	}
	for (int i = 0; i < STAGING_WRITERS; i++) {
		struct staging_writer *w = &s->writers[i];

		rc = pthread_create(&w->thread, NULL, writer_main, w);
		if (rc != 0) {
			hoso_error("cannot start a staging writer thread: %s", strerror(rc));
			return false;
		}
		w->running = true;
	}
	return true;
}

/* Hand the table's gathered rows to the writer; the row buffer is empty after. */
static void
flush_table(struct staging *s, enum hoso_staging_file t)
{
	struct staging_file *sf = &s->files[t];
	struct staging_writer *w = writer_of(s, t);
	struct staging_block *b;
	struct hoso_buf written;

	if (sf->row.len == 0)
		return;
	pthread_mutex_lock(&w->lock);
	while (w->count == STAGING_QUEUE)
		pthread_cond_wait(&w->changed, &w->lock);
	b = &w->queue[(w->head + w->count) % STAGING_QUEUE];
	/* swap: the block takes the rows, the table reuses a written block's storage */
	written = b->data;
	b->data = sf->row;
	b->table = t;
	sf->row = written;
	w->count++;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

struct hoso_buf *
staging_row(struct staging *s, enum hoso_staging_file t)
{
	return &s->files[t].row;
}

void
staging_row_end(struct staging *s, enum hoso_staging_file t)
{
	struct staging_file *sf = &s->files[t];

	hoso_buf_addch(&sf->row, '\n');
	sf->rows++;
	if (sf->row.len >= STAGING_FLUSH_BYTES)
		flush_table(s, t);
}

static bool
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	bool ok = f != NULL;

	if (ok && fwrite(data, 1, len, f) != len)
		ok = false;
	if (f && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		ok = false;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok)
		hoso_error("cannot write \"%s\": %s", path, strerror(errno));
	return ok;
}

/* Wait until the writers have written every block handed to them so far. */
static void
writers_drain(struct staging *s)
{
	for (int i = 0; i < STAGING_WRITERS; i++) {
		struct staging_writer *w = &s->writers[i];

		pthread_mutex_lock(&w->lock);
		while (w->count > 0)
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->failed && !s->failed) {
			s->failed = true;
			s->write_errno = w->write_errno;
		}
		pthread_mutex_unlock(&w->lock);
	}
}

/*
 * Close file t, whose blocks are all written, and add its MANIFEST line
 * ("name size sha256").  No fsync: hoso-load checks every file's size and
 * SHA-256 against the MANIFEST as it copies, so a file a crash tore is
 * refused anyway, and syncing half a gigabyte would cost seconds a run.
 */
static void
close_file(struct staging *s, enum hoso_staging_file t, struct hoso_buf *manifest)
{
	struct staging_file *sf = &s->files[t];

	if (!sf->published) {
		int flushed = fflush(sf->f), closed = fclose(sf->f);

		if ((flushed != 0 || closed != 0) && !s->failed) {
			s->write_errno = errno;
			s->failed = true;
		}
		sf->f = NULL;
		hoso_sha256_final_hex(&sf->sha, sf->sha256_hex);
	}
	hoso_buf_addf(manifest, "%s %llu %s\n", hoso_staging_layouts[t].file, sf->bytes,
		      sf->sha256_hex);
}

/* name appears atomically, with the given content, and only once what it lists is written. */
static bool
publish(const struct staging *s, const char *name, const struct hoso_buf *content)
{
	struct hoso_buf tmp = HOSO_BUF_INIT;
	char *path = hoso_path_join(s->dir, name);
	bool ok;

	hoso_buf_addf(&tmp, "%s.tmp", path);
	ok = write_file(tmp.data, content->data, content->len);
	if (ok && rename(tmp.data, path) != 0) {
		hoso_error("cannot rename \"%s\": %s", tmp.data, strerror(errno));
		ok = false;
	}
	hoso_buf_release(&tmp);
	free(path);
	return ok;
}

static bool
write_failed(const struct staging *s)
{
	if (!s->failed)
		return false;
	hoso_error("writing the staging directory \"%s\" failed: %s", s->dir,
		   strerror(s->write_errno ? s->write_errno : EIO));
	return true;
}

bool
staging_publish_read_files(struct staging *s)
{
	struct hoso_buf manifest = HOSO_BUF_INIT;
	bool ok;

	for (int t = 0; t < HOSO_STAGING_NFILES; t++)
		if (hoso_staging_is_read_file((enum hoso_staging_file) t))
			flush_table(s, (enum hoso_staging_file) t);
	writers_drain(s);
	for (int t = 0; t < HOSO_STAGING_NFILES; t++) {
		if (!hoso_staging_is_read_file((enum hoso_staging_file) t))
			continue;
		close_file(s, (enum hoso_staging_file) t, &manifest);
		s->files[t].published = true;
	}
	ok = !write_failed(s) && publish(s, HOSO_STAGING_READ_MANIFEST, &manifest);
	hoso_buf_release(&manifest);
	return ok;
}

bool
staging_finish(struct staging *s, const struct hoso_buf *report)
{
	struct hoso_buf manifest = HOSO_BUF_INIT;
	char *path;
	bool ok = false;

	for (int t = 0; t < HOSO_STAGING_NFILES; t++)
		flush_table(s, (enum hoso_staging_file) t);
	writers_stop(s);
	for (int t = 0; t < HOSO_STAGING_NFILES; t++)
		close_file(s, (enum hoso_staging_file) t, &manifest);
	if (write_failed(s))
		goto cleanup;
	path = hoso_path_join(s->dir, HOSO_STAGING_REPORT);
	ok = write_file(path, report->data, report->len);
	free(path);
	ok = ok && publish(s, HOSO_STAGING_MANIFEST, &manifest);
cleanup:
	hoso_buf_release(&manifest);
	return ok;
}

void
staging_release(struct staging *s)
{
	writers_stop(s);
	for (int t = 0; t < HOSO_STAGING_NFILES; t++) {
		char unused[65];

		/* a file left open was never finished: end its digest to free it */
		if (s->files[t].f) {
			fclose(s->files[t].f);
			hoso_sha256_final_hex(&s->files[t].sha, unused);
		}
		hoso_buf_release(&s->files[t].row);
	}
	for (int i = 0; i < STAGING_WRITERS; i++) {
		struct staging_writer *w = &s->writers[i];

		for (int k = 0; k < STAGING_QUEUE; k++)
			hoso_buf_release(&w->queue[k].data);
		if (w->staging) {
			pthread_mutex_destroy(&w->lock);
			pthread_cond_destroy(&w->changed);
		}
	}
	free(s->dir);
	memset(s, 0, sizeof(*s));
}

/*
 * The formatters below run for every field of every staged row: each
 * makes room for its worst case once and writes in place, rather than
 * appending byte by byte.
 */
#define PG_TIME_LEN (sizeof("2023-10-20 08:15:00+07") - 1)
#define INT_MAX_DIGITS 20		/* with the sign of a long long */

/* Room for extra more bytes (and the NUL); the staging buffers have no cap. */
static char *
reserve(struct hoso_buf *row, size_t extra)
{
	hoso_buf_grow(row, extra);
	return row->data + row->len;
}

static void
commit(struct hoso_buf *row, char *end)
{
	row->len = (size_t) (end - row->data);
	row->data[row->len] = '\0';
}

/* A tab unless at the start of a row. */
static char *
sep(const struct hoso_buf *row, char *o)
{
	if (row->len > 0 && row->data[row->len - 1] != '\n')
		*o++ = '\t';
	return o;
}

/* The date part of the last time this thread formatted: a case's times share few days. */
static _Thread_local hoso_date last_day;
static _Thread_local char last_day_iso[16];
static _Thread_local bool last_day_valid;

static char *
two_digits(char *o, int v)
{
	o[0] = (char) ('0' + v / 10);
	o[1] = (char) ('0' + v % 10);
	return o + 2;
}

/* What hoso_time_format_pg writes, its date part reused from the last call. */
static char *
put_time(char *o, long long t)
{
	hoso_date day;
	long long sec;

	if (t == HOSO_TIME_NONE) {
		memcpy(o, "\\N", 2);
		return o + 2;
	}
	day = hoso_time_date(t);
	if (!last_day_valid || day != last_day) {
		hoso_date_format_iso(day, last_day_iso);
		last_day = day;
		last_day_valid = true;
	}
	sec = t - hoso_date_start(day);
	memcpy(o, last_day_iso, 10);
	o[10] = ' ';
	o = two_digits(o + 11, (int) (sec / 3600));
	*o++ = ':';
	o = two_digits(o, (int) (sec / 60 % 60));
	*o++ = ':';
	o = two_digits(o, (int) (sec % 60));
	memcpy(o, "+07", 3);
	return o + 3;
}

/* Hot (several per row): digits by hand rather than through printf. */
static char *
put_int(char *o, long long v)
{
	char tmp[24];
	size_t n = sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;

	do {
		tmp[--n] = (char) ('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--n] = '-';
	memcpy(o, tmp + n, sizeof(tmp) - n);
	return o + (sizeof(tmp) - n);
}

void
staging_field(struct hoso_buf *row, const char *v)
{
	char *o;

	if (v) {
		staging_field_len(row, v, strlen(v));
		return;
	}
	o = sep(row, reserve(row, 3));
	memcpy(o, "\\N", 2);
	commit(row, o + 2);
}

void
staging_field_len(struct hoso_buf *row, const char *v, size_t len)
{
	commit(row, hoso_copy_escape(sep(row, reserve(row, 1 + 2 * len)), v, len));
}

void
staging_field_time(struct hoso_buf *row, long long t)
{
	commit(row, put_time(sep(row, reserve(row, 1 + PG_TIME_LEN)), t));
}

void
staging_field_int(struct hoso_buf *row, long long v)
{
	commit(row, put_int(sep(row, reserve(row, 1 + INT_MAX_DIGITS)), v));
}

void
staging_field_bool(struct hoso_buf *row, bool v)
{
	char *o = sep(row, reserve(row, 2));

	*o++ = v ? 't' : 'f';
	commit(row, o);
}

void
staging_format_row(struct hoso_buf *row, enum hoso_staging_file t, const struct hoso_value *values)
{
	staging_format_row_from(row, t, values, 0);
}

void
staging_format_row_from(struct hoso_buf *row, enum hoso_staging_file t,
			const struct hoso_value *values, int first)
{
	int ncolumns = hoso_staging_layouts[t].ncolumns;
	size_t room = (size_t) ncolumns;	/* the tabs and the newline */
	char *o;

	for (int i = first; i < ncolumns; i++)
		room += values[i].type == HOSO_VALUE_TEXT ? 2 * values[i].len :
			values[i].type == HOSO_VALUE_TIME ? PG_TIME_LEN : INT_MAX_DIGITS;
	o = reserve(row, room);
	for (int i = first; i < ncolumns; i++) {
		const struct hoso_value *v = &values[i];

		if (i > first)
			*o++ = '\t';
		switch (v->type) {
		case HOSO_VALUE_NULL:
			memcpy(o, "\\N", 2);
			o += 2;
			break;
		case HOSO_VALUE_TEXT:
			o = hoso_copy_escape(o, v->s, v->len);
			break;
		case HOSO_VALUE_INT:
			o = put_int(o, v->i);
			break;
		case HOSO_VALUE_BOOL:
			*o++ = v->i ? 't' : 'f';
			break;
		case HOSO_VALUE_TIME:
			o = put_time(o, v->i);
			break;
		}
	}
	*o++ = '\n';
	commit(row, o);
}

void
staging_append(struct staging *s, enum hoso_staging_file t, const char *rows, size_t len,
	       unsigned long long nrows)
{
	struct staging_file *sf = &s->files[t];

	hoso_buf_add(&sf->row, rows, len);
	sf->rows += nrows;
	if (sf->row.len >= STAGING_FLUSH_BYTES)
		flush_table(s, t);
}

void
staging_append_prefixed(struct staging *s, enum hoso_staging_file t, const char *prefix,
			size_t prefix_len, const char *rows, size_t len)
{
	struct staging_file *sf = &s->files[t];
	const char *p = rows, *end = rows + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		size_t n = nl ? (size_t) (nl - p) + 1 : (size_t) (end - p);
		char *o = reserve(&sf->row, prefix_len + n);

		memcpy(o, prefix, prefix_len);
		memcpy(o + prefix_len, p, n);
		commit(&sf->row, o + prefix_len + n);
		sf->rows++;
		p += n;
	}
	if (sf->row.len >= STAGING_FLUSH_BYTES)
		flush_table(s, t);
}
