/*
 * test_log.c: the log's lines as a reader sees them: one JSON object per
 * message with the fixed fields first, detail, hint and event fields after,
 * valid JSON whatever bytes or length the message has; text mode with its
 * detail and hint lines; filtered levels cost nothing.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hoso_json.h"
#include "hoso_log.h"
#include "unit.h"

static FILE *captured;
static char text[1 << 16];
static struct hoso_json_parser jp;

/* What stderr received since the last call, NUL-terminated in text. */
static const char *
take_stderr(void)
{
	size_t n;

	fflush(captured);
	rewind(captured);
	n = fread(text, 1, sizeof(text) - 1, captured);
	text[n] = '\0';
	rewind(captured);
	if (ftruncate(fileno(captured), 0) != 0)
		abort();
	return text;
}

/* The string value of key in obj, NUL-terminated in a static buffer. */
static const char *
string_at(const struct hoso_json_value *obj, const char *key)
{
	static char buf[16384];
	const struct hoso_json_value *v = obj ? hoso_json_get(obj, key) : NULL;

	if (!v || v->type != HOSO_JSON_STRING || v->len >= sizeof(buf))
		return NULL;
	memcpy(buf, v->u.s, v->len);
	buf[v->len] = '\0';
	return buf;
}

static bool
valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 :
			(*s & 0xf8) == 0xf0 ? 4 : 0;

		if (n == 0)
			return false;
		for (int i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += n;
	}
	return true;
}

static int evaluated;

static int
count_evaluation(void)
{
	evaluated++;
	return 0;
}

static void
test_json_line(void)
{
	const struct hoso_json_value *o;
	const char *line;
	static const char *const fixed[] = { "ts", "level", "program", "run_id", "event", "msg" };

	hoso_report(HOSO_LOG_WARNING, hoso_log_event("reject"), hoso_log_str("file", "a\"b.jsonl"),
		    hoso_log_int("line", 7), hoso_log_str("field", NULL),
		    hoso_msg("a.jsonl:7: bad \"date\"\tthere\n"), hoso_detail("more"),
		    hoso_hint("Try this."));
	line = take_stderr();
	CHECK(strchr(line, '\n') == line + strlen(line) - 1, "one line per message");
	o = hoso_json_parse(&jp, line, strlen(line));
	CHECK(o && o->type == HOSO_JSON_OBJECT, "the line is a JSON object");
	if (!o || o->type != HOSO_JSON_OBJECT)
		return;
	CHECK(o->len == 11, "six fixed fields, detail, hint and three event fields");
	for (size_t i = 0; i < 6 && i < o->len; i++)
		CHECK(hoso_json_key_is(&o->u.members[i], fixed[i], strlen(fixed[i])), fixed[i]);
	CHECK_EQ_STR(string_at(o, "level"), "warning", "level");
	CHECK_EQ_STR(string_at(o, "program"), "test_log", "program is the basename");
	CHECK(hoso_json_get(o, "run_id") && hoso_json_get(o, "run_id")->type == HOSO_JSON_NUMBER &&
	      strncmp(hoso_json_get(o, "run_id")->u.s, "42", 2) == 0, "run_id is the number set");
	CHECK_EQ_STR(string_at(o, "event"), "reject", "event");
	CHECK_EQ_STR(string_at(o, "msg"), "a.jsonl:7: bad \"date\"\tthere", "msg unescaped, trailing newline gone");
	CHECK_EQ_STR(string_at(o, "detail"), "more", "detail a field");
	CHECK_EQ_STR(string_at(o, "hint"), "Try this.", "hint a field");
	CHECK_EQ_STR(string_at(o, "file"), "a\"b.jsonl", "string field");
	CHECK(hoso_json_get(o, "line") && hoso_json_get(o, "line")->type == HOSO_JSON_NUMBER,
	      "integer field is a number");
	CHECK(hoso_json_get(o, "field") && hoso_json_get(o, "field")->type == HOSO_JSON_NULL,
	      "NULL string field is null");
	CHECK(strlen(string_at(o, "ts")) == 24 && string_at(o, "ts")[23] == 'Z', "ts in UTC with ms");
}

