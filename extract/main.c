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
#include <time.h>
#include <unistd.h>

#include <limits.h>

#include "extract.h"
#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_records.h"

#ifndef HOSO_VERSION
#define HOSO_VERSION "0.1.0"
#endif

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: hoso-extract [OPTION]... [FILE]...\n"
		"       hoso-extract --check SCHEMA FILE\n"
		"Read raw case logs (gzip or plain, by content) and write hoso records on stdout.\n"
		"With no FILE, or when FILE is -, read standard input.\n"
		"\n"
		"  --format NAME            format of the files that follow (default dvcqg-jsonl;\n"
		"                           built in: %s; any other NAME is a CSV source schema\n"
		"                           found as schemas/sources/NAME.yaml)\n"
		"  --schema PATH            CSV source schema of the files that follow\n"
		"  --landing-date DATE      landing day (YYYY-MM-DD, or auto = from the path) of\n"
		"                           the files that follow: a CSV row's _at is its end\n"
		"  --check SCHEMA FILE      validate a sample export against a source schema and\n"
		"                           print what would be loaded and rejected (no records;\n"
		"                           exit 0 only when every row would load)\n"
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
	int fd;

	/* the first run of a pipeline creates its state directory (mode 0700) */
	if (!hoso_make_parent_dirs(path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

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

/* schemas/sources/NAME.yaml next to the installed programs, else under the working directory */
static const struct extract_format *
find_csv_format(const char *name, struct hoso_buf *err)
{
	char exe[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (strchr(name, '/')) {
		hoso_buf_addf(err, "\"%s\" is not a format name", name);
		return NULL;
	}
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			/* bin/ of a build, build-san/bin/ of a sanitizer build, PREFIX/bin */
			static const char *const rel[] = {
				"../schemas/sources", "../../schemas/sources", "../share/hoso/schemas/sources"
			};

			for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				snprintf(path, sizeof(path), "%s/%s/%s.yaml", exe, rel[i], name);
				if (access(path, R_OK) == 0)
					return extract_csv_format(path, err);
			}
		}
	}
	snprintf(path, sizeof(path), "schemas/sources/%s.yaml", name);
	if (access(path, R_OK) == 0)
		return extract_csv_format(path, err);
	hoso_buf_addf(err, "unknown format \"%s\" (known: %s)\n"
		      "hoso-extract: note: no CSV source schema schemas/sources/%s.yaml either "
		      "(give its file with --schema)", name, extract_format_names(), name);
	return NULL;
}

/* The fields of a D record shown by --check, by position (docs/design.md §1). */
static const char *const d_names[] = {
	NULL, "file_no", "line", "pos", "_src", "_at", "MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc",
	"KenhThucHien", "LoaiDoiTuong", "NgayNopHoSo", "NgayTiepNhan", "NgayHenTra",
	"TrangThaiHoSo", "NgayKetThucXuLy", "NgayTra", "NgayTuChoi", "DonViXuLy", "HinhThuc",
	"digitised", "paid_online", "vneid", "has_fee", "e_result", "reuse", "supplements",
	"applicant_hash",
};

