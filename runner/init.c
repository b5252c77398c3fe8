/*
 * init.c: "hoso init DIR [--province CODE]": the start of a province's
 * nightly load.  Writes DIR/nightly.yaml and empty catalogues of the
 * province's own (DIR/reference/units.csv, procedures.csv: the header
 * rows of docs/design.md §4) for the operator to fill, so that another
 * province's logs are never matched against Kon Tum's catalogue by
 * accident.  The calendar is the national one hoso ships ({datadir}), so
 * that a new year's calendar arrives with an upgrade of hoso.  Nothing
 * existing is overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso_cli.h"
#include "hoso_log.h"
#include "hoso_paths.h"
#include "runner.h"

#define UNITS_HEADER "code,name,aliases,level,parent_code,valid_from,valid_to,successor_code\n"
#define PROCEDURES_HEADER "code,name,field_code,field_name,limit_value,limit_unit,online_level," \
	"has_fee,paper_result,integrated,valid_from,valid_to\n"

/* Create path with text, mode 0644; false (logged) if it exists or cannot be written. */
static bool
write_new_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0) {
		hoso_error("%s: %s%s", path, strerror(errno),
			   errno == EEXIST ? " (hoso init never overwrites a file)" : "");
		return false;
	}
	if (write(fd, text, len) != (ssize_t) len || close(fd) != 0) {
		hoso_error("%s: cannot write: %s", path, strerror(errno));
		return false;
	}
	hoso_info("wrote %s", path);
	return true;
}

static bool
valid_code(const char *s)
{
	if (!*s || strlen(s) > 16)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* The files of a province's start in dir (see the top of this file). */
static int
init_province(const char *dir, const char *province)
{
	struct hoso_buf path = HOSO_BUF_INIT, text = HOSO_BUF_INIT;
	bool ok;

	hoso_buf_addf(&path, "%s/reference", dir);
	ok = hoso_make_dirs(path.data);
	if (ok) {
		/* the state directory holds the reject file: created 0700 now */
		hoso_buf_reset(&path);
		hoso_buf_addf(&path, "%s/.hoso", dir);
		ok = hoso_make_dirs(path.data);
	}

	hoso_buf_addf(&text,
		"# %s's nightly load: yesterday's landing files (hoso init wrote this file).\n"
		"#\n"
		"#   hoso run %s/nightly.yaml                 # yesterday (Vietnam time)\n"
		"#   hoso run %s/nightly.yaml --from 2026-01-01 --to 2026-11-30   # backfill\n"
		"#\n"
		"# Before the first run:\n"
		"#  1. fill reference/units.csv and reference/procedures.csv with the\n"
		"#     province's own unit and procedure catalogues (README.md, \"Onboarding\n"
		"#     a province\"; the columns are in docs/design.md section 4, installed\n"
		"#     in PREFIX/share/doc/hoso);\n"
		"#  2. change source.paths to where the landing files arrive;\n"
		"#  3. hoso check this file: it names every problem by file and line.\n"
		"# Every run ends with what needs attention: units, procedures and channel\n"
		"# codes the catalogues do not know, days the calendar does not list.\n"
		"#\n"
		"# A relative path resolves against the directory of this file, whatever\n"
		"# the working directory of the run; \"{datadir}/\" is hoso's data directory.\n"
		"# The warehouse is the server libpq's environment names (PGHOST,\n"
		"# PGDATABASE, PGSERVICE, ~/.pgpass); no password belongs here.\n"
		"name: nightly%s%s\n"
		"source:\n"
		"  paths: [\"landing/{date:%%Y/%%m/%%d}/*.jsonl.gz\", \"landing/{date:%%Y/%%m/%%d}/*.jsonl\"]\n"
		"  format: dvcqg-jsonl\n"
		"reference:\n"
		"  units: reference/units.csv\n"
		"  procedures: reference/procedures.csv\n"
		"  # the national working-day calendar, one YYYY.csv a year, shipped with hoso\n"
		"  calendar: \"{datadir}/schemas/reference/calendar\"\n"
		"profile: ii06a\n"
		"rejects:\n"
		"  max_ratio: 0.01            # fail the run (load nothing) above 1 %% rejected records\n"
		"  file: .hoso/rejects.jsonl  # rejected lines (personal data removed); mode 0600 in a 0700 directory\n"
		"attention:\n"
		"  # fail the run (load nothing) when more than 5 %% of its cases have a unit or\n"
		"  # procedure the catalogues above do not know: a catalogue is missing rows\n"
		"  max_unresolved_ratio: 0.05\n"
		"personal_data: drop          # or hash (HMAC-SHA-256, key in $HOSO_HMAC_KEY)\n",
		province ? province : "The province", dir, dir,
		/* named after the province: the run rows say whose load it was */
		province ? "-" : "", province ? province : "");
	/* rows carry it: one warehouse can then join a national one (docs/national.md) */
	if (province)
		hoso_buf_addf(&text, "province: %s\n", province);
	if (ok) {
		hoso_buf_reset(&path);
		hoso_buf_addf(&path, "%s/nightly.yaml", dir);
		ok = write_new_file(path.data, text.data);
	}
	if (ok) {
		hoso_buf_reset(&path);
		hoso_buf_addf(&path, "%s/reference/units.csv", dir);
		ok = write_new_file(path.data, UNITS_HEADER);
	}
	if (ok) {
		hoso_buf_reset(&path);
		hoso_buf_addf(&path, "%s/reference/procedures.csv", dir);
		ok = write_new_file(path.data, PROCEDURES_HEADER);
	}
	if (ok)
		hoso_info("next: fill %s/reference/units.csv and procedures.csv, set source.paths "
			  "in %s/nightly.yaml, then: hoso check %s/nightly.yaml and hoso run %s/nightly.yaml",
			  dir, dir, dir, dir);
	hoso_buf_release(&path);
	hoso_buf_release(&text);
	return ok ? HOSO_EXIT_OK : HOSO_EXIT_FAILED;
}

int
runner_cmd_init(int argc, char **argv)
{
	static const char *const usage[] = { "hoso init DIR [--province CODE]", NULL };
	const char *province = NULL;
	const struct hoso_option options[] = {
		HOSO_OPT_STRING(0, "province", &province, "CODE",
				"the province's code in the agency-code scheme\n(e.g. H55); names the pipeline"),
		HOSO_OPT_END(),
	};
	struct hoso_cli cli = {
		.name = "hoso init", .usage = usage, .options = options,
		.about = "Write DIR/nightly.yaml and empty catalogues DIR/reference/units.csv and\n"
			 "procedures.csv: the start of a province's nightly load.  Nothing existing\n"
			 "is overwritten.",
		.footer = "Exit status: 0 done, 1 a file exists already or cannot be written, 2 bad usage.",
		.args_name = "DIR", .min_args = 1, .max_args = 1,
	};

	if (!hoso_cli_parse(&cli, argc, argv))
		return cli.status;
	if (province && !valid_code(province))
		return hoso_cli_usage_error(&cli, "--province: expected a code of capital letters and "
					    "digits (e.g. H55), found \"%s\"", province);
	return init_province(cli.args[0], province);
}
