/*
 * test_text.c: NFC through hoso_text, and the proof behind its fast path.
 *
 * hoso_text_nfc copies a string as is when hoso_text_is_nfc_fast says all
 * its code points lie in U+0000..U+02FF or U+1E00..U+1EFF.  That is right
 * if, checked here against utf8proc for every code point c and every pair
 * (a, b) of those ranges:
 *   - c has combining class 0, and so does the first code point of NFD(c);
 *   - NFC(c) = c;
 *   - NFC(ab) = ab.
 * Then for a longer string: NFD never reorders across the boundary of two
 * such code points (reordering only swaps adjacent non-starters), and when
 * composition reaches the decomposition of c[i+1], the last starter is
 * c[i] itself, exactly as in the pair c[i] c[i+1]; so no pair composing
 * means nothing composes, and the string is its own NFC.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "hoso_text.h"
#include "unit.h"

static bool
in_fast_range(utf8proc_int32_t c)
{
	return (c >= 0 && c <= 0x2FF) || (c >= 0x1E00 && c <= 0x1EFF);
}

/* utf8proc's NFC of s, as hoso_text_nfc computes it without the fast path */
static bool
nfc_is_identity(const utf8proc_uint8_t *s, utf8proc_ssize_t len)
{
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t n = utf8proc_map(s, len, &mapped, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	bool same = n == len && memcmp(mapped, s, (size_t) len) == 0;

	free(mapped);
	return same;
}

static bool
first_of_nfd_is_starter(utf8proc_int32_t c)
{
	utf8proc_int32_t out[32];
	int last_boundclass = 0;
	utf8proc_ssize_t n = utf8proc_decompose_char(c, out, 32, UTF8PROC_DECOMPOSE,
						     &last_boundclass);

	return n >= 1 && n <= 32 && utf8proc_get_property(out[0])->combining_class == 0;
}

static void
check_fast_ranges(void)
{
	utf8proc_int32_t cps[0x400];
	int ncps = 0, bad_class = 0, bad_single = 0, bad_pairs = 0;
	utf8proc_uint8_t buf[8];

	for (utf8proc_int32_t c = 0; c <= 0x1EFF; c++)
		if (in_fast_range(c))
			cps[ncps++] = c;
	CHECK_EQ_LL(ncps, 0x400, "1024 code points in the fast ranges");
	for (int i = 0; i < ncps; i++) {
		utf8proc_ssize_t n = utf8proc_encode_char(cps[i], buf);

		if (utf8proc_get_property(cps[i])->combining_class != 0 ||
		    !first_of_nfd_is_starter(cps[i]))
			bad_class++;
		if (!nfc_is_identity(buf, n))
			bad_single++;
	}
	CHECK_EQ_LL(bad_class, 0, "every fast code point and its NFD start with class 0");
	CHECK_EQ_LL(bad_single, 0, "every fast code point is its own NFC");
	for (int i = 0; i < ncps; i++) {
		utf8proc_ssize_t na = utf8proc_encode_char(cps[i], buf);

		for (int j = 0; j < ncps; j++) {
			utf8proc_ssize_t nb = utf8proc_encode_char(cps[j], buf + na);

			if (!nfc_is_identity(buf, na + nb))
				bad_pairs++;
		}
	}
	CHECK_EQ_LL(bad_pairs, 0, "no pair of fast code points composes");
}

/* The fast check accepts exactly the UTF-8 of the fast code points. */
static void
check_fast_decoder(void)
{
	utf8proc_uint8_t buf[8];
	int wrong = 0;

	for (utf8proc_int32_t c = 0; c <= 0x10FFFF; c++) {
		utf8proc_ssize_t n;

		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		n = utf8proc_encode_char(c, buf);
		if (hoso_text_is_nfc_fast((const char *) buf, (size_t) n) != in_fast_range(c))
			wrong++;
	}
	CHECK_EQ_LL(wrong, 0, "fast check: accepts exactly the fast code points");
	CHECK(!hoso_text_is_nfc_fast("\xC0\x80", 2), "fast check: overlong NUL refused");
	CHECK(!hoso_text_is_nfc_fast("\xC3", 1), "fast check: truncated sequence refused");
	CHECK(!hoso_text_is_nfc_fast("\xE1\xBB", 2), "fast check: truncated 3-byte sequence refused");
	CHECK(!hoso_text_is_nfc_fast("\x80", 1), "fast check: lone continuation byte refused");
	CHECK(!hoso_text_is_nfc_fast("\xC3\x28", 2), "fast check: bad continuation byte refused");
	CHECK(hoso_text_is_nfc_fast("", 0), "fast check: empty string");
}

static void
check_nfc(const char *in, const char *expected, const char *what)
{
	struct hoso_buf out = HOSO_BUF_INIT;

	CHECK(hoso_text_nfc(&out, in, strlen(in)), what);
	CHECK_EQ_STR(out.data, expected, what);
	hoso_buf_release(&out);
}

int
main(void)
{
	struct hoso_buf out = HOSO_BUF_INIT;

	check_fast_ranges();
	check_fast_decoder();
	check_nfc("Phường Quang Trung", "Phường Quang Trung", "NFC stays NFC");
	/* NFD: u + horn, o + horn + grave */
	check_nfc("Phu\xCC\x9Bo\xCC\x9B\xCC\x80ng", "Phường", "NFD is composed");
	/* precomposed text followed by one decomposed letter (e + circumflex + dot below) */
	check_nfc("Kon Tum: Sở Tư pha\xCC\x81p, ke\xCC\x82\xCC\xA3", "Kon Tum: Sở Tư pháp, kệ",
		  "mixed NFC and NFD");
	/* a starter of the fast range followed by a combining mark: composed */
	check_nfc("A\xCC\x8A", "\xC3\x85", "A + ring above is composed");
	check_nfc("\xE1\xBA\xA1\xCC\x82", "\xE1\xBA\xAD", "a with dot below + circumflex is composed");
	/* singleton outside the ranges: Kelvin sign to K */
	check_nfc("\xE2\x84\xAA", "K", "Kelvin sign");
	CHECK(!hoso_text_nfc(&out, "\xC3\x28", 2), "invalid UTF-8 refused");
	CHECK_EQ_LL(out.len, 0, "invalid UTF-8 appends nothing");
	hoso_buf_release(&out);
	return unit_summary("text");
}
