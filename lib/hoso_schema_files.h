/*
 * hoso_schema_files.h: the warehouse's schema files, as hoso-load
 * --migrate applies and records them (docs/design.md §8), and whether a
 * warehouse records exactly them.
 *
 * A schema directory (schemas/warehouse) holds three kinds of file:
 *   NNN_name.sql        migrations, recorded in hoso.schema_version
 *   functions/NAME.sql  function files, recorded in hoso.function_file
 *   ../profiles/NAME.yaml  scoring profiles, recorded in hoso.profile_file
 * each recorded with the SHA-256 of its content.  The migrator applies
 * them; the runner asks hoso_schema_current() first, so that a night whose
 * warehouse is current starts no migrator.
 */
#ifndef HOSO_SCHEMA_FILES_H
#define HOSO_SCHEMA_FILES_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"

struct hoso_schema_file {
	int version;		/* NNN of a migration; 0 for the other kinds */
	char *name;		/* owned: name within its directory */
	char *path;		/* owned */
	struct hoso_buf text;	/* the content, NUL-terminated */
	char sha[65];		/* hex SHA-256 of the content */
};

/* Sorted by version, then by name (bytewise, as COLLATE "C"). */
struct hoso_schema_list {
	struct hoso_schema_file *v;
	size_t n;
};

struct hoso_schema_files {
	struct hoso_schema_list mig;	/* never empty */
	struct hoso_schema_list fn;	/* empty when there is no functions/ */
	struct hoso_schema_list prof;	/* empty when there is no ../profiles/ */
};

/* "NNN_name.sql" -> NNN; -1 for any other name. */
int hoso_schema_migration_version(const char *name);

/*
 * The schema directory: option (--schemas), else $HOSO_SCHEMA_DIR, else
 * hoso's data directory's schemas/warehouse; a DIR that holds warehouse/
 * stands for DIR/warehouse.  NULL when none is found; the caller frees it.
 */
char *hoso_schema_dir(const char *option);

/* Read and digest every file of dir; false after a message. */
bool hoso_schema_files_read(const char *dir, struct hoso_schema_files *out);
void hoso_schema_files_release(struct hoso_schema_files *f);
void hoso_schema_list_release(struct hoso_schema_list *l);
/* In the lists' order: by version, then by name. */
void hoso_schema_list_sort(struct hoso_schema_list *l);

/*
 * "NAME SHA256\n" per file, in the list's order: the form in which
 * hoso.function_file and hoso.profile_file are compared (HOSO_SCHEMA_RECORDED).
 */
void hoso_schema_list_digests(const struct hoso_schema_list *l, struct hoso_buf *out);

/* The same lines of a record table, $TABLE being hoso.function_file or hoso.profile_file. */
#define HOSO_SCHEMA_RECORDED(table) \
	"SELECT coalesce(string_agg(file || ' ' || sha256 || E'\\n', '' ORDER BY file COLLATE \"C\"), '')" \
	" FROM " table

/*
 * Whether the warehouse records every file of f as --migrate would leave
 * it: each migration in hoso.schema_version with its digest, and the
 * function and profile files exactly as hoso.function_file and
 * hoso.profile_file list them.  1 current, 0 not, -1 cannot tell (no
 * schema yet, a table missing, an error): the caller migrates unless 1.
 */
int hoso_schema_current(PGconn *conn, const struct hoso_schema_files *f);

#endif
