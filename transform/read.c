/*
 * read.c: reading record streams (docs/design.md §1) into the case table,
 * and copying the run's own messages to the staging archive files.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_log.h"
#include "hoso_records.h"
#include "hoso_text.h"
#include "hoso_time.h"
#include "transform.h"

static hoso_time
parse_time(const char *s)
{
	hoso_time t;

	if (!s || !*s || !hoso_time_parse_compact(s, strlen(s), &t))
		return HOSO_TIME_NONE;
	return t;
}

static void
count_in(struct hoso_map *map, const char *key)
{
	void **slot = hoso_map_slot(map, key, strlen(key));

	*slot = (void *) ((uintptr_t) *slot + 1);
}

static const char *
file_path(struct transform *tr, long file_no)
{
	if (file_no < 0 || (size_t) file_no >= tr->npaths || !tr->paths[file_no])
		return NULL;
	return tr->paths[file_no];
}

static void
register_file(struct transform *tr, long file_no, const char *path, const char *format)
{
	if ((size_t) file_no >= tr->npaths) {
		size_t n = (size_t) file_no + 1;

		tr->paths = hoso_xrealloc(tr->paths, n * sizeof(*tr->paths));
		memset(tr->paths + tr->npaths, 0, (n - tr->npaths) * sizeof(*tr->paths));
		tr->formats = hoso_xrealloc(tr->formats, n * sizeof(*tr->formats));
		memset(tr->formats + tr->npaths, 0, (n - tr->npaths) * sizeof(*tr->formats));
		tr->npaths = n;
	}
	free(tr->paths[file_no]);
	tr->paths[file_no] = hoso_xstrdup(path);
	free(tr->formats[file_no]);
	tr->formats[file_no] = format ? hoso_xstrdup(format) : NULL;
}

/*
 * A record's time as a timestamptz field: the digits of a valid 14-digit
 * time rearranged, which is what formatting the parsed time writes (local
 * time at +07), without the calendar arithmetic; \N when not valid.
 */
static void
archive_time(struct hoso_buf *row, const char *v)
{
	hoso_time t;
	char pg[sizeof("2023-10-20 08:15:00+07")];

	if (!hoso_time_parse_compact(v, strlen(v), &t)) {
		staging_field_time(row, HOSO_TIME_NONE);
		return;
	}
	memcpy(pg, v, 4);
	pg[4] = '-';
	memcpy(pg + 5, v + 4, 2);
	pg[7] = '-';
	memcpy(pg + 8, v + 6, 2);
	pg[10] = ' ';
	memcpy(pg + 11, v + 8, 2);
	pg[13] = ':';
	memcpy(pg + 14, v + 10, 2);
	pg[16] = ':';
	memcpy(pg + 17, v + 12, 2);
	memcpy(pg + 19, "+07", 4);
	staging_field(row, pg);
}

/* Copy a D or P record to its archive file: times to timestamptz, text to NFC (in nfc). */
static void
archive_message(struct staging *staging, struct hoso_buf *nfc, char type, char *const *fields,
		int nfields)
{
	enum hoso_staging_file t = type == 'D' ? HOSO_STAGING_DOSSIER_MSG : HOSO_STAGING_PROGRESS_MSG;
	struct hoso_buf *row = staging_row(staging, t);
	int nlayout;
	const struct hoso_column *layout = hoso_record_layout(type, &nlayout);

	/* the archive file's columns are the record's fields (hoso_layout.h) */
	for (int i = 1; i < nfields; i++) {
		const char *v = fields[i];
		enum hoso_kind kind = layout[i - 1].kind;

		if (v && kind == HOSO_KIND_TIME) {
			archive_time(row, v);
			continue;
		}
		if (v && kind == HOSO_KIND_TEXT) {
			size_t len = strlen(v);

			/* the fast check first: most text is left as it is */
			if (!hoso_text_is_nfc_fast(v, len)) {
				hoso_buf_reset(nfc);
				if (hoso_text_nfc(nfc, v, len)) {
					v = nfc->data;
					len = nfc->len;
				}
			}
			staging_field_len(row, v, len);
			continue;
		}
		staging_field(row, v);
	}
	staging_row_end(staging, t);
}

