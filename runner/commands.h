/*
 * commands.h: the subcommands of hoso, in the order "hoso help" lists them.
 * Each line is HOSO_COMMAND(name, summary) for a function
 * int runner_cmd_<name>(int argc, char **argv) in a file of its own; the
 * includer defines HOSO_COMMAND (runner.h declares the functions, main.c
 * builds the dispatch table).  Adding a command is one line here.
 */
HOSO_COMMAND(init, "start a province's pipeline: nightly.yaml and empty catalogues")
HOSO_COMMAND(check, "check a pipeline's configuration and warehouse; load nothing")
HOSO_COMMAND(run, "load a pipeline's files of some days into the warehouse")
HOSO_COMMAND(status, "the last runs, the latest landing days, days with no file, open failures")
HOSO_COMMAND(runs, "the history of runs")
HOSO_COMMAND(rebuild, "re-derive a past range with the current reference data")
HOSO_COMMAND(report, "print the warehouse's figures of a period")
HOSO_COMMAND(shard, "a national warehouse sharded by province: init, status, run")
