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
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso_log.h"
#include "hoso_pg.h"
#include "load.h"

#ifndef HOSO_VERSION
#define HOSO_VERSION "0.1.0"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: hoso-load --migrate [--conninfo STR] [--schemas DIR]\n"
		"       hoso-load --run-id N [OPTION]... STAGING_DIR\n"
		"       hoso-load --run-id N --rebuild KEYS --from D --to D [OPTION]... STAGING_DIR\n"
		"Load a staging directory written by hoso-transform into the warehouse in one\n"
		"transaction, or apply the warehouse schema's pending migrations.\n\n"
		"      --migrate                 apply pending schemas/warehouse/NNN_name.sql and\n"
		"                                changed functions/*.sql, then load the scoring\n"
		"                                profiles schemas/profiles/*.yaml\n"
		"      --schemas DIR             where they are (default: $HOSO_SCHEMA_DIR, else\n"
		"                                <bin>/../schemas, else <bin>/../share/hoso/schemas)\n"
		"      --run-id N                the run this load belongs to (required to load)\n"
		"      --replace                 replace ledgered files of the same path\n"
		"      --rebuild KEYS            replace only the facts of the cases in KEYS (src TAB\n"
		"                                case_no), recording the range's figures before and\n"
		"                                after (--from D --to D); ledger and archive untouched\n"
		"      --max-reject-ratio R      fail when rejects / records > R (default 0.01)\n"
		"      --max-rejects N           fail when rejects > N (default: no limit)\n"
		"      --reference-units FILE    unit catalogue (units.csv) -> hoso.unit\n"
		"      --reference-procedures FILE  procedure catalogue -> hoso.procedure\n"
		"      --reference-calendar DIR  working-day calendars (YYYY.csv) -> hoso.calendar\n"
		"      --conninfo STR            connection string without password (default:\n"
		"                                libpq environment: PGHOST, PGDATABASE, ...)\n"
		"      --log-format FMT          text (default) or json\n"
		"      --help, --version\n\n"
		"Exit status: 0 done, 1 failed (the warehouse is unchanged), 2 bad usage.\n");
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* DIR/warehouse if it exists (DIR names the schemas root), else DIR itself. */
static char *
warehouse_dir(const char *dir)
{
	size_t n = strlen(dir) + sizeof("/warehouse");
	char *p = hoso_xmalloc(n);

	snprintf(p, n, "%s/warehouse", dir);
	if (is_dir(p))
		return p;
	free(p);
	return hoso_xstrdup(dir);
}

/* --schemas, $HOSO_SCHEMA_DIR, then beside the executable. Caller frees. */
static char *
find_schema_dir(const char *option, const char *argv0)
{
	/* installed, in the source tree (bin/), in a sanitizer build (build-san/bin/) */
	static const char *const beside[] = { "/../schemas", "/../share/hoso/schemas",
					      "/../../schemas" };
	const char *env = getenv("HOSO_SCHEMA_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (option)
		return warehouse_dir(option);
	if (env && *env)
		return warehouse_dir(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = '\0';
	else
		snprintf(exe, sizeof(exe), "%s", argv0);
	slash = strrchr(exe, '/');
	if (!slash)
		snprintf(exe, sizeof(exe), ".");
	else
		*slash = '\0';
	for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
		char path[PATH_MAX + 64];

		snprintf(path, sizeof(path), "%s%s/warehouse", exe, beside[i]);
		if (is_dir(path))
			return hoso_xstrdup(path);
	}
	return NULL;
}

static bool
parse_ratio(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || *out < 0 || *out > 1) {
		hoso_error("--max-reject-ratio: expected a number from 0 to 1, found \"%s\"", s);
		return false;
	}
	return true;
}

