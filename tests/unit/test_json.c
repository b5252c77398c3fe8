/*
 * test_json.c: the JSON line parser: strings and escapes, numbers, nesting,
 * errors with their column, and serialisation without personal keys.
 */
#include <stdbool.h>
#include <string.h>

#include "hoso_json.h"
#include "unit.h"

static struct hoso_json_parser jp;

static const struct hoso_json_value *
parse(const char *s)
{
	return hoso_json_parse(&jp, s, strlen(s));
}

/* The string value of a one-string document, NUL-terminated in buf. */
static const char *
string_of(const char *doc, char *buf, size_t cap)
{
	const struct hoso_json_value *v = parse(doc);

	if (!v || v->type != HOSO_JSON_STRING || v->len >= cap)
		return NULL;
	memcpy(buf, v->u.s, v->len);
	buf[v->len] = '\0';
	return buf;
}

static void
expect_error(const char *doc, size_t column, const char *what)
{
	const struct hoso_json_value *v = parse(doc);

	CHECK(v == NULL, doc);
	CHECK_EQ_LL(jp.error_column, column, doc);
	CHECK_EQ_STR(jp.error, what, doc);
}

/* ChuHoSo and Email dropped, "x" and "k" kept, anything else masked */
static enum hoso_json_member_policy
raw_policy(const char *key, size_t len)
{
	if ((len == 7 && memcmp(key, "ChuHoSo", 7) == 0) || (len == 5 && memcmp(key, "Email", 5) == 0))
		return HOSO_JSON_DROP;
	if ((len == 1 && key[0] == 'x') || (len == 1 && key[0] == 'k'))
		return HOSO_JSON_KEEP;
	return HOSO_JSON_MASK;
}

/*
 * The scanner goes 16 and 8 bytes at a time: every special byte is tried
 * at every offset of strings up to 40 bytes long, so that it falls at the
 * start, middle and end of a block and in the byte-by-byte tail.  The
 * expected text is built beside the input, one escape at a time.
 */
static void
check_string_offsets(void)
{
	static const struct {
		const char *json, *text;	/* the escape as written, the bytes it means */
	} escapes[] = {
		{ "\\\"", "\"" }, { "\\\\", "\\" }, { "\\n", "\n" }, { "\\/", "/" },
		{ "\\u00e9", "\xc3\xa9" }, { "\\ud83d\\ude00", "\xf0\x9f\x98\x80" },
		/* bytes that differ from '"', '\\' and control bytes in the high bit only */
		{ "\xa2", "\xa2" }, { "\xdc", "\xdc" }, { "\x81", "\x81" }, { "\x9f", "\x9f" },
		{ "\xe1\xbb\x87", "\xe1\xbb\x87" },
	};
	size_t bad = 0, bad_errors = 0, tried = 0;

	for (size_t len = 0; len <= 40; len++) {
		for (size_t at = 0; at <= len; at++) {
			for (size_t e = 0; e < sizeof(escapes) / sizeof(escapes[0]); e++) {
				struct hoso_buf doc = HOSO_BUF_INIT, want = HOSO_BUF_INIT;
				const struct hoso_json_value *v;

				hoso_buf_addch(&doc, '"');
				for (size_t i = 0; i < len; i++) {
					if (i == at) {
						hoso_buf_addstr(&doc, escapes[e].json);
						hoso_buf_addstr(&want, escapes[e].text);
					}
					hoso_buf_addch(&doc, (char) ('a' + i % 26));
					hoso_buf_addch(&want, (char) ('a' + i % 26));
				}
				if (at == len) {
					hoso_buf_addstr(&doc, escapes[e].json);
					hoso_buf_addstr(&want, escapes[e].text);
				}
				hoso_buf_addch(&doc, '"');
				v = hoso_json_parse(&jp, doc.data, doc.len);
				tried++;
				if (!v || v->type != HOSO_JSON_STRING || v->len != want.len ||
				    memcmp(v->u.s, want.data, want.len) != 0)
					bad++;
				hoso_buf_release(&doc);
				hoso_buf_release(&want);
			}
			/* a control byte, then the string cut short, at the same offset */
			{
				char doc[64];

				memset(doc, 'x', sizeof(doc));
				doc[0] = '"';
				doc[1 + at] = '\x1f';
				doc[len + 2] = '"';
				if (hoso_json_parse(&jp, doc, len + 3) ||
				    strcmp(jp.error, "control character 0x1f in string") != 0 ||
				    jp.error_column != at + 2)
					bad_errors++;
				doc[1 + at] = 'x';
				if (hoso_json_parse(&jp, doc, 1 + at) ||
				    strcmp(jp.error, "unterminated string") != 0 ||
				    jp.error_column != at + 2)
					bad_errors++;
			}
		}
	}
	CHECK(tried > 9000, "string offsets tried");
	CHECK_EQ_LL(bad, 0, "each escape and high byte at each offset of strings up to 40 bytes");
	CHECK_EQ_LL(bad_errors, 0, "a control byte and a cut string at each offset: message and column");
}

