/*
 * main.c: hoso-extract, the first stage: landing files in, the record
 * stream (docs/design.md §1) out on stdout.  Arguments in, exit code out;
 * file.c and the format modules do the work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract.h"
#include "hoso_log.h"

#ifndef HOSO_VERSION
#define HOSO_VERSION "0.1.0"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: hoso-extract [OPTION]... [FILE]...\n"
		"Read raw case logs (gzip or plain, by content) and write hoso records on stdout.\n"
		"With no FILE, or when FILE is -, read standard input.\n"
		"\n"
		"  --format NAME            format of the files that follow (default dvcqg-jsonl;\n"
		"                           known: %s)\n"
		"  --max-line-bytes N       longest line accepted (default %d)\n"
		"  --personal-data MODE     drop (default) or hash (HMAC-SHA-256, key from the\n"
		"                           environment variable HOSO_HMAC_KEY)\n"
		"  --reject-file PATH       append rejected lines verbatim to PATH (mode 0600)\n"
		"  --log-format text|json   format of diagnostics on stderr\n"
		"  --help, --version\n"
		"\n"
		"Exit status: 0 done (rejects included), 1 a file could not be read to its end,\n"
		"2 bad usage.\n",
		extract_format_names(), HOSO_INPUT_MAX_LINE_DEFAULT);
}

/* "--name value" or "--name=value"; advances *i past what it used. */
static const char *
option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		hoso_error("option %s needs a value", name);
		exit(HOSO_EXIT_USAGE);
	}
	return argv[++*i];
}

static int
open_reject_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	/* the file holds personal data: never readable by others */
	if (fchmod(fd, 0600) != 0) {
		struct stat st;

		if (fstat(fd, &st) != 0 || (st.st_mode & 077)) {
			close(fd);
			errno = EPERM;
			return -1;
		}
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct extract ex;
	const struct extract_format *format = extract_format_find("dvcqg-jsonl");
	const struct extract_format **formats;
	const char **paths;
	const char *v, *personal = "drop", *reject_path = NULL;
	int npaths = 0, ret = HOSO_EXIT_OK;
	bool options_done = false;

	hoso_log_init(argv[0]);
	memset(&ex, 0, sizeof(ex));
	ex.max_line_bytes = HOSO_INPUT_MAX_LINE_DEFAULT;
	ex.reject_fd = -1;
	ex.threaded = true;
	paths = hoso_xcalloc((size_t) argc + 1, sizeof(*paths));
	formats = hoso_xcalloc((size_t) argc + 1, sizeof(*formats));

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
			formats[npaths] = format;
			paths[npaths++] = a;
		} else if (strcmp(a, "--") == 0) {
			options_done = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return HOSO_EXIT_OK;
		} else if (strcmp(a, "--version") == 0) {
			printf("hoso-extract %s\n", HOSO_VERSION);
			return HOSO_EXIT_OK;
		} else if ((v = option_value(argc, argv, &i, "--format")) != NULL) {
			format = extract_format_find(v);
			if (!format) {
				hoso_error("unknown format \"%s\" (known: %s)", v, extract_format_names());
				return HOSO_EXIT_USAGE;
			}
		} else if ((v = option_value(argc, argv, &i, "--max-line-bytes")) != NULL) {
			char *end;
			unsigned long long n;

			errno = 0;
			n = strtoull(v, &end, 10);
			if (errno || end == v || *end || n == 0 || v[0] == '-' || n > (1ULL << 30)) {
				hoso_error("--max-line-bytes: \"%s\" is not a number from 1 to %llu", v,
					   1ULL << 30);
				return HOSO_EXIT_USAGE;
			}
			ex.max_line_bytes = (size_t) n;
		} else if ((v = option_value(argc, argv, &i, "--personal-data")) != NULL) {
			if (strcmp(v, "drop") != 0 && strcmp(v, "hash") != 0) {
				hoso_error("--personal-data: \"%s\" is not drop or hash", v);
				return HOSO_EXIT_USAGE;
			}
			personal = v;
		} else if ((v = option_value(argc, argv, &i, "--reject-file")) != NULL) {
			reject_path = v;
		} else if ((v = option_value(argc, argv, &i, "--log-format")) != NULL) {
			if (strcmp(v, "text") == 0) {
				hoso_log_set_format(HOSO_LOG_TEXT);
			} else if (strcmp(v, "json") == 0) {
				hoso_log_set_format(HOSO_LOG_JSON);
			} else {
				hoso_error("--log-format: \"%s\" is not text or json", v);
				return HOSO_EXIT_USAGE;
			}
		} else {
			hoso_error("unknown option \"%s\"", a);
			usage(stderr);
			return HOSO_EXIT_USAGE;
		}
	}
	if (npaths == 0) {
		formats[npaths] = format;
		paths[npaths++] = "-";
	}
	if (strcmp(personal, "hash") == 0) {
		const char *key = getenv("HOSO_HMAC_KEY");

		if (!key || !*key) {
			hoso_error("--personal-data hash needs the key in the environment variable "
				   "HOSO_HMAC_KEY, which is %s", key ? "empty" : "not set");
			return HOSO_EXIT_USAGE;
		}
		ex.hash_personal_data = true;
		hoso_hmac_init(&ex.hmac, key, strlen(key));
	}
	if (reject_path) {
		ex.reject_fd = open_reject_file(reject_path);
		ex.reject_path = reject_path;
		if (ex.reject_fd < 0) {
			hoso_error("%s: cannot open the reject file: %s", reject_path, strerror(errno));
			return HOSO_EXIT_FAILED;
		}
	}

	hoso_records_writer_init(&ex.out, stdout);
	hoso_records_header(&ex.out);
	for (int i = 0; i < npaths; i++) {
		if (!extract_file_run(&ex, formats[i], paths[i], i + 1)) {
			ret = HOSO_EXIT_FAILED;
			break;
		}
	}
	if (!hoso_records_writer_flush(&ex.out)) {
		hoso_error("cannot write the records to standard output: %s", strerror(errno));
		ret = HOSO_EXIT_FAILED;
	}
	hoso_records_writer_release(&ex.out);
	if (ex.reject_fd >= 0 && close(ex.reject_fd) != 0) {
		hoso_error("%s: %s", reject_path, strerror(errno));
		ret = HOSO_EXIT_FAILED;
	}
	if (ex.hash_personal_data)
		hoso_hmac_release(&ex.hmac);
	free(paths);
	free(formats);
	return ret;
}
