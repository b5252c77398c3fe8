/*
 * hoso-transform: record streams in, a staging directory out.
 *
 *   hoso-extract FILES | hoso-transform --prior --out STAGING [reference options]
 *
 * Normalises text (NFC), resolves units and procedures, merges the run's
 * messages with the archived messages of the same cases (--prior), and
 * derives each touched case's milestones (docs/counting.md §2).
 *
 * With --derive-only KEYS (hoso rebuild) the streams are the re-read files
 * of a past range: they only feed the case table, as archived messages do
 * (nothing is archived again, no file or reject row is written), and only
 * the cases listed in KEYS are derived; the other cases of those files are
 * seen only partly and are left alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hoso_cli.h"
#include "hoso_log.h"
#include "hoso_records.h"
#include "transform.h"

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
		if (r.nfields != 2 || !r.fields[0] || !r.fields[1]) {
			hoso_error("%s:%ld: expected src TAB case_no", path, r.lineno);
			ok = false;
			break;
		}
		/* a listed case no stream mentions derives to nothing: load deletes it */
		case_table_mark(&tr->cases, r.fields[0], r.fields[1]);
	}
	if (rc < 0)
		ok = false;
	hoso_records_reader_release(&r);
	fclose(f);
	return ok;
}

/*
 * The case table's budget: with the rest of the transform (staging
 * buffers, summary rows, reference data) the process stays near 128 MiB
 * whatever the number of cases.
 */
#define DEFAULT_MEMORY_BUDGET_MIB 96
/* More threads than this hold more partitions in memory at once for little gain. */
#define MAX_DEFAULT_JOBS 4
#define HOSO_STR_(x) #x
#define HOSO_STR(x) HOSO_STR_(x)

static long long
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > MAX_DEFAULT_JOBS ? MAX_DEFAULT_JOBS : n;
}

struct transform_args {
	const char *out, *conninfo, *units, *procedures, *calendar, *derive_only, *prefer;
	bool prior;
	long long memory_budget;	/* MiB; 0: no limit */
	long long jobs;
	char **inputs;			/* record streams; none: standard input */
	int ninputs;
};

/* The transform itself, once the arguments are checked. */
static int
transform(const struct transform_args *a)
{
	struct transform tr;
	struct hoso_buf err = HOSO_BUF_INIT, report = HOSO_BUF_INIT;
	int ret = HOSO_EXIT_FAILED;
	struct timespec t0, t1, derive_start;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&tr, 0, sizeof(tr));
	hoso_buf_init(&tr.scratch);
	tr.prefer = a->prefer;
	tr.jobs = (int) a->jobs;
	hoso_reference_init(&tr.ref);
	case_table_init(&tr.cases, &tr.paths, (size_t) a->memory_budget * 1024 * 1024, a->out);
	summary_init(&tr.summary);
	hoso_map_init(&tr.report.unresolved_units);
	hoso_map_init(&tr.report.shared_unit_names);
	hoso_map_init(&tr.report.unknown_procedures);
	hoso_map_init(&tr.report.unknown_channels);
	hoso_map_init(&tr.report.units_by_name_only);

	if ((a->units && !hoso_reference_load_units(&tr.ref, a->units, &err)) ||
	    (a->procedures && !hoso_reference_load_procedures(&tr.ref, a->procedures, &err)) ||
	    (a->calendar && !hoso_reference_load_calendar(&tr.ref, a->calendar, &err))) {
		hoso_error("%s", err.data);
		ret = HOSO_EXIT_USAGE;
		goto cleanup;
	}
	if (!staging_open(&tr.staging, a->out))
		goto cleanup;
	if (a->ninputs == 0) {
		widen_stream(stdin);
		if (!transform_read_stream(&tr, stdin, "<stdin>", a->derive_only != NULL))
			goto cleanup;
	}
	for (int i = 0; i < a->ninputs; i++) {
		FILE *f = fopen(a->inputs[i], "r");
		bool ok;

		if (!f) {
			hoso_error("cannot open \"%s\": %m", a->inputs[i]);
			goto cleanup;
		}
		ok = transform_read_stream(&tr, f, a->inputs[i], a->derive_only != NULL);
		fclose(f);
		if (!ok)
			goto cleanup;
	}
	if (a->prior && !transform_fetch_prior(&tr, a->conninfo, a->out))
		goto cleanup;
	if (a->derive_only && !mark_keys(&tr, a->derive_only))
		goto cleanup;
	/* a following load may copy them while the cases are derived */
	if (!staging_publish_read_files(&tr.staging))
		goto cleanup;
	clock_gettime(CLOCK_MONOTONIC, &derive_start);
	transform_derive_all(&tr);
	transform_report_json(&tr, &report);
	if (!staging_finish(&tr.staging, &report))
		goto cleanup;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		double seconds = (double) (t1.tv_sec - t0.tv_sec) +
			(double) (t1.tv_nsec - t0.tv_nsec) / 1e9;
		double derive_seconds = (double) (t1.tv_sec - derive_start.tv_sec) +
			(double) (t1.tv_nsec - derive_start.tv_nsec) / 1e9;

		hoso_report(HOSO_LOG_INFO, hoso_log_event("transform_done"),
			    hoso_log_int("files", (long long) tr.report.files),
			    hoso_log_int("dossiers", (long long) tr.report.dossiers),
			    hoso_log_int("progress", (long long) tr.report.progress),
			    hoso_log_int("archived", (long long) (tr.report.prior_dossiers +
								   tr.report.prior_progress)),
			    hoso_log_int("cases", (long long) tr.report.cases_derived),
			    hoso_log_int("rejects", (long long) tr.report.rejects),
			    hoso_log_real("seconds", seconds),
			    hoso_log_real("derive_seconds", derive_seconds),
			    hoso_log_int("spilled_bytes", (long long) tr.cases.spilled_bytes),
			    hoso_log_int("spills", (long long) tr.cases.spills),
			    hoso_msg("%llu files, %llu dossier and %llu progress messages (+%llu archived), "
				     "%llu cases derived, %llu rejects, %.1f s",
				     tr.report.files, tr.report.dossiers, tr.report.progress,
				     tr.report.prior_dossiers + tr.report.prior_progress,
				     tr.report.cases_derived, tr.report.rejects, seconds));
	}
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
	hoso_map_release(&tr.report.units_by_name_only);
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

