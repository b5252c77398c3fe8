/*
 * hoso_bytes.h: finding bytes eight at a time in a 64-bit word.
 *
 * Each test sets the high bit of every byte that matches.  Above the first
 * match a byte may be flagged falsely (a borrow runs upward), so only the
 * lowest flag is to be used: on a little-endian machine the first matching
 * byte in memory is hoso_bytes_first(flags).  Elsewhere HOSO_BYTES_WORDS is 0
 * and callers go byte by byte.
 *
 * With SSE2 (every x86-64) callers first go sixteen bytes at a time with the
 * hoso_bytes16_ functions, which return a bit mask of the matching bytes
 * (bit i for byte i, exact).
 */
#ifndef HOSO_BYTES_H
#define HOSO_BYTES_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOSO_BYTES_WORDS 1
#else
#define HOSO_BYTES_WORDS 0
#endif

#define HOSO_BYTES_1 0x0101010101010101ULL
#define HOSO_BYTES_80 0x8080808080808080ULL

static inline uint64_t
hoso_bytes_load(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* Bytes equal to c. */
static inline uint64_t
hoso_bytes_equal(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (HOSO_BYTES_1 * c);

	return (x - HOSO_BYTES_1) & ~x & HOSO_BYTES_80;
}

/* Bytes below c, for c <= 0x80. */
static inline uint64_t
hoso_bytes_below(uint64_t w, unsigned char c)
{
	return (w - HOSO_BYTES_1 * c) & ~w & HOSO_BYTES_80;
}

/* The index (0..7) of the byte whose flag is the lowest; flags != 0. */
static inline unsigned
hoso_bytes_first(uint64_t flags)
{
	return (unsigned) __builtin_ctzll(flags) >> 3;
}

#ifdef __SSE2__
#include <emmintrin.h>

#define HOSO_BYTES16 1

typedef __m128i hoso_bytes16;

static inline hoso_bytes16
hoso_bytes16_load(const void *p)
{
	return _mm_loadu_si128((const __m128i *) p);
}

static inline hoso_bytes16
hoso_bytes16_equal(hoso_bytes16 v, unsigned char c)
{
	return _mm_cmpeq_epi8(v, _mm_set1_epi8((char) c));
}

/* Bytes below c, for 1 <= c. */
static inline hoso_bytes16
hoso_bytes16_below(hoso_bytes16 v, unsigned char c)
{
	__m128i top = _mm_set1_epi8((char) (c - 1));

	return _mm_cmpeq_epi8(_mm_max_epu8(v, top), top);
}

static inline unsigned
hoso_bytes16_mask(hoso_bytes16 flags)
{
	return (unsigned) _mm_movemask_epi8(flags);
}

/* The mask of bytes >= 0x80. */
static inline unsigned
hoso_bytes16_high_mask(hoso_bytes16 v)
{
	return (unsigned) _mm_movemask_epi8(v);
}
#else
#define HOSO_BYTES16 0
#endif

#endif
