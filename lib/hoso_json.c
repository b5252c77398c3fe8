/*
 * hoso_json.c: recursive-descent JSON parser (RFC 8259) into an arena.
 *
 * The arena is a list of blocks: reset keeps the blocks for the next line,
 * so a steady stream of lines allocates nothing after the first few.
 * Children of an array or object are collected on a reusable stack and
 * copied into the arena once their count is known.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_bytes.h"
#include "hoso_json.h"
#include "hoso_log.h"

/* A block holds a typical line's DOM; bigger requests get their own block. */
#define ARENA_BLOCK (64 * 1024)

struct hoso_json_arena_block {
	struct hoso_json_arena_block *next;
	size_t size, used;
	max_align_t data[];
};

void
hoso_json_parser_init(struct hoso_json_parser *jp)
{
	memset(jp, 0, sizeof(*jp));
}

static void
free_blocks(struct hoso_json_arena_block *b)
{
	while (b) {
		struct hoso_json_arena_block *next = b->next;

		free(b);
		b = next;
	}
}

void
hoso_json_parser_release(struct hoso_json_parser *jp)
{
	free_blocks(jp->blocks);
	free_blocks(jp->spare);
	free(jp->stack);
	memset(jp, 0, sizeof(*jp));
}

/* Move every block to the spare list: the memory is reused, not freed. */
static void
arena_reset(struct hoso_json_parser *jp)
{
	while (jp->blocks) {
		struct hoso_json_arena_block *b = jp->blocks;

		jp->blocks = b->next;
		b->used = 0;
		b->next = jp->spare;
		jp->spare = b;
	}
}

static void *
arena_alloc(struct hoso_json_parser *jp, size_t size)
{
	struct hoso_json_arena_block *b = jp->blocks;
	void *p;

	size = (size + 15) & ~(size_t) 15;
	if (!b || b->size - b->used < size) {
		struct hoso_json_arena_block **sp = &jp->spare;

		/* a spare block big enough, else a new one */
		while (*sp && (*sp)->size < size)
			sp = &(*sp)->next;
		if (*sp) {
			b = *sp;
			*sp = b->next;
		} else {
			size_t bsize = size > ARENA_BLOCK ? size : ARENA_BLOCK;

			b = hoso_xmalloc(sizeof(*b) + bsize);
			b->size = bsize;
		}
		b->used = 0;
		b->next = jp->blocks;
		jp->blocks = b;
	}
	p = (char *) b->data + b->used;
	b->used += size;
	return p;
}

