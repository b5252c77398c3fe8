/*
 * manifest.c: the staging directory's MANIFEST (docs/design.md §2) and the
 * streaming of its files into COPY.
 *
 * The transform writes MANIFEST last, so a directory without one is
 * incomplete.  Sizes are checked up front (cheap); each file's SHA-256 is
 * computed while the file is streamed to the server, and a mismatch aborts
 * that COPY and with it the load's transaction.  The hash so covers exactly
 * the bytes loaded, with no second read of the file.  staging.c holds the
 * order of the load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_paths.h"
#include "hoso_owner.h"
#include "hoso_pg.h"
#include "hoso_sha256.h"
#include "load.h"

#define READ_CHUNK (256 * 1024)		/* one read per 256 KiB */
#define SEND_CHUNK (256 * 1024)		/* rewritten rows are sent in blocks this big */

static bool
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 64;
}

bool
manifest_read(struct manifest *m, const char *dir)
{
	char *path = hoso_path_join(dir, "MANIFEST");
	FILE *f;
	char line[1024];
	long lineno = 0;
	bool ok = false;

	memset(m, 0, sizeof(*m));
	m->dir = hoso_xstrdup(dir);
	f = fopen(path, "r");
	if (!f) {
		hoso_error("%s: cannot read the staging MANIFEST: %s; the staging directory is "
			   "incomplete or not one", path, strerror(errno));
		free(path);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[256], hex[128];
		long long size;
		struct manifest_entry *e;
		struct stat st;
		char *file;
		int end = 0;

		lineno++;
		if (sscanf(line, "%255s %lld %127s%n", name, &size, hex, &end) != 3 ||
		    (line[end] != '\n' && line[end] != '\0') || size < 0 || !is_hex64(hex) ||
		    strchr(name, '/') || strcmp(name, "..") == 0 || strcmp(name, ".") == 0) {
			hoso_error("%s:%ld: malformed MANIFEST line (expected \"name size sha256\")",
				   path, lineno);
			goto cleanup;
		}
		if (manifest_find(m, name)) {
			hoso_error("%s:%ld: \"%s\" is listed twice", path, lineno, name);
			goto cleanup;
		}
		file = hoso_path_join(dir, name);
		if (stat(file, &st) != 0) {
			hoso_error("%s: listed in the MANIFEST but cannot be read: %s", file, strerror(errno));
			free(file);
			goto cleanup;
		}
		if ((long long) st.st_size != size) {
			hoso_error("%s: size %lld does not match the MANIFEST (%lld); refusing the staging "
				   "directory", file, (long long) st.st_size, size);
			free(file);
			goto cleanup;
		}
		free(file);
		m->entries = hoso_xrealloc(m->entries, (m->n + 1) * sizeof(*m->entries));
		e = &m->entries[m->n++];
		e->name = hoso_xstrdup(name);
		e->size = size;
		memcpy(e->sha256, hex, 65);
	}
	if (ferror(f)) {
		hoso_error("%s: cannot read: %s", path, strerror(errno));
		goto cleanup;
	}
	ok = true;
cleanup:
	fclose(f);
	free(path);
	return ok;
}

const struct manifest_entry *
manifest_find(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->entries[i].name, name) == 0)
			return &m->entries[i];
	return NULL;
}

void
manifest_release(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->entries[i].name);
	free(m->entries);
	free(m->dir);
	memset(m, 0, sizeof(*m));
}

/*
 * Rewrite one row (without its newline) into out.  Returns false with a
 * message in err for a row that cannot be rewritten.
 */
static bool
rewrite_row(const char *row, size_t len, enum staging_copy_mode mode,
	    const struct file_map *map, struct hoso_buf *out, char *err, size_t errlen)
{
	const char *tab = memchr(row, '\t', len);

	if (!tab) {
		snprintf(err, errlen, "a row has a single field");
		return false;
	}
	if (mode == STAGING_COPY_FILE_ID) {
		unsigned long long no = 0;
		const char *p;

		for (p = row; p < tab; p++) {
			if (*p < '0' || *p > '9' || no > 1000000000ULL)
				break;
			no = no * 10 + (unsigned) (*p - '0');
		}
		if (p != tab || p == row || no >= map->n || map->ids[no] == 0) {
			snprintf(err, errlen, "a row names file number \"%.*s\", not in files.tsv",
				 (int) (tab - row > 20 ? 20 : tab - row), row);
			return false;
		}
		hoso_buf_addf(out, "%lld", map->ids[no]);
		hoso_buf_add(out, tab, len - (size_t) (tab - row));
	} else {
		const char *second = memchr(tab + 1, '\t', len - (size_t) (tab + 1 - row));

		hoso_buf_add(out, row, second ? (size_t) (second - row) : len);
	}
	hoso_buf_addch(out, '\n');
	return true;
}

