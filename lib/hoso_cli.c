/*
 * hoso_cli.c: the option tables of hoso_cli.h: parsing, checking values,
 * printing the usage, and dispatching the subcommands of a program.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_cli.h"
#include "hoso_log.h"

/* The column where the help texts of the usage start. */
#define USAGE_HELP_COLUMN 30

static const char *const log_formats[] = { "text", "json", NULL };
static int log_format_index;

static bool
set_log_format(struct hoso_cli *cli, const struct hoso_option *opt, const char *arg)
{
	hoso_log_set_format(log_format_index == 1 ? HOSO_LOG_JSON : HOSO_LOG_TEXT);
	return true;
}

static bool
set_verbose(struct hoso_cli *cli, const struct hoso_option *opt, const char *arg)
{
	hoso_log_set_level(HOSO_LOG_DEBUG);
	return true;
}

static bool
set_quiet(struct hoso_cli *cli, const struct hoso_option *opt, const char *arg)
{
	hoso_log_set_level(HOSO_LOG_WARNING);
	return true;
}

/* The options every command takes, after its own. */
static const struct hoso_option common_options[] = {
	HOSO_OPT_GROUP("Common options:"),
	{ .type = HOSO_OPTION_HELP, .short_name = 'h', .long_name = "help",
	  .help = "show this help and exit" },
	{ .type = HOSO_OPTION_VERSION, .long_name = "version", .help = "show the version and exit" },
	{ .type = HOSO_OPTION_CHOICE, .long_name = "log-format", .value = &log_format_index,
	  .choices = log_formats, .callback = set_log_format,
	  .help = "diagnostics on stderr as text lines (default) or\n"
		  "one JSON object per line (docs/logging.md)" },
	{ .type = HOSO_OPTION_CALLBACK, .short_name = 'v', .long_name = "verbose",
	  .callback = set_verbose, .help = "also the debug messages" },
	{ .type = HOSO_OPTION_CALLBACK, .short_name = 'q', .long_name = "quiet",
	  .callback = set_quiet, .help = "only warnings and errors" },
	HOSO_OPT_END(),
};

