/*
 * hoso_text.h: Unicode text normalisation (utf8proc).
 *
 * Vietnamese text arrives both composed (NFC) and decomposed (NFD); the
 * warehouse stores NFC, and names are matched after folding.
 */
#ifndef HOSO_TEXT_H
#define HOSO_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"


/*
 * True if s is valid UTF-8 whose code points all lie in ranges where every
 * string is already NFC (U+0000..U+02FF, U+1E00..U+1EFF).  False says
 * nothing: the string may still be NFC.
 */
bool hoso_text_is_nfc_fast(const char *s, size_t len);

/*
 * Append the NFC form of s to out.  Returns false (appending nothing) if s
 * is not valid UTF-8.
 */
bool hoso_text_nfc(struct hoso_buf *out, const char *s, size_t len);

/*
 * Append the matching key of a name to out: NFC, case-folded, leading and
 * trailing white space removed, inner runs of white space collapsed to one
 * space.  "  Phường  QUANG Trung " and "phường quang trung" (in NFD) give
 * the same key.
 */
bool hoso_text_fold(struct hoso_buf *out, const char *s, size_t len);

/* 64-bit FNV-1a hash, for hash tables and duplicate detection. */
unsigned long long hoso_hash64(const void *data, size_t len, unsigned long long seed);

#endif