static void
test_any_bytes(void)
{
	static char big[8000];
	const struct hoso_json_value *o;
	const char *line;

	hoso_error("bad byte \xff in \"%s\"", "x\xc3(y");
	line = take_stderr();
	CHECK(valid_utf8((const unsigned char *) line), "bytes that are not UTF-8 are replaced");
	o = hoso_json_parse(&jp, line, strlen(line));
	CHECK_EQ_STR(string_at(o, "msg"), "bad byte \xef\xbf\xbd in \"x\xef\xbf\xbd(y\"",
		     "each bad byte is U+FFFD");

	/* control characters escape to six bytes each: the longest message still closes */
	memset(big, '\x01', sizeof(big) - 1);
	hoso_report(HOSO_LOG_ERROR, hoso_msg("%s", big), hoso_detail("%s", big), hoso_hint("%s", big),
		    hoso_log_str("raw", big));
	line = take_stderr();
	o = hoso_json_parse(&jp, line, strlen(line));
	CHECK(o && o->type == HOSO_JSON_OBJECT, "a cut message is still one JSON object");
	CHECK(string_at(o, "msg") && string_at(o, "msg")[0] == '\x01', "the cut keeps the start");
	CHECK(string_at(o, "hint") != NULL, "the hint survives a long message");
}

static void
test_text_and_levels(void)
{
	hoso_log_set_format(HOSO_LOG_TEXT);
	hoso_report(HOSO_LOG_ERROR, hoso_msg("unknown format \"x\""), hoso_detail("no schema\neither"),
		    hoso_hint("Give --schema."), hoso_log_int("ignored", 1));
	CHECK_EQ_STR(take_stderr(),
		     "test_log: error: unknown format \"x\"\n"
		     "test_log: detail: no schema either\n"
		     "test_log: hint: Give --schema.\n", "text: one line per part, no fields");
	hoso_info("plain");
	CHECK_EQ_STR(take_stderr(), "test_log: plain\n", "text: info has no level word");

	hoso_report(HOSO_LOG_DEBUG, hoso_msg("hidden"), count_evaluation());
	CHECK_EQ_STR(take_stderr(), "", "debug is filtered by default");
	CHECK_EQ_LL(evaluated, 0, "a filtered message's parts are not evaluated");
	hoso_log_set_level(HOSO_LOG_WARNING);
	CHECK_EQ_STR(getenv("HOSO_LOG_LEVEL"), "warning", "the level is exported to the stages");
	hoso_info("quiet");
	CHECK_EQ_STR(take_stderr(), "", "--quiet drops info");
	hoso_log_set_level(HOSO_LOG_INFO);
}

int
main(void)
{
	/* CHECK reports on stderr too: what is left captured is shown at the end */
	int real_stderr = dup(STDERR_FILENO);

	captured = tmpfile();
	if (real_stderr < 0 || !captured || dup2(fileno(captured), STDERR_FILENO) < 0)
		return 2;
	unsetenv("HOSO_LOG_FORMAT");
	unsetenv("HOSO_LOG_LEVEL");
	unsetenv("HOSO_DEBUG");
	hoso_log_init("/some/dir/test_log");
	hoso_log_set_format(HOSO_LOG_JSON);
	CHECK_EQ_STR(getenv("HOSO_LOG_FORMAT"), "json", "the format is exported to the stages");
	hoso_log_set_run_id(42);
	CHECK_EQ_STR(getenv("HOSO_RUN_ID"), "42", "the run id is exported to the stages");
	hoso_json_parser_init(&jp);
	test_json_line();
	test_any_bytes();
	test_text_and_levels();
	hoso_json_parser_release(&jp);
	take_stderr();
	dup2(real_stderr, STDERR_FILENO);
	fputs(text, stderr);
	return unit_summary("test_log");
}