/* The number of fields a record of type has, -1 for an unknown type. */
static int
record_nfields(char type)
{
	return type == 'H' ? 3 : type == 'F' ? HOSO_F_NFIELDS : type == 'D' ? HOSO_D_NFIELDS :
		type == 'P' ? HOSO_P_NFIELDS : type == 'X' ? HOSO_X_NFIELDS : type == 'E' ? HOSO_E_NFIELDS : -1;
}

static char
record_type(char *const *f)
{
	return f[0] && f[0][0] && !f[0][1] ? f[0][0] : '?';
}

/*
 * The run's own records copied to the staging files (archive, files,
 * rejects), on the reading thread as the records are read: these files
 * depend on nothing the case table holds.  A record the transform refuses
 * fails the whole run, so what is copied before it is seen is never used.
 */
struct archive_copier {
	struct staging *staging;	/* its archive, files and reject files are ours while reading */
	struct hoso_buf nfc;		/* NFC of one field at a time */
};

static void
copy_record(void *arg, char *const *f, int nfields)
{
	struct archive_copier *ac = arg;
	char type = record_type(f);
	struct hoso_buf *row;

	if (nfields != record_nfields(type))
		return;
	switch (type) {
	case 'F':
		/* files.tsv: the F fields now, the E counts when the file ends */
		row = staging_row(ac->staging, HOSO_STAGING_FILES);
		for (int i = HOSO_F_file_no; i < HOSO_F_NFIELDS; i++)
			staging_field(row, f[i]);
		break;
	case 'E':
		row = staging_row(ac->staging, HOSO_STAGING_FILES);
		for (int i = HOSO_E_lines; i < HOSO_E_NFIELDS; i++)
			staging_field(row, f[i]);
		staging_row_end(ac->staging, HOSO_STAGING_FILES);
		break;
	case 'D':
	case 'P':
		archive_message(ac->staging, &ac->nfc, type, f, nfields);
		break;
	case 'X':
		row = staging_row(ac->staging, HOSO_STAGING_REJECT);
		for (int i = HOSO_X_file_no; i < HOSO_X_NFIELDS; i++)
			staging_field(row, f[i]);
		staging_row_end(ac->staging, HOSO_STAGING_REJECT);
		break;
	}
}

static int
map_channel(struct transform *tr, const char *raw)
{
	if (raw && raw[0] && !raw[1] && raw[0] >= '1' && raw[0] <= '3')
		return raw[0] - '0';
	if (raw && *raw)
		count_in(&tr->report.unknown_channels, raw);
	return 1;
}

/* "req|recv|before|after;..." as extract writes it */
static bool
parse_rounds(const char *s, struct hoso_round **out, size_t *n)
{
	size_t cap = 1;
	struct hoso_round *rounds;

	*out = NULL;
	*n = 0;
	if (!s || !*s)
		return true;
	for (const char *p = s; *p; p++)
		cap += *p == ';';
	rounds = hoso_xcalloc(cap, sizeof(*rounds));
	while (*s) {
		hoso_time v[4];
		const char *end = strchr(s, ';');
		size_t len = end ? (size_t) (end - s) : strlen(s);

		for (int k = 0; k < 4; k++) {
			const char *bar = memchr(s, '|', len);
			size_t flen = k < 3 ? (bar ? (size_t) (bar - s) : len + 1) : len;

			if (k < 3 && !bar) {
				free(rounds);
				return false;
			}
			if (flen == 0)
				v[k] = HOSO_TIME_NONE;
			else if (!hoso_time_parse_compact(s, flen, &v[k])) {
				free(rounds);
				return false;
			}
			if (k < 3) {
				s += flen + 1;
				len -= flen + 1;
			}
		}
		rounds[*n].requested = v[0];
		rounds[*n].received = v[1];
		rounds[*n].due_before = v[2];
		rounds[*n].due_after = v[3];
		(*n)++;
		s += len;
		if (*s == ';')
			s++;
	}
	*out = rounds;
	return true;
}

static const char *
empty_to_null(const char *s)
{
	return s && *s ? s : NULL;
}

/* The 32-bit line and position of a message, false if out of range. */
static bool
message_position(const char *line, const char *pos, uint32_t *line_out, uint32_t *pos_out)
{
	long long l = line ? atoll(line) : -1, p = pos ? atoll(pos) : -1;

	if (l < 0 || l > UINT32_MAX || p < 0 || p > UINT32_MAX)
		return false;
	*line_out = (uint32_t) l;
	*pos_out = (uint32_t) p;
	return true;
}

