/*
 * progress.c: the progress line of a run's phases on a terminal.
 *
 * The stages write their stderr into a pipe the runner reads (stages.c),
 * so none of them sees a terminal and none draws a line of its own: the
 * runner draws one for each phase, from what it can see from outside.
 *   extract    bytes of the input files read (/proc/PID/io), of the total
 *   transform  once extract is done: what it has written to the staging
 *              directory while it merges and derives the cases
 *   load       rows of each table as the server copies them
 *              (pg_stat_progress_copy), then the index builds
 * Each phase ends with its line's final figures, so an operator's
 * terminal keeps one line per phase.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hoso_buf.h"
#include "hoso_pg.h"
#include "runner.h"

void
runner_progress_begin(struct runner_progress *rp, const char *phase)
{
	/* a phase that failed left its line unfinished */
	hoso_progress_interrupt();
	hoso_progress_init(&rp->line, phase);
}

/* The phase's last words on its line, and a newline. */
static void
end_phase(struct runner_progress *rp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
end_phase(struct runner_progress *rp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rp->line.text, sizeof(rp->line.text), fmt, ap);
	va_end(ap);
	hoso_progress_finish(&rp->line);
}

static double
megabytes(unsigned long long bytes)
{
	return (double) bytes / 1e6;
}

/* What the process has read so far (its rchar), or 0 when the kernel does not say. */
static unsigned long long
bytes_read_by(pid_t pid)
{
	char path[64], line[128];
	unsigned long long n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/io", (long) pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "rchar: %llu", &n) == 1)
			break;
	fclose(f);
	return n;
}

static void load_status(struct runner_progress *rp, struct hoso_buf *now);

/* "; load: copying T (N rows)": what a run's load does beside extract and transform, if anything. */
static void
load_beside(struct runner_progress *rp, struct hoso_buf *out)
{
	struct hoso_buf now = HOSO_BUF_INIT;

	if (rp->load_follows && rp->conn)
		load_status(rp, &now);
	if (now.len)
		hoso_buf_addf(out, "; load: %s", now.data);
	hoso_buf_release(&now);
}

void
runner_progress_extract_tick(void *arg)
{
	struct runner_progress *rp = arg;
	unsigned long long done = bytes_read_by(rp->extract_pid);
	struct hoso_buf load = HOSO_BUF_INIT;

	/* a few bytes of its own files (libraries, schemas) count too: never past the end */
	if (done > rp->input_bytes)
		done = rp->input_bytes;
	load_beside(rp, &load);
	hoso_progress_text(&rp->line, "%.1f of %.1f MB read (%.0f%%)%s", megabytes(done),
			   megabytes(rp->input_bytes),
			   rp->input_bytes ? 100.0 * (double) done / (double) rp->input_bytes : 100.0,
			   load.len ? load.data : "");
	hoso_buf_release(&load);
}

void
runner_progress_extract_done(struct runner_progress *rp, size_t files)
{
	end_phase(rp, "%.1f MB read, %zu files", megabytes(rp->input_bytes), files);
}

/* The bytes of the files in dir (the staging directory is flat). */
static unsigned long long
directory_bytes(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned long long n = 0;
	char path[4096];
	struct stat st;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			n += (unsigned long long) st.st_size;
	}
	closedir(d);
	return n;
}

void
runner_progress_transform_tick(void *arg)
{
	struct runner_progress *rp = arg;
	struct hoso_buf load = HOSO_BUF_INIT;

	load_beside(rp, &load);
	hoso_progress_text(&rp->line, "merging and deriving the cases, %.1f MB of staging written%s",
			   megabytes(directory_bytes(rp->staging)), load.len ? load.data : "");
	hoso_buf_release(&load);
}

void
runner_progress_transform_done(struct runner_progress *rp)
{
	if (rp->line.enabled)
		end_phase(rp, "%.1f MB of staging written", megabytes(directory_bytes(rp->staging)));
}

