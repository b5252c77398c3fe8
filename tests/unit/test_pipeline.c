/*
 * test_pipeline.c: pipeline files (docs/design.md §5): every kind of error
 * with its exact FILE:LINE:COLUMN message, the defaults, a pipeline with
 * every key, and the expansion of {date:FMT} globs over a directory tree.
 * Run from the repository root: it reads tests/unit/fixtures/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso_paths.h"
#include "hoso_pipeline.h"
#include "unit.h"

#define MIN "source:\n  paths: [a]\n  format: dvcqg-jsonl\n"

/* The error of loading text as t.yaml, or "" when it loads. */
static const char *
load_error(const char *text)
{
	static char msg[2048];
	struct hoso_pipeline p;
	struct hoso_buf err = HOSO_BUF_INIT;

	msg[0] = '\0';
	if (!hoso_pipeline_load_buffer("t.yaml", text, strlen(text), &p, &err))
		snprintf(msg, sizeof(msg), "%s", err.data ? err.data : "(failed without a message)");
	else
		hoso_pipeline_release(&p);
	hoso_buf_release(&err);
	return msg;
}

static bool
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void
test_errors(void)
{
	char text[512], name64[80];
	const char *msg;

	CHECK_EQ_STR(load_error(MIN), "", "the minimal pipeline loads");
	CHECK_EQ_STR(load_error(MIN "sorce: x\n"),
		     "t.yaml:4:1: unknown key \"sorce\" (allowed: name, source, more_sources, prefer, "
		     "reference, profile, province, rejects, attention, dates, personal_data, max_line_bytes, staging, transform_memory_mib, target, "
		     "metrics_file)",
		     "unknown top-level key");
	CHECK_EQ_STR(load_error(MIN "rejects:\n  max_rate: 0.5\n"),
		     "t.yaml:5:3: unknown key \"max_rate\" in rejects (allowed: max_ratio, max_count, file)",
		     "unknown nested key");
	CHECK_EQ_STR(load_error(MIN "more_sources:\n  - paths: [b]\n    format: x\n    formats: y\n"),
		     "t.yaml:7:5: unknown key \"formats\" in more_sources[0] (allowed: paths, format, schema_dir)",
		     "unknown key in a list item");
	CHECK_EQ_STR(load_error(MIN "rejects:\n  max_ratio: lots\n"),
		     "t.yaml:5:14: rejects.max_ratio: expected a number between 0 and 1, found \"lots\"",
		     "ratio: not a number");
	CHECK_EQ_STR(load_error(MIN "rejects:\n  max_ratio: 1.5\n"),
		     "t.yaml:5:14: rejects.max_ratio: expected a number between 0 and 1, found \"1.5\"",
		     "ratio: out of range");
	CHECK_EQ_STR(load_error(MIN "rejects:\n  max_ratio: [1]\n"),
		     "t.yaml:5:14: rejects.max_ratio: expected a number between 0 and 1, found a list",
		     "ratio: a list");
	CHECK_EQ_STR(load_error(MIN "rejects:\n  max_count: -5\n"),
		     "t.yaml:5:14: rejects.max_count: expected a whole number from 0 to "
		     "9223372036854775807, found \"-5\"", "count: negative");
	CHECK_EQ_STR(load_error(MIN "max_line_bytes: 0\n"),
		     "t.yaml:4:17: max_line_bytes: expected a whole number from 1 to 1073741824, found \"0\"",
		     "max_line_bytes: zero");
	CHECK_EQ_STR(load_error(MIN "max_line_bytes: 1.5\n"),
		     "t.yaml:4:17: max_line_bytes: expected a whole number from 1 to 1073741824, found \"1.5\"",
		     "max_line_bytes: not whole");
	CHECK_EQ_STR(load_error(MIN "personal_data: keep\n"),
		     "t.yaml:4:16: personal_data: expected drop or hash, found \"keep\"",
		     "personal_data: not drop or hash");
	CHECK_EQ_STR(load_error("name: ~\n" MIN), "t.yaml:1:7: name: expected a string, found nothing",
		     "null where a string is required");
	CHECK_EQ_STR(load_error(MIN "staging: \"\"\n"),
		     "t.yaml:4:10: staging: expected a non-empty string, found \"\"", "empty string");
	CHECK_EQ_STR(load_error("source: x\n"),
		     "t.yaml:1:9: source: expected a mapping, found \"x\"", "source: not a mapping");
	CHECK_EQ_STR(load_error(MIN "more_sources: {}\n"),
		     "t.yaml:4:15: more_sources: expected a list of sources, found a mapping",
		     "more_sources: not a list");
	CHECK_EQ_STR(load_error(MIN "name: a\nname: b\n"),
		     "t.yaml:5:1: duplicate key \"name\" (first at line 4)", "duplicate key");
	CHECK_EQ_STR(load_error(MIN "target:\n  schema: a\n  schema: b\n"),
		     "t.yaml:6:3: duplicate key \"target.schema\" (first at line 5)", "duplicate nested key");

	CHECK_EQ_STR(load_error(MIN "target:\n  schema: Hoso\n"),
		     "t.yaml:5:11: target.schema: expected an identifier ([a-z_][a-z0-9_]*, at most 63 "
		     "characters), found \"Hoso\"", "schema: upper case");
	memset(name64, 'a', 64);
	name64[64] = '\0';
	snprintf(text, sizeof(text), MIN "target:\n  schema: %s\n", name64);
	CHECK(starts_with(load_error(text), "t.yaml:5:11: target.schema: expected an identifier"),
	      "schema: 64 characters");
	name64[63] = '\0';
	snprintf(text, sizeof(text), MIN "target:\n  schema: %s\n", name64);
	CHECK(starts_with(load_error(text), "t.yaml:5:11: target.schema: \"aaa"),
	      "schema: 63 characters is an identifier, but not hoso");
	/* another schema would be accepted and then ignored: hoso's SQL names its schema */
	CHECK_EQ_STR(load_error(MIN "target:\n  schema: _x1\n"),
		     "t.yaml:5:11: target.schema: \"_x1\" is not supported: the warehouse's tables "
		     "and functions live in the schema hoso; remove the key or write hoso",
		     "schema: only hoso");
	CHECK_EQ_STR(load_error(MIN "target:\n  schema: hoso\n"), "", "schema: hoso");
	CHECK(starts_with(load_error(MIN "target:\n  schema: 1x\n"), "t.yaml:5:11: target.schema:"),
	      "schema: starts with a digit");

	msg = load_error(MIN "target:\n  conninfo: \"host=db password=s3cret\"\n");
	CHECK_EQ_STR(msg, "t.yaml:5:13: target.conninfo: a password in the connection string is "
		     "refused; use PGPASSWORD or ~/.pgpass", "conninfo with a password");
	CHECK(!strstr(msg, "s3cret"), "the password is not echoed");
	msg = load_error(MIN "target:\n  conninfo: postgresql://u:s3cret@db/hoso\n");
	CHECK(starts_with(msg, "t.yaml:5:13: target.conninfo: a password in the connection string"),
	      "URI with a password");
	CHECK(!strstr(msg, "s3cret"), "the URI password is not echoed");
	CHECK(starts_with(load_error(MIN "target:\n  conninfo: \"dbname=hoso password=\"\n"),
			  "t.yaml:5:13: target.conninfo: a password"), "an empty password is refused too");
	msg = load_error(MIN "target:\n  conninfo: \"host=db pasword s3cret\"\n");
	CHECK_EQ_STR(msg, "t.yaml:5:13: target.conninfo: not a valid libpq connection string",
		     "unparsable conninfo");
	CHECK(!strstr(msg, "s3cret"), "an unparsable conninfo is not echoed");
	CHECK_EQ_STR(load_error(MIN "target:\n  conninfo: \"host=db dbname=hoso user=loader\"\n"), "",
		     "conninfo without a password");

	CHECK_EQ_STR(load_error("source:\n  paths: [a]\n  format: CSV Export\n"),
		     "t.yaml:3:11: source.format: expected dvcqg-jsonl or the name of a CSV source "
		     "schema ([a-z0-9_-]+), found \"CSV Export\"", "bad format");
	CHECK_EQ_STR(load_error("source:\n  paths: [a]\n  format: kontum-csv_2\n"), "",
		     "a CSV schema name");
	CHECK_EQ_STR(load_error("source:\n  format: dvcqg-jsonl\n"),
		     "t.yaml:2:3: missing required key \"source.paths\"", "missing source.paths");
	CHECK_EQ_STR(load_error("source:\n  paths: [a]\n"),
		     "t.yaml:2:3: missing required key \"source.format\"", "missing source.format");
	CHECK_EQ_STR(load_error("name: x\n"), "t.yaml:1:1: missing required key \"source\"",
		     "missing source");
	CHECK_EQ_STR(load_error(MIN "more_sources:\n  - paths: [b]\n"),
		     "t.yaml:5:5: missing required key \"more_sources[0].format\"",
		     "missing format in more_sources");
	CHECK_EQ_STR(load_error("source:\n  paths: landing/*.gz\n  format: dvcqg-jsonl\n"),
		     "t.yaml:2:10: source.paths: expected a list of paths, found \"landing/*.gz\"",
		     "paths: a string");
	CHECK_EQ_STR(load_error("source:\n  paths: []\n  format: dvcqg-jsonl\n"),
		     "t.yaml:2:10: source.paths: expected at least one path, found none", "paths: empty");
	CHECK_EQ_STR(load_error("source:\n  paths: [a, {b: c}]\n  format: dvcqg-jsonl\n"),
		     "t.yaml:2:14: source.paths[1]: expected a path, found a mapping", "paths: a mapping item");
	CHECK_EQ_STR(load_error("source:\n  paths: [\"x/{date:%Y/*.gz\"]\n  format: dvcqg-jsonl\n"),
		     "t.yaml:2:11: source.paths[0]: \"{date:\" at byte 3 needs a strftime format and a "
		     "closing \"}\"", "unclosed {date:");
	CHECK_EQ_STR(load_error(MIN "prefer: kontum-csv\n"),
		     "t.yaml:4:9: prefer: \"kontum-csv\" is not the format of any source",
		     "prefer names no source");
	CHECK_EQ_STR(load_error(MIN "more_sources:\n  - paths: [b]\n    format: kontum-csv\n"
				"prefer: kontum-csv\n"), "", "prefer names a source");

	CHECK_EQ_STR(load_error(""), "t.yaml:1:1: the pipeline is empty; it needs at least the key \"source\"",
		     "empty file");
	CHECK_EQ_STR(load_error("# only a comment\n"),
		     "t.yaml:1:1: the pipeline is empty; it needs at least the key \"source\"",
		     "comment only");
	CHECK_EQ_STR(load_error("- a\n- b\n"),
		     "t.yaml:1:1: expected a mapping of pipeline keys, found a list", "a list at the top");
	CHECK_EQ_STR(load_error(MIN "---\nname: x\n"),
		     "t.yaml:5:1: a second YAML document; a pipeline file holds one", "two documents");
	CHECK_EQ_STR(load_error("[a]: b\n"), "t.yaml:1:1: expected a key name, found a list",
		     "a list as a key");

	/* libyaml's own problems, with its mark */
	CHECK_EQ_STR(load_error("source:\n\tpaths: [a]\n"),
		     "t.yaml:2:1: found character that cannot start any token (while scanning for the "
		     "next token at line 2, column 1)", "a tab in the indentation");
	msg = load_error("source:\n  paths: [a]\n   format: x\n");
	CHECK(starts_with(msg, "t.yaml:3:"), "bad indentation: on line 3");
	msg = load_error("source: {paths: [a]\n");
	CHECK(starts_with(msg, "t.yaml:2:"), "unclosed flow mapping: at the end");
	msg = load_error("name: \xff\n" MIN);
	CHECK(starts_with(msg, "t.yaml:1:7: ") && strstr(msg, "UTF-8"),
	      "invalid UTF-8: at the byte");

	/* a long bad value is quoted in part */
	memset(text, 'x', 200);
	text[200] = '\0';
	{
		char doc[1024], want[1024];

		snprintf(doc, sizeof(doc), MIN "personal_data: %s\n", text);
		text[80] = '\0';
		snprintf(want, sizeof(want), "t.yaml:4:16: personal_data: expected drop or hash, found \"%s\"...",
			 text);
		CHECK_EQ_STR(load_error(doc), want, "long value cut at 80 bytes");
	}
}