static bool
flag(const char *s)
{
	return s && s[0] == '1' && !s[1];
}

static bool
read_dossier(struct transform *tr, char **f, const char *name, long lineno, bool prior)
{
	long file_no = atol(f[HOSO_D_file_no]);
	const char *path = file_path(tr, file_no);
	struct dossier_version v;
	struct case_entry *c;
	struct hoso_buf *nfc = &tr->scratch;
	int status;
	size_t nrounds;

	memset(&v, 0, sizeof(v));
	if (!path || !f[HOSO_D_src] || !f[HOSO_D_case_no] || !f[HOSO_D_status] || !f[HOSO_D_at] ||
	    !message_position(f[HOSO_D_line], f[HOSO_D_pos], &v.order.line, &v.order.pos)) {
		hoso_error("%s:%ld: malformed dossier record", name, lineno);
		return false;
	}
	v.order.at = parse_time(f[HOSO_D_at]);
	v.order.file_no = (uint32_t) file_no;
	{
		const char *format = tr->formats[file_no];

		v.preferred = tr->prefer && format && strcmp(format, tr->prefer) == 0;
	}
	status = atoi(f[HOSO_D_status]);
	if (status < 1 || status > 10 || v.order.at == HOSO_TIME_NONE) {
		hoso_error("%s:%ld: malformed dossier record", name, lineno);
		return false;
	}
	v.status = (uint8_t) status;
	v.channel = (uint8_t) map_channel(tr, f[HOSO_D_channel_raw]);
	v.accepted_at = parse_time(f[HOSO_D_accepted_at]);
	v.due_at = parse_time(f[HOSO_D_due_at]);
	v.processed_at = parse_time(f[HOSO_D_processed_at]);
	v.returned_at = parse_time(f[HOSO_D_returned_at]);
	v.refused_at = parse_time(f[HOSO_D_refused_at]);
	/* borrowed from the record: the case table interns what it keeps */
	v.procedure_code = empty_to_null(f[HOSO_D_procedure_code]);
	v.field_code = empty_to_null(f[HOSO_D_field_code]);
	hoso_buf_reset(nfc);
	if (f[HOSO_D_unit_name] && hoso_text_nfc(nfc, f[HOSO_D_unit_name], strlen(f[HOSO_D_unit_name])))
		v.unit_name = nfc->data;
	v.digitised = flag(f[HOSO_D_digitised]);
	v.paid_online = flag(f[HOSO_D_paid_online]);
	v.vneid = flag(f[HOSO_D_vneid]);
	v.has_fee = flag(f[HOSO_D_has_fee]);
	v.e_result = flag(f[HOSO_D_e_result]);
	v.reuse = flag(f[HOSO_D_reuse]);
	if (!parse_rounds(f[HOSO_D_supplements], &v.rounds, &nrounds)) {
		hoso_error("%s:%ld: malformed supplement rounds \"%s\"", name, lineno, f[HOSO_D_supplements]);
		return false;
	}
	v.nrounds = (uint32_t) nrounds;
	c = case_table_get(&tr->cases, f[HOSO_D_src], f[HOSO_D_case_no]);
	c->touched |= !prior;
	case_offer_dossier(&tr->cases, c, &v);
	return true;
}