/* A usage error whose hint is a likely meant name, else the help to read. */
static int
usage_error_suggesting(const struct hoso_cli *cli, const char *suggestion, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
usage_error_suggesting(const struct hoso_cli *cli, const char *suggestion, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hoso_report(HOSO_LOG_ERROR, hoso_log_event("usage"), hoso_msg("%s", msg),
		    suggestion ? hoso_hint("Did you mean %s?", suggestion)
		    : hoso_hint("Try '%s --help'.", cli->name));
	return HOSO_EXIT_USAGE;
}

int
hoso_cli_usage_error(const struct hoso_cli *cli, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return usage_error_suggesting(cli, NULL, "%s", msg);
}

/*
 * Edits (insert, delete, change, swap two neighbours) from a[0..an) to b,
 * capped: names are short, and only a close one is worth suggesting.
 */
static size_t
edit_distance(const char *a, size_t an, const char *b)
{
	enum { MAX = 32 };
	size_t bn = strlen(b), d[MAX + 1][MAX + 1];

	if (an > MAX || bn > MAX)
		return MAX;
	for (size_t i = 0; i <= an; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= bn; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= an; i++) {
		for (size_t j = 1; j <= bn; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[an][bn];
}

/* Whether name is close enough to typed to be what was meant. */
static bool
is_close(const char *typed, size_t len, const char *name, size_t *best)
{
	size_t dist = edit_distance(typed, len, name);
	size_t limit = len < 6 ? 1 : 2;

	if (dist > limit || dist >= *best)
		return false;
	*best = dist;
	return true;
}

/* "--name" or "-c", as the user can type it. */
static const char *
option_label(const struct hoso_option *o, char *buf, size_t len)
{
	if (o->long_name)
		snprintf(buf, len, "--%s", o->long_name);
	else
		snprintf(buf, len, "-%c", o->short_name);
	return buf;
}

static bool
takes_argument(const struct hoso_option *o)
{
	switch (o->type) {
	case HOSO_OPTION_STRING:
	case HOSO_OPTION_DATE:
	case HOSO_OPTION_INTEGER:
	case HOSO_OPTION_NUMBER:
	case HOSO_OPTION_CHOICE:
		return true;
	case HOSO_OPTION_CALLBACK:
		return o->argh != NULL;
	default:
		return false;
	}
}

static bool
is_option(const struct hoso_option *o)
{
	return o->type != HOSO_OPTION_GROUP && o->type != HOSO_OPTION_ARGUMENTS &&
		o->type != HOSO_OPTION_END;
}

/* The command's entry first, so that a command could refine a common option. */
static const struct hoso_option *
find_option(const struct hoso_cli *cli, const char *long_name, size_t len, char short_name)
{
	const struct hoso_option *tables[2] = { cli->options, common_options };

	for (int t = 0; t < 2; t++) {
		for (const struct hoso_option *o = tables[t]; o && o->type != HOSO_OPTION_END; o++) {
			if (!is_option(o))
				continue;
			if (long_name && o->long_name && strlen(o->long_name) == len &&
			    strncmp(o->long_name, long_name, len) == 0)
				return o;
			if (!long_name && short_name && o->short_name == short_name)
				return o;
		}
	}
	return NULL;
}

static const struct hoso_option *
find_arguments_entry(const struct hoso_cli *cli)
{
	for (const struct hoso_option *o = cli->options; o && o->type != HOSO_OPTION_END; o++)
		if (o->type == HOSO_OPTION_ARGUMENTS)
			return o;
	return NULL;
}

bool
hoso_cli_date(const struct hoso_cli *cli, const char *opt, const char *arg, hoso_date *out)
{
	bool shaped = strlen(arg) == 10 && arg[4] == '-' && arg[7] == '-';

	for (int i = 0; shaped && i < 10; i++)
		if (i != 4 && i != 7 && (arg[i] < '0' || arg[i] > '9'))
			shaped = false;
	if (!shaped) {
		hoso_cli_usage_error(cli, "%s %s: expected a date YYYY-MM-DD", opt, arg);
		return false;
	}
	if (!hoso_date_parse_iso(arg, 10, out)) {
		hoso_cli_usage_error(cli, "%s %s: %s is not a date", opt, arg, arg);
		return false;
	}
	return true;
}

static bool
parse_integer(const struct hoso_cli *cli, const struct hoso_option *o, const char *label,
	      const char *arg)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (end == arg || *end || arg[0] == ' ' || arg[0] == '+') {
		hoso_cli_usage_error(cli, "%s %s: \"%s\" is not a whole number", label, arg, arg);
		return false;
	}
	if (errno == ERANGE || v < o->min || v > o->max) {
		if (o->max == LLONG_MAX)
			hoso_cli_usage_error(cli, "%s %s: out of range (at least %lld)", label, arg,
					     o->min);
		else
			hoso_cli_usage_error(cli, "%s %s: out of range (%lld to %lld)", label, arg,
					     o->min, o->max);
		return false;
	}
	*(long long *) o->value = v;
	return true;
}

static bool
parse_number(const struct hoso_cli *cli, const struct hoso_option *o, const char *label,
	     const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end || arg[0] == ' ' || !isfinite(v)) {
		hoso_cli_usage_error(cli, "%s %s: \"%s\" is not a number", label, arg, arg);
		return false;
	}
	if (errno == ERANGE || v < o->low || v > o->high) {
		hoso_cli_usage_error(cli, "%s %s: out of range (%g to %g)", label, arg, o->low, o->high);
		return false;
	}
	*(double *) o->value = v;
	return true;
}

/* "a, b or c" */
static void
choice_list(const char *const *choices, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; choices[i] && k < len; i++) {
		const char *sep = i == 0 ? "" : choices[i + 1] ? ", " : " or ";
		int n = snprintf(buf + k, len - k, "%s%s", sep, choices[i]);

		if (n < 0)
			break;
		k += (size_t) n;
	}
}

static bool
parse_choice(struct hoso_cli *cli, const struct hoso_option *o, const char *label, const char *arg)
{
	char list[256];

	for (int i = 0; o->choices[i]; i++) {
		if (strcmp(o->choices[i], arg) == 0) {
			*(int *) o->value = i;
			return !o->callback || o->callback(cli, o, arg);
		}
	}
	choice_list(o->choices, list, sizeof(list));
	hoso_cli_usage_error(cli, "%s %s: expected %s", label, arg, list);
	return false;
}

/* Give o its argument (NULL when it takes none). */
static bool
apply(struct hoso_cli *cli, const struct hoso_option *o, const char *arg)
{
	char label[64];

	option_label(o, label, sizeof(label));
	switch (o->type) {
	case HOSO_OPTION_BOOL:
		*(bool *) o->value = true;
		return true;
	case HOSO_OPTION_STRING:
		*(const char **) o->value = arg;
		return true;
	case HOSO_OPTION_DATE:
		return hoso_cli_date(cli, label, arg, o->value);
	case HOSO_OPTION_INTEGER:
		return parse_integer(cli, o, label, arg);
	case HOSO_OPTION_NUMBER:
		return parse_number(cli, o, label, arg);
	case HOSO_OPTION_CHOICE:
		return parse_choice(cli, o, label, arg);
	case HOSO_OPTION_CALLBACK:
		return o->callback(cli, o, arg);
	case HOSO_OPTION_HELP:
		hoso_cli_usage(cli, stdout);
		cli->status = HOSO_EXIT_OK;
		return false;
	case HOSO_OPTION_VERSION: {
		size_t n = strcspn(cli->name, " ");

		printf("%.*s %s\n", (int) n, cli->name, HOSO_VERSION);
		cli->status = HOSO_EXIT_OK;
		return false;
	}
	default:
		return false;
	}
}

