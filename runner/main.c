/*
 * hoso: the runner.  "hoso run" chains the three stages of a pipeline,
 * "hoso report" prints the warehouse's figures; commands.h lists them all.
 */
#include "hoso_cli.h"
#include "hoso_log.h"
#include "runner.h"

static const struct hoso_command commands[] = {
#define HOSO_COMMAND(name, summary) { #name, runner_cmd_##name, summary },
#include "commands.h"
#undef HOSO_COMMAND
};

int
main(int argc, char **argv)
{
	hoso_log_init("hoso");
	/* the run id the stages inherit is this run's, never one left in the environment */
	hoso_log_set_run_id(-1);
	runner_set_argv0(argv[0]);
	return hoso_cli_dispatch("hoso", "Run hoso pipelines and report on the warehouse.", commands,
				 sizeof(commands) / sizeof(commands[0]), argc, argv);
}
