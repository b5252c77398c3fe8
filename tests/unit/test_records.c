/*
 * test_records.c: the record stream: COPY-text escaping by the writer,
 * unescaping by the reader, \N, and malformed streams; the read-ahead
 * reader gives what the plain one gives, across batches and pipes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoso_records.h"
#include "unit.h"

/*
 * A D record written from values set by name reads back with each value at
 * the position its name has: the layout (hoso_layout.h) is the only order.
 */
static void
layout_round_trip(void)
{
	struct hoso_records_writer w;
	struct hoso_records_reader r;
	struct hoso_value v[HOSO_D_NFIELDS] = { 0 };
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	int n;

	hoso_records_writer_init(&w, f);
	hoso_value_str(&v[HOSO_D_case_no], "H-1");
	hoso_value_int(&v[HOSO_D_status], 10);
	hoso_value_bool(&v[HOSO_D_paid_online], true);
	hoso_value_bool(&v[HOSO_D_digitised], false);
	hoso_value_time(&v[HOSO_D_accepted_at], 0);
	hoso_records_write(&w, 'D', v, HOSO_D_NFIELDS);
	CHECK(hoso_records_writer_flush(&w), "layout: flush");
	hoso_records_writer_release(&w);
	fclose(f);
	f = fmemopen(mem, memlen, "r");
	hoso_records_reader_init(&r, f);
	CHECK_EQ_LL(hoso_records_next(&r), 1, "layout: one record");
	CHECK_EQ_LL(r.nfields, HOSO_D_NFIELDS, "layout: every D field");
	CHECK_EQ_STR(r.fields[HOSO_D_case_no], "H-1", "layout: case_no in its place");
	CHECK_EQ_STR(r.fields[HOSO_D_status], "10", "layout: status in its place");
	CHECK_EQ_STR(r.fields[HOSO_D_paid_online], "1", "layout: paid_online in its place");
	CHECK_EQ_STR(r.fields[HOSO_D_digitised], "0", "layout: digitised in its place");
	CHECK_EQ_STR(r.fields[HOSO_D_accepted_at], "19700101000000", "layout: a time in the 14-digit form");
	CHECK(r.fields[HOSO_D_vneid] == NULL && r.fields[HOSO_D_src] == NULL, "layout: unset is \\N");
	CHECK(hoso_record_layout('D', &n) != NULL && n == HOSO_D_NFIELDS - 1 &&
	      strcmp(hoso_record_layout('D', &n)[HOSO_D_paid_online - 1].name, "paid_online") == 0,
	      "layout: the D layout names its fields");
	hoso_records_reader_release(&r);
	fclose(f);
	free(mem);
}


/* Each record as "lineno nfields|field|field|...\n", NULL as "<null>". */
static void
describe(struct hoso_buf *out, long lineno, char *const *fields, int nfields)
{
	hoso_buf_addf(out, "%ld %d", lineno, nfields);
	for (int i = 0; i < nfields; i++)
		hoso_buf_addf(out, "|%s", fields[i] ? fields[i] : "<null>");
	hoso_buf_addch(out, '\n');
}

struct hooked {
	struct hoso_buf seen;
	long lineno;
};

static void
hook_describe(void *arg, char *const *fields, int nfields)
{
	struct hooked *h = arg;

	describe(&h->seen, ++h->lineno, fields, nfields);
}

/* The records of fd through the read-ahead reader, described; its last return in *rc. */
static void
read_ahead(int fd, struct hoso_buf *out, struct hooked *hook, int *rc)
{
	struct hoso_records_ahead a;

	if (!hoso_records_ahead_start(&a, fd, hook ? hook_describe : NULL, hook)) {
		*rc = -2;
		return;
	}
	while ((*rc = hoso_records_ahead_next(&a)) == 1)
		describe(out, a.lineno, a.fields, a.nfields);
	hoso_records_ahead_stop(&a);
}

/* The same through the plain reader. */
static void
read_plain(const char *text, size_t len, struct hoso_buf *out, int *rc)
{
	struct hoso_records_reader r;
	FILE *f = fmemopen((void *) text, len, "r");

	hoso_records_reader_init(&r, f);
	while ((*rc = hoso_records_next(&r)) == 1)
		describe(out, r.lineno, r.fields, r.nfields);
	hoso_records_reader_release(&r);
	fclose(f);
}

struct feeder {
	int fd;
	const char *text;
	size_t len;
	size_t step;			/* bytes a write */
};

static void *
feed(void *arg)
{
	struct feeder *fd = arg;

	for (size_t off = 0; off < fd->len;) {
		size_t n = fd->len - off < fd->step ? fd->len - off : fd->step;
		ssize_t w = write(fd->fd, fd->text + off, n);

		if (w <= 0)
			break;
		off += (size_t) w;
	}
	close(fd->fd);
	return NULL;
}

