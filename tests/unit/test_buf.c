/*
 * test_buf.c: struct hoso_buf: data is a string from the start and after
 * release, a capped buffer cuts what would pass its cap, COPY escaping at
 * every offset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "hoso_buf.h"
#include "unit.h"

/*
 * COPY escaping goes 16 and 8 bytes at a time: each byte it escapes, and
 * bytes that differ from one only in the high bit, at every offset of
 * fields up to 40 bytes.
 */
/* A file longer than one read, with a NUL in it, appended after what the buffer holds. */
static void
check_read_file(void)
{
	char path[] = "/tmp/hoso-test-buf.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	struct hoso_buf b = HOSO_BUF_INIT;
	size_t n = 20000;
	bool same = true;

	CHECK(f != NULL, "a temporary file");
	if (!f)
		return;
	for (size_t i = 0; i < n; i++)
		fputc((int) (i % 251), f);
	fclose(f);
	hoso_buf_addstr(&b, "x");
	CHECK(hoso_buf_read_file(&b, path), "read_file reads a file");
	CHECK_EQ_LL(b.len, n + 1, "read_file: every byte, after what was there");
	for (size_t i = 0; i < n && same; i++)
		same = (unsigned char) b.data[i + 1] == i % 251;
	CHECK(b.data[0] == 'x' && same && b.data[b.len] == '\0', "read_file: the bytes in order, terminated");
	unlink(path);
	errno = 0;
	CHECK(!hoso_buf_read_file(&b, path) && errno == ENOENT, "read_file: a missing file is ENOENT");
	CHECK_EQ_LL(b.len, n + 1, "read_file: a missing file adds nothing");
	hoso_buf_release(&b);
}

static void
check_copy_escape_offsets(void)
{
	static const struct {
		char byte;
		const char *escaped;
	} cases[] = {
		{ '\\', "\\\\" }, { '\t', "\\t" }, { '\n', "\\n" }, { '\r', "\\r" },
		{ '\xdc', "\xdc" }, { '\x89', "\x89" }, { '\x8a', "\x8a" }, { '\x8d', "\x8d" },
	};
	long bad = 0;

	for (size_t len = 1; len <= 40; len++) {
		for (size_t at = 0; at < len; at++) {
			for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
				struct hoso_buf got = HOSO_BUF_INIT;
				char field[64], want[128];
				size_t n = 0;

				for (size_t i = 0; i < len; i++) {
					field[i] = i == at ? cases[c].byte : (char) ('a' + i % 26);
					if (i == at) {
						memcpy(want + n, cases[c].escaped, strlen(cases[c].escaped));
						n += strlen(cases[c].escaped);
					} else {
						want[n++] = field[i];
					}
				}
				hoso_buf_add_copy_field(&got, field, len);
				if (got.len != n || memcmp(got.data, want, n) != 0)
					bad++;
				hoso_buf_release(&got);
			}
		}
	}
	CHECK_EQ_LL(bad, 0, "each escaped byte at each offset of fields up to 40 bytes");
}

int
main(void)
{
	struct hoso_buf b = HOSO_BUF_INIT, capped, zeroed;

	CHECK(b.data != NULL && b.data[0] == '\0' && b.len == 0, "a new buffer reads as \"\"");
	hoso_buf_reset(&b);
	CHECK_EQ_STR(b.data, "", "reset of a new buffer");
	hoso_buf_addf(&b, "%s-%d", "ab", 12);
	CHECK_EQ_STR(b.data, "ab-12", "addf");
	hoso_buf_add_copy_field(&b, "t\tn\n", 4);
	CHECK_EQ_STR(b.data, "ab-12t\\tn\\n", "copy field escaped");
	hoso_buf_release(&b);
	CHECK(b.data != NULL && b.data[0] == '\0' && b.len == 0, "a released buffer reads as \"\"");

	memset(&zeroed, 0, sizeof(zeroed));
	hoso_buf_add(&zeroed, "", 0);
	CHECK(zeroed.data != NULL && zeroed.data[0] == '\0', "a zeroed struct becomes \"\" on first use");
	hoso_buf_release(&zeroed);

	hoso_buf_init_max(&capped, 8);
	hoso_buf_addstr(&capped, "12345");
	CHECK(!capped.too_big, "under the cap");
	hoso_buf_addstr(&capped, "6789");
	CHECK_EQ_STR(capped.data, "12345678", "cut at the cap");
	CHECK(capped.too_big, "too_big set when cut");
	hoso_buf_addf(&capped, "%d", 1);
	hoso_buf_addch(&capped, 'x');
	hoso_buf_add_copy_field(&capped, "\t", 1);
	CHECK_EQ_LL(capped.len, 8, "nothing more past the cap");
	CHECK(!hoso_buf_grow(&capped, 1), "grow refuses past the cap");
	hoso_buf_reset(&capped);
	CHECK(!capped.too_big && capped.len == 0, "reset clears too_big");
	hoso_buf_add_copy_field(&capped, "abc\tdef", 7);
	CHECK_EQ_STR(capped.data, "abc\\tdef", "an escaped field cut at the cap");
	hoso_buf_reset(&capped);
	hoso_buf_addf(&capped, "%s", "a long formatted line");
	CHECK_EQ_STR(capped.data, "a long f", "addf cut at the cap");
	hoso_buf_release(&capped);
	CHECK_EQ_LL(capped.max, 8, "release keeps the cap");
	check_copy_escape_offsets();
	check_read_file();
	return unit_summary("test_buf");
}