static bool
read_progress(struct transform *tr, char **f, const char *name, long lineno, bool prior)
{
	long file_no = atol(f[HOSO_P_file_no]);
	const char *path = file_path(tr, file_no);
	struct progress_row row;
	struct case_entry *c;
	const char *content = f[HOSO_P_content] ? f[HOSO_P_content] : "";
	size_t content_len = strlen(content);
	int status;

	memset(&row, 0, sizeof(row));
	if (!path || !f[HOSO_P_src] || !f[HOSO_P_case_no] || !f[HOSO_P_status] || !f[HOSO_P_at] || !f[HOSO_P_event_at] ||
	    !message_position(f[HOSO_P_line], f[HOSO_P_pos], &row.line, &row.pos)) {
		hoso_error("%s:%ld: malformed progress record", name, lineno);
		return false;
	}
	row.at = parse_time(f[HOSO_P_at]);
	row.file_no = (uint32_t) file_no;
	row.event_at = parse_time(f[HOSO_P_event_at]);
	status = atoi(f[HOSO_P_status]);
	if (status < 1 || status > 10 || row.event_at == HOSO_TIME_NONE ||
	    row.at == HOSO_TIME_NONE) {
		hoso_error("%s:%ld: malformed progress record", name, lineno);
		return false;
	}
	row.status = (uint32_t) status;
	/* one step sent twice is recognised after NFC (docs/input.md §2.2) */
	if (hoso_text_is_nfc_fast(content, content_len)) {
		row.content_hash = hoso_hash64(content, content_len, 0);
	} else {
		struct hoso_buf *nfc = &tr->scratch;

		hoso_buf_reset(nfc);
		if (!hoso_text_nfc(nfc, content, content_len))
			hoso_buf_addstr(nfc, content);
		row.content_hash = hoso_hash64(nfc->data, nfc->len, 0);
	}
	c = case_table_get(&tr->cases, f[HOSO_P_src], f[HOSO_P_case_no]);
	c->touched |= !prior;
	case_add_progress(&tr->cases, c, &row);
	return true;
}

/*
 * Records are read, split and copied to the staging files by a thread
 * ahead of this one (hoso_records_ahead), which only gathers the cases:
 * the two halves take about the same time.
 */
bool
transform_read_stream(struct transform *tr, FILE *in, const char *name, bool prior)
{
	struct hoso_records_ahead r;
	struct archive_copier copier = { &tr->staging, HOSO_BUF_INIT };
	/* F records are held until their E record completes the files.tsv row */
	struct hoso_map pending_files;
	bool ok = true;
	int rc;

	if (!hoso_records_ahead_start(&r, fileno(in), prior ? NULL : copy_record, &copier))
		return false;
	hoso_map_init(&pending_files);
	while ((rc = hoso_records_ahead_next(&r)) == 1) {
		char **f = r.fields;
		char type = record_type(f);
		int want = record_nfields(type);

		if (want < 0 || r.nfields != want) {
			hoso_error("%s:%ld: malformed record (type \"%s\", %d fields)", name,
				   r.lineno, f[0] ? f[0] : "", r.nfields);
			ok = false;
			break;
		}
		switch (type) {
		case 'H':
			if (strcmp(f[1] ? f[1] : "", "hoso-records") != 0 || strcmp(f[2] ? f[2] : "", "1") != 0) {
				hoso_error("%s:%ld: not a hoso record stream of version 1", name, r.lineno);
				ok = false;
			}
			break;
		case 'F': {
			long file_no = f[HOSO_F_file_no] ? atol(f[HOSO_F_file_no]) : -1;

			/* progress rows keep file numbers in 28 bits (cases.h) */
			if (file_no < 0 || file_no >= (1L << 28) || !f[HOSO_F_path]) {
				hoso_error("%s:%ld: malformed file record", name, r.lineno);
				ok = false;
				break;
			}
			register_file(tr, file_no, f[HOSO_F_path], f[HOSO_F_format]);
			if (prior)
				break;
			tr->report.files++;
			*hoso_map_slot(&pending_files, f[HOSO_F_file_no], strlen(f[HOSO_F_file_no])) = (void *) 1;
			break;
		}
		case 'D':
			ok = read_dossier(tr, f, name, r.lineno, prior);
			if (ok && !prior)
				tr->report.dossiers++;
			else if (ok)
				tr->report.prior_dossiers++;
			break;
		case 'P':
			ok = read_progress(tr, f, name, r.lineno, prior);
			if (ok && !prior)
				tr->report.progress++;
			else if (ok)
				tr->report.prior_progress++;
			break;
		case 'X':
			tr->report.rejects += !prior;
			break;
		case 'E':
			if (!prior && (!f[HOSO_E_file_no] ||
				       !hoso_map_get(&pending_files, f[HOSO_E_file_no], strlen(f[HOSO_E_file_no])))) {
				hoso_error("%s:%ld: end of a file that never began", name, r.lineno);
				ok = false;
			}
			break;
		}
		if (!ok)
			break;
	}
	if (rc < 0)
		ok = false;
	hoso_records_ahead_stop(&r);
	hoso_buf_release(&copier.nfc);
	hoso_map_release(&pending_files);
	return ok;
}