static void
unknown_long_option(const struct hoso_cli *cli, const char *name, size_t len)
{
	const struct hoso_option *tables[2] = { cli->options, common_options };
	const char *meant = NULL;
	char suggestion[72];
	size_t best = SIZE_MAX;

	for (int t = 0; t < 2; t++)
		for (const struct hoso_option *o = tables[t]; o && o->type != HOSO_OPTION_END; o++)
			if (is_option(o) && o->long_name && is_close(name, len, o->long_name, &best))
				meant = o->long_name;
	if (meant)
		snprintf(suggestion, sizeof(suggestion), "--%s", meant);
	usage_error_suggesting(cli, meant ? suggestion : NULL, "unknown option \"--%.*s\"",
			       (int) len, name);
}

/*
 * One pass over the arguments.  The first pass (only_log_format) applies
 * --log-format alone and reports nothing, so that every diagnostic of the
 * second, including a usage error before --log-format, has the asked format.
 */
static bool
parse_pass(struct hoso_cli *cli, int argc, char **argv, bool only_log_format)
{
	const struct hoso_option *positional = find_arguments_entry(cli);
	bool options_done = false;
	int nargs = 0;

	cli->status = HOSO_EXIT_USAGE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *arg = NULL;
		const struct hoso_option *o;
		char label[64];

		if (options_done || a[0] != '-' || a[1] == '\0') {
			if (only_log_format)
				continue;
			if (positional && !positional->callback(cli, positional, a))
				return false;
			argv[1 + nargs++] = argv[i];
			if (cli->stop_at_argument)
				options_done = true;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			options_done = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');

			o = find_option(cli, name, eq ? (size_t) (eq - name) : strlen(name), 0);
			if (!o) {
				if (only_log_format)
					continue;
				unknown_long_option(cli, name, eq ? (size_t) (eq - name) : strlen(name));
				return false;
			}
			option_label(o, label, sizeof(label));
			if (eq && !takes_argument(o)) {
				if (only_log_format)
					continue;
				hoso_cli_usage_error(cli, "%s takes no value", label);
				return false;
			}
			if (eq)
				arg = eq + 1;
		} else {
			o = find_option(cli, NULL, 0, a[1]);
			if (!o || (a[2] && !takes_argument(o))) {
				if (only_log_format)
					continue;
				hoso_cli_usage_error(cli, "unknown option \"%s\"", a);
				return false;
			}
			option_label(o, label, sizeof(label));
			if (a[2])
				arg = a + 2;
		}
		if (takes_argument(o) && !arg) {
			if (i + 1 >= argc) {
				if (only_log_format)
					continue;
				hoso_cli_usage_error(cli, "%s needs a value (%s)", label,
						     o->argh ? o->argh : "a word");
				return false;
			}
			arg = argv[++i];
		}
		if (only_log_format) {
			/* a bad value is reported by the second pass */
			if (o->value == (void *) &log_format_index &&
			    (strcmp(arg, "text") == 0 || strcmp(arg, "json") == 0))
				(void) apply(cli, o, arg);
			continue;
		}
		if (!apply(cli, o, arg))
			return false;
	}
	if (only_log_format)
		return true;
	argv[1 + nargs] = NULL;
	cli->args = argv + 1;
	cli->nargs = nargs;
	if (nargs < cli->min_args) {
		hoso_cli_usage_error(cli, "missing %s", cli->args_name ? cli->args_name : "argument");
		return false;
	}
	if (cli->max_args >= 0 && nargs > cli->max_args) {
		hoso_cli_usage_error(cli, "unexpected argument \"%s\"", cli->args[cli->max_args]);
		return false;
	}
	cli->status = HOSO_EXIT_OK;
	return true;
}

bool
hoso_cli_parse(struct hoso_cli *cli, int argc, char **argv)
{
	int saved = log_format_index;

	(void) parse_pass(cli, argc, argv, true);
	log_format_index = saved;
	return parse_pass(cli, argc, argv, false);
}