/* A string far longer than any block, escapes every 37 bytes, kept whole. */
static void
check_long_string(void)
{
	struct hoso_buf doc = HOSO_BUF_INIT, want = HOSO_BUF_INIT;
	const struct hoso_json_value *v;

	hoso_buf_addch(&doc, '"');
	for (size_t i = 0; i < 200000; i++) {
		if (i % 37 == 36) {
			hoso_buf_addstr(&doc, "\\t");
			hoso_buf_addch(&want, '\t');
		} else {
			hoso_buf_addch(&doc, (char) ('A' + i % 23));
			hoso_buf_addch(&want, (char) ('A' + i % 23));
		}
	}
	hoso_buf_addch(&doc, '"');
	v = hoso_json_parse(&jp, doc.data, doc.len);
	CHECK(v && v->type == HOSO_JSON_STRING && v->len == want.len &&
	      memcmp(v->u.s, want.data, want.len) == 0, "200,000-byte string with escapes");
	/* the same without escapes points into the input */
	for (size_t i = 0; i < doc.len; i++)
		if (doc.data[i] == '\\')
			doc.data[i] = doc.data[i + 1] = 'z';
	v = hoso_json_parse(&jp, doc.data, doc.len);
	CHECK(v && v->type == HOSO_JSON_STRING && v->len == doc.len - 2 && v->u.s == doc.data + 1,
	      "a long plain string is not copied");
	hoso_buf_release(&doc);
	hoso_buf_release(&want);
}

