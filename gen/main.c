/*
 * main.c: hoso-gen, deterministic synthetic portal sync logs of Kon Tum
 * province, mid-2022 to mid-2024, calibrated to the figures of Kon Tum's news item
 * on its 10 months of 2023 (the table reference_figures in plan.c).
 *
 *   hoso-gen --out DIR [--seed N] [--scale K] [--reference DIR]
 *
 * Each copy of the province (--scale) is planned (plan.c), checked against
 * the reference figures, then written (write.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "hoso_cli.h"
#include "hoso_log.h"


static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static const char *const usage[] = {
	"hoso-gen --out DIR [--seed N] [--scale K] [--reference DIR]", NULL
};

/* the parsed command line */
static struct gen_args {
	const char *out, *ref, *only;
	long long seed;
	double scale;
	bool national;
} args = { .seed = 2023, .scale = 1 };

static const struct hoso_option options[] = {
	HOSO_OPT_STRING(0, "out", &args.out, "DIR", "output directory (landing/ is created under it)"),
	HOSO_OPT_INTEGER("seed", &args.seed, "N", 0, LLONG_MAX,
			 "random seed (default 2023); same seed, same bytes"),
	HOSO_OPT_NUMBER("scale", &args.scale, "K", 0, 1000,
			"K independent copies of the province (default 1);\n"
			"copy k > 0 uses _src KTM-IGATE-k; with --national, Kon Tum's\n"
			"share of its calibrated volume (a number, e.g. 0.001)"),
	HOSO_OPT_BOOL(0, "national", &args.national,
		      "all 63 provinces (before 1 July 2025) under DIR: Hnn/landing/,\n"
		      "reference/ (national catalogue with the 2025 successor map),\n"
		      "pipelines/Hnn.yaml, provinces.csv; others sized against Kon Tum"),
	HOSO_OPT_STRING(0, "provinces", &args.only, "H01,H34,...",
			"with --national, the logs of these provinces only (the\n"
			"catalogue and provinces.csv stay national)"),
	HOSO_OPT_STRING(0, "reference", &args.ref, "DIR",
			"also write units.csv, procedures.csv,\ncalendar/YYYY.csv"),
	HOSO_OPT_END(),
};

static struct hoso_cli cli = {
	.name = "hoso-gen", .usage = usage, .options = options,
	.about = "Writes synthetic portal sync logs of Kon Tum province (2022-07..2024-07)\n"
		 "under DIR/landing/YYYY/MM/DD/, one gzip file per landing day and source.\n"
		 "Without --out, --reference alone writes only the reference data;\n"
		 "--verbose prints the figures of each copy.",
};

/* All 63 provinces, each sized against Kon Tum (national.c). */
static int
gen_national(bool verbose, double t0)
{
	struct gen_write_stats stats = { 0 };
	unsigned long long ncases = 0;

	if (!args.out || args.ref)
		return hoso_cli_usage_error(&cli, "--national writes its own reference data under --out DIR");
	if (!(args.scale > 0 && args.scale <= 100))
		return hoso_cli_usage_error(&cli, "--scale: with --national, want a number above 0 and at most 100");
	if (!gen_national_write(args.out, (uint64_t) args.seed, args.scale, args.only, verbose, &ncases,
				&stats))
		return HOSO_EXIT_FAILED;
	hoso_info("63 provinces, %llu cases, %llu files, %.1f MB written, %.1f s",
		  ncases, stats.files, (double) stats.bytes_gz / 1e6, now_seconds() - t0);
	return HOSO_EXIT_OK;
}

/* Plan, check and write the --scale copies of Kon Tum; false on the first failure. */
static bool
gen_kontum_copies(const struct gen_catalogue *cat, bool verbose, unsigned long long *ncases,
		  struct gen_write_stats *stats)
{
	for (int k = 0; k < (int) args.scale; k++) {
		struct gen_plan plan;
		bool ok;

		gen_plan_build(&plan, cat, (unsigned long long) args.seed, k);
		*ncases += plan.ncases;
		/* the calibration holds for every copy; a miss is a generator bug */
		ok = gen_plan_check(&plan, verbose);
		if (!ok)
			hoso_error("copy %d does not give the reference figures", k);
		else
			ok = gen_write_landing(&plan, cat, args.out, stats);
		gen_plan_release(&plan);
		if (!ok)
			return false;
	}
	return true;
}

/* Kon Tum's reference data (--reference) and its copies (--out). */
static int
gen_kontum(bool verbose, double t0)
{
	struct gen_catalogue cat;
	struct gen_write_stats stats = { 0 };
	unsigned long long ncases = 0;
	int ret = HOSO_EXIT_FAILED;

	if (args.only)
		return hoso_cli_usage_error(&cli, "--provinces is an option of --national");
	if (args.scale < 1 || args.scale != (double) (long long) args.scale)
		return hoso_cli_usage_error(&cli, "--scale: want a whole number from 1 to 1000 (a fraction is for --national)");
	gen_catalogue_build(&cat);
	if (args.ref && !gen_catalogue_write(&cat, args.ref))
		goto cleanup;
	ret = HOSO_EXIT_OK;
	if (!args.out)
		goto cleanup;
	if (!gen_kontum_copies(&cat, verbose, &ncases, &stats)) {
		ret = HOSO_EXIT_FAILED;
		goto cleanup;
	}
	hoso_report(HOSO_LOG_INFO, hoso_log_event("gen_done"),
		    hoso_log_int("cases", (long long) ncases), hoso_log_int("files", (long long) stats.files),
		    hoso_msg("%llu cases, %llu messages, %llu objects, %llu files, "
			     "%.1f MB raw, %.1f MB written, %.1f s",
			     ncases, stats.messages, stats.objects, stats.files,
			     (double) stats.bytes_raw / 1e6, (double) stats.bytes_gz / 1e6,
			     now_seconds() - t0));
cleanup:
	gen_catalogue_release(&cat);
	return ret;
}

int
main(int argc, char **argv)
{
	double t0 = now_seconds();
	bool verbose;

	hoso_log_init("hoso-gen");
	if (!hoso_cli_parse(&cli, argc, argv))
		return cli.status;
	if (!args.out && !args.ref)
		return hoso_cli_usage_error(&cli, "--out DIR is required (or --reference DIR alone)");
	verbose = hoso_log_enabled(HOSO_LOG_DEBUG);
	gen_time_init();
	return args.national ? gen_national(verbose, t0) : gen_kontum(verbose, t0);
}