/* --check: run the file into a temporary record stream and summarise it. */
static int
check(struct extract *ex, const struct extract_format *format, const char *path)
{
	FILE *tmp = tmpfile();
	struct hoso_records_reader r;
	long rows = 0, loaded = 0, rejects = 0, shown_rejects = 0, shown = 0;
	bool ok;
	int rc;

	if (!tmp) {
		hoso_error("cannot create a temporary file: %s", strerror(errno));
		return HOSO_EXIT_FAILED;
	}
	extract_csv_describe(format, stdout);
	if (ex->landing_date == HOSO_DATE_NONE && !extract_landing_day(path, &ex->landing_date)) {
		time_t now = time(NULL) + HOSO_UTC_OFFSET_SECONDS;

		ex->landing_date = hoso_time_date((hoso_time) now);
		printf("note: no landing day in the path; taking today (give --landing-date)\n");
	}
	hoso_records_writer_init(&ex->out, tmp);
	ok = extract_file_run(ex, format, path, 1);
	if (!hoso_records_writer_flush(&ex->out))
		ok = false;
	hoso_records_writer_release(&ex->out);
	if (!ok) {
		printf("file: %s\nresult: the file cannot be loaded (see the error above)\n", path);
		fclose(tmp);
		return HOSO_EXIT_FAILED;
	}
	rewind(tmp);
	hoso_records_reader_init(&r, tmp);
	printf("file: %s\n", path);
	while ((rc = hoso_records_next(&r)) == 1) {
		char **f = r.fields;

		if (!f[0])
			continue;
		if (f[0][0] == 'D') {
			loaded++;
			if (shown < 3) {
				if (shown++ == 0)
					printf("example records:\n");
				printf("  line %s:", f[2]);
				for (int i = 4; i < r.nfields && i < (int) (sizeof(d_names) / sizeof(d_names[0])); i++)
					if (f[i] && i != 27)
						printf(" %s=%s", d_names[i], f[i]);
				printf("\n");
			}
		} else if (f[0][0] == 'X') {
			rejects++;
			if (shown_rejects++ < 50)
				printf("  reject: line %s, %s: %s\n", f[2], f[4] ? f[4] : "-",
				       f[5] ? f[5] : "");
		} else if (f[0][0] == 'E') {
			rows = atol(f[3]);
			printf("rows: %ld read, %ld would be loaded, %ld rejected\n", rows, loaded,
			       rejects);
			if (f[8] && strcmp(f[8], "{}") != 0)
				printf("drift: columns the schema does not know (non-empty cells): %s\n", f[8]);
			else
				printf("drift: none (every column of the header is known)\n");
		}
	}
	hoso_records_reader_release(&r);
	fclose(tmp);
	if (rc < 0)
		return HOSO_EXIT_FAILED;
	return rejects ? HOSO_EXIT_FAILED : HOSO_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct extract ex;
	const struct extract_format *format = extract_format_find("dvcqg-jsonl");
	const struct extract_format **formats;
	const char **paths;
	hoso_date *days, landing = HOSO_DATE_NONE;
	const char *v, *personal = "drop", *reject_path = NULL, *pending_name = NULL;
	const char *check_schema = NULL;
	struct hoso_buf err = HOSO_BUF_INIT;
	int npaths = 0, ret = HOSO_EXIT_OK;
	bool options_done = false;

	hoso_log_init(argv[0]);
	memset(&ex, 0, sizeof(ex));
	ex.max_line_bytes = HOSO_INPUT_MAX_LINE_DEFAULT;
	ex.reject_fd = -1;
	ex.threaded = true;
	ex.landing_date = HOSO_DATE_NONE;
	paths = hoso_xcalloc((size_t) argc + 1, sizeof(*paths));
	formats = hoso_xcalloc((size_t) argc + 1, sizeof(*formats));
	days = hoso_xcalloc((size_t) argc + 1, sizeof(*days));

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
			if (!format) {
				format = find_csv_format(pending_name, &err);
				if (!format) {
					hoso_error("%s", err.data);
					ret = HOSO_EXIT_USAGE;
					goto done;
				}
			}
			formats[npaths] = format;
			days[npaths] = landing;
			paths[npaths++] = a;
		} else if (strcmp(a, "--") == 0) {
			options_done = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			ret = HOSO_EXIT_OK;
			goto done;
		} else if (strcmp(a, "--version") == 0) {
			printf("hoso-extract %s\n", HOSO_VERSION);
			ret = HOSO_EXIT_OK;
			goto done;
		} else if ((v = option_value(argc, argv, &i, "--format")) != NULL) {
			/* a CSV schema name is resolved when a file needs it, or by --schema */
			format = extract_format_find(v);
			pending_name = format ? NULL : v;
		} else if ((v = option_value(argc, argv, &i, "--schema")) != NULL ||
			   (v = option_value(argc, argv, &i, "--check")) != NULL) {
			bool is_check = strncmp(a, "--check", 7) == 0;

			format = extract_csv_format(v, &err);
			if (!format) {
				hoso_error("%s", err.data);
				ret = HOSO_EXIT_USAGE;
				goto done;
			}
			if (pending_name && strcmp(pending_name, format->name) != 0) {
				hoso_error("--format %s: the schema %s is named \"%s\"", pending_name, v,
					   format->name);
				ret = HOSO_EXIT_USAGE;
				goto done;
			}
			pending_name = NULL;
			if (is_check)
				check_schema = v;
		} else if ((v = option_value(argc, argv, &i, "--landing-date")) != NULL) {
			if (strcmp(v, "auto") == 0) {
				landing = HOSO_DATE_NONE;
			} else if (!hoso_date_parse_iso(v, strlen(v), &landing)) {
				hoso_error("--landing-date: expected YYYY-MM-DD or auto, found \"%s\"", v);
				ret = HOSO_EXIT_USAGE;
				goto done;
			}
		} else if ((v = option_value(argc, argv, &i, "--max-line-bytes")) != NULL) {			char *end;
			unsigned long long n;

			errno = 0;
			n = strtoull(v, &end, 10);
			if (errno || end == v || *end || n == 0 || v[0] == '-' || n > (1ULL << 30)) {
				hoso_error("--max-line-bytes: \"%s\" is not a number from 1 to %llu", v,
					   1ULL << 30);
				ret = HOSO_EXIT_USAGE;
				goto done;
			}
			ex.max_line_bytes = (size_t) n;
		} else if ((v = option_value(argc, argv, &i, "--personal-data")) != NULL) {
			if (strcmp(v, "drop") != 0 && strcmp(v, "hash") != 0) {
				hoso_error("--personal-data: \"%s\" is not drop or hash", v);
				ret = HOSO_EXIT_USAGE;
				goto done;
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
				ret = HOSO_EXIT_USAGE;
				goto done;
			}
		} else {
			hoso_error("unknown option \"%s\"", a);
			usage(stderr);
			ret = HOSO_EXIT_USAGE;
			goto done;
		}
	}
	if (check_schema && npaths != 1) {
		hoso_error("--check SCHEMA FILE: give exactly one FILE");
		ret = HOSO_EXIT_USAGE;
		goto done;
	}
	if (npaths == 0) {
		if (!format) {
			format = find_csv_format(pending_name, &err);
			if (!format) {
				hoso_error("%s", err.data);
				ret = HOSO_EXIT_USAGE;
				goto done;
			}
		}
		formats[npaths] = format;
		days[npaths] = landing;
		paths[npaths++] = "-";
	}
	if (strcmp(personal, "hash") == 0) {
		const char *key = getenv("HOSO_HMAC_KEY");

		if (!key || !*key) {
			hoso_error("--personal-data hash needs the key in the environment variable "
				   "HOSO_HMAC_KEY, which is %s", key ? "empty" : "not set");
			ret = HOSO_EXIT_USAGE;
			goto done;
		}
		ex.hash_personal_data = true;
		hoso_hmac_init(&ex.hmac, key, strlen(key));
	}
	if (reject_path) {
		ex.reject_fd = open_reject_file(reject_path);
		ex.reject_path = reject_path;
		if (ex.reject_fd < 0) {
			hoso_error("%s: cannot open the reject file: %s", reject_path, strerror(errno));
			ret = HOSO_EXIT_FAILED;
			goto done;
		}
	}

	if (check_schema) {
		ex.landing_date = days[0];
		ret = check(&ex, formats[0], paths[0]);
		goto done;
	}
	hoso_records_writer_init(&ex.out, stdout);
	hoso_records_header(&ex.out);
	for (int i = 0; i < npaths; i++) {
		ex.landing_date = days[i];
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
done:
	if (ex.reject_fd >= 0 && close(ex.reject_fd) != 0) {
		hoso_error("%s: %s", reject_path, strerror(errno));
		ret = HOSO_EXIT_FAILED;
	}
	if (ex.hash_personal_data)
		hoso_hmac_release(&ex.hmac);
	free(paths);
	free(formats);
	free(days);
	extract_csv_release_all();
	hoso_buf_release(&err);
	return ret;
}
