/*
 * hoso: the runner.  "hoso run" chains the three stages of a pipeline;
 * "hoso report" prints the warehouse's figures.
 */
#include <stdio.h>
#include <string.h>

#include "hoso_log.h"
#include "runner.h"

#ifndef HOSO_VERSION
#define HOSO_VERSION "0.1.0"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: hoso COMMAND [ARGS]...\n\n"
		"Commands:\n"
		"  run PIPELINE.yaml [--date D | --from D --to D]   load a pipeline's files\n"
		"  rebuild PIPELINE.yaml --from D --to D [--why TEXT] [--dry-run]\n"
		"                                                   re-derive a past range\n"
		"  report --from D --to D [--unit CODE] [--format text|csv|json|html]\n"
		"                                                   print the period summary\n"
		"  shard init|status|run TOPOLOGY.yaml ...          a national warehouse sharded\n"
		"                                                   by province\n\n"
		"  hoso COMMAND --help for the options of a command.\n");
}

int
main(int argc, char **argv)
{
	hoso_log_init("hoso");
	runner_set_argv0(argv[0]);
	if (argc < 2) {
		usage(stderr);
		return HOSO_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return HOSO_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("hoso %s\n", HOSO_VERSION);
		return HOSO_EXIT_OK;
	}
	if (strcmp(argv[1], "run") == 0)
		return runner_cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "rebuild") == 0)
		return runner_cmd_rebuild(argc - 1, argv + 1);
	if (strcmp(argv[1], "report") == 0)
		return runner_cmd_report(argc - 1, argv + 1);
	if (strcmp(argv[1], "shard") == 0)
		return runner_cmd_shard(argc - 1, argv + 1);
	hoso_error("unknown command \"%s\"", argv[1]);
	usage(stderr);
	return HOSO_EXIT_USAGE;
}
