/*
 * extract.h: what the extract stage's modules share.
 *
 * main.c reads the command line; file.c runs one input file through its
 * format and writes F, X and E records; each source format (dvcqg.c, the
 * portal's JSON Lines) is one struct extract_format in formats.c's table,
 * and each CSV source schema (csv.c) makes one at run time.
 */
#ifndef EXTRACT_H
#define EXTRACT_H

#include <stdbool.h>
#include <stdio.h>

#include "hoso_buf.h"
#include "hoso_input.h"
#include "hoso_json.h"
#include "hoso_map.h"
#include "hoso_records.h"
#include "hoso_sha256.h"
#include "hoso_time.h"

/* Rejects printed on stderr per file; the rest are only counted. */
#define EXTRACT_MAX_WARNINGS 20
/* X.raw is capped so that one huge line cannot bloat the rejects table. */
#define EXTRACT_RAW_CAP (16 * 1024)

struct extract_format;

/* The run: options and the shared outputs.  Owned by main. */
struct extract {
	size_t max_line_bytes;
	bool hash_personal_data;	/* else personal data is dropped */
	struct hoso_hmac hmac;		/* valid when hash_personal_data */
	struct hoso_records_writer out;
	int reject_fd;			/* -1 without --reject-file */
	const char *reject_path;
	bool threaded;
	/* landing day of the file being read; HOSO_DATE_NONE = from its path (CSV _at) */
	hoso_date landing_date;
	/* the plausible days of a timestamp, both included: others are rejects */
	hoso_date dates_from, dates_to;
};

/* One input file being read.  Owned by file.c for the duration of the file. */
struct extract_file {
	struct extract *ex;
	const struct extract_format *format;
	const char *path;
	int file_no;
	/* counts written to the E record */
	long messages, dossiers, progress, other_messages, rejects;
	struct hoso_map unknown_fields;	/* name -> count (in the pointer) */
	long warnings;			/* rejects printed on stderr */
	/* the line being processed */
	const struct hoso_input_line *line;
	const struct hoso_json_value *root;	/* parsed line, NULL if not JSON */
	struct hoso_buf raw;			/* root re-serialised, without personal data */
	bool raw_done;				/* a format may set raw itself */
	bool failed;				/* the format gave up on the file (logged) */
	struct hoso_buf scratch;		/* file.c's own: reject file lines, E */
	struct hoso_buf reason;			/* for formats: reject reasons */
};

/*
 * A source format: begin makes per-file state (may return NULL), line is
 * called for each non-empty line without a byte-level flaw, finish (may be
 * NULL) at the end of the input before the E record, end frees the state.
 * Lines with flaws (too long, NUL, bad UTF-8) are rejected by file.c
 * before the format sees them.  A format that sets f->failed (after
 * logging why) fails the file: no E record, extract exits 1.
 */
struct extract_format {
	const char *name;
	void *(*begin)(struct extract_file *f);
	void (*line)(void *state, struct extract_file *f, const struct hoso_input_line *line);
	void (*finish)(void *state, struct extract_file *f);
	void (*end)(void *state, struct extract_file *f);
	/*
	 * What a reject's raw copy of a JSON line keeps of each member: only
	 * the fields the format knows to be free of personal data are kept;
	 * personal ones are dropped and any other value is masked (NULL:
	 * everything masked).
	 */
	enum hoso_json_member_policy (*raw_policy)(const char *key, size_t keylen);
};

/* formats.c */
const struct extract_format *extract_format_find(const char *name);
const char *extract_format_names(void);

/* file.c */
/*
 * A file's input, opened before its turn: its decoder thread inflates while
 * the file before it is parsed.  Whether it could be opened is told (and
 * logged) only when its turn comes.
 */
struct extract_input {
	struct hoso_input in;
	bool opened;		/* else in.error says why */
};
void extract_input_open(const struct extract *ex, struct extract_input *xi, const char *path);
/* Close an input whose turn never came. */
void extract_input_close(struct extract_input *xi);
/*
 * Process one file from its input (opened by extract_input_open on the same
 * path, closed here); false when it cannot be read to its end (already logged).
 */
bool extract_file_run(struct extract *ex, const struct extract_format *format,
		      const char *path, int file_no, struct extract_input *xi);
/*
 * Reject (part of) the current line: an X record, a warning (capped), and a
 * line in the reject file.  field is the JSON field or "-" for the line.
 */
void extract_reject(struct extract_file *f, const char *field, const char *reason);
/* Longest value quoted in a reason; longer ones are cut with "...". */
#define EXTRACT_QUOTE_MAX 40
/*
 * Append s[0..n) to f->reason in double quotes ('"' and '\' escaped, control
 * bytes as \xNN), cut on a character boundary; returns f->reason.data.
 */
const char *extract_quote(struct extract_file *f, const char *s, size_t n);
void extract_count_unknown(struct extract_file *f, const char *key, size_t keylen);
/*
 * True for the keys of personal data (docs/design.md), matched folded (case,
 * white space, NFC): "chuhoso" and "ChuHoSo " are ChuHoSo.
 */
bool extract_is_personal_key(const char *key, size_t keylen);

/* dvcqg.c */
extern const struct extract_format extract_format_dvcqg;

/* csv.c */
/*
 * The format of a CSV source schema file: its name is the schema's name.
 * NULL with a message in err when the schema is invalid.  csv.c owns the
 * result until extract_csv_release_all.
 */
const struct extract_format *extract_csv_format(const char *schema_path, struct hoso_buf *err);
void extract_csv_release_all(void);
/* Describe the schema behind a CSV format on out (for --check). */
void extract_csv_describe(const struct extract_format *format, FILE *out);
/* The landing day in a path: the last yyyy/MM/dd, else the last yyyyMMdd. */
bool extract_landing_day(const char *path, hoso_date *out);

#endif