static bool
parse_count(const char *opt, const char *s, long long min, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno || end == s || *end || *out < min) {
		hoso_error("%s: expected a whole number >= %lld, found \"%s\"", opt, min, s);
		return false;
	}
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "migrate", no_argument, NULL, 'm' },
		{ "schemas", required_argument, NULL, 's' },
		{ "run-id", required_argument, NULL, 'i' },
		{ "replace", no_argument, NULL, 'r' },
		{ "rebuild", required_argument, NULL, 'B' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "max-reject-ratio", required_argument, NULL, 'R' },
		{ "max-rejects", required_argument, NULL, 'N' },
		{ "reference-units", required_argument, NULL, 'u' },
		{ "reference-procedures", required_argument, NULL, 'p' },
		{ "reference-calendar", required_argument, NULL, 'k' },
		{ "conninfo", required_argument, NULL, 'c' },
		{ "log-format", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct load_options o = { .run_id = -1, .max_reject_ratio = 0.01, .max_rejects = -1 };
	const char *schemas = NULL;
	bool migrate = false;
	int opt, ret;

	hoso_log_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'm': migrate = true; break;
		case 's': schemas = optarg; break;
		case 'i':
			if (!parse_count("--run-id", optarg, 1, &o.run_id))
				return HOSO_EXIT_USAGE;
			break;
		case 'r': o.replace = true; break;
		case 'B': o.rebuild_keys = optarg; break;
		case 'f': o.rebuild_from = optarg; break;
		case 't': o.rebuild_to = optarg; break;
		case 'R':
			if (!parse_ratio(optarg, &o.max_reject_ratio))
				return HOSO_EXIT_USAGE;
			break;
		case 'N':
			if (!parse_count("--max-rejects", optarg, 0, &o.max_rejects))
				return HOSO_EXIT_USAGE;
			break;
		case 'u': o.reference_units = optarg; break;
		case 'p': o.reference_procedures = optarg; break;
		case 'k': o.reference_calendar = optarg; break;
		case 'c': o.conninfo = optarg; break;
		case 'l':
			if (strcmp(optarg, "json") == 0)
				hoso_log_set_format(HOSO_LOG_JSON);
			else if (strcmp(optarg, "text") != 0) {
				hoso_error("--log-format: expected text or json, found \"%s\"", optarg);
				return HOSO_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return HOSO_EXIT_OK;
		case 'V': printf("hoso-load %s\n", HOSO_VERSION); return HOSO_EXIT_OK;
		default: usage(stderr); return HOSO_EXIT_USAGE;
		}
	}
	/* a password on the command line is a configuration error, before any work */
	if (!hoso_pg_conninfo_check(o.conninfo))
		return HOSO_EXIT_USAGE;

	if (migrate) {
		char *dir;

		if (optind != argc || o.run_id >= 0) {
			hoso_error("--migrate takes no staging directory and no --run-id");
			return HOSO_EXIT_USAGE;
		}
		dir = find_schema_dir(schemas, argv[0]);
		if (!dir) {
			hoso_error("cannot find the warehouse schema files: give --schemas DIR or set "
				   "HOSO_SCHEMA_DIR");
			return HOSO_EXIT_USAGE;
		}
		ret = load_migrate(o.conninfo, dir);
		if (ret == HOSO_EXIT_OK) {
			/* the scoring profiles sit beside the migrations: schemas/profiles */
			size_t n = strlen(dir) + sizeof("/../profiles");
			char *profiles = hoso_xmalloc(n);

			snprintf(profiles, n, "%s/../profiles", dir);
			ret = load_profiles(o.conninfo, profiles);
			free(profiles);
		}
		free(dir);
		return ret;
	}
	if (optind != argc - 1) {
		hoso_error(optind == argc ? "no staging directory given" : "one staging directory only");
		usage(stderr);
		return HOSO_EXIT_USAGE;
	}
	if (o.run_id < 0) {
		hoso_error("--run-id N is required to load");
		return HOSO_EXIT_USAGE;
	}
	o.staging_dir = argv[optind];
	if (!is_dir(o.staging_dir)) {
		hoso_error("\"%s\": not a staging directory", o.staging_dir);
		return HOSO_EXIT_FAILED;
	}
	if (o.rebuild_keys || o.rebuild_from || o.rebuild_to) {
		if (!o.rebuild_keys || !o.rebuild_from || !o.rebuild_to || o.replace) {
			hoso_error("--rebuild KEYS, --from D and --to D go together, without --replace");
			return HOSO_EXIT_USAGE;
		}
		return load_rebuild(&o);
	}
	return load_staging(&o);
}
