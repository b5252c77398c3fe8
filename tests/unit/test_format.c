/*
 * test_format.c: what the runner hands a source format (lib/hoso_format):
 * the portal's JSON Lines need neither a source schema nor a landing day
 * (each line carries its _at); any other name is a CSV source schema,
 * which needs its schema file and the file's landing day (a CSV row's _at
 * is the end of that day, docs/input.md §3).
 */
#include "hoso_format.h"
#include "unit.h"

int
main(void)
{
	const struct hoso_format *f = hoso_format_find("dvcqg-jsonl");

	CHECK_EQ_STR(f->name, "dvcqg-jsonl", "dvcqg-jsonl is built in");
	CHECK(!f->needs_schema, "dvcqg-jsonl: no source schema");
	CHECK(!f->needs_landing_day, "dvcqg-jsonl: no landing day (_at is in each line)");
	f = hoso_format_find("one-stop-csv");
	CHECK(f->name == NULL, "one-stop-csv is not built in");
	CHECK(f->needs_schema, "a CSV source: its source schema");
	CHECK(f->needs_landing_day, "a CSV source: its landing day");
	CHECK(hoso_format_find("dvcqg-json")->needs_schema, "a near miss is not the built-in format");
	CHECK_EQ_STR(hoso_format_builtin_names(), "dvcqg-jsonl", "the names for messages");
	return unit_summary("test_format");
}