/* rel under the fixtures' directory: where a fixture pipeline's relative paths resolve */
static const char *
fixture_path(const char *rel)
{
	static char out[4][4096];
	static int next;
	char *o = out[next++ % 4], *dir = realpath("tests/unit/fixtures", NULL);

	snprintf(o, 4096, "%s/%s", dir ? dir : "?", rel);
	free(dir);
	return o;
}

static void
test_full(void)
{
	struct hoso_pipeline p;
	struct hoso_buf err = HOSO_BUF_INIT;

	if (!hoso_pipeline_load("tests/unit/fixtures/pipeline-full.yaml", &p, &err)) {
		fprintf(stderr, "%s\n", err.data);
		CHECK(false, "pipeline-full.yaml loads");
		hoso_buf_release(&err);
		return;
	}
	CHECK_EQ_STR(p.name, "nightly-full", "name");
	CHECK_EQ_LL(p.source.npaths, 2, "source: two paths");
	CHECK_EQ_STR(p.source.paths[0], fixture_path("landing/{date:%Y/%m/%d}/*.jsonl.gz"), "source path 1");
	CHECK_EQ_STR(p.source.paths[1], fixture_path("landing/extra/*.jsonl"), "source path 2 (relative: under the file's directory)");
	CHECK_EQ_STR(p.source.format, "dvcqg-jsonl", "source format");
	CHECK_EQ_STR(p.source.schema_dir, fixture_path("schemas/sources"), "source schema_dir");
	CHECK_EQ_LL(p.nmore_sources, 2, "two more sources");
	CHECK_EQ_STR(p.more_sources[0].paths[0], fixture_path("exports/{date:%Y%m%d}/*.csv"), "more source 1 path");
	CHECK_EQ_STR(p.more_sources[0].format, "kontum-csv", "more source 1 format");
	CHECK_EQ_STR(p.more_sources[0].schema_dir, fixture_path("schemas/sources"), "more source 1 schema_dir");
	CHECK_EQ_STR(p.more_sources[1].paths[0], fixture_path("exports/late/*.csv.gz"), "more source 2 path");
	CHECK_EQ_STR(p.more_sources[1].format, "kontum-csv-v2", "more source 2 format");
	CHECK(p.more_sources[1].schema_dir == NULL, "more source 2 has no schema_dir");
	CHECK_EQ_STR(p.prefer, "kontum-csv", "prefer");
	CHECK_EQ_STR(p.reference.units, fixture_path("schemas/reference/kontum/units.csv"), "reference.units");
	CHECK_EQ_STR(p.reference.procedures, fixture_path("schemas/reference/kontum/procedures.csv"),
		     "reference.procedures");
	CHECK_EQ_STR(p.reference.calendar, fixture_path("schemas/reference/calendar"), "reference.calendar");
	CHECK_EQ_STR(p.profile, "ii06a", "profile");
	CHECK(p.rejects.max_ratio == 0.05, "rejects.max_ratio 0.05");
	CHECK_EQ_LL(p.rejects.max_count, 1000, "rejects.max_count");
	CHECK_EQ_STR(p.rejects.file, "/var/log/hoso/rejects.jsonl", "rejects.file");
	CHECK_EQ_STR(p.personal_data, "hash", "personal_data");
	CHECK_EQ_LL(p.max_line_bytes, 4194304, "max_line_bytes");
	CHECK_EQ_STR(p.staging, "/var/tmp/hoso/staging", "staging");
	CHECK(p.transform_memory_mib == 64, "transform_memory_mib");
	CHECK_EQ_STR(p.target.conninfo, "host=db.example port=5433 dbname=hoso user=loader",
		     "target.conninfo");
	CHECK_EQ_STR(p.target.schema, "hoso", "target.schema");
	hoso_pipeline_release(&p);
	hoso_buf_release(&err);
}

