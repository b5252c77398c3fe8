/*
 * test_buf.c: struct hoso_buf: data is a string from the start and after
 * release, a capped buffer cuts what would pass its cap, COPY escaping at
 * every offset.
 */
#include <stdlib.h>
#include <string.h>

#include "hoso_buf.h"
#include "unit.h"

/*
 * COPY escaping goes 16 and 8 bytes at a time: each byte it escapes, and
 * bytes that differ from one only in the high bit, at every offset of
 * fields up to 40 bytes.
 */
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
	return unit_summary("test_buf");
}
