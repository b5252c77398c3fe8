/*
 * test_input.c: the line reader: plain and multi-member gzip, BOM per
 * member, CRLF, byte offsets, truncated and corrupt gzip, NUL, invalid
 * UTF-8 (at every offset of a block), over-long lines, lines across chunks
 * (threaded and not), gzip members inflated whole and streamed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "hoso_buf.h"
#include "hoso_input.h"
#include "hoso_sha256.h"
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

/*
 * The line check goes 16 and 8 bytes at a time: a NUL, bad UTF-8 and valid
 * sequences are tried at every offset of lines up to 40 bytes, so that they
 * fall at the start, middle and end of a block and in the byte-by-byte tail.
 */
static void
check_line_offsets(void)
{
	static const struct {
		const char *seq;
		size_t len;
		enum hoso_line_flaw flaw;	/* at the sequence's first byte */
	} cases[] = {
		{ "\0", 1, HOSO_LINE_NUL },
		{ "\x80", 1, HOSO_LINE_BAD_UTF8 },		/* a lone continuation byte */
		{ "\xc3", 1, HOSO_LINE_BAD_UTF8 },		/* a lead byte without its tail */
		{ "\xed\xa0\x80", 3, HOSO_LINE_BAD_UTF8 },	/* a surrogate */
		{ "\xf5\x80\x80\x80", 4, HOSO_LINE_BAD_UTF8 },	/* past U+10FFFF */
		{ "\xc3\xa9", 2, HOSO_LINE_OK },
		{ "\xe1\xbb\x87", 3, HOSO_LINE_OK },
		{ "\xf0\x9f\x98\x80", 4, HOSO_LINE_OK },
	};
	size_t bad = 0;

	for (size_t len = 0; len <= 40; len++) {
		for (size_t at = 0; at <= len; at++) {
			for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
				char text[128] = "z";	/* a NUL first would make it binary */
				size_t n = 1;
				int rc;

				for (size_t i = 0; i < at; i++)
					text[n++] = (char) ('a' + i % 26);
				memcpy(text + n, cases[c].seq, cases[c].len);
				n += cases[c].len;
				for (size_t i = at; i < len; i++)
					text[n++] = (char) ('a' + i % 26);
				text[n++] = '\n';
				/* and a second line: one NUL in fewer than 32 bytes is text */
				memset(text + n, 'y', 40);
				open_mem(text, n + 40, 0);
				rc = hoso_input_next(&in, &line);
				if (rc != 1 || line.flaw != cases[c].flaw ||
				    line.flaw_column != (cases[c].flaw ? at + 2 : 0) ||
				    line.len != n - 1)
					bad++;
				hoso_input_close(&in);
			}
			/* a valid sequence first, then a NUL at the end of the line */
			{
				char text[128] = "";
				size_t n = 0;

				for (size_t i = 0; i < at; i++)
					text[n++] = 'q';
				memcpy(text + n, "\xe1\xbb\x87", 3);
				n += 3;
				for (size_t i = at; i < len; i++)
					text[n++] = 'q';
				text[n++] = '\0';
				text[n++] = '\n';
				memset(text + n, 'y', 40);
				open_mem(text, n + 40, 0);
				if (hoso_input_next(&in, &line) != 1 || line.flaw != HOSO_LINE_NUL ||
				    line.flaw_column != len + 4)
					bad++;
				hoso_input_close(&in);
			}
		}
	}
	CHECK_EQ_LL(bad, 0, "NUL, bad and good UTF-8 at each offset of lines up to 40 bytes");
}