static bool
fail(struct hoso_json_parser *jp, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool
fail(struct hoso_json_parser *jp, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(jp->error, sizeof(jp->error), fmt, ap);
	va_end(ap);
	jp->error_column = (size_t) (at - jp->start) + 1;
	return false;
}

static inline void
skip_ws(struct hoso_json_parser *jp)
{
	const char *p = jp->p;

	while (p < jp->end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	jp->p = p;
}

static const char *
describe(struct hoso_json_parser *jp, const char *at, char buf[16])
{
	unsigned char c;

	if (at >= jp->end)
		return "end of line";
	c = (unsigned char) *at;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02x", c);
	return buf;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
read_hex4(struct hoso_json_parser *jp, const char *p, unsigned *out)
{
	unsigned v = 0;

	if (jp->end - p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return false;
		v = v * 16 + (unsigned) h;
	}
	*out = v;
	return true;
}

static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = (char) cp;
	} else if (cp < 0x800) {
		*o++ = (char) (0xc0 | (cp >> 6));
		*o++ = (char) (0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char) (0xe0 | (cp >> 12));
		*o++ = (char) (0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char) (0x80 | (cp & 0x3f));
	} else {
		*o++ = (char) (0xf0 | (cp >> 18));
		*o++ = (char) (0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char) (0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char) (0x80 | (cp & 0x3f));
	}
	return o;
}

/* The first '"', '\\' or control byte (< 0x20) in [p, end), or end. */
static inline const char *
string_run_end(const char *p, const char *end)
{
#if HOSO_BYTES16
	while (end - p >= 16) {
		hoso_bytes16 v = hoso_bytes16_load(p);
		unsigned stops = hoso_bytes16_mask(_mm_or_si128(
			_mm_or_si128(hoso_bytes16_equal(v, '"'), hoso_bytes16_equal(v, '\\')),
			hoso_bytes16_below(v, 0x20)));

		if (stops)
			return p + __builtin_ctz(stops);
		p += 16;
	}
#endif
	while (HOSO_BYTES_WORDS && end - p >= 8) {
		uint64_t w = hoso_bytes_load(p);
		uint64_t stops = hoso_bytes_equal(w, '"') | hoso_bytes_equal(w, '\\') |
			hoso_bytes_below(w, 0x20);

		if (stops)
			return p + hoso_bytes_first(stops);
		p += 8;
	}
	while (p < end && *p != '"' && *p != '\\' && (unsigned char) *p >= 0x20)
		p++;
	return p;
}

/* jp->p is at the opening quote. */
static bool
parse_string(struct hoso_json_parser *jp, const char **out, size_t *outlen)
{
	const char *start = jp->p + 1, *p, *end = jp->end;
	char *buf, *o;

	/* fast path: no escapes, the string stays in the input */
	p = string_run_end(start, end);
	if (p < end && *p == '"') {
		*out = start;
		*outlen = (size_t) (p - start);
		jp->p = p + 1;
		return true;
	}
	if (p >= end)
		return fail(jp, p, "unterminated string");
	if (*p != '\\')
		return fail(jp, p, "control character 0x%02x in string", (unsigned char) *p);
	/*
	 * Size the copy by the string's own extent, not the rest of the line;
	 * escapes never lengthen the text (\uXXXX is 6 bytes for <= 3 of UTF-8).
	 */
	{
		const char *q = p;

		while (q < end && *q != '"')
			q += *q == '\\' ? 2 : 1;
		buf = arena_alloc(jp, (size_t) ((q < end ? q : end) - start) + 1);
	}
	memcpy(buf, start, (size_t) (p - start));
	o = buf + (p - start);
	while (p < end) {
		const char *run_end = string_run_end(p, end);
		unsigned char c;

		memcpy(o, p, (size_t) (run_end - p));
		o += run_end - p;
		p = run_end;
		if (p >= end)
			break;
		c = (unsigned char) *p;
		if (c == '"') {
			*out = buf;
			*outlen = (size_t) (o - buf);
			jp->p = p + 1;
			return true;
		}
		if (c < 0x20)
			return fail(jp, p, "control character 0x%02x in string", c);
		/* c is a backslash */
		if (p + 1 >= end)
			return fail(jp, p, "unterminated string");
		switch (p[1]) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (!read_hex4(jp, p + 2, &cp))
				return fail(jp, p, "invalid \\u escape");
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(jp, p, "unpaired surrogate in \\u escape");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
				    !read_hex4(jp, p + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
					return fail(jp, p, "unpaired surrogate in \\u escape");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
			if (cp == 0)
				return fail(jp, p, "\\u0000 in string");
			o = put_utf8(o, cp);
			p += 4;
			break;
		}
		default:
			return fail(jp, p, "invalid escape '\\%c'",
				    p[1] >= 0x20 && p[1] < 0x7f ? p[1] : '?');
		}
		p += 2;
	}
	return fail(jp, p, "unterminated string");
}

/* Whole numbers up to this are exact in a double and in any code or amount. */
#define WHOLE_NUMBER_MAX 1e15

/*
 * A number written with a fraction or an exponent whose value is whole
 * (1e1, 10.0, 2.5e1): its digits instead, so that where an integer is meant
 * it reads as the number it is.  Others stay as written.
 */
static void
whole_number_digits(struct hoso_json_parser *jp, struct hoso_json_value *v)
{
	char text[64], digits[32], *endp;
	double d;
	int n;

	if (v->len >= sizeof(text))
		return;
	memcpy(text, v->u.s, v->len);
	text[v->len] = '\0';
	d = strtod(text, &endp);
	if (*endp || d != floor(d) || fabs(d) > WHOLE_NUMBER_MAX)
		return;
	n = snprintf(digits, sizeof(digits), "%.0f", d == 0 ? 0.0 : d);
	if (n <= 0 || (size_t) n >= sizeof(digits))
		return;
	v->u.s = memcpy(arena_alloc(jp, (size_t) n + 1), digits, (size_t) n + 1);
	v->len = (size_t) n;
}

static bool
parse_number(struct hoso_json_parser *jp, struct hoso_json_value *v)
{
	const char *start = jp->p, *p = start, *end = jp->end;
	bool written_fancy = false;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0') {
		p++;
	} else if (p < end && *p >= '1' && *p <= '9') {
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	} else {
		return fail(jp, start, "invalid number");
	}
	if (p < end && *p == '.') {
		p++;
		written_fancy = true;
		if (p >= end || *p < '0' || *p > '9')
			return fail(jp, start, "invalid number");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		written_fancy = true;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			return fail(jp, start, "invalid number");
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	v->type = HOSO_JSON_NUMBER;
	v->u.s = start;
	v->len = (size_t) (p - start);
	jp->p = p;
	if (written_fancy)
		whole_number_digits(jp, v);
	return true;
}

