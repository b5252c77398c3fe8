/*
 * hoso_text.c: NFC and name folding through utf8proc, which implements
 * Unicode normalisation from the Unicode data tables; writing that by hand
 * would mean shipping those tables ourselves.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "hoso_text.h"

static bool
map_append(struct hoso_buf *out, const char *s, size_t len, utf8proc_option_t opts)
{
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t n;

	n = utf8proc_map((const utf8proc_uint8_t *) s, (utf8proc_ssize_t) len, &mapped,
			 opts | UTF8PROC_STABLE);
	if (n < 0)
		return false;
	hoso_buf_add(out, mapped, (size_t) n);
	free(mapped);
	return true;
}

/*
 * True if s is valid UTF-8 made only of code points in U+0000..U+02FF and
 * U+1E00..U+1EFF.  Each of those has combining class 0 and is its own NFC,
 * and no two of them compose, so such a string is already NFC
 * (tests/unit/test_text.c checks this against utf8proc for every code
 * point and every pair).  That covers Vietnamese in precomposed form, which
 * is most of the text, and spares utf8proc's decompose-and-recompose.
 */
bool
hoso_text_is_nfc_fast(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;

	while (p < end) {
		if (p[0] < 0x80) {
			p++;
		} else if (p[0] >= 0xC2 && p[0] <= 0xCB) {
			/* U+0080..U+02FF */
			if (end - p < 2 || (p[1] & 0xC0) != 0x80)
				return false;
			p += 2;
		} else if (p[0] == 0xE1) {
			/* U+1E00..U+1EFF: E1 B8..BB xx */
			if (end - p < 3 || p[1] < 0xB8 || p[1] > 0xBB || (p[2] & 0xC0) != 0x80)
				return false;
			p += 3;
		} else {
			return false;
		}
	}
	return true;
}

bool
hoso_text_nfc(struct hoso_buf *out, const char *s, size_t len)
{
	if (hoso_text_is_nfc_fast(s, len)) {
		hoso_buf_add(out, s, len);
		return true;
	}
	return map_append(out, s, len, UTF8PROC_COMPOSE);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool
hoso_text_fold(struct hoso_buf *out, const char *s, size_t len)
{
	struct hoso_buf folded = HOSO_BUF_INIT;
	bool ok = map_append(&folded, s, len, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
	bool pending_space = false;
	bool any = false;

	if (!ok) {
		hoso_buf_release(&folded);
		return false;
	}
	for (size_t i = 0; i < folded.len; i++) {
		char c = folded.data[i];

		if (is_space(c)) {
			pending_space = any;
			continue;
		}
		if (pending_space)
			hoso_buf_addch(out, ' ');
		pending_space = false;
		any = true;
		hoso_buf_addch(out, c);
	}
	if (!any)
		hoso_buf_add(out, "", 0);
	hoso_buf_release(&folded);
	return true;
}

unsigned long long
hoso_hash64(const void *data, size_t len, unsigned long long seed)
{
	const unsigned char *p = data;
	unsigned long long h = 1469598103934665603ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}
