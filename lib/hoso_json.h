/*
 * hoso_json.h: a JSON parser for one line at a time into an arena DOM.
 *
 * The parser does not modify its input.  Strings without escapes point into
 * the input; others are unescaped into the arena.  Everything returned by
 * hoso_json_parse stays valid until the next parse on the same parser (the
 * arena is reset per line, so no per-value free()).  Input is expected to be
 * valid UTF-8 already (hoso_input checks it); \u escapes are decoded to UTF-8,
 * surrogate pairs combined.
 */
#ifndef HOSO_JSON_H
#define HOSO_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"

enum hoso_json_type {
	HOSO_JSON_NULL,
	HOSO_JSON_FALSE,
	HOSO_JSON_TRUE,
	HOSO_JSON_NUMBER,	/* s/len: the literal text, except that a whole number
				   written with a fraction or an exponent (1e1, 10.0) is
				   given in digits (10), as the number it is */
	HOSO_JSON_STRING,	/* s/len: the unescaped bytes (not NUL-terminated) */
	HOSO_JSON_ARRAY,	/* items/len */
	HOSO_JSON_OBJECT	/* members/len, in input order */
};

struct hoso_json_member;

struct hoso_json_value {
	enum hoso_json_type type;
	size_t len;
	union {
		const char *s;
		struct hoso_json_value *items;
		struct hoso_json_member *members;
	} u;
};

struct hoso_json_member {
	const char *key;	/* unescaped, not NUL-terminated */
	size_t keylen;
	struct hoso_json_value value;
};

struct hoso_json_arena_block;

/* Deepest nesting accepted; deeper input is an error, not a stack overflow. */
#define HOSO_JSON_MAX_DEPTH 64

struct hoso_json_parser {
	/* after a failed parse: what went wrong and the 1-based byte column */
	char error[96];
	size_t error_column;
	/* private */
	struct hoso_json_arena_block *blocks;	/* owned list; first = current */
	struct hoso_json_arena_block *spare;	/* owned, reused after reset */
	struct hoso_json_member *stack;		/* owned: children being collected */
	size_t stack_len, stack_cap;
	const char *start, *p, *end;
	int depth;
};

void hoso_json_parser_init(struct hoso_json_parser *jp);
void hoso_json_parser_release(struct hoso_json_parser *jp);

/*
 * Parse exactly one JSON value (with optional surrounding whitespace) from
 * s[0..len).  Returns the root, or NULL with jp->error and jp->error_column
 * set.  Results live until the next call.
 */
const struct hoso_json_value *hoso_json_parse(struct hoso_json_parser *jp, const char *s,
					      size_t len);

/* The member named key in an object (first match), or NULL. */
const struct hoso_json_value *hoso_json_get(const struct hoso_json_value *obj, const char *key);

/* "a string", "an object", ... for messages */
const char *hoso_json_type_name(enum hoso_json_type type);

static inline bool
hoso_json_key_is(const struct hoso_json_member *m, const char *key, size_t keylen)
{
	return m->keylen == keylen && __builtin_memcmp(m->key, key, keylen) == 0;
}

/* What hoso_json_serialize does with an object member, by its key. */
enum hoso_json_member_policy {
	HOSO_JSON_KEEP,		/* the member as it is (its own members decided in turn) */
	HOSO_JSON_MASK,		/* the value replaced by its type and size: "<string, 12 bytes>" */
	HOSO_JSON_DROP,		/* left out */
};

/*
 * Append v to out as compact JSON, each object member (at any depth) kept,
 * masked or dropped as policy(key, keylen) says (policy NULL: all kept).
 */
void hoso_json_serialize(struct hoso_buf *out, const struct hoso_json_value *v,
			 enum hoso_json_member_policy (*policy)(const char *key, size_t keylen));

/* Append s as a JSON string with quotes; bytes >= 0x80 are copied as they are. */
void hoso_json_add_string(struct hoso_buf *out, const char *s, size_t len);

#endif