/* Valid UTF-8 without NUL, by decoding each code point (RFC 3629). */
static bool
reference_no_nul(const unsigned char *s, size_t len)
{
	static const unsigned least[] = { 0, 0, 0x80, 0x800, 0x10000 };

	for (size_t i = 0; i < len;) {
		unsigned c = s[i], cp, n;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc0 && c < 0xe0) {
			n = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c < 0xf0) {
			n = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c < 0xf8) {
			n = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i < n)
			return false;
		for (unsigned k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

/* seq[0..n) after `at` ASCII bytes and before `after` more: both verdicts agree. */
static bool
no_nul_agrees(const unsigned char *seq, size_t n, size_t at, size_t after)
{
	unsigned char buf[64];
	size_t len = at + n + after;

	memset(buf, 'a', sizeof(buf));
	memcpy(buf + at, seq, n);
	return hoso_utf8_no_nul((const char *) buf, len) == reference_no_nul(buf, len);
}

/*
 * The quick verdict (16 bytes at a time) against decoding: every 1- and
 * 2-byte string at every offset of a block and at the end, every 3-byte
 * string across a block boundary and at the end, 4-byte strings of every
 * lead from F0 with boundary bytes after it, and random text.
 */
static void
check_utf8_verdict(void)
{
	static const unsigned char edges[] = {
		0x00, 0x20, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed,
		0xef, 0xf0, 0xf4, 0xf5, 0xff,
	};
	unsigned char seq[4];
	long bad = 0;
	unsigned long long r = 99;

	for (unsigned a = 0; a < 256; a++) {
		seq[0] = (unsigned char) a;
		for (size_t at = 0; at < 18; at++)
			bad += !no_nul_agrees(seq, 1, at, 0) + !no_nul_agrees(seq, 1, at, 3);
		for (unsigned b = 0; b < 256; b++) {
			seq[1] = (unsigned char) b;
			for (size_t at = 0; at < 18; at++)
				bad += !no_nul_agrees(seq, 2, at, 0) + !no_nul_agrees(seq, 2, at, 2);
			for (unsigned c = 0; c < 256; c++) {
				seq[2] = (unsigned char) c;
				bad += !no_nul_agrees(seq, 3, 13, 0) + !no_nul_agrees(seq, 3, 14, 2);
			}
		}
	}
	CHECK_EQ_LL(bad, 0, "every string of 1 to 3 bytes, at block edges");
	bad = 0;
	for (unsigned a = 0xf0; a < 0x100; a++) {
		seq[0] = (unsigned char) a;
		for (size_t i = 0; i < sizeof(edges); i++)
			for (size_t j = 0; j < sizeof(edges); j++)
				for (size_t k = 0; k < sizeof(edges); k++) {
					seq[1] = edges[i];
					seq[2] = edges[j];
					seq[3] = edges[k];
					for (size_t at = 11; at < 17; at++)
						bad += !no_nul_agrees(seq, 4, at, 0) +
							!no_nul_agrees(seq, 4, at, 5);
				}
	}
	CHECK_EQ_LL(bad, 0, "4-byte strings from F0 to FF with boundary bytes, at block edges");
	bad = 0;
	for (long t = 0; t < 300000; t++) {
		unsigned char buf[48];
		size_t len;

		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		len = (size_t) (r >> 58) % 48;
		for (size_t i = 0; i < len; i++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			/* mostly ASCII and the bytes of Vietnamese: E1 BA/BB xx, C3/C4/C6 xx */
			switch ((r >> 60) % 8) {
			case 0: buf[i] = edges[(r >> 40) % sizeof(edges)]; break;
			case 1: buf[i] = (unsigned char) (0x80 + (r >> 40) % 0x40); break;
			case 2: buf[i] = 0xe1; break;
			case 3: buf[i] = (unsigned char) (0xba + (r >> 40) % 2); break;
			case 4: buf[i] = (unsigned char) (0xc3 + (r >> 40) % 4); break;
			default: buf[i] = (unsigned char) ('a' + (r >> 40) % 26); break;
			}
		}
		bad += hoso_utf8_no_nul((const char *) buf, len) != reference_no_nul(buf, len);
	}
	CHECK_EQ_LL(bad, 0, "random text of ASCII and Vietnamese bytes");
}

/* Lines "<i> <pseudo-random letters>" while text is under size bytes. */
static void
numbered_lines(struct hoso_buf *text, size_t size)
{
	static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned long long r = 12345;

	for (long i = 0; text->len < size; i++) {
		hoso_buf_addf(text, "%ld ", i);
		for (int k = 0; k < 60; k++) {
			r = r * 6364136223846793005ULL + 1442695040888963407ULL;
			hoso_buf_addch(text, letters[(r >> 33) % 64]);
		}
		hoso_buf_addch(text, '\n');
	}
}

/* Every line of in equals text's, in order; 0 when all match. */
static long
lines_differ(const struct hoso_buf *text)
{
	const char *p = text->data, *end = text->data + text->len;
	long bad = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));

		if (hoso_input_next(&in, &line) != 1 || line.len != (size_t) (nl - p) ||
		    memcmp(line.data, p, line.len) != 0 || line.offset != (size_t) (p - text->data))
			bad++;
		p = nl + 1;
	}
	if (hoso_input_next(&in, &line) != 0)
		bad++;
	return bad;
}

/*
 * Gzip members take one of two ways: inflated whole (libdeflate) when all
 * of the file is read and the member is small, else streamed (zlib).  Both
 * ways must give the same lines; a header CRC is only checked by zlib.
 */
