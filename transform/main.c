/*
 * hoso-transform: record streams in, a staging directory out.
 *
 *   hoso-extract FILES | hoso-transform --prior --out STAGING [reference options]
 *
 * Normalises text (NFC), resolves units and procedures, merges the run's
 * messages with the archived messages of the same cases (--prior), and
 * derives each touched case's milestones (counting.md §2).
 *
 * With --derive-only KEYS (hoso rebuild) the streams are the re-read files
 * of a past range: they only feed the case table, as archived messages do
 * (nothing is archived again, no file or reject row is written), and only
 * the cases listed in KEYS are derived; the other cases of those files are
 * seen only partly and are left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hoso_log.h"
#include "hoso_records.h"
#include "transform.h"

#ifndef HOSO_VERSION
#define HOSO_VERSION "0.1.0"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: hoso-transform [OPTION]... --out DIR [RECORDS]...\n"
		"Turn hoso-extract's record streams (standard input when none is given)\n"
		"into a staging directory for hoso-load.\n\n"
		"  -o, --out DIR            staging directory to write (required)\n"
		"      --prior              merge the archived messages of the same cases\n"
		"                           from the warehouse (libpq environment)\n"
		"      --conninfo STR       connection string for --prior (no password)\n"
		"      --derive-only KEYS   derive only the cases listed in KEYS (src TAB case_no,\n"
		"                           COPY text) from the streams alone, archiving nothing\n"
		"      --reference-units FILE       unit catalogue (units.csv)\n"
		"      --reference-procedures FILE  procedure catalogue (procedures.csv)\n"
		"      --reference-calendar DIR     working-day calendars (YYYY.csv)\n"
		"      --prefer FORMAT      dossier versions from files of FORMAT win over\n"
		"                           other formats' for the same case, whatever the _at\n"
		"      --log-format FMT     text (default) or json\n"
		"      --help, --version\n");
}

/*
 * Read a record stream in large gulps: with a 64 KiB pipe and 4 KiB stdio
 * reads, extract and transform take turns far more often than they need.
 * Best effort: a smaller pipe or buffer only costs switches.
 */
#define STREAM_PIPE_BYTES (1024 * 1024)	/* the default pipe-max-size */
#define STREAM_BUFFER_BYTES (256 * 1024)	/* extract writes blocks of this size */

static void
widen_stream(FILE *f)
{
#ifdef F_SETPIPE_SZ
	(void) fcntl(fileno(f), F_SETPIPE_SZ, STREAM_PIPE_BYTES);
#endif
	(void) setvbuf(f, NULL, _IOFBF, STREAM_BUFFER_BYTES);
}

/*
 * Mark the cases listed in path (COPY text rows "src TAB case_no") as the
 * ones to derive, once every stream has been read.
 */