/* "  -o, --out DIR" then the help text from USAGE_HELP_COLUMN on. */
static void
usage_option(const struct hoso_option *o, FILE *out)
{
	char left[128], choices[128];
	const char *argh = o->argh;
	int n;

	if (o->type == HOSO_OPTION_CHOICE) {
		size_t k = 0;

		choices[0] = '\0';
		for (int i = 0; o->choices[i] && k < sizeof(choices); i++)
			k += (size_t) snprintf(choices + k, sizeof(choices) - k, "%s%s",
					       i ? "|" : "", o->choices[i]);
		argh = choices;
	}
	if (o->short_name && o->long_name)
		n = snprintf(left, sizeof(left), "  -%c, --%s", o->short_name, o->long_name);
	else if (o->short_name)
		n = snprintf(left, sizeof(left), "  -%c", o->short_name);
	else
		n = snprintf(left, sizeof(left), "      --%s", o->long_name);
	if (argh && n >= 0 && (size_t) n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t) n, " %s", argh);
	fputs(left, out);
	n = (int) strlen(left);
	if (n + 2 > USAGE_HELP_COLUMN) {
		fputc('\n', out);
		n = 0;
	}
	for (const char *h = o->help ? o->help : ""; ; h++) {
		fprintf(out, "%*s", USAGE_HELP_COLUMN - n, "");
		n = 0;
		while (*h && *h != '\n')
			fputc(*h++, out);
		fputc('\n', out);
		if (!*h)
			break;
	}
}

static void
usage_options(const struct hoso_option *options, FILE *out)
{
	for (const struct hoso_option *o = options; o && o->type != HOSO_OPTION_END; o++) {
		if (o->type == HOSO_OPTION_GROUP)
			fprintf(out, "\n%s\n", o->help);
		else if (is_option(o))
			usage_option(o, out);
	}
}

void
hoso_cli_usage(const struct hoso_cli *cli, FILE *out)
{
	for (int i = 0; cli->usage && cli->usage[i]; i++)
		fprintf(out, "%s%s\n", i == 0 ? "Usage: " : "       ", cli->usage[i]);
	if (cli->about)
		fprintf(out, "%s\n", cli->about);
	if (cli->options && cli->options->type != HOSO_OPTION_GROUP && is_option(cli->options))
		fprintf(out, "\nOptions:\n");
	usage_options(cli->options, out);
	if (cli->ncommands) {
		fprintf(out, "\nCommands:\n");
		for (size_t i = 0; i < cli->ncommands; i++)
			fprintf(out, "  %-12s %s\n", cli->commands[i].name, cli->commands[i].summary);
	}
	usage_options(common_options, out);
	if (cli->footer)
		fprintf(out, "\n%s\n", cli->footer);
}

static const struct hoso_command *
find_command(const struct hoso_command *commands, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
hoso_cli_dispatch(const char *program, const char *about, const struct hoso_command *commands,
		  size_t ncommands, int argc, char **argv)
{
	char synopsis[128], help_line[128];
	const char *usage[3] = { synopsis, help_line, NULL };
	struct hoso_cli cli = {
		.name = program, .usage = usage, .about = about, .args_name = "COMMAND",
		.min_args = 0, .max_args = -1, .stop_at_argument = true,
		.commands = commands, .ncommands = ncommands,
		.footer = "Each command takes --help for its own options.",
	};
	const struct hoso_command *cmd;
	char *help_argv[3];

	snprintf(synopsis, sizeof(synopsis), "%s [OPTION]... COMMAND [ARG]...", program);
	snprintf(help_line, sizeof(help_line), "%s help [COMMAND]", program);
	if (!hoso_cli_parse(&cli, argc, argv))
		return cli.status;
	if (cli.nargs == 0) {
		/* stderr takes only log lines in JSON mode */
		if (hoso_log_is_json())
			return hoso_cli_usage_error(&cli, "missing COMMAND");
		hoso_cli_usage(&cli, stderr);
		return HOSO_EXIT_USAGE;
	}
	if (strcmp(cli.args[0], "help") == 0) {
		if (cli.nargs == 1) {
			hoso_cli_usage(&cli, stdout);
			return HOSO_EXIT_OK;
		}
		if (cli.nargs > 2)
			return hoso_cli_usage_error(&cli, "help: unexpected argument \"%s\"", cli.args[2]);
		cmd = find_command(commands, ncommands, cli.args[1]);
		if (!cmd)
			return hoso_cli_usage_error(&cli, "help: unknown command \"%s\"", cli.args[1]);
		help_argv[0] = cli.args[1];
		help_argv[1] = (char *) "--help";
		help_argv[2] = NULL;
		return cmd->fn(2, help_argv);
	}
	cmd = find_command(commands, ncommands, cli.args[0]);
	if (!cmd) {
		const char *meant = NULL;
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < ncommands; i++)
			if (is_close(cli.args[0], strlen(cli.args[0]), commands[i].name, &best))
				meant = commands[i].name;
		char suggestion[128];

		snprintf(suggestion, sizeof(suggestion), "'%s %s'", program, meant ? meant : "");
		return usage_error_suggesting(&cli, meant ? suggestion : NULL,
					      "unknown command \"%s\"", cli.args[0]);
	}
	return cmd->fn(cli.nargs, cli.args);
}