static void
check_gzip_ways(void)
{
	struct hoso_buf text = HOSO_BUF_INIT, gz = HOSO_BUF_INIT, hc = HOSO_BUF_INIT;
	uLong crc;

	/* the first member far larger than the last, whose size is in the trailer */
	numbered_lines(&text, 200000);
	gzip_member(&gz, text.data, text.len - 20);
	gzip_member(&gz, text.data + text.len - 20, 20);
	open_mem(gz.data, gz.len, 0);
	CHECK_EQ_LL(lines_differ(&text), 0, "a large member before a small one");
	hoso_input_close(&in);

	/* compressed larger than one read (1 MiB): streamed */
	hoso_buf_reset(&text);
	hoso_buf_reset(&gz);
	numbered_lines(&text, 2 * 1024 * 1024);
	gzip_member(&gz, text.data, text.len);
	CHECK(gz.len > 1024 * 1024, "over 1 MiB compressed");
	open_mem(gz.data, gz.len, 0);
	CHECK_EQ_LL(lines_differ(&text), 0, "a member larger than one read");
	hoso_input_close(&in);

	/* inflating to more than 8 MiB: streamed */
	hoso_buf_reset(&text);
	hoso_buf_reset(&gz);
	while (text.len < 9 * 1024 * 1024)
		hoso_buf_addstr(&text, "{\"a\":\"the same line again\"}\n");
	gzip_member(&gz, text.data, text.len);
	open_mem(gz.data, gz.len, 0);
	CHECK_EQ_LL(lines_differ(&text), 0, "a member inflating to over 8 MiB");
	hoso_input_close(&in);

	/* a header CRC (FHCRC): right, then wrong */
	hoso_buf_reset(&text);
	hoso_buf_reset(&gz);
	hoso_buf_addstr(&text, "one\ntwo\n");
	gzip_member(&gz, text.data, text.len);
	gz.data[3] |= 0x02;
	crc = crc32(0, (const Bytef *) gz.data, 10);
	hoso_buf_add(&hc, gz.data, 10);
	hoso_buf_addch(&hc, (char) (crc & 0xff));
	hoso_buf_addch(&hc, (char) ((crc >> 8) & 0xff));
	hoso_buf_add(&hc, gz.data + 10, gz.len - 10);
	open_mem(hc.data, hc.len, 0);
	CHECK_EQ_LL(lines_differ(&text), 0, "a member with a header CRC");
	hoso_input_close(&in);
	hc.data[10] ^= 0x01;
	open_mem(hc.data, hc.len, 0);
	expect_end(-1, "t:1: byte offset 0: corrupt gzip stream (header crc mismatch)",
		   "a wrong header CRC is refused");

	hoso_buf_release(&text);
	hoso_buf_release(&gz);
	hoso_buf_release(&hc);
}

/*
 * Files read from disk: one that fits in a read is hashed and decoded from
 * that one read, a larger one is read again; sizes around the read size
 * (1 MiB) on both sides, plain and gzip, threaded and not.
 */
static void
check_files_on_disk(void)
{
	static const size_t sizes[] = { 105, 1024 * 1024 - 1, 1024 * 1024, 1024 * 1024 + 1 };

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (int gzip = 0; gzip < 2; gzip++) {
			struct hoso_buf text = HOSO_BUF_INIT, bytes = HOSO_BUF_INIT;
			struct hoso_sha256 sha;
			char path[] = "/tmp/test_input_XXXXXX", want_sha[65];
			int fd = mkstemp(path);

			/* lines of 10 bytes, the last one cut (never empty) to make the size exact */
			for (size_t i = 0; text.len < sizes[k]; i++)
				hoso_buf_addf(&text, "%09zu\n", i);
			text.len = sizes[k];
			if (gzip)
				gzip_member(&bytes, text.data, text.len);
			else
				hoso_buf_add(&bytes, text.data, text.len);
			CHECK(fd >= 0 && write(fd, bytes.data, bytes.len) == (ssize_t) bytes.len,
			      "temp file");
			if (fd >= 0)
				close(fd);
			hoso_sha256_init(&sha);
			hoso_sha256_update(&sha, bytes.data, bytes.len);
			hoso_sha256_final_hex(&sha, want_sha);
			for (int threaded = 0; threaded < 2; threaded++) {
				CHECK(hoso_input_open(&in, path, 0, threaded), "open from disk");
				CHECK_EQ_LL(in.size, bytes.len, "size on disk");
				CHECK_EQ_STR(in.sha256, want_sha, "hash of the bytes on disk");
				/* lines_differ wants whole lines: the cut last line is read too */
				hoso_buf_addch(&text, '\n');
				CHECK_EQ_LL(lines_differ(&text), 0, "lines from disk");
				text.len--;
				hoso_input_close(&in);
			}
			unlink(path);
			hoso_buf_release(&text);
			hoso_buf_release(&bytes);
		}
	}
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
	CHECK_EQ_LL(hoso_input_next(&in, &line), -1, "no lines from an input that failed to open");
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
	check_line_offsets();
	check_utf8_verdict();
	check_gzip_ways();
	check_files_on_disk();
	return unit_summary("test_input");
}