/* The table's entry in rp->tables, added when new (NULL when the list is full). */
static struct load_table *
load_table(struct runner_progress *rp, const char *relid)
{
	for (size_t i = 0; i < rp->ntables; i++)
		if (strcmp(rp->tables[i].relid, relid) == 0)
			return &rp->tables[i];
	if (rp->ntables == sizeof(rp->tables) / sizeof(rp->tables[0]))
		return NULL;
	snprintf(rp->tables[rp->ntables].relid, sizeof(rp->tables[0].relid), "%s", relid);
	rp->tables[rp->ntables].rows = 0;
	return &rp->tables[rp->ntables++];
}

/*
 * The COPYs and index builds of the load's sessions (its application name
 * starts with hoso-load), however many it runs at once.  A table of the
 * load's own temporary schema is named without it (regclass would give
 * its number: that schema is not on this session's path), and one its
 * transaction made is not visible here at all: "a work table".
 */
#define TABLE_NAME(relid) \
	"coalesce((SELECT CASE WHEN n.nspname LIKE 'pg_temp%' THEN r.relname" \
	"   ELSE n.nspname || '.' || r.relname END FROM pg_class r" \
	"   JOIN pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = " relid ")," \
	"   'a work table')"
#define LOAD_PROGRESS_SQL \
	"SELECT 'copy', " TABLE_NAME("c.relid") ", c.tuples_processed, c.relid::text" \
	"  FROM pg_stat_progress_copy c JOIN pg_stat_activity a USING (pid)" \
	"  WHERE a.application_name LIKE 'hoso-load%' AND c.command = 'COPY FROM'" \
	" UNION ALL SELECT 'index', " TABLE_NAME("i.relid") ", i.blocks_done, i.relid::text" \
	"  FROM pg_stat_progress_create_index i JOIN pg_stat_activity a USING (pid)" \
	"  WHERE a.application_name LIKE 'hoso-load%'"

#define LOAD_PROGRESS_STATEMENT "hoso_load_progress"

void
runner_progress_load_tick(void *arg)
{
	struct runner_progress *rp = arg;
	struct hoso_buf now = HOSO_BUF_INIT;
	unsigned long long total = 0;

	load_status(rp, &now);
	for (size_t i = 0; i < rp->ntables; i++)
		total += rp->tables[i].rows;
	hoso_progress_text(&rp->line, "%s%s%llu rows so far", now.len ? now.data : "",
			   now.len ? "; " : "", total);
	hoso_buf_release(&now);
}

/* What the load's sessions do now ("copying T (N rows), indexing U"), into now; rows kept per table. */
static void
load_status(struct runner_progress *rp, struct hoso_buf *now)
{
	PGresult *res;

	/* planning the views' joins costs twenty times their reading: once, then reused */
	if (!rp->prepared) {
		res = PQprepare(rp->conn, LOAD_PROGRESS_STATEMENT, LOAD_PROGRESS_SQL, 0, NULL);
		rp->prepared = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
	res = rp->prepared ? PQexecPrepared(rp->conn, LOAD_PROGRESS_STATEMENT, 0, NULL, NULL, NULL, 0)
		: PQexec(rp->conn, LOAD_PROGRESS_SQL);

	for (int i = 0; PQresultStatus(res) == PGRES_TUPLES_OK && i < PQntuples(res); i++) {
		const char *table = PQgetvalue(res, i, 1);
		bool copy = strcmp(PQgetvalue(res, i, 0), "copy") == 0;
		struct load_table *t = copy ? load_table(rp, PQgetvalue(res, i, 3)) : NULL;

		hoso_buf_addf(now, "%s%s %s", now->len ? ", " : "", copy ? "copying" : "indexing", table);
		if (t) {
			t->rows = strtoull(PQgetvalue(res, i, 2), NULL, 10);
			hoso_buf_addf(now, " (%llu rows)", t->rows);
		}
	}
	PQclear(res);
}

void
runner_progress_load_done(struct runner_progress *rp, double seconds)
{
	end_phase(rp, "done in %.1f s", seconds);
}

void
runner_progress_release(struct runner_progress *rp)
{
	if (rp->prepared)
		PQclear(PQexec(rp->conn, "DEALLOCATE " LOAD_PROGRESS_STATEMENT));
	rp->prepared = false;
}