bool
manifest_copy(PGconn *conn, const struct manifest *m, const char *name, const char *copy_sql,
	      enum staging_copy_mode mode, const struct file_map *map, long long *rows)
{
	const struct manifest_entry *e = manifest_find(m, name);
	static char buf[READ_CHUNK];
	struct hoso_buf carry = HOSO_BUF_INIT, out = HOSO_BUF_INIT;
	struct hoso_sha256 sha;
	char *path = hoso_path_join(m->dir, name), hex[65], err[256];
	const char *abort_message = NULL;
	char last = '\n';
	long long size = 0, nrows = 0;
	FILE *f = NULL;
	size_t n;
	bool ok = false;

	if (!e) {
		hoso_error("%s: not listed in the MANIFEST; refusing the staging directory", path);
		goto cleanup;
	}
	f = fopen(path, "rb");
	if (!f) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		goto cleanup;
	}
	if (!hoso_pg_copy_begin(conn, copy_sql)) {
		hoso_error("loading \"%s\" failed", path);
		goto cleanup;
	}
	hoso_sha256_init(&sha);
	while (!abort_message && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		const char *p = buf, *end = buf + n, *nl;

		hoso_sha256_update(&sha, buf, n);
		size += (long long) n;
		/* COPY text escapes newlines inside fields, so '\n' always ends a row */
		if (mode == STAGING_COPY_AS_IS) {
			for (nl = p; (nl = memchr(nl, '\n', (size_t) (end - nl))) != NULL; nl++)
				nrows++;
			if (!hoso_pg_copy_put(conn, buf, n))
				abort_message = "sending the data failed";
			last = buf[n - 1];
			continue;
		}
		while (p < end && (nl = memchr(p, '\n', (size_t) (end - p))) != NULL) {
			const char *row = p;
			size_t len = (size_t) (nl - p);

			if (carry.len) {
				hoso_buf_add(&carry, p, len);
				row = carry.data;
				len = carry.len;
			}
			if (!rewrite_row(row, len, mode, map, &out, err, sizeof(err))) {
				hoso_error("%s:%lld: %s", path, nrows + 1, err);
				abort_message = "a staging row could not be rewritten";
				break;
			}
			hoso_buf_reset(&carry);
			nrows++;
			p = nl + 1;
		}
		if (!abort_message && p < end)
			hoso_buf_add(&carry, p, (size_t) (end - p));
		if (!abort_message && out.len >= SEND_CHUNK) {
			if (!hoso_pg_copy_put(conn, out.data, out.len))
				abort_message = "sending the data failed";
			hoso_buf_reset(&out);
		}
	}
	if (!abort_message && ferror(f)) {
		hoso_error("cannot read \"%s\": %s", path, strerror(errno));
		abort_message = "reading a staging file failed";
	}
	if (mode == STAGING_COPY_AS_IS && last != '\n' && size > 0)
		nrows++;	/* a last row without its newline */
	if (!abort_message && carry.len) {
		/* a last row without its newline */
		if (!rewrite_row(carry.data, carry.len, mode, map, &out, err, sizeof(err))) {
			hoso_error("%s:%lld: %s", path, nrows + 1, err);
			abort_message = "a staging row could not be rewritten";
		}
		nrows++;
	}
	if (!abort_message && out.len && !hoso_pg_copy_put(conn, out.data, out.len))
		abort_message = "sending the data failed";
	hoso_sha256_final_hex(&sha, hex);
	if (!abort_message && (size != e->size || strcmp(hex, e->sha256) != 0)) {
		hoso_error("%s: content does not match the MANIFEST (size %lld, sha256 %s; MANIFEST "
			   "says %lld, %s); refusing the staging directory", path, size, hex, e->size,
			   e->sha256);
		abort_message = "a staging file does not match its MANIFEST";
	}
	ok = hoso_pg_copy_end(conn, abort_message);
	if (!ok && !abort_message)
		hoso_error("loading \"%s\" failed", path);
	if (ok && rows)
		*rows = nrows;
cleanup:
	if (f)
		fclose(f);
	free(path);
	hoso_buf_release(&carry);
	hoso_buf_release(&out);
	return ok;
}

bool
manifest_claim(PGconn *conn, const struct manifest *m, long long run_id)
{
	struct hoso_warehouse_id id;
	long long owner_run = -1;
	char run[32];
	const char *p[1] = { run };
	PGresult *res;
	bool ok;

	if (!hoso_warehouse_id_query(conn, &id) ||
	    !hoso_owner_matches(m->dir, &id, &owner_run, false))
		return false;
	if (owner_run != run_id) {
		hoso_error("%s/OWNER: the staging directory was made for run %lld, not run %lld; "
			   "refusing it", m->dir, owner_run, run_id);
		return false;
	}
	snprintf(run, sizeof(run), "%lld", run_id);
	res = hoso_pg_query(conn, "SELECT status FROM hoso.run WHERE run_id = $1 FOR UPDATE", 1, p);
	if (!res)
		return false;
	ok = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "running") == 0;
	if (!ok)
		hoso_error("run %lld is %s; only a running run may load its staging directory",
			   run_id, PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "not recorded");
	PQclear(res);
	return ok;
}