static void
test_defaults(void)
{
	struct hoso_pipeline p;
	struct hoso_buf err = HOSO_BUF_INIT;

	CHECK(hoso_pipeline_load("tests/unit/fixtures/pipeline-minimal.yaml", &p, &err),
	      "pipeline-minimal.yaml loads");
	CHECK_EQ_STR(p.name, "pipeline-minimal", "name: the file name without .yaml");
	CHECK_EQ_LL(p.source.npaths, 1, "one path");
	CHECK(p.source.schema_dir == NULL, "no schema_dir");
	CHECK(p.more_sources == NULL && p.nmore_sources == 0, "no more sources");
	CHECK(p.prefer == NULL && p.profile == NULL, "no prefer, no profile");
	CHECK(!p.reference.units && !p.reference.procedures && !p.reference.calendar,
	      "no reference data");
	CHECK(p.rejects.max_ratio == 0.01, "rejects.max_ratio defaults to 0.01");
	CHECK_EQ_LL(p.rejects.max_count, -1, "rejects.max_count: no limit");
	CHECK(p.rejects.file == NULL, "no reject file");
	CHECK_EQ_STR(p.personal_data, "drop", "personal_data defaults to drop");
	CHECK_EQ_LL(p.max_line_bytes, 1048576, "max_line_bytes defaults to 1 MiB");
	CHECK_EQ_STR(p.staging, fixture_path(".hoso/staging"), "staging default, beside the file");
	CHECK(p.transform_memory_mib == -1, "transform_memory_mib absent: hoso-transform's default");
	CHECK(p.target.conninfo == NULL, "no conninfo: libpq's environment");
	CHECK_EQ_STR(p.target.schema, "hoso", "target.schema defaults to hoso");
	hoso_pipeline_release(&p);

	CHECK(hoso_pipeline_load_buffer("dir/other.yml", MIN, strlen(MIN), &p, &err), "loads");
	CHECK_EQ_STR(p.name, "other", "name: the file name without .yml");
	hoso_pipeline_release(&p);
	CHECK(hoso_pipeline_load_buffer("noext", MIN "more_sources: []\n",
					strlen(MIN "more_sources: []\n"), &p, &err), "loads");
	CHECK_EQ_STR(p.name, "noext", "name: a file name without an extension");
	CHECK_EQ_LL(p.nmore_sources, 0, "more_sources: []");
	hoso_pipeline_release(&p);

	/* an alias reuses an anchored list */
	{
		const char *doc = "source:\n  paths: &p [a, b]\n  format: dvcqg-jsonl\n"
				  "more_sources:\n  - paths: *p\n    format: kontum-csv\n";

		CHECK(hoso_pipeline_load_buffer("t.yaml", doc, strlen(doc), &p, &err), "aliases load");
		CHECK_EQ_STR(p.nmore_sources == 1 && p.more_sources[0].npaths == 2 ?
			     p.more_sources[0].paths[1] : NULL, "b", "aliased paths");
		hoso_pipeline_release(&p);
	}

	hoso_buf_reset(&err);
	CHECK(!hoso_pipeline_load("tests/unit/fixtures/nope.yaml", &p, &err), "missing file");
	CHECK_EQ_STR(err.data, "tests/unit/fixtures/nope.yaml: cannot open: No such file or directory",
		     "missing file message");
	hoso_buf_release(&err);
}

