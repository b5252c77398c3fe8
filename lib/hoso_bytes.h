/*
 * hoso_bytes.h: finding bytes eight at a time in a 64-bit word.
 *
 * Each test sets the high bit of every byte that matches.  Above the first
 * match a byte may be flagged falsely (a borrow runs upward), so only the
 * lowest flag is to be used: on a little-endian machine the first matching
 * byte in memory is hoso_bytes_first(flags).  Elsewhere HOSO_BYTES_WORDS is 0
 * and callers go byte by byte.
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

/* Bytes >= 0x80. */
static inline uint64_t
hoso_bytes_high(uint64_t w)
{
	return w & HOSO_BYTES_80;
}

/* The index (0..7) of the byte whose flag is the lowest; flags != 0. */
static inline unsigned
hoso_bytes_first(uint64_t flags)
{
	return (unsigned) __builtin_ctzll(flags) >> 3;
}

#endif
