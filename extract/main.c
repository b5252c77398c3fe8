/*
 * main.c: hoso-extract, the first stage: landing files in, the record
 * stream (docs/design.md §1) out on stdout.  Arguments in, exit code out;
 * file.c and the format modules do the work.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "extract.h"
#include "hoso_cli.h"
#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_records.h"

/* An HMAC-SHA-256 key as long as the hash: 32 bytes at least. */

static int
open_reject_file(const char *path)
{
	struct stat st;
	int fd;

	/* the first run of a pipeline creates its state directory (mode 0700) */
	if (!hoso_make_parent_dirs(path))
		return -1;
	/*
	 * Not through a symbolic link, and only a regular file of our own: a
	 * planted link or another user's file would receive rejected lines.
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			errno = EMLINK;	/* reported below as "is a symbolic link" */
		else if (errno == ENXIO)
			errno = EINVAL;	/* a FIFO without a reader: not a regular file */
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		int e = !S_ISREG(st.st_mode) ? EINVAL : EPERM;

		close(fd);
		errno = e;
		return -1;
	}
	/* the file holds rejected lines: never readable by others */
	if ((st.st_mode & 077) && fchmod(fd, 0600) != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

/*
 * schemas/sources/NAME.yaml in hoso's data directory (hoso_paths.h), else
 * under the working directory.  NULL after logging why.
 */
static const struct extract_format *
find_csv_format(const char *name)
{
	const char *data = hoso_datadir();
	struct hoso_buf err = HOSO_BUF_INIT;
	const struct extract_format *format;
	char path[PATH_MAX + 64];

	if (strchr(name, '/')) {
		hoso_error("\"%s\" is not a format name", name);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/schemas/sources/%s.yaml", data ? data : ".", name);
	if (access(path, R_OK) != 0)
		snprintf(path, sizeof(path), "schemas/sources/%s.yaml", name);
	if (access(path, R_OK) != 0) {
		hoso_report(HOSO_LOG_ERROR, hoso_log_event("usage"),
			    hoso_msg("unknown format \"%s\" (known: %s)", name, extract_format_names()),
			    hoso_detail("There is no CSV source schema schemas/sources/%s.yaml either.", name),
			    hoso_hint("Give the schema's file with --schema."));
		return NULL;
	}
	format = extract_csv_format(path, &err);
	if (!format)
		hoso_error("%s", err.data);
	hoso_buf_release(&err);
	return format;
}

/*
 * How --check names the D fields: the source's names where it has them,
 * else the layout's (hoso_layout.h).
 */
static const char *const d_source_names[HOSO_D_NFIELDS] = {
	[HOSO_D_src] = "_src", [HOSO_D_at] = "_at", [HOSO_D_case_no] = "MaHoSo",
	[HOSO_D_procedure_code] = "MaTTHC", [HOSO_D_procedure_name] = "TenTTHC",
	[HOSO_D_field_code] = "MaLinhVuc", [HOSO_D_channel_raw] = "KenhThucHien",
	[HOSO_D_applicant_type] = "LoaiDoiTuong", [HOSO_D_submitted_at] = "NgayNopHoSo",
	[HOSO_D_accepted_at] = "NgayTiepNhan", [HOSO_D_due_at] = "NgayHenTra",
	[HOSO_D_status] = "TrangThaiHoSo", [HOSO_D_processed_at] = "NgayKetThucXuLy",
	[HOSO_D_returned_at] = "NgayTra", [HOSO_D_refused_at] = "NgayTuChoi",
	[HOSO_D_unit_name] = "DonViXuLy", [HOSO_D_return_form] = "HinhThuc",
};

/* One D record as --check shows it: not where it was, nor the supplement rounds. */
static void
print_d_record(char **f, int nfields)
{
	int n;
	const struct hoso_column *layout = hoso_record_layout('D', &n);

	printf("  line %s:", f[HOSO_D_line]);
	for (int i = 1; i < nfields && i < HOSO_D_NFIELDS; i++) {
		if (!f[i] || i == HOSO_D_file_no || i == HOSO_D_line || i == HOSO_D_pos ||
		    i == HOSO_D_supplements)
			continue;
		printf(" %s=%s", d_source_names[i] ? d_source_names[i] : layout[i - 1].name, f[i]);
	}
	printf("\n");
}

/* --check: run the file into a temporary record stream and summarise it. */
static int
check(struct extract *ex, const struct extract_format *format, const char *path)
{
	FILE *tmp = tmpfile();
	struct hoso_records_reader r;
	struct extract_input input;
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
		hoso_report(HOSO_LOG_WARNING, hoso_msg("%s: no landing day in the path; taking today", path),
			    hoso_hint("Give the landing day with --landing-date."));
	}
	hoso_records_writer_init(&ex->out, tmp);
	extract_input_open(ex, &input, path);
	ok = extract_file_run(ex, format, path, 1, &input);
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
				print_d_record(f, r.nfields);
			}
		} else if (f[0][0] == 'X') {
			rejects++;
			if (shown_rejects++ < 50)
				printf("  reject: line %s, %s: %s\n", f[HOSO_X_line],
				       f[HOSO_X_field] ? f[HOSO_X_field] : "-",
				       f[HOSO_X_reason] ? f[HOSO_X_reason] : "");
		} else if (f[0][0] == 'E') {
			rows = atol(f[HOSO_E_messages]);
			printf("rows: %ld read, %ld would be loaded, %ld rejected\n", rows, loaded,
			       rejects);
			if (f[HOSO_E_unknown_fields] && strcmp(f[HOSO_E_unknown_fields], "{}") != 0)
				printf("drift: columns the schema does not know (non-empty cells): %s\n",
				       f[HOSO_E_unknown_fields]);
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

/*
 * The command line in the order given: --format, --schema and
 * --landing-date apply to the files that follow them.
 */
struct extract_args {
	const struct extract_format *format;	/* NULL: pending_name, a CSV schema's name */
	const char *pending_name;
	hoso_date landing;
	const char *check_schema;
	const char **paths;			/* each with its format and landing day */
	const struct extract_format **formats;
	hoso_date *days;
	int npaths;
	long long max_line_bytes;
	hoso_date dates_from, dates_to;		/* the plausible days of a timestamp */
	int personal_data;			/* 0 drop, 1 hash */
	const char *reject_path;
};

/* Room for every argument as a file; the defaults of the options. */
static void
args_init(struct extract_args *x, int argc)
{
	memset(x, 0, sizeof(*x));
	x->format = extract_format_find("dvcqg-jsonl");
	x->landing = x->dates_from = x->dates_to = HOSO_DATE_NONE;
	x->max_line_bytes = HOSO_INPUT_MAX_LINE_DEFAULT;
	x->paths = hoso_xcalloc((size_t) argc + 1, sizeof(*x->paths));
	x->formats = hoso_xcalloc((size_t) argc + 1, sizeof(*x->formats));
	x->days = hoso_xcalloc((size_t) argc + 1, sizeof(*x->days));
}

static void
args_release(struct extract_args *x)
{
	free(x->paths);
	free(x->formats);
	free(x->days);
}

static bool
format_option(struct hoso_cli *cli, const struct hoso_option *opt, const char *arg)
{
	struct extract_args *x = opt->value;

	/* a CSV schema name is resolved when a file needs it, or by --schema */
	x->format = extract_format_find(arg);
	x->pending_name = x->format ? NULL : arg;
	return true;
}

/* --schema PATH, and --check PATH which also asks for the check */
static bool
schema_option(struct hoso_cli *cli, const struct hoso_option *opt, const char *arg)
{
	struct extract_args *x = opt->value;
	struct hoso_buf err = HOSO_BUF_INIT;

	x->format = extract_csv_format(arg, &err);
	if (!x->format) {
		hoso_error("%s", err.data);
		hoso_buf_release(&err);
		return false;
	}
	hoso_buf_release(&err);
	if (x->pending_name && strcmp(x->pending_name, x->format->name) != 0) {
		hoso_cli_usage_error(cli, "--format %s: the schema %s is named \"%s\"", x->pending_name,
				     arg, x->format->name);
		return false;
	}
	x->pending_name = NULL;
	if (strcmp(opt->long_name, "check") == 0)
		x->check_schema = arg;
	return true;
}

static bool
landing_option(struct hoso_cli *cli, const struct hoso_option *opt, const char *arg)
{
	struct extract_args *x = opt->value;

	if (strcmp(arg, "auto") == 0) {
		x->landing = HOSO_DATE_NONE;
		return true;
	}
	return hoso_cli_date(cli, "--landing-date", arg, &x->landing);
}

/* A file to read, with the format and landing day given before it. */
static bool
add_file(struct extract_args *x, const char *arg)
{
	if (!x->format) {
		x->format = find_csv_format(x->pending_name);
		if (!x->format)
			return false;
	}
	x->formats[x->npaths] = x->format;
	x->days[x->npaths] = x->landing;
	x->paths[x->npaths++] = arg;
	return true;
}

static bool
file_argument(struct hoso_cli *cli, const struct hoso_option *opt, const char *arg)
{
	return add_file(opt->value, arg);
}

/* Once parsed: --check takes one FILE; no FILE at all is standard input. */
static int
check_files(struct hoso_cli *cli, struct extract_args *x)
{
	if (x->check_schema && x->npaths != 1)
		return hoso_cli_usage_error(cli, "--check SCHEMA FILE: give exactly one FILE");
	if (x->npaths == 0 && !add_file(x, "-"))
		return HOSO_EXIT_USAGE;
	return HOSO_EXIT_OK;
}

/* The settings every file is read with, from the options and their defaults. */
static void
extract_init(struct extract *ex, const struct extract_args *x)
{
	memset(ex, 0, sizeof(*ex));
	ex->reject_fd = -1;
	ex->threaded = true;
	ex->landing_date = HOSO_DATE_NONE;
	ex->max_line_bytes = (size_t) x->max_line_bytes;
	/* a year 1900 or 2100 is a typo or a placeholder, not a case of ours */
	ex->dates_from = x->dates_from;
	if (ex->dates_from == HOSO_DATE_NONE)
		hoso_date_parse_iso("2000-01-01", 10, &ex->dates_from);
	ex->dates_to = x->dates_to;
	if (ex->dates_to == HOSO_DATE_NONE)
		ex->dates_to = hoso_time_date((hoso_time) time(NULL) + HOSO_UTC_OFFSET_SECONDS) + 1;
}

/*
 * Read the files into the record stream on stdout (or check the one file of
 * --check); returns the exit status.
 */
static int
extract_all(const struct extract_args *x)
{
	struct extract ex;
	struct extract_input inputs[2];	/* this file's and the next one's */
	const char *reject_path = x->reject_path;
	int ret = HOSO_EXIT_OK;

	extract_init(&ex, x);
	if (x->personal_data == 1) {
		const char *key = getenv("HOSO_HMAC_KEY");
		char why[200];

		if (hoso_hmac_key_unusable(key, why, sizeof(why))) {
			hoso_error("--personal-data hash %s", why);
			return HOSO_EXIT_USAGE;
		}
		ex.hash_personal_data = true;
		hoso_hmac_init(&ex.hmac, key, strlen(key));
	}
	if (reject_path) {
		ex.reject_fd = open_reject_file(reject_path);
		ex.reject_path = reject_path;
		if (ex.reject_fd < 0) {
			hoso_error("%s: cannot open the reject file: %s", reject_path,
				   errno == EMLINK ? "it is a symbolic link" :
				   errno == EINVAL ? "not a regular file" :
				   errno == EPERM ? "not a file of the user running hoso" : strerror(errno));
			ret = HOSO_EXIT_FAILED;
			goto cleanup;
		}
	}

	if (x->check_schema) {
		ex.landing_date = x->days[0];
		ret = check(&ex, x->formats[0], x->paths[0]);
		goto cleanup;
	}
	hoso_records_writer_init(&ex.out, stdout);
	hoso_records_header(&ex.out);
	if (x->npaths > 0)
		extract_input_open(&ex, &inputs[0], x->paths[0]);
	for (int i = 0; i < x->npaths; i++) {
		struct extract_input *next = &inputs[(i + 1) % 2];
		/* standard input is not read before its turn: it may be a terminal */
		bool ahead = ex.threaded && i + 1 < x->npaths && strcmp(x->paths[i + 1], "-") != 0;

		/* the next file inflates in its own thread while this one is parsed */
		if (ahead)
			extract_input_open(&ex, next, x->paths[i + 1]);
		ex.landing_date = x->days[i];
		if (!extract_file_run(&ex, x->formats[i], x->paths[i], i + 1, &inputs[i % 2])) {
			if (ahead)
				extract_input_close(next);
			ret = HOSO_EXIT_FAILED;
			break;
		}
		if (!ahead && i + 1 < x->npaths)
			extract_input_open(&ex, next, x->paths[i + 1]);
	}
	if (!hoso_records_writer_flush(&ex.out)) {
		hoso_error("cannot write the records to standard output: %s", strerror(errno));
		ret = HOSO_EXIT_FAILED;
	}
	hoso_records_writer_release(&ex.out);
cleanup:
	if (ex.reject_fd >= 0 && close(ex.reject_fd) != 0) {
		hoso_error("%s: %s", reject_path, strerror(errno));
		ret = HOSO_EXIT_FAILED;
	}
	if (ex.hash_personal_data)
		hoso_hmac_release(&ex.hmac);
	return ret;
}

static const char *const usage[] = {
	"hoso-extract [OPTION]... [FILE]...", "hoso-extract --check SCHEMA FILE", NULL
};
static const char *const personal_modes[] = { "drop", "hash", NULL };
static char format_help[512];	/* names the built-in formats, filled in by main */

/* the parsed command line */
static struct extract_args args;

static const struct hoso_option options[] = {
	HOSO_OPT_CALLBACK("format", &args, "NAME", format_option, format_help),
	HOSO_OPT_CALLBACK("schema", &args, "PATH", schema_option,
			  "CSV source schema of the files that follow"),
	HOSO_OPT_CALLBACK("landing-date", &args, "D", landing_option,
			  "landing day (YYYY-MM-DD, or auto = from the path)\n"
			  "of the files that follow: a CSV row's _at is its end"),
	HOSO_OPT_CALLBACK("check", &args, "SCHEMA", schema_option,
			  "validate one sample FILE against a source schema\n"
			  "and print what would be loaded and rejected (no\n"
			  "records; exit 0 only when every row would load)"),
	HOSO_OPT_INTEGER("max-line-bytes", &args.max_line_bytes, "N", 1, 1LL << 30,
			 "longest line accepted (default 1 MiB)"),
	HOSO_OPT_CHOICE("personal-data", &args.personal_data, personal_modes,
			"drop (default) or hash (HMAC-SHA-256, key from\n"
			"the environment variable HOSO_HMAC_KEY)"),
	HOSO_OPT_DATE("dates-from", &args.dates_from,
		      "earliest plausible day of a timestamp\n(default 2000-01-01)"),
	HOSO_OPT_DATE("dates-to", &args.dates_to,
		      "latest plausible day of a timestamp\n(default: tomorrow, Vietnam time)"),
	HOSO_OPT_STRING(0, "reject-file", &args.reject_path, "PATH",
			"append rejected lines, personal data removed, to\nPATH (a regular file of ours, mode 0600)"),
	HOSO_OPT_ARGUMENTS(&args, file_argument),
	HOSO_OPT_END(),
};

static struct hoso_cli extract_cli = {
	.name = "hoso-extract", .usage = usage, .options = options,
	.about = "Read raw case logs (gzip or plain, by content) and write hoso records on stdout.\n"
		 "With no FILE, or when FILE is -, read standard input.",
	.footer = "Exit status: 0 done (rejects included), 1 a file could not be read to its end,\n"
		  "2 bad usage.",
	.args_name = "FILE", .max_args = -1,
};

int
main(int argc, char **argv)
{
	int ret;

	/*
	 * Each file's input buffers (a few MiB) are freed when the file ends:
	 * keep that memory for the next file rather than hand it back to the
	 * kernel and fault it in again (a tenth of extract's time otherwise).
	 */
	mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
	hoso_log_init(argv[0]);
	snprintf(format_help, sizeof(format_help),
		 "format of the files that follow (default dvcqg-jsonl;\n"
		 "built in: %s; any other NAME is a CSV source\n"
		 "schema found as schemas/sources/NAME.yaml)", extract_format_names());
	args_init(&args, argc);
	if (!hoso_cli_parse(&extract_cli, argc, argv))
		ret = extract_cli.status;	/* --help, --version or bad usage */
	else if ((ret = check_files(&extract_cli, &args)) == HOSO_EXIT_OK)
		ret = extract_all(&args);
	args_release(&args);
	extract_csv_release_all();
	return ret;
}