int
main(void)
{
	const struct hoso_json_value *v;
	char buf[256];
	struct hoso_buf out = HOSO_BUF_INIT;

	hoso_json_parser_init(&jp);
	check_string_offsets();
	check_long_string();

	/* strings */
	CHECK_EQ_STR(string_of("\"abc\"", buf, sizeof(buf)), "abc", "plain string");
	CHECK_EQ_STR(string_of("\"a\\\"b\\\\c\\/d\\n\\t\\r\\b\\f\"", buf, sizeof(buf)),
		     "a\"b\\c/d\n\t\r\b\f", "simple escapes");
	CHECK_EQ_STR(string_of("\"\\u0041\\u00e9\\u1ec7\"", buf, sizeof(buf)),
		     "A\xc3\xa9\xe1\xbb\x87", "\\u escapes to UTF-8 (A, e acute, e dot circumflex)");
	CHECK_EQ_STR(string_of("\"\\ud83d\\ude00\"", buf, sizeof(buf)), "\xf0\x9f\x98\x80",
		     "surrogate pair U+1F600");
	CHECK_EQ_STR(string_of("  \"Nguy\xe1\xbb\x85n\"  ", buf, sizeof(buf)), "Nguy\xe1\xbb\x85n",
		     "raw UTF-8 and surrounding blanks");
	CHECK_EQ_STR(string_of("\"\"", buf, sizeof(buf)), "", "empty string");

	/* numbers keep their literal text */
	v = parse("[0,-12,3.25,1e5,-0.5E-3]");
	CHECK(v && v->type == HOSO_JSON_ARRAY && v->len == 5, "array of numbers");
	if (v && v->len == 5) {
		CHECK(v->u.items[1].type == HOSO_JSON_NUMBER && v->u.items[1].len == 3 &&
		      memcmp(v->u.items[1].u.s, "-12", 3) == 0, "number literal -12");
		CHECK(v->u.items[4].len == 7 && memcmp(v->u.items[4].u.s, "-0.5E-3", 7) == 0,
		      "number literal -0.5E-3");
	}

	/* nesting, literals, member order and lookup */
	v = parse("{\"a\":{\"b\":[true,false,null,{}]},\"c\":\"x\",\"a\":2}");
	CHECK(v && v->type == HOSO_JSON_OBJECT && v->len == 3, "object with 3 members");
	if (v) {
		const struct hoso_json_value *a = hoso_json_get(v, "a");
		const struct hoso_json_value *b = hoso_json_get(a, "b");

		CHECK(a && a->type == HOSO_JSON_OBJECT, "first of a repeated key wins");
		CHECK(b && b->type == HOSO_JSON_ARRAY && b->len == 4, "nested array");
		if (b && b->len == 4) {
			CHECK(b->u.items[0].type == HOSO_JSON_TRUE, "true");
			CHECK(b->u.items[1].type == HOSO_JSON_FALSE, "false");
			CHECK(b->u.items[2].type == HOSO_JSON_NULL, "null");
			CHECK(b->u.items[3].type == HOSO_JSON_OBJECT && b->u.items[3].len == 0, "{}");
		}
		CHECK(hoso_json_get(v, "zz") == NULL, "absent key");
	}

	/* errors: what and at which 1-based column */
	expect_error("{\"a\":1,}", 8, "expected a string key in object, found '}'");
	expect_error("{\"a\" 1}", 6, "expected ':' after object key, found '1'");
	expect_error("{\"a\":1 \"b\":2}", 8, "expected ',' or '}' in object, found '\"'");
	expect_error("[1 2]", 4, "expected ',' or ']' in array, found '2'");
	expect_error("{\"a\":\"x", 8, "unterminated string");
	expect_error("\"a\\qb\"", 3, "invalid escape '\\q'");
	expect_error("\"\\u12G4\"", 2, "invalid \\u escape");
	expect_error("\"\\ud83d x\"", 2, "unpaired surrogate in \\u escape");
	expect_error("\"\\ude00\"", 2, "unpaired surrogate in \\u escape");
	expect_error("\"\\u0000\"", 2, "\\u0000 in string");
	expect_error("\"a\tb\"", 3, "control character 0x09 in string");
	expect_error("01", 2, "unexpected '1' after the JSON value");
	expect_error("-", 1, "invalid number");
	expect_error("1.", 1, "invalid number");
	expect_error("tru", 1, "invalid literal (expected true)");
	expect_error("", 1, "unexpected end of line");
	expect_error("{\"a\":", 6, "unexpected end of line");
	expect_error("{} x", 4, "unexpected 'x' after the JSON value");
	{
		char deep[200];

		memset(deep, '[', 65);
		deep[65] = '\0';
		expect_error(deep, 65, "nesting deeper than 64");
	}

	/* a whole number written with a fraction or an exponent reads as its digits */
	v = parse("[1e1, 10.0, 2.5e1, -3E0, 2.5, 1e-1, 1e300, 7]");
	CHECK(v != NULL, "numbers");
	if (v) {
		static const char *const want[] = { "10", "10", "25", "-3", "2.5", "1e-1", "1e300", "7" };

		for (size_t i = 0; i < 8; i++)
			CHECK(v->u.items[i].len == strlen(want[i]) &&
			      memcmp(v->u.items[i].u.s, want[i], v->u.items[i].len) == 0, want[i]);
	}

	/*
	 * re-serialisation: compact, escapes restored, members dropped, kept or
	 * masked (type and size only) at any depth
	 */
	v = parse("{ \"ChuHoSo\" : \"A\", \"x\" : [ {\"Email\":\"e\",\"k\":\"a\\\"\\n\\u0001\","
		  "\"DiaChi\":\"12 Lê Lợi\",\"N\":{\"HoTen\":\"B\"},\"L\":[1,2],\"n\":1e3,\"z\":null} , 1.50 ] }");
	CHECK(v != NULL, "document to serialise");
	if (v) {
		hoso_json_serialize(&out, v, raw_policy);
		CHECK_EQ_STR(out.data, "{\"x\":[{\"k\":\"a\\\"\\n\\u0001\",\"DiaChi\":\"<string, 12 bytes>\","
			     "\"N\":\"<object of 1 members>\",\"L\":\"<array of 2>\",\"n\":\"<number, 4 characters>\","
			     "\"z\":null},1.50]}", "serialised");
	}
	hoso_buf_release(&out);
	hoso_json_parser_release(&jp);
	return unit_summary("test_json");
}