/* A new slot on the stack for the next item; its index (the stack may move). */
static size_t
push(struct hoso_json_parser *jp)
{
	if (jp->stack_len == jp->stack_cap) {
		jp->stack_cap = jp->stack_cap ? 2 * jp->stack_cap : 256;
		jp->stack = hoso_xrealloc(jp->stack, jp->stack_cap * sizeof(*jp->stack));
	}
	return jp->stack_len++;
}

static bool parse_value(struct hoso_json_parser *jp, struct hoso_json_value *v);

/*
 * An item's value straight into its stack slot.  Only a container pushes
 * more (moving the stack), so only it is parsed aside and copied in; a
 * scalar written in place also spares the copy, whose wide loads of
 * narrow stores just made stall.
 */
static bool
parse_item_value(struct hoso_json_parser *jp, size_t slot)
{
	struct hoso_json_value v;

	if (jp->p < jp->end && (*jp->p == '{' || *jp->p == '[')) {
		if (!parse_value(jp, &v))
			return false;
		jp->stack[slot].value = v;
		return true;
	}
	return parse_value(jp, &jp->stack[slot].value);
}

/* An object member's key and the ':' after it, leaving jp->p at the value. */
static bool
parse_key(struct hoso_json_parser *jp, struct hoso_json_member *m)
{
	char what[16];

	if (jp->p >= jp->end || *jp->p != '"')
		return fail(jp, jp->p, "expected a string key in object, found %s",
			    describe(jp, jp->p, what));
	if (!parse_string(jp, &m->key, &m->keylen))
		return false;
	skip_ws(jp);
	if (jp->p >= jp->end || *jp->p != ':')
		return fail(jp, jp->p, "expected ':' after object key, found %s",
			    describe(jp, jp->p, what));
	jp->p++;
	skip_ws(jp);
	return true;
}

/*
 * An array or an object: its items (an object's with their keys) go on the stack until
 * the closing bracket, then move into the arena in one piece.
 */
static bool
parse_container(struct hoso_json_parser *jp, struct hoso_json_value *v)
{
	bool object = *jp->p == '{';
	char close = object ? '}' : ']';
	size_t mark = jp->stack_len;
	char what[16];

	jp->p++;
	skip_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
	} else {
		for (;;) {
			size_t slot = push(jp);

			if (object && !parse_key(jp, &jp->stack[slot]))
				return false;
			if (!parse_item_value(jp, slot))
				return false;
			skip_ws(jp);
			if (jp->p < jp->end && *jp->p == ',') {
				jp->p++;
				skip_ws(jp);
				continue;
			}
			if (jp->p < jp->end && *jp->p == close) {
				jp->p++;
				break;
			}
			return fail(jp, jp->p, "expected ',' or '%c' in %s, found %s", close,
				    object ? "object" : "array", describe(jp, jp->p, what));
		}
	}
	v->type = object ? HOSO_JSON_OBJECT : HOSO_JSON_ARRAY;
	v->len = jp->stack_len - mark;
	if (object) {
		v->u.members = arena_alloc(jp, v->len * sizeof(*v->u.members));
		/* "{}" before any member was pushed: the stack may still be NULL */
		if (v->len)
			memcpy(v->u.members, jp->stack + mark, v->len * sizeof(*v->u.members));
	} else {
		v->u.items = arena_alloc(jp, v->len * sizeof(*v->u.items));
		for (size_t i = 0; i < v->len; i++)
			v->u.items[i] = jp->stack[mark + i].value;
	}
	jp->stack_len = mark;
	return true;
}

static bool
parse_literal(struct hoso_json_parser *jp, const char *word, enum hoso_json_type type,
	      struct hoso_json_value *v)
{
	size_t n = strlen(word);