static void
touch(const char *base, const char *rel)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	CHECK(f != NULL, path);
}

static void
make_dir(const char *base, const char *rel)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", base, rel);
	CHECK(mkdir(path, 0700) == 0, path);
}

static void
test_expand(void)
{
	char base[] = "/tmp/hoso-test-pipeline-XXXXXX";
	char globs[3][512], expect[512], cwd[4096];
	char *patterns[3];
	struct hoso_source src = { .paths = patterns, .npaths = 3, .format = (char *) "dvcqg-jsonl" };
	struct hoso_buf err = HOSO_BUF_INIT;
	char **paths;
	size_t n;

	if (!mkdtemp(base) || !getcwd(cwd, sizeof(cwd))) {
		CHECK(false, "mkdtemp");
		return;
	}
	make_dir(base, "landing");
	make_dir(base, "landing/2023");
	make_dir(base, "landing/2023/10");
	make_dir(base, "landing/2023/10/20");
	make_dir(base, "landing/2023/10/21");
	touch(base, "landing/2023/10/20/a.jsonl.gz");
	touch(base, "landing/2023/10/20/B.jsonl.gz");
	touch(base, "landing/2023/10/20/c.txt");
	touch(base, "landing/2023/10/21/x.jsonl.gz");
	touch(base, "Fri-293");

	snprintf(globs[0], sizeof(globs[0]), "%s/landing/{date:%%Y/%%m/%%d}/*.jsonl.gz", base);
	snprintf(globs[1], sizeof(globs[1]), "%s/landing/{date:%%Y}/{date:%%m}/{date:%%d}/a*", base);
	snprintf(globs[2], sizeof(globs[2]), "%s/{date:%%a-%%j}", base);
	for (int i = 0; i < 3; i++)
		patterns[i] = globs[i];

	/* Friday 20 October 2023, day 273 + 20 = 293 of the year */
	CHECK(hoso_pipeline_expand_paths(&src, hoso_date_from_ymd(2023, 10, 20), &paths, &n, &err),
	      "expand 2023-10-20");
	CHECK_EQ_LL(n, 3, "three files (a.jsonl.gz matched twice, listed once)");
	if (n == 3) {
		snprintf(expect, sizeof(expect), "%s/Fri-293", base);
		CHECK_EQ_STR(paths[0], expect, "%a-%j expands; byte order puts it first");
		snprintf(expect, sizeof(expect), "%s/landing/2023/10/20/B.jsonl.gz", base);
		CHECK_EQ_STR(paths[1], expect, "'B' sorts before 'a' in byte order");
		snprintf(expect, sizeof(expect), "%s/landing/2023/10/20/a.jsonl.gz", base);
		CHECK_EQ_STR(paths[2], expect, "then a.jsonl.gz");
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);

	CHECK(hoso_pipeline_expand_paths(&src, hoso_date_from_ymd(2023, 10, 21), &paths, &n, &err),
	      "expand 2023-10-21");
	CHECK_EQ_LL(n, 1, "one file on the Saturday");
	snprintf(expect, sizeof(expect), "%s/landing/2023/10/21/x.jsonl.gz", base);
	CHECK_EQ_STR(n ? paths[0] : NULL, expect, "x.jsonl.gz");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);

	CHECK(hoso_pipeline_expand_paths(&src, hoso_date_from_ymd(2023, 10, 22), &paths, &n, &err),
	      "a day without files is no error");
	CHECK_EQ_LL(n, 0, "no files on 2023-10-22");
	free(paths);

	/* relative globs resolve against the working directory and stay relative */
	CHECK(chdir(base) == 0, "chdir");
	patterns[0] = "landing/{date:%Y/%m/%d}/*.gz";
	src.npaths = 1;
	CHECK(hoso_pipeline_expand_paths(&src, hoso_date_from_ymd(2023, 10, 20), &paths, &n, &err),
	      "expand a relative glob");
	CHECK_EQ_LL(n, 2, "two .gz files");
	CHECK_EQ_STR(n == 2 ? paths[0] : NULL, "landing/2023/10/20/B.jsonl.gz", "relative 1");
	CHECK_EQ_STR(n == 2 ? paths[1] : NULL, "landing/2023/10/20/a.jsonl.gz", "relative 2");
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	CHECK(chdir(cwd) == 0, "chdir back");

	patterns[0] = "x/{date:%Y";
	CHECK(!hoso_pipeline_expand_paths(&src, hoso_date_from_ymd(2023, 10, 20), &paths, &n, &err),
	      "an unclosed {date: is an error");
	CHECK_EQ_STR(err.data, "x/{date:%Y: a {date:FMT} needs a format and a closing \"}\"",
		     "unclosed {date: message");
	CHECK(paths == NULL && n == 0, "nothing returned on error");
	hoso_buf_release(&err);

	{
		static const char *const files[] = {
			"landing/2023/10/20/a.jsonl.gz", "landing/2023/10/20/B.jsonl.gz",
			"landing/2023/10/20/c.txt", "landing/2023/10/21/x.jsonl.gz", "Fri-293",
		};
		static const char *const dirs[] = {
			"landing/2023/10/20", "landing/2023/10/21", "landing/2023/10",
			"landing/2023", "landing",
		};
		char path[1024];

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", base, files[i]);
			unlink(path);
		}
		for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", base, dirs[i]);
			rmdir(path);
		}
		rmdir(base);
	}
}

