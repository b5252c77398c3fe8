/*
 * hoso_cli.h: the command line of every hoso program, declared as a table
 * that both parses the arguments and prints the usage (the model is git's
 * parse-options: one array of HOSO_OPT_* entries per command).
 *
 *   hoso_date day = HOSO_DATE_NONE;
 *   bool wait = false;
 *   const struct hoso_option options[] = {
 *           HOSO_OPT_DATE("date", &day, "one day"),
 *           HOSO_OPT_BOOL(0, "wait", &wait, "wait for the lock instead of exiting 75"),
 *           HOSO_OPT_END(),
 *   };
 *   struct hoso_cli cli = { .name = "hoso run", .usage = usage, .options = options,
 *                           .args_name = "PIPELINE.yaml", .min_args = 1, .max_args = 1 };
 *
 *   if (!hoso_cli_parse(&cli, argc, argv))
 *           return cli.status;
 *
 * Every command also takes the common options (-h/--help, --version,
 * --log-format text|json, -v/--verbose, -q/--quiet), declared once in
 * hoso_cli.c.  A usage error is one error line naming the option and why,
 * then the hint "Try 'NAME --help'.", and exit status 2.  Values are checked
 * where they are parsed: a date must exist, a number must be whole (or a
 * real for HOSO_OPT_NUMBER), have no trailing junk and lie in its range.
 */
#ifndef HOSO_CLI_H
#define HOSO_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "hoso_time.h"

#ifndef HOSO_VERSION
#define HOSO_VERSION "0.1.0"
#endif

struct hoso_cli;
struct hoso_command;
struct hoso_option;

/*
 * Called with the option's argument (NULL for an option without one) or a
 * positional argument (HOSO_OPT_ARGUMENTS).  Returns false after logging why
 * (hoso_cli_usage_error does it with the usual hint).
 */
typedef bool hoso_option_fn(struct hoso_cli *cli, const struct hoso_option *opt, const char *arg);

enum hoso_option_type {
	HOSO_OPTION_END,
	HOSO_OPTION_GROUP,	/* a heading in the usage */
	HOSO_OPTION_BOOL,	/* bool *value = true */
	HOSO_OPTION_STRING,	/* const char **value = the argument */
	HOSO_OPTION_DATE,	/* hoso_date *value: YYYY-MM-DD, a day that exists */
	HOSO_OPTION_INTEGER,	/* long long *value, from min to max */
	HOSO_OPTION_NUMBER,	/* double *value, from low to high */
	HOSO_OPTION_CHOICE,	/* int *value = index of the argument in choices */
	HOSO_OPTION_CALLBACK,	/* callback(arg): order matters, or a value of its own kind */
	HOSO_OPTION_ARGUMENTS,	/* callback for each positional argument, in order */
	/* the common options */
	HOSO_OPTION_HELP,
	HOSO_OPTION_VERSION,
};

struct hoso_option {
	enum hoso_option_type type;
	char short_name;		/* 0: none */
	const char *long_name;		/* without the dashes */
	void *value;			/* where the result goes; a callback's state */
	const char *argh;		/* the argument's name in the usage; NULL: takes none */
	const char *help;		/* may hold '\n' for more lines */
	long long min, max;		/* HOSO_OPTION_INTEGER */
	double low, high;		/* HOSO_OPTION_NUMBER */
	const char *const *choices;	/* HOSO_OPTION_CHOICE: NULL-terminated */
	hoso_option_fn *callback;	/* CALLBACK, ARGUMENTS; CHOICE: after storing */
};

/* The casts check the type of v at compile time (a mismatch is an error). */
#define HOSO_OPT_END() { .type = HOSO_OPTION_END }
#define HOSO_OPT_GROUP(h) { .type = HOSO_OPTION_GROUP, .help = (h) }
#define HOSO_OPT_BOOL(s, l, v, h) \
	{ .type = HOSO_OPTION_BOOL, .short_name = (s), .long_name = (l), \
	  .value = (1 ? (v) : (bool *) 0), .help = (h) }