	if ((size_t) (jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
		return fail(jp, jp->p, "invalid literal (expected %s)", word);
	jp->p += n;
	v->type = type;
	v->len = 0;
	v->u.s = NULL;
	return true;
}

static bool
parse_value(struct hoso_json_parser *jp, struct hoso_json_value *v)
{
	char what[16];
	bool ok;

	if (jp->p >= jp->end)
		return fail(jp, jp->p, "unexpected end of line");
	switch (*jp->p) {
	case '"':
		v->type = HOSO_JSON_STRING;
		return parse_string(jp, &v->u.s, &v->len);
	case '{':
	case '[':
		if (++jp->depth > HOSO_JSON_MAX_DEPTH)
			return fail(jp, jp->p, "nesting deeper than %d", HOSO_JSON_MAX_DEPTH);
		ok = parse_container(jp, v);
		jp->depth--;
		return ok;
	case 't':
		return parse_literal(jp, "true", HOSO_JSON_TRUE, v);
	case 'f':
		return parse_literal(jp, "false", HOSO_JSON_FALSE, v);
	case 'n':
		return parse_literal(jp, "null", HOSO_JSON_NULL, v);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return parse_number(jp, v);
	default:
		return fail(jp, jp->p, "unexpected %s", describe(jp, jp->p, what));
	}
}

const struct hoso_json_value *
hoso_json_parse(struct hoso_json_parser *jp, const char *s, size_t len)
{
	struct hoso_json_value *root;
	char what[16];

	arena_reset(jp);
	jp->stack_len = 0;
	jp->depth = 0;
	jp->error[0] = '\0';
	jp->error_column = 0;
	jp->start = jp->p = s;
	jp->end = s + len;
	root = arena_alloc(jp, sizeof(*root));
	skip_ws(jp);
	if (!parse_value(jp, root))
		return NULL;
	skip_ws(jp);
	if (jp->p != jp->end) {
		fail(jp, jp->p, "unexpected %s after the JSON value", describe(jp, jp->p, what));
		return NULL;
	}
	return root;
}

const struct hoso_json_value *
hoso_json_get(const struct hoso_json_value *obj, const char *key)
{
	size_t n = strlen(key);

	if (!obj || obj->type != HOSO_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->len; i++)
		if (hoso_json_key_is(&obj->u.members[i], key, n))
			return &obj->u.members[i].value;
	return NULL;
}

const char *
hoso_json_type_name(enum hoso_json_type type)
{
	switch (type) {
	case HOSO_JSON_NULL: return "null";
	case HOSO_JSON_FALSE:
	case HOSO_JSON_TRUE: return "a boolean";
	case HOSO_JSON_NUMBER: return "a number";
	case HOSO_JSON_STRING: return "a string";
	case HOSO_JSON_ARRAY: return "an array";
	case HOSO_JSON_OBJECT: return "an object";
	}
	return "?";
}

void
hoso_json_add_string(struct hoso_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	hoso_buf_grow(out, len + 2);
	hoso_buf_addch(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char) s[i];
		char esc[6];
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		hoso_buf_add(out, run, (size_t) (s + i - run));
		run = s + i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
			break;
		}
		hoso_buf_add(out, esc, elen);
	}
	hoso_buf_add(out, run, (size_t) (s + len - run));
	hoso_buf_addch(out, '"');
}

/* A value's type and size, without the value: what a masked member shows. */
static void
serialize_mask(struct hoso_buf *out, const struct hoso_json_value *v)
{
	switch (v->type) {
	case HOSO_JSON_STRING: hoso_buf_addf(out, "\"<string, %zu bytes>\"", v->len); break;
	case HOSO_JSON_NUMBER: hoso_buf_addf(out, "\"<number, %zu characters>\"", v->len); break;
	case HOSO_JSON_ARRAY: hoso_buf_addf(out, "\"<array of %zu>\"", v->len); break;
	case HOSO_JSON_OBJECT: hoso_buf_addf(out, "\"<object of %zu members>\"", v->len); break;
	default: hoso_json_serialize(out, v, NULL); break;	/* null, true, false */
	}
}

void
hoso_json_serialize(struct hoso_buf *out, const struct hoso_json_value *v,
		    enum hoso_json_member_policy (*policy)(const char *key, size_t keylen))
{
	bool first = true;

	switch (v->type) {
	case HOSO_JSON_NULL: hoso_buf_add(out, "null", 4); break;
	case HOSO_JSON_FALSE: hoso_buf_add(out, "false", 5); break;
	case HOSO_JSON_TRUE: hoso_buf_add(out, "true", 4); break;
	case HOSO_JSON_NUMBER: hoso_buf_add(out, v->u.s, v->len); break;
	case HOSO_JSON_STRING: hoso_json_add_string(out, v->u.s, v->len); break;
	case HOSO_JSON_ARRAY:
		hoso_buf_addch(out, '[');
		for (size_t i = 0; i < v->len; i++) {
			if (i)
				hoso_buf_addch(out, ',');
			hoso_json_serialize(out, &v->u.items[i], policy);
		}
		hoso_buf_addch(out, ']');
		break;
	case HOSO_JSON_OBJECT:
		hoso_buf_addch(out, '{');
		for (size_t i = 0; i < v->len; i++) {
			const struct hoso_json_member *m = &v->u.members[i];
			enum hoso_json_member_policy what = policy ? policy(m->key, m->keylen)
				: HOSO_JSON_KEEP;

			if (what == HOSO_JSON_DROP)
				continue;
			if (!first)
				hoso_buf_addch(out, ',');
			first = false;
			hoso_json_add_string(out, m->key, m->keylen);
			hoso_buf_addch(out, ':');
			if (what == HOSO_JSON_MASK)
				serialize_mask(out, &m->value);
			else
				hoso_json_serialize(out, &m->value, policy);
		}
		hoso_buf_addch(out, '}');
		break;
	}
}
