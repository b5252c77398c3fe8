/*
 * hoso-load: a staging directory into the warehouse, atomically; or the
 * warehouse schema's migrations.
 *
 *   hoso-load --migrate [--conninfo C] [--schemas DIR]
 *   hoso-load --run-id N [OPTION]... STAGING_DIR
 *   hoso-load --run-id N --rebuild KEYS --from D --to D [OPTION]... STAGING_DIR
 *
 * Arguments in, exit status out; migrate.c and staging.c do the work.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso_cli.h"
#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_pg.h"
#include "load.h"

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* --migrate: the schema's pending migrations and the scoring profiles beside them, at once. */
static int
migrate(const char *conninfo, const char *schemas)
{
	char *dir = hoso_schema_dir(schemas);
	int ret;

	if (!dir) {
		hoso_report(HOSO_LOG_ERROR, hoso_msg("cannot find the warehouse schema files"),
			    hoso_hint("Give --schemas DIR or set HOSO_SCHEMA_DIR."));
		return HOSO_EXIT_USAGE;
	}
	ret = load_migrate(conninfo, dir);
	free(dir);
	return ret;
}

/* A load, or a rebuild's load, of the staging directory the arguments name. */
static int
load(struct hoso_cli *cli, struct load_options *o, hoso_date from, hoso_date to)
{
	char from_iso[11], to_iso[11];

	if (cli->nargs == 0)
		return hoso_cli_usage_error(cli, "missing STAGING_DIR");
	if (o->run_id < 0)
		return hoso_cli_usage_error(cli, "--run-id N is required to load");
	hoso_log_set_run_id(o->run_id);
	o->staging_dir = cli->args[0];
	if ((o->rebuild_keys || from != HOSO_DATE_NONE || to != HOSO_DATE_NONE) &&
	    (!o->rebuild_keys || from == HOSO_DATE_NONE || to == HOSO_DATE_NONE || o->replace))
		return hoso_cli_usage_error(cli, "--rebuild KEYS, --from D and --to D go together, "
					    "without --replace");
	if (o->tail && (!o->follow || o->replace))
		return hoso_cli_usage_error(cli, "--tail goes with --follow, without --replace");
	if (o->follow && o->rebuild_keys)
		return hoso_cli_usage_error(cli, "--follow is for a run's load, not --rebuild");
	if (!is_dir(o->staging_dir)) {
		hoso_error("\"%s\": not a staging directory", o->staging_dir);
		return HOSO_EXIT_FAILED;
	}
	if (!o->rebuild_keys)
		return load_staging(o);
	hoso_date_format_iso(from, from_iso);
	hoso_date_format_iso(to, to_iso);
	o->rebuild_from = from_iso;
	o->rebuild_to = to_iso;
	return load_rebuild(o);
}

static const char *const usage[] = {
	"hoso-load --migrate [--conninfo STR] [--schemas DIR]",
	"hoso-load --run-id N [OPTION]... STAGING_DIR",
	"hoso-load --run-id N --rebuild KEYS --from D --to D [OPTION]... STAGING_DIR",
	NULL
};

/* the parsed command line */
static struct load_args {
	struct load_options o;
	const char *schemas;
	hoso_date from, to;
	bool migrate_only;
} args = {
	.o = { .run_id = -1, .max_reject_ratio = 0.01, .max_rejects = -1 },
	.from = HOSO_DATE_NONE, .to = HOSO_DATE_NONE,
};

static const struct hoso_option options[] = {
	HOSO_OPT_BOOL(0, "migrate", &args.migrate_only,
		      "apply pending schemas/warehouse/NNN_name.sql and\n"
		      "changed functions/*.sql, then load the scoring\n"
		      "profiles schemas/profiles/*.yaml"),
	HOSO_OPT_STRING(0, "schemas", &args.schemas, "DIR",
			"where they are (default: $HOSO_SCHEMA_DIR, else\n"
			"schemas/ of $HOSO_DATADIR or of <bin>/../share/hoso)"),
	HOSO_OPT_INTEGER("run-id", &args.o.run_id, "N", 1, LLONG_MAX,
			 "the run this load belongs to (required to load)"),
	HOSO_OPT_BOOL(0, "replace", &args.o.replace, "replace ledgered files of the same path"),
	HOSO_OPT_BOOL(0, "follow", &args.o.follow,
		      "load while hoso-transform still writes STAGING_DIR:\n"
		      "each file once a manifest lists it; commit\n"
		      "when standard input says \"commit\", cancel\n"
		      "when it ends without"),
	HOSO_OPT_BOOL(0, "tail", &args.o.tail,
		      "with --follow, into an empty archive: copy the\n"
		      "archive's files as they are written (for a\n"
		      "transform without --prior)"),
	HOSO_OPT_STRING(0, "rebuild", &args.o.rebuild_keys, "KEYS",
			"replace only the facts of the cases in KEYS (src\n"
			"TAB case_no), recording the range's figures\n"
			"before and after (--from D --to D); ledger and\n"
			"archive untouched"),
	HOSO_OPT_DATE("from", &args.from, "first day of the rebuilt range"),
	HOSO_OPT_DATE("to", &args.to, "last day of the rebuilt range"),
	HOSO_OPT_NUMBER("max-reject-ratio", &args.o.max_reject_ratio, "R", 0, 1,
			"fail when rejects / records > R (default 0.01)"),
	HOSO_OPT_INTEGER("max-rejects", &args.o.max_rejects, "N", 0, LLONG_MAX,
			 "fail when rejects > N (default: no limit)"),
	HOSO_OPT_STRING(0, "reference-units", &args.o.reference_units, "FILE",
			"unit catalogue (units.csv) -> hoso.unit"),
	HOSO_OPT_STRING(0, "reference-procedures", &args.o.reference_procedures, "FILE",
			"procedure catalogue -> hoso.procedure"),
	HOSO_OPT_STRING(0, "reference-calendar", &args.o.reference_calendar, "DIR",
			"working-day calendars (YYYY.csv) -> hoso.calendar"),
	HOSO_OPT_STRING(0, "conninfo", &args.o.conninfo, "STR",
			"connection string without password (default:\n"
			"libpq environment: PGHOST, PGDATABASE, ...)"),
	HOSO_OPT_END(),
};

static struct hoso_cli cli = {
	.name = "hoso-load", .usage = usage, .options = options,
	.about = "Load a staging directory written by hoso-transform into the warehouse in one\n"
		 "transaction, or apply the warehouse schema's pending migrations.",
	.footer = "Exit status: 0 done, 1 failed (the warehouse is unchanged), 2 bad usage.",
	.args_name = "STAGING_DIR", .max_args = 1,
};

int
main(int argc, char **argv)
{
	hoso_log_init(argv[0]);
	if (!hoso_cli_parse(&cli, argc, argv))
		return cli.status;
	/* a password on the command line is a configuration error, before any work */
	if (!hoso_pg_conninfo_check(args.o.conninfo))
		return HOSO_EXIT_USAGE;

	if (!args.migrate_only)
		return load(&cli, &args.o, args.from, args.to);
	if (cli.nargs != 0 || args.o.run_id >= 0)
		return hoso_cli_usage_error(&cli, "--migrate takes no staging directory and no --run-id");
	return migrate(args.o.conninfo, args.schemas);
}