#define HOSO_OPT_STRING(s, l, v, a, h) \
	{ .type = HOSO_OPTION_STRING, .short_name = (s), .long_name = (l), \
	  .value = (1 ? (v) : (const char **) 0), .argh = (a), .help = (h) }
#define HOSO_OPT_DATE(l, v, h) \
	{ .type = HOSO_OPTION_DATE, .long_name = (l), \
	  .value = (1 ? (v) : (hoso_date *) 0), .argh = "D", .help = (h) }
#define HOSO_OPT_INTEGER(l, v, a, lo, hi, h) \
	{ .type = HOSO_OPTION_INTEGER, .long_name = (l), \
	  .value = (1 ? (v) : (long long *) 0), .argh = (a), .min = (lo), .max = (hi), .help = (h) }
#define HOSO_OPT_NUMBER(l, v, a, lo, hi, h) \
	{ .type = HOSO_OPTION_NUMBER, .long_name = (l), \
	  .value = (1 ? (v) : (double *) 0), .argh = (a), .low = (lo), .high = (hi), .help = (h) }
#define HOSO_OPT_CHOICE(l, v, c, h) \
	{ .type = HOSO_OPTION_CHOICE, .long_name = (l), \
	  .value = (1 ? (v) : (int *) 0), .choices = (c), .help = (h) }
#define HOSO_OPT_CALLBACK(l, state, a, fn, h) \
	{ .type = HOSO_OPTION_CALLBACK, .long_name = (l), .value = (state), .argh = (a), \
	  .callback = (fn), .help = (h) }
#define HOSO_OPT_ARGUMENTS(state, fn) \
	{ .type = HOSO_OPTION_ARGUMENTS, .value = (state), .callback = (fn) }

struct hoso_cli {
	/* given by the command */
	const char *name;		/* "hoso run": in usage, hints and --version */
	const char *const *usage;	/* NULL-terminated synopsis lines, without "Usage: " */
	const char *about;		/* what the command does, after the synopsis */
	const char *footer;		/* after the options: exit statuses, examples */
	const struct hoso_option *options;
	const char *args_name;		/* the positional arguments: "PIPELINE.yaml" */
	int min_args, max_args;		/* how many; max_args -1: no limit */
	bool stop_at_argument;		/* options end at the first positional (a command) */
	const struct hoso_command *commands;	/* listed by the usage (hoso_cli_dispatch) */
	size_t ncommands;
	/* set by hoso_cli_parse */
	char **args;			/* the positional arguments (into argv) */
	int nargs;
	int status;			/* the exit status when parsing returned false */
};

/*
 * Parse argv[1..argc-1] (argv[0] names the program or command).  Returns
 * true to go on, with cli->args; false when the command must exit with
 * cli->status: 0 after --help or --version, 2 after a usage error (logged).
 * The positional arguments are moved to the front of argv[1..].
 */
bool hoso_cli_parse(struct hoso_cli *cli, int argc, char **argv);

/* Log a usage error of cli (the message, then "Try 'NAME --help'."); returns 2. */
int hoso_cli_usage_error(const struct hoso_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The usage: synopsis, about, options, common options, footer. */
void hoso_cli_usage(const struct hoso_cli *cli, FILE *out);

/* A date argument: false after a usage error naming opt and why. */
bool hoso_cli_date(const struct hoso_cli *cli, const char *opt, const char *arg, hoso_date *out);

/* A subcommand: "hoso run ..." calls fn with argv[0] = "run". */
struct hoso_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;		/* one line for "hoso help" */
};

/*
 * A program made of subcommands: its common options, then COMMAND [ARGS],
 * "help [COMMAND]" included.  Returns the exit status.
 */
int hoso_cli_dispatch(const char *program, const char *about, const struct hoso_command *commands,
		      size_t ncommands, int argc, char **argv);

#endif
