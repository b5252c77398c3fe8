/*
 * test_input.c: the line reader: plain and multi-member gzip, BOM per
 * member, CRLF, byte offsets, truncated and corrupt gzip, NUL, invalid
 * UTF-8, over-long lines, lines across chunks (threaded and not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "hoso_buf.h"
#include "hoso_input.h"
#include "unit.h"

/* Append one gzip member holding s[0..len) to out. */
static void
gzip_member(struct hoso_buf *out, const char *s, size_t len)
{
	z_stream z;
	size_t cap = len + 128;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	hoso_buf_grow(out, cap);
	z.next_in = (unsigned char *) s;
	z.avail_in = (uInt) len;
	z.next_out = (unsigned char *) out->data + out->len;
	z.avail_out = (uInt) cap;
	deflate(&z, Z_FINISH);
	out->len += cap - z.avail_out;
	deflateEnd(&z);
}

static struct hoso_input in;
static struct hoso_input_line line;

static void
open_mem(const void *data, size_t len, size_t max)
{
	CHECK(hoso_input_open_memory(&in, "t", data, len, max), "open");
}

/* The next line is text at lineno/offset without flaw. */
static void
expect_line(const char *text, long lineno, unsigned long long offset, const char *what)
{
	int rc = hoso_input_next(&in, &line);

	CHECK_EQ_LL(rc, 1, what);
	if (rc != 1)
		return;
	CHECK(line.len == strlen(text) && memcmp(line.data, text, line.len) == 0, what);
	CHECK_EQ_LL(line.lineno, lineno, what);
	CHECK_EQ_LL(line.offset, offset, what);
	CHECK_EQ_LL(line.flaw, HOSO_LINE_OK, what);
}

static void
expect_flaw(enum hoso_line_flaw flaw, size_t column, long lineno, const char *what)
{
	CHECK_EQ_LL(hoso_input_next(&in, &line), 1, what);
	CHECK_EQ_LL(line.flaw, flaw, what);
	CHECK_EQ_LL(line.flaw_column, column, what);
	CHECK_EQ_LL(line.lineno, lineno, what);
}

static void
expect_end(int rc, const char *error, const char *what)
{
	CHECK_EQ_LL(hoso_input_next(&in, &line), rc, what);
	if (error)
		CHECK_EQ_STR(in.error, error, what);
	hoso_input_close(&in);
}