static bool
mark_keys(struct transform *tr, const char *path)
{
	FILE *f = fopen(path, "r");
	struct hoso_records_reader r;
	int rc;
	bool ok = true;

	if (!f) {
		hoso_error("cannot open \"%s\": %s", path, strerror(errno));
		return false;
	}
	hoso_records_reader_init(&r, f);
	while ((rc = hoso_records_next(&r)) == 1) {
		struct case_entry *c;

		if (r.nfields != 2 || !r.fields[0] || !r.fields[1]) {
			hoso_error("%s:%ld: expected src TAB case_no", path, r.lineno);
			ok = false;
			break;
		}
		c = case_table_find(&tr->cases, r.fields[0], r.fields[1]);
		/* a listed case no stream mentions derives to nothing: load deletes it */
		if (c)
			c->touched = true;
	}
	if (rc < 0)
		ok = false;
	hoso_records_reader_release(&r);
	fclose(f);
	return ok;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "prior", no_argument, NULL, 'p' },
		{ "conninfo", required_argument, NULL, 'c' },
		{ "derive-only", required_argument, NULL, 'D' },
		{ "reference-units", required_argument, NULL, 'u' },
		{ "reference-procedures", required_argument, NULL, 'r' },
		{ "reference-calendar", required_argument, NULL, 'k' },
		{ "log-format", required_argument, NULL, 'l' },
		{ "prefer", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL, *conninfo = NULL, *units = NULL, *procedures = NULL,
		*calendar = NULL, *derive_only = NULL, *prefer = NULL;
	bool prior = false;
	struct transform tr;
	struct hoso_buf err = HOSO_BUF_INIT, report = HOSO_BUF_INIT;
	int ret = HOSO_EXIT_FAILED, opt;
	struct timespec t0, t1;

	hoso_log_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case 'p': prior = true; break;
		case 'c': conninfo = optarg; break;
		case 'D': derive_only = optarg; break;
		case 'u': units = optarg; break;
		case 'r': procedures = optarg; break;
		case 'k': calendar = optarg; break;
		case 'P': prefer = optarg; break;
		case 'l':
			if (strcmp(optarg, "json") == 0)
				hoso_log_set_format(HOSO_LOG_JSON);
			else if (strcmp(optarg, "text") != 0) {
				hoso_error("--log-format: expected text or json, found \"%s\"", optarg);
				return HOSO_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return HOSO_EXIT_OK;
		case 'V': printf("hoso-transform %s\n", HOSO_VERSION); return HOSO_EXIT_OK;
		default: usage(stderr); return HOSO_EXIT_USAGE;
		}
	}
	if (!out) {
		hoso_error("--out DIR is required");
		usage(stderr);
		return HOSO_EXIT_USAGE;
	}
	if (derive_only && prior) {
		hoso_error("--derive-only reads every message from its streams: no --prior");
		return HOSO_EXIT_USAGE;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&tr, 0, sizeof(tr));
	tr.prefer = prefer;
	hoso_reference_init(&tr.ref);
	case_table_init(&tr.cases, &tr.paths);
	summary_init(&tr.summary);
	hoso_map_init(&tr.report.unresolved_units);
	hoso_map_init(&tr.report.shared_unit_names);
	hoso_map_init(&tr.report.unknown_procedures);
	hoso_map_init(&tr.report.unknown_channels);

	if ((units && !hoso_reference_load_units(&tr.ref, units, &err)) ||
	    (procedures && !hoso_reference_load_procedures(&tr.ref, procedures, &err)) ||
	    (calendar && !hoso_reference_load_calendar(&tr.ref, calendar, &err))) {
		hoso_error("%s", err.data);
		ret = HOSO_EXIT_USAGE;
		goto cleanup;
	}
	if (!staging_open(&tr.staging, out))
		goto cleanup;
	if (optind == argc) {
		widen_stream(stdin);
		if (!transform_read_stream(&tr, stdin, "<stdin>", derive_only != NULL))
			goto cleanup;
	}
	for (int i = optind; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		bool ok;

		if (!f) {
			hoso_error("cannot open \"%s\": %m", argv[i]);
			goto cleanup;
		}
		ok = transform_read_stream(&tr, f, argv[i], derive_only != NULL);
		fclose(f);
		if (!ok)
			goto cleanup;
	}
	if (prior && !transform_fetch_prior(&tr, conninfo, out))
		goto cleanup;
	if (derive_only && !mark_keys(&tr, derive_only))
		goto cleanup;
	transform_derive_all(&tr);
	summary_write(&tr.summary, &tr.staging);
	transform_report_json(&tr, &report);
	if (!staging_finish(&tr.staging, &report))
		goto cleanup;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	hoso_info("%llu files, %llu dossier and %llu progress messages (+%llu archived), "
		  "%llu cases derived, %llu rejects, %.1f s",
		  tr.report.files, tr.report.dossiers, tr.report.progress,
		  tr.report.prior_dossiers + tr.report.prior_progress,
		  tr.report.cases_derived, tr.report.rejects,
		  (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) / 1e9);
	ret = HOSO_EXIT_OK;
cleanup:
	staging_release(&tr.staging);
	case_table_release(&tr.cases);
	summary_release(&tr.summary);
	hoso_reference_release(&tr.ref);
	hoso_map_release(&tr.report.unresolved_units);
	transform_release_shared_names(&tr.report);
	hoso_map_release(&tr.report.unknown_procedures);
	hoso_map_release(&tr.report.unknown_channels);
	for (size_t i = 0; i < tr.npaths; i++) {
		free(tr.paths[i]);
		free(tr.formats[i]);
	}
	free(tr.paths);
	free(tr.formats);
	hoso_buf_release(&tr.scratch);
	hoso_buf_release(&err);
	hoso_buf_release(&report);
	return ret;
}