/* The records of text through a pipe written step bytes at a time. */
static void
read_ahead_piped(const char *text, size_t len, size_t step, struct hoso_buf *out, int *rc)
{
	int p[2];
	pthread_t t;
	struct feeder fd;

	if (pipe(p) != 0) {
		*rc = -2;
		return;
	}
	fd = (struct feeder) { p[1], text, len, step };
	pthread_create(&t, NULL, feed, &fd);
	read_ahead(p[0], out, NULL, rc);
	pthread_join(t, NULL);
	close(p[0]);
}

/* The records of text through a file. */
static void
read_ahead_file(const char *text, size_t len, struct hoso_buf *out, struct hooked *hook, int *rc)
{
	FILE *f = tmpfile();

	fwrite(text, 1, len, f);
	fflush(f);
	rewind(f);
	read_ahead(fileno(f), out, hook, rc);
	fclose(f);
}

/*
 * Several batches' worth of records, one of them longer than a batch,
 * escapes and NULLs: the read-ahead reader, its hook and the plain
 * reader give the same records, whether the input comes from a file or a
 * pipe that delivers it a few bytes at a time.
 */
static void
ahead_matches_plain(void)
{
	struct hoso_buf text = HOSO_BUF_INIT, plain = HOSO_BUF_INIT, ahead = HOSO_BUF_INIT,
		piped = HOSO_BUF_INIT;
	struct hooked hook = { HOSO_BUF_INIT, 0 };
	int rc_plain, rc_ahead, rc_piped, nrecords = 20000;
	size_t long_len = 3 * HOSO_RECORDS_AHEAD_BYTES / 2;
	char *first_line;

	for (int i = 0; i < nrecords; i++) {
		hoso_buf_addf(&text, "D\t%d\t\\N\tcase\\t%d\\\\x\t", i, i * 7);
		if (i == 1234) {
			for (size_t k = 0; k < long_len; k++)
				hoso_buf_addch(&text, (char) ('a' + k % 26));
		}
		hoso_buf_addf(&text, "%*s\n", i % 50, "");
	}
	read_plain(text.data, text.len, &plain, &rc_plain);
	read_ahead_file(text.data, text.len, &ahead, &hook, &rc_ahead);
	read_ahead_piped(text.data, text.len, 4093, &piped, &rc_piped);
	CHECK_EQ_LL(rc_plain, 0, "ahead: the plain reader reads to the end");
	CHECK_EQ_LL(rc_ahead, 0, "ahead: the read-ahead reader reads a file to the end");
	CHECK_EQ_LL(rc_piped, 0, "ahead: the read-ahead reader reads a pipe to the end");
	first_line = strchr(plain.data, '\n');
	CHECK(first_line && strncmp(plain.data, "1 5|D|0|<null>|case\t0\\x|", 24) == 0,
	      "ahead: the first record as written");
	{
		size_t lines = 0;

		for (size_t i = 0; i < plain.len; i++)
			lines += plain.data[i] == '\n';
		CHECK_EQ_LL(lines, nrecords, "ahead: one record a line");
	}
	CHECK(plain.len > long_len, "ahead: the long record is read whole");
	CHECK(ahead.len == plain.len && memcmp(ahead.data, plain.data, plain.len) == 0,
	      "ahead: from a file, the records of the plain reader");
	CHECK(piped.len == plain.len && memcmp(piped.data, plain.data, plain.len) == 0,
	      "ahead: from a pipe, the records of the plain reader");
	CHECK(hook.seen.len == plain.len && memcmp(hook.seen.data, plain.data, plain.len) == 0,
	      "ahead: the hook sees every record, in order");
	hoso_buf_release(&text);
	hoso_buf_release(&plain);
	hoso_buf_release(&ahead);
	hoso_buf_release(&piped);
	hoso_buf_release(&hook.seen);
}

