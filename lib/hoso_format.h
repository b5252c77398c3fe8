/*
 * hoso_format.h: what the runner must know of a source format to hand it
 * files, declared once for hoso-extract (which reads them) and the runner
 * (which plans and passes the options).
 *
 * A built-in format is one HOSO_BUILTIN_FORMATS entry plus its C file in
 * extract/ (extract_format_ID); any other name is a CSV source schema
 * (schemas/sources/NAME.yaml), which needs the schema file and a landing
 * day, because a CSV row's _at is the end of the file's landing day.
 */
#ifndef HOSO_FORMAT_H
#define HOSO_FORMAT_H

#include <stdbool.h>

/* X(id, name, needs_landing_day) */
#define HOSO_BUILTIN_FORMATS(X) \
	X(dvcqg, "dvcqg-jsonl", false)

struct hoso_format {
	const char *name;
	bool needs_schema;		/* a source schema file (--schema) */
	bool needs_landing_day;		/* --landing-date of each file */
};

/*
 * The needs of the format called name: a built-in's entry, else those of
 * a CSV source schema (with name NULL: the caller keeps its own name).
 */
const struct hoso_format *hoso_format_find(const char *name);
/* "dvcqg-jsonl, ..." for messages */
const char *hoso_format_builtin_names(void);

#endif