int
main(void)
{
	struct hoso_buf gz = HOSO_BUF_INIT;
	static const char plain[] = "\xEF\xBB\xBF" "ab\r\n\ncd\nlast";

	/* plain, BOM, CRLF, empty line counted, last line without LF */
	open_mem(plain, strlen(plain), 0);
	CHECK(!in.gzip, "plain text is not gzip");
	CHECK_EQ_LL(in.size, strlen(plain), "size");
	expect_line("ab", 1, 3, "after the BOM");
	expect_line("cd", 3, 8, "empty line 2 skipped, CR dropped");
	expect_line("last", 4, 11, "last line without LF");
	expect_end(0, NULL, "plain end");
	CHECK_EQ_LL(in.lines, 4, "line count");

	/* multi-member gzip, a BOM at the start of each member, a member ending mid-line */
	gzip_member(&gz, "\xEF\xBB\xBF" "ab\n", 6);
	gzip_member(&gz, "\xEF\xBB\xBF" "cd\nef", 8);
	gzip_member(&gz, "", 0);
	gzip_member(&gz, "gh\n", 3);
	open_mem(gz.data, gz.len, 0);
	CHECK(in.gzip, "gzip by content");
	expect_line("ab", 1, 3, "member 1");
	expect_line("cd", 2, 9, "member 2 after its BOM");
	expect_line("efgh", 3, 12, "line across members, an empty member between");
	expect_end(0, NULL, "gzip end");

	/* truncated: the lines before the cut are read, then the failure */
	hoso_buf_reset(&gz);
	gzip_member(&gz, "x\nyz", 4);
	open_mem(gz.data, gz.len - 3, 0);
	expect_line("x", 1, 0, "before truncation");
	expect_end(-1, "t:2: byte offset 4: truncated gzip stream", "truncated");

	/* bad CRC (the trailer's first byte) */
	gz.data[gz.len - 8] ^= 0x55;
	open_mem(gz.data, gz.len, 0);
	expect_line("x", 1, 0, "before bad CRC");
	expect_end(-1, "t:2: byte offset 4: bad CRC (gzip data check failed)", "bad CRC");

	/* garbage after the last member */
	gz.data[gz.len - 8] ^= 0x55;
	hoso_buf_add(&gz, "zz", 2);
	open_mem(gz.data, gz.len, 0);
	expect_line("x", 1, 0, "before garbage");
	/* "yz" has no LF yet when the stream fails: it is the line in progress */
	expect_end(-1, "t:2: byte offset 4: trailing data after the end of the gzip stream", "garbage");

	/* flaws: NUL, invalid UTF-8 (bad continuation, overlong, surrogate, truncated) */
	{
		static const char bad[] = "ab\0c\n" "a\xc3(\n" "\xc0\xaf\n" "x\xed\xa0\x80\n"
			"ok \xf0\x9f\x98\x80 \xe1\xbb\x87\n" "end\xe1\xbb\n";

		open_mem(bad, sizeof(bad) - 1, 0);
		expect_flaw(HOSO_LINE_NUL, 3, 1, "NUL at column 3");
		expect_flaw(HOSO_LINE_BAD_UTF8, 2, 2, "bad continuation byte");
		expect_flaw(HOSO_LINE_BAD_UTF8, 1, 3, "overlong encoding");
		expect_flaw(HOSO_LINE_BAD_UTF8, 2, 4, "UTF-16 surrogate");
		expect_line("ok \xf0\x9f\x98\x80 \xe1\xbb\x87", 5, 17, "valid 4- and 3-byte sequences");
		expect_flaw(HOSO_LINE_BAD_UTF8, 4, 6, "sequence cut by the end of line");
		expect_end(0, NULL, "flaws end");
	}

	/* over-long lines (max 8): skipped to the next LF; CRLF not counted */
	{
		static const char longs[] = "0123456789\nok\n01234567\r\n012345678\r\n";

		open_mem(longs, strlen(longs), 8);
		expect_flaw(HOSO_LINE_TOO_LONG, 0, 1, "10 bytes > 8");
		CHECK_EQ_LL(line.full_len, 10, "full length");
		CHECK_EQ_LL(line.len, 8, "kept prefix");
		expect_line("ok", 2, 11, "after the long line");
		expect_line("01234567", 3, 14, "exactly 8 bytes before CRLF");
		expect_flaw(HOSO_LINE_TOO_LONG, 0, 4, "9 bytes before CRLF");
		expect_end(0, NULL, "long end");
	}

	/* not gzip, not text */
	CHECK(!hoso_input_open_memory(&in, "z", "PK\x03\x04rest", 8, 0), "zip refused");
	CHECK_EQ_STR(in.error, "z: looks like a zip archive, not gzip or UTF-8 text", "zip message");
	hoso_input_close(&in);
	CHECK(hoso_input_sniff((const unsigned char *) "{\"a\":1}\n", 8) == NULL, "JSON is text");
	CHECK_EQ_STR(hoso_input_sniff((const unsigned char *) "\0\0\0\0", 4), "binary data (NUL bytes)",
		     "NULs are binary");

	/* empty input */
	open_mem("", 0, 0);
	expect_end(0, NULL, "empty");

	/* many lines across 1 MiB chunks, gzip, threaded from a file and in memory */
	{
		struct hoso_buf text = HOSO_BUF_INIT;
		char path[] = "/tmp/test_input_XXXXXX";
		int fd = mkstemp(path);
		long n = 300000, got = 0, bad = 0;
		unsigned long long offset = 0;

		for (long i = 0; i < n; i++)
			hoso_buf_addf(&text, "line number %ld %s\n", i, i % 7 ? "" : "with a longer tail");
		hoso_buf_reset(&gz);
		gzip_member(&gz, text.data, text.len / 2);
		gzip_member(&gz, text.data + text.len / 2, text.len - text.len / 2);
		CHECK(fd >= 0 && write(fd, gz.data, gz.len) == (ssize_t) gz.len, "temp file");
		if (fd >= 0)
			close(fd);
		for (int threaded = 0; threaded < 2; threaded++) {
			got = bad = 0;
			offset = 0;
			if (threaded) {
				CHECK(hoso_input_open(&in, path, 0, true), "open threaded");
			} else {
				open_mem(gz.data, gz.len, 0);
			}
			while (hoso_input_next(&in, &line) == 1) {
				char want[64];
				int len = snprintf(want, sizeof(want), "line number %ld %s", got,
						   got % 7 ? "" : "with a longer tail");

				if (line.len != (size_t) len || memcmp(line.data, want, line.len) != 0 ||
				    line.offset != offset || line.lineno != got + 1)
					bad++;
				offset += (unsigned long long) len + 1;
				got++;
			}
			CHECK_EQ_LL(got, n, "all lines read");
			CHECK_EQ_LL(bad, 0, "lines, numbers and offsets across chunks");
			hoso_input_close(&in);
		}
		unlink(path);
		hoso_buf_release(&text);
	}
	hoso_buf_release(&gz);
	return unit_summary("test_input");
}