/* A bad record ends the stream with an error once the records before it are read. */
static void
ahead_errors(void)
{
	static const struct {
		const char *text, *what;
		int before;		/* good records before the error */
	} cases[] = {
		{ "H\thoso-records\t1\nD\t1\t2", "ahead: a record cut short", 1 },
		{ "H\thoso-records\t1\nD\t1\nD\tbad\\\nD\t3\n", "ahead: a lone backslash", 2 },
		{ "", "ahead: an empty stream ends at once", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hoso_buf out = HOSO_BUF_INIT;
		size_t lines = 0;
		int rc;

		read_ahead_file(cases[i].text, strlen(cases[i].text), &out, NULL, &rc);
		for (size_t k = 0; k < out.len; k++)
			lines += out.data[k] == '\n';
		CHECK_EQ_LL(lines, cases[i].before, cases[i].what);
		CHECK_EQ_LL(rc, *cases[i].text ? -1 : 0, cases[i].what);
		hoso_buf_release(&out);
	}
}

/* Stopping after one record of many batches' worth: the thread waits for a free batch. */
static void
ahead_stops_early(void)
{
	struct hoso_records_ahead a;
	FILE *f = tmpfile();
	size_t written = 0;

	while (written < 8 * HOSO_RECORDS_AHEAD_BYTES)
		written += (size_t) fprintf(f, "P\t%zu\tsome text to fill the batches\n", written);
	fflush(f);
	rewind(f);
	CHECK(hoso_records_ahead_start(&a, fileno(f), NULL, NULL), "stop early: started");
	CHECK_EQ_LL(hoso_records_ahead_next(&a), 1, "stop early: a record");
	CHECK_EQ_STR(a.fields[1], "0", "stop early: the first record");
	hoso_records_ahead_stop(&a);
	CHECK(a.batches == NULL, "stop early: stopped and freed");
	fclose(f);
}

/* Stopping does not wait for input that may never come. */
static void
ahead_stops_waiting(void)
{
	int p[2];
	struct hoso_records_ahead a;

	CHECK(pipe(p) == 0, "stop: a pipe");
	CHECK(write(p[1], "H\thoso-records\t1\n", 17) == 17, "stop: one record written");
	CHECK(hoso_records_ahead_start(&a, p[0], NULL, NULL), "stop: started");
	/* the writer stays open: the thread waits for the rest of its batch */
	hoso_records_ahead_stop(&a);
	CHECK(1, "stop: returned while the input stays open");
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	struct hoso_records_writer w;
	struct hoso_records_reader r;
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	static const char nasty[] = "tab\there\\back\nnl\rcr \\N end";

	hoso_records_writer_init(&w, f);
	hoso_records_header(&w);
	hoso_records_begin(&w, 'X');
	hoso_records_int(&w, -42);
	hoso_records_field(&w, nasty, strlen(nasty));
	hoso_records_null(&w);
	hoso_records_field_str(&w, "");
	hoso_records_bool(&w, true);
	hoso_records_field_str(&w, "\\N");
	hoso_records_end(&w);
	CHECK(hoso_records_writer_flush(&w), "flush");
	hoso_records_writer_release(&w);
	fclose(f);

	/* the exact COPY text: backslash, TAB, LF, CR escaped; \N for NULL */
	CHECK_EQ_STR(mem, "H\thoso-records\t1\n"
		     "X\t-42\ttab\\there\\\\back\\nnl\\rcr \\\\N end\t\\N\t\t1\t\\\\N\n",
		     "written text");

	f = fmemopen(mem, memlen, "r");
	hoso_records_reader_init(&r, f);
	CHECK_EQ_LL(hoso_records_next(&r), 1, "header read");
	CHECK_EQ_LL(r.nfields, 3, "header fields");
	CHECK_EQ_STR(r.fields[1], "hoso-records", "magic");
	CHECK_EQ_LL(hoso_records_next(&r), 1, "record read");
	CHECK_EQ_LL(r.lineno, 2, "line number");
	CHECK_EQ_LL(r.nfields, 7, "record fields");
	CHECK_EQ_STR(r.fields[0], "X", "type");
	CHECK_EQ_STR(r.fields[1], "-42", "int");
	CHECK_EQ_STR(r.fields[2], nasty, "round trip of every escaped byte");
	CHECK(r.fields[3] == NULL, "\\N is NULL");
	CHECK_EQ_STR(r.fields[4], "", "empty is not NULL");
	CHECK_EQ_STR(r.fields[5], "1", "bool");
	CHECK_EQ_STR(r.fields[6], "\\N", "the text \\N is not NULL");
	CHECK_EQ_LL(hoso_records_next(&r), 0, "end of stream");
	hoso_records_reader_release(&r);
	fclose(f);
	free(mem);

	/* a record cut short (the writer died) is an error */
	{
		static char cut[] = "H\thoso-records\t1\nD\t1\t2";

		f = fmemopen(cut, strlen(cut), "r");
		hoso_records_reader_init(&r, f);
		CHECK_EQ_LL(hoso_records_next(&r), 1, "first record");
		CHECK_EQ_LL(hoso_records_next(&r), -1, "truncated record");
		hoso_records_reader_release(&r);
		fclose(f);
	}
	{
		char s[] = "a\\tb\\x\\";

		CHECK_EQ_LL(hoso_records_unescape(s, 6), 4, "\\x stands for x");
		CHECK_EQ_LL(hoso_records_unescape(s, strlen(s)), -1, "lone trailing backslash");
	}
	layout_round_trip();
	ahead_matches_plain();
	ahead_errors();
	ahead_stops_early();
	ahead_stops_waiting();
	return unit_summary("test_records");
}