static const char *const usage[] = { "hoso-transform [OPTION]... --out DIR [RECORDS]...", NULL };

/* the parsed command line; main sets jobs' default, which depends on the machine */
static struct transform_args args = { .memory_budget = DEFAULT_MEMORY_BUDGET_MIB };

static const struct hoso_option options[] = {
	HOSO_OPT_STRING('o', "out", &args.out, "DIR", "staging directory to write (required)"),
	HOSO_OPT_BOOL(0, "prior", &args.prior, "merge the archived messages of the same cases\n"
		      "from the warehouse (libpq environment)"),
	HOSO_OPT_STRING(0, "conninfo", &args.conninfo, "STR", "connection string for --prior (no password)"),
	HOSO_OPT_STRING(0, "derive-only", &args.derive_only, "KEYS",
			"derive only the cases listed in KEYS (src TAB\n"
			"case_no, COPY text) from the streams alone,\narchiving nothing"),
	HOSO_OPT_STRING(0, "reference-units", &args.units, "FILE", "unit catalogue (units.csv)"),
	HOSO_OPT_STRING(0, "reference-procedures", &args.procedures, "FILE",
			"procedure catalogue (procedures.csv)"),
	HOSO_OPT_STRING(0, "reference-calendar", &args.calendar, "DIR",
			"working-day calendars (YYYY.csv)"),
	HOSO_OPT_INTEGER("memory-budget", &args.memory_budget, "MIB", 0, 1024 * 1024,
			 "memory for the cases being gathered; beyond it\n"
			 "they wait in a temporary file in DIR\n(default "
			 HOSO_STR(DEFAULT_MEMORY_BUDGET_MIB) "; 0: no limit)"),
	HOSO_OPT_INTEGER("jobs", &args.jobs, "N", 1, 64,
			 "threads that derive the cases (default: the\n"
			 "processors, at most " HOSO_STR(MAX_DEFAULT_JOBS) ")"),
	HOSO_OPT_STRING(0, "prefer", &args.prefer, "FORMAT",
			"dossier versions from files of FORMAT win over\n"
			"other formats' for the same case, whatever the _at"),
	HOSO_OPT_END(),
};

static struct hoso_cli cli = {
	.name = "hoso-transform", .usage = usage, .options = options,
	.about = "Turn hoso-extract's record streams (standard input when none is given)\n"
		 "into a staging directory for hoso-load.",
	.footer = "Exit status: 0 done, 1 failed, 2 bad usage or reference data.",
	.args_name = "RECORDS", .max_args = -1,
};

int
main(int argc, char **argv)
{
	hoso_log_init(argv[0]);
	/*
	 * Large blocks straight from and back to the system: a fixed threshold
	 * (glibc raises a moving one as blocks are freed) keeps the memory of
	 * spilled partitions from staying in the heap.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	args.jobs = default_jobs();
	if (!hoso_cli_parse(&cli, argc, argv))
		return cli.status;
	if (!args.out)
		return hoso_cli_usage_error(&cli, "--out DIR is required");
	if (args.derive_only && args.prior)
		return hoso_cli_usage_error(&cli, "--derive-only reads every message from its streams: no --prior");
	args.inputs = cli.args;
	args.ninputs = cli.nargs;
	return transform(&args);
}
