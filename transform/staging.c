/*
 * staging.c: writing the staging directory.  Rows are gathered in a buffer
 * and written in large blocks; the SHA-256 of each file is computed as it is
 * written, so the MANIFEST costs no second read.  Hashing and writing take
 * a fifth of the transform's time, so a writer thread does them: the
 * caller hands a full block over and fills the next meanwhile.
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

/* The writer thread: hash and write blocks in the order they were handed over. */
static void *
writer_main(void *arg)
{
	struct staging *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct staging_block *b;
		struct staging_file *sf;

		while (s->count == 0 && !s->closing)
			pthread_cond_wait(&s->changed, &s->lock);
		if (s->count == 0)
			break;
		b = &s->queue[s->head];
		sf = &s->files[b->table];
		/* the block at head is the writer's until count drops */
		pthread_mutex_unlock(&s->lock);
		if (!s->failed && fwrite(b->data.data, 1, b->data.len, sf->f) != b->data.len) {
			s->write_errno = errno;
			s->failed = true;
		}
		hoso_sha256_update(&sf->sha, b->data.data, b->data.len);
		sf->bytes += b->data.len;
		hoso_buf_reset(&b->data);
		pthread_mutex_lock(&s->lock);
		s->head = (s->head + 1) % STAGING_QUEUE;
		s->count--;
		pthread_cond_broadcast(&s->changed);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Wait for the writer to drain the ring and end; its results are ours after. */
static void
writer_stop(struct staging *s)
{
	if (!s->writer_running)
		return;
	pthread_mutex_lock(&s->lock);
	s->closing = true;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->writer, NULL);
	s->writer_running = false;
}

bool
staging_open(struct staging *s, const char *dir)
{
	char *manifest;
	int rc;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < STAGING_QUEUE; i++)
		hoso_buf_init(&s->queue[i].data);
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
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	rc = pthread_create(&s->writer, NULL, writer_main, s);
	if (rc != 0) {
		hoso_error("cannot start the staging writer thread: %s", strerror(rc));
		return false;
	}
	s->writer_running = true;
	return true;
}

/* Hand the table's gathered rows to the writer; the row buffer is empty after. */
static void
flush_table(struct staging *s, enum hoso_staging_file t)
{
	struct staging_file *sf = &s->files[t];
	struct staging_block *b;
	struct hoso_buf written;

	if (sf->row.len == 0)
		return;
	pthread_mutex_lock(&s->lock);
	while (s->count == STAGING_QUEUE)
		pthread_cond_wait(&s->changed, &s->lock);
	b = &s->queue[(s->head + s->count) % STAGING_QUEUE];
	/* swap: the block takes the rows, the table reuses a written block's storage */
	written = b->data;
	b->data = sf->row;
	b->table = t;
	sf->row = written;
	s->count++;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
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

/* Wait until the writer has written every block handed to it so far. */
static void
writer_drain(struct staging *s)
{
	pthread_mutex_lock(&s->lock);
	while (s->count > 0)
		pthread_cond_wait(&s->changed, &s->lock);
	pthread_mutex_unlock(&s->lock);
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
	writer_drain(s);
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
	writer_stop(s);
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
	bool threads = s->writer_running || s->closing;

	writer_stop(s);
	for (int t = 0; t < HOSO_STAGING_NFILES; t++) {
		char unused[65];

		/* a file left open was never finished: end its digest to free it */
		if (s->files[t].f) {
			fclose(s->files[t].f);
			hoso_sha256_final_hex(&s->files[t].sha, unused);
		}
		hoso_buf_release(&s->files[t].row);
	}
	for (int i = 0; i < STAGING_QUEUE; i++)
		hoso_buf_release(&s->queue[i].data);
	if (threads) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->changed);
	}
	free(s->dir);
	memset(s, 0, sizeof(*s));
}

static void
sep(struct hoso_buf *row)
{
	if (row->len > 0 && row->data[row->len - 1] != '\n')
		hoso_buf_addch(row, '\t');
}

static void
put_time(struct hoso_buf *row, long long t)
{
	char buf[32];

	if (t == HOSO_TIME_NONE) {
		hoso_buf_add(row, "\\N", 2);
		return;
	}
	hoso_time_format_pg(t, buf);
	hoso_buf_add(row, buf, sizeof("2023-10-20 08:15:00+07") - 1);
}

/* Hot (several per row): digits by hand rather than through printf. */
static void
put_int(struct hoso_buf *row, long long v)
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
	hoso_buf_add(row, tmp + n, sizeof(tmp) - n);
}

void
staging_field(struct hoso_buf *row, const char *v)
{
	sep(row);
	if (v)
		hoso_buf_add_copy_field(row, v, strlen(v));
	else
		hoso_buf_add(row, "\\N", 2);
}

void
staging_field_time(struct hoso_buf *row, long long t)
{
	sep(row);
	put_time(row, t);
}

void
staging_field_int(struct hoso_buf *row, long long v)
{
	sep(row);
	put_int(row, v);
}

void
staging_field_bool(struct hoso_buf *row, bool v)
{
	sep(row);
	hoso_buf_addch(row, v ? 't' : 'f');
}

void
staging_format_row(struct hoso_buf *row, enum hoso_staging_file t, const struct hoso_value *values)
{
	for (int i = 0; i < hoso_staging_layouts[t].ncolumns; i++) {
		const struct hoso_value *v = &values[i];

		if (i)
			hoso_buf_addch(row, '\t');
		switch (v->type) {
		case HOSO_VALUE_NULL:
			hoso_buf_add(row, "\\N", 2);
			break;
		case HOSO_VALUE_TEXT:
			hoso_buf_add_copy_field(row, v->s, v->len);
			break;
		case HOSO_VALUE_INT:
			put_int(row, v->i);
			break;
		case HOSO_VALUE_BOOL:
			hoso_buf_addch(row, v->i ? 't' : 'f');
			break;
		case HOSO_VALUE_TIME:
			put_time(row, v->i);
			break;
		}
	}
	hoso_buf_addch(row, '\n');
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