/*
 * A pipeline file's relative paths resolve against its own directory, not
 * the working directory; "{datadir}/" against $HOSO_DATADIR; absolute
 * paths stay.  And state directories are created 0700 on first use.
 */
static void
test_resolve(void)
{
	char base[] = "/tmp/hoso-test-resolve-XXXXXX";
	char file[1024], expect[1024], *real;
	struct hoso_pipeline p;
	struct hoso_buf err = HOSO_BUF_INIT;
	struct stat st;
	FILE *f;

	if (!mkdtemp(base)) {
		CHECK(false, "mkdtemp");
		return;
	}
	real = realpath(base, NULL);
	make_dir(base, "etc");
	snprintf(file, sizeof(file), "%s/etc/p.yaml", base);
	f = fopen(file, "w");
	CHECK(f != NULL, "write the pipeline");
	if (!f)
		return;
	fputs("source:\n  paths: [\"in/{date:%Y}/*.jsonl\", \"/abs/*.jsonl\"]\n  format: dvcqg-jsonl\n"
	      "more_sources:\n  - {paths: [\"../more/*\"], format: one-stop-csv, schema_dir: sch}\n"
	      "reference:\n  units: \"{datadir}/schemas/reference/x/units.csv\"\n"
	      "  calendar: cal\nrejects:\n  file: .hoso/rejects.jsonl\n", f);
	fclose(f);
	setenv("HOSO_DATADIR", "/opt/hoso-data", 1);
	/* from another working directory: "/" */
	CHECK(chdir("/") == 0, "chdir /");
	CHECK(hoso_pipeline_load(file, &p, &err), err.data ? err.data : "load");
	if (!err.len) {
		snprintf(expect, sizeof(expect), "%s/etc/in/{date:%%Y}/*.jsonl", real);
		CHECK_EQ_STR(p.source.paths[0], expect, "source glob under the file's directory");
		CHECK_EQ_STR(p.source.paths[1], "/abs/*.jsonl", "absolute glob kept");
		snprintf(expect, sizeof(expect), "%s/etc/../more/*", real);
		CHECK_EQ_STR(p.more_sources[0].paths[0], expect, "more_sources glob");
		snprintf(expect, sizeof(expect), "%s/etc/sch", real);
		CHECK_EQ_STR(p.more_sources[0].schema_dir, expect, "schema_dir");
		CHECK_EQ_STR(p.reference.units, "/opt/hoso-data/schemas/reference/x/units.csv",
			     "{datadir}");
		snprintf(expect, sizeof(expect), "%s/etc/cal", real);
		CHECK_EQ_STR(p.reference.calendar, expect, "calendar");
		snprintf(expect, sizeof(expect), "%s/etc/.hoso/rejects.jsonl", real);
		CHECK_EQ_STR(p.rejects.file, expect, "reject file");
		snprintf(expect, sizeof(expect), "%s/etc/.hoso/staging", real);
		CHECK_EQ_STR(p.staging, expect, "the default staging directory too");
		CHECK(hoso_make_parent_dirs(p.rejects.file), "state directory created");
		snprintf(expect, sizeof(expect), "%s/etc/.hoso", real);
		CHECK(stat(expect, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
		      "state directory mode 0700");
		hoso_pipeline_release(&p);
	}
	unsetenv("HOSO_DATADIR");
	rmdir(expect);
	unlink(file);
	snprintf(file, sizeof(file), "%s/etc", base);
	rmdir(file);
	rmdir(base);
	free(real);
	hoso_buf_release(&err);
}

int
main(void)
{
	test_errors();
	test_full();
	test_defaults();
	test_expand();
	test_resolve();
	return unit_summary("test_pipeline");
}
