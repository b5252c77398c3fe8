/*
 * main.c: hoso-gen, deterministic synthetic portal sync logs of Kon Tum
 * province, mid-2022 to mid-2024 (reference-kontum-2023.md).
 *
 *   hoso-gen --out DIR [--seed N] [--scale K] [--reference DIR]
 *
 * Each copy of the province (--scale) is planned (plan.c), checked against
 * the reference figures, then written (write.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "hoso_log.h"

#ifndef HOSO_VERSION
#define HOSO_VERSION "0.1.0"
#endif
#define GEN_VERSION "hoso-gen " HOSO_VERSION

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: hoso-gen --out DIR [--seed N] [--scale K] [--reference DIR]\n"
		"\n"
		"Writes synthetic portal sync logs of Kon Tum province (2022-07..2024-07)\n"
		"under DIR/landing/YYYY/MM/DD/, one gzip file per landing day and source.\n"
		"\n"
		"  --out DIR        output directory (landing/ is created under it)\n"
		"  --seed N         random seed (default 2023); same seed, same bytes\n"
		"  --scale K        K independent copies of the province (default 1);\n"
		"                   copy k > 0 uses _src KTM-IGATE-k\n"
		"  --reference DIR  also write units.csv, procedures.csv, calendar/YYYY.csv\n"
		"  --national       all 63 provinces (before 1 July 2025) under DIR: Hnn/landing/,\n"
		"                   reference/ (national catalogue with the 2025 successor map),\n"
		"                   pipelines/Hnn.yaml, provinces.csv; --scale F (a number, default 1)\n"
		"                   is Kon Tum's share of its calibrated volume, others sized by it\n"
		"  --verbose        print the figures of each copy\n"
		"  --help, --version\n"
		"\n"
		"Without --out, --reference alone writes only the reference data.\n");
}

static bool
parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return false;
	*out = v;
	return true;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, 's' },
		{ "scale", required_argument, NULL, 'k' },
		{ "reference", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "national", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *ref = NULL, *scale_arg = NULL;
	bool national = false;
	unsigned long long seed = 2023, scale = 1;
	bool verbose = false;
	struct gen_catalogue cat;
	struct gen_write_stats stats = { 0 };
	unsigned long long ncases = 0;
	double t0 = now_seconds();
	int c, ret = HOSO_EXIT_OK;

	hoso_log_init("hoso-gen");
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'r': ref = optarg; break;
		case 'v': verbose = true; break;
		case 'n': national = true; break;
		case 's':
			if (!parse_number(optarg, UINT64_MAX, &seed)) {
				hoso_error("--seed: not a number: \"%s\"", optarg);
				return HOSO_EXIT_USAGE;
			}
			break;
		case 'k':
			scale_arg = optarg;
			if (national || strchr(optarg, '.'))
				break;	/* a fraction: checked below */
			if (!parse_number(optarg, 1000, &scale) || scale < 1) {
				hoso_error("--scale: want an integer from 1 to 1000, got \"%s\"", optarg);
				return HOSO_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return HOSO_EXIT_OK;
		case 'V':
			printf("%s\n", GEN_VERSION);
			return HOSO_EXIT_OK;
		default:
			usage(stderr);
			return HOSO_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		hoso_error("unexpected argument \"%s\"", argv[optind]);
		return HOSO_EXIT_USAGE;
	}
	if (!out && !ref) {
		hoso_error("--out DIR is required (or --reference DIR alone)");
		usage(stderr);
		return HOSO_EXIT_USAGE;
	}

	gen_time_init();
	if (national) {
		double fraction = 1.0;
		char *end = NULL;

		if (scale_arg) {
			errno = 0;
			fraction = strtod(scale_arg, &end);
			if (errno || end == scale_arg || *end || !(fraction > 0 && fraction <= 100)) {
				hoso_error("--scale: want a number above 0 and at most 100, got \"%s\"",
					   scale_arg);
				return HOSO_EXIT_USAGE;
			}
		}
		if (!out || ref) {
			hoso_error("--national writes its own reference data under --out DIR");
			return HOSO_EXIT_USAGE;
		}
		if (!gen_national_write(out, seed, fraction, verbose, &ncases, &stats))
			return HOSO_EXIT_FAILED;
		fprintf(stderr, "hoso-gen: 63 provinces, %llu cases, %llu files, %.1f MB written, %.1f s\n",
			ncases, stats.files, (double) stats.bytes_gz / 1e6, now_seconds() - t0);
		return HOSO_EXIT_OK;
	}
	if (scale_arg && strchr(scale_arg, '.')) {
		hoso_error("--scale: a fraction is for --national; want an integer from 1 to 1000");
		return HOSO_EXIT_USAGE;
	}
	gen_catalogue_build(&cat);
	if (ref && !gen_catalogue_write(&cat, ref)) {
		ret = HOSO_EXIT_FAILED;
		goto cleanup;
	}
	if (!out)
		goto cleanup;
	for (int k = 0; k < (int) scale; k++) {
		struct gen_plan plan;

		gen_plan_build(&plan, &cat, seed, k);
		ncases += plan.ncases;
		/* the calibration holds for every copy; a miss is a generator bug */
		if (!gen_plan_check(&plan, verbose)) {
			hoso_error("copy %d does not give the reference figures", k);
			gen_plan_release(&plan);
			ret = HOSO_EXIT_FAILED;
			goto cleanup;
		}
		if (!gen_write_landing(&plan, &cat, out, &stats)) {
			gen_plan_release(&plan);
			ret = HOSO_EXIT_FAILED;
			goto cleanup;
		}
		gen_plan_release(&plan);
	}
	fprintf(stderr, "hoso-gen: %llu cases, %llu messages, %llu objects, %llu files, "
		"%.1f MB raw, %.1f MB written, %.1f s\n",
		ncases, stats.messages, stats.objects, stats.files,
		(double) stats.bytes_raw / 1e6, (double) stats.bytes_gz / 1e6, now_seconds() - t0);
cleanup:
	gen_catalogue_release(&cat);
	return ret;
}
