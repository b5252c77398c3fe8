/*
 * file.c: one input file through its format: the F record, byte-level
 * rejects (over-long lines, NUL, bad UTF-8), the format's own records,
 * and the closing E record.  Rejects of every kind are written here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"
#include "hoso_log.h"
#include "hoso_progress.h"
#include "hoso_text.h"

/* Whether a and b are equal once their spaces are left out. */
static bool
same_without_spaces(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < alen && a[i] == ' ')
			i++;
		while (j < blen && b[j] == ' ')
			j++;
		if (i == alen || j == blen)
			return i == alen && j == blen;
		if (a[i++] != b[j++])
			return false;
	}
}

static const char *const personal_keys[] = {
	"ChuHoSo", "SoGiayToChuHoSo", "DinhDanhCHS", "Email", "Fax", "SoDienThoai",
	"ThongTinKhac", "TrichYeuHoSo", "NguoiXuLy", "ChucDanh",
};

bool
extract_is_personal_key(const char *key, size_t keylen)
{
	struct hoso_buf folded = HOSO_BUF_INIT, name = HOSO_BUF_INIT;
	bool personal = false;

	/* a key that is not valid UTF-8 cannot be matched: treat it as personal */
	if (!hoso_text_fold(&folded, key, keylen)) {
		hoso_buf_release(&folded);
		return true;
	}
	for (size_t i = 0; !personal && i < sizeof(personal_keys) / sizeof(personal_keys[0]); i++) {
		hoso_buf_reset(&name);
		hoso_text_fold(&name, personal_keys[i], strlen(personal_keys[i]));
		/* white space inside a key is no part of it: "Chu Ho So" is ChuHoSo */
		personal = same_without_spaces(folded.data ? folded.data : "", folded.len,
					       name.data, name.len);
	}
	hoso_buf_release(&folded);
	hoso_buf_release(&name);
	return personal;
}

static enum hoso_json_member_policy
mask_all(const char *key, size_t keylen)
{
	(void) key;
	(void) keylen;
	return HOSO_JSON_MASK;
}

void
extract_count_unknown(struct extract_file *f, const char *key, size_t keylen)
{
	void **slot = hoso_map_slot(&f->unknown_fields, key, keylen);

	*slot = (void *) ((uintptr_t) *slot + 1);
}

/* The current line as JSON without personal data, capped, computed once. */
static const struct hoso_buf *
raw_json(struct extract_file *f)
{
	if (!f->raw_done) {
		f->raw_done = true;
		hoso_buf_reset(&f->raw);
		if (f->root) {
			hoso_json_serialize(&f->raw, f->root,
					    f->format->raw_policy ? f->format->raw_policy : mask_all);
			if (f->raw.len > EXTRACT_RAW_CAP) {
				size_t n = EXTRACT_RAW_CAP;

				/* cut on a character boundary */
				while (n > 0 && ((unsigned char) f->raw.data[n] & 0xc0) == 0x80)
					n--;
				f->raw.len = n;
				f->raw.data[n] = '\0';
			}
		}
	}
	return &f->raw;
}

/* JSON string of bytes that may not be UTF-8: bad bytes become \u00XX. */
static void
add_json_bytes(struct hoso_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = b->len;

	hoso_json_add_string(b, s, len);
	if (hoso_utf8_check(b->data + start, b->len - start) == b->len - start)
		return;
	b->len = start;
	hoso_buf_addch(b, '"');
	while (len) {
		size_t ok = hoso_utf8_check(s, len);
		struct hoso_buf tmp = HOSO_BUF_INIT;

		hoso_json_add_string(&tmp, s, ok);
		hoso_buf_add(b, tmp.data + 1, tmp.len - 2);
		hoso_buf_release(&tmp);
		s += ok;
		len -= ok;
		if (len) {
			char esc[6] = { '\\', 'u', '0', '0', hex[(unsigned char) *s >> 4],
					hex[*s & 15] };

			hoso_buf_add(b, esc, 6);
			s++;
			len--;
		}
	}
	hoso_buf_addch(b, '"');
}

static void
write_reject_file(struct extract_file *f, const char *field, const char *reason)
{
	const struct hoso_input_line *line = f->line;
	struct hoso_buf *b = &f->scratch;
	size_t off = 0;

	hoso_buf_reset(b);
	hoso_buf_addstr(b, "{\"file\":");
	add_json_bytes(b, f->path, strlen(f->path));
	hoso_buf_addf(b, ",\"line\":%ld,\"byte_offset\":%llu,\"field\":", line->lineno,
		      (unsigned long long) line->offset);
	add_json_bytes(b, field, strlen(field));
	hoso_buf_addstr(b, ",\"reason\":");
	add_json_bytes(b, reason, strlen(reason));
	/*
	 * The line as hoso.reject.raw holds it, never verbatim: this file lives
	 * outside the source's access rules.  File, line and byte offset find
	 * the original.
	 */
	hoso_buf_addstr(b, ",\"raw\":");
	if (f->raw_done && f->raw.len)
		add_json_bytes(b, f->raw.data, f->raw.len);
	else
		hoso_buf_addstr(b, "null");
	hoso_buf_addstr(b, "}\n");
	while (off < b->len) {
		ssize_t n = write(f->ex->reject_fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			hoso_error("%s: cannot write: %s", f->ex->reject_path, strerror(errno));
			close(f->ex->reject_fd);
			f->ex->reject_fd = -1;
			return;
		}
		off += (size_t) n;
	}
}

const char *
extract_quote(struct extract_file *f, const char *s, size_t n)
{
	bool cut = false;

	if (n > EXTRACT_QUOTE_MAX) {
		n = EXTRACT_QUOTE_MAX;
		while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80)
			n--;
		cut = true;
	}
	hoso_buf_addch(&f->reason, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char) s[i];

		if (c == '"' || c == '\\')
			hoso_buf_addch(&f->reason, '\\');
		if (c < 0x20)
			hoso_buf_addf(&f->reason, "\\x%02x", c);
		else
			hoso_buf_addch(&f->reason, (char) c);
	}
	hoso_buf_addstr(&f->reason, cut ? "...\"" : "\"");
	return f->reason.data;
}

void
extract_reject(struct extract_file *f, const char *field, const char *reason)
{
	const struct hoso_buf *raw = raw_json(f);
	struct hoso_value rec[HOSO_X_NFIELDS];

	f->rejects++;
	memset(rec, 0, sizeof(rec));
	hoso_value_int(&rec[HOSO_X_file_no], f->file_no);
	hoso_value_int(&rec[HOSO_X_line], f->line->lineno);
	hoso_value_int(&rec[HOSO_X_byte_offset], (long long) f->line->offset);
	hoso_value_str(&rec[HOSO_X_field], field);
	hoso_value_str(&rec[HOSO_X_reason], reason);
	if (f->root || (f->raw_done && raw->len))
		hoso_value_text(&rec[HOSO_X_raw], raw->data, raw->len);
	hoso_records_write(&f->ex->out, 'X', rec, HOSO_X_NFIELDS);

	if (f->warnings < EXTRACT_MAX_WARNINGS) {
		f->warnings++;
		bool whole_line = strcmp(field, "-") == 0;

		hoso_report(HOSO_LOG_WARNING, hoso_log_event("reject"), hoso_log_str("file", f->path),
			    hoso_log_int("line", f->line->lineno),
			    hoso_log_str("field", whole_line ? NULL : field), hoso_log_str("reason", reason),
			    whole_line ? hoso_msg("%s:%ld: %s", f->path, f->line->lineno, reason)
			    : hoso_msg("%s:%ld: %s: %s", f->path, f->line->lineno, field, reason));
	}
	if (f->ex->reject_fd >= 0)
		write_reject_file(f, field, reason);
}

static int
cmp_entries(const void *a, const void *b)
{
	const struct hoso_map_entry *x = *(const struct hoso_map_entry *const *) a;
	const struct hoso_map_entry *y = *(const struct hoso_map_entry *const *) b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	return c ? c : (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

/* {"name":count,...} sorted by name, so that reruns give the same text */
static void
unknown_fields_json(struct extract_file *f, struct hoso_buf *b)
{
	const struct hoso_map_entry **v, *e;
	size_t n = 0, i = 0;

	v = hoso_xcalloc(f->unknown_fields.count + 1, sizeof(*v));
	while (hoso_map_next(&f->unknown_fields, &i, &e))
		v[n++] = e;
	qsort(v, n, sizeof(*v), cmp_entries);
	hoso_buf_addch(b, '{');
	for (i = 0; i < n; i++) {
		if (i)
			hoso_buf_addch(b, ',');
		add_json_bytes(b, v[i]->key, v[i]->keylen);
		hoso_buf_addf(b, ":%lu", (unsigned long) (uintptr_t) v[i]->value);
	}
	hoso_buf_addch(b, '}');
	free(v);
}

static void
reject_flawed_line(struct extract_file *f, const struct hoso_input_line *line)
{
	char reason[96];

	switch (line->flaw) {
	case HOSO_LINE_TOO_LONG:
		snprintf(reason, sizeof(reason), "line longer than %zu bytes", f->ex->max_line_bytes);
		break;
	case HOSO_LINE_NUL:
		snprintf(reason, sizeof(reason), "NUL byte at column %zu", line->flaw_column);
		break;
	case HOSO_LINE_BAD_UTF8:
		snprintf(reason, sizeof(reason), "invalid UTF-8 at column %zu", line->flaw_column);
		break;
	case HOSO_LINE_OK:
		return;
	}
	extract_reject(f, "-", reason);
}

/* The terminal progress line: totals over every file of the run. */
static struct hoso_progress progress;
static unsigned long long progress_files, progress_bytes, progress_lines;

static void
finish_progress(void)
{
	progress.files = progress_files;
	progress.bytes = progress_bytes;
	progress.rows = progress_lines;
	hoso_progress_finish(&progress);
}

void
extract_input_open(const struct extract *ex, struct extract_input *xi, const char *path)
{
	xi->opened = hoso_input_open(&xi->in, path, ex->max_line_bytes, ex->threaded);
}

void
extract_input_close(struct extract_input *xi)
{
	hoso_input_close(&xi->in);
}

bool
extract_file_run(struct extract *ex, const struct extract_format *format, const char *path,
		 int file_no, struct extract_input *xi)
{
	struct extract_file f;
	struct hoso_input *in = &xi->in;
	struct hoso_input_line line;
	struct hoso_records_writer *w = &ex->out;
	struct hoso_value frec[HOSO_F_NFIELDS], erec[HOSO_E_NFIELDS];
	void *state = NULL;
	bool ok = false;
	int rc;

	memset(&f, 0, sizeof(f));
	hoso_buf_init(&f.raw);
	hoso_buf_init(&f.scratch);
	hoso_buf_init(&f.reason);
	f.ex = ex;
	f.format = format;
	f.path = path;
	f.file_no = file_no;
	hoso_map_init(&f.unknown_fields);
	if (!xi->opened) {
		hoso_error("%s", in->error);
		goto cleanup;
	}
	/* the input's first pass has hashed the file: F can lead its records */
	memset(frec, 0, sizeof(frec));
	hoso_value_int(&frec[HOSO_F_file_no], file_no);
	hoso_value_str(&frec[HOSO_F_path], path);
	hoso_value_int(&frec[HOSO_F_size], (long long) in->size);
	hoso_value_str(&frec[HOSO_F_sha256], in->sha256);
	hoso_value_str(&frec[HOSO_F_format], format->name);
	hoso_records_write(w, 'F', frec, HOSO_F_NFIELDS);
	state = format->begin ? format->begin(&f) : NULL;
	if (f.failed)
		goto cleanup;
	if (file_no == 1) {
		hoso_progress_init(&progress, "hoso-extract");
		if (progress.enabled)
			atexit(finish_progress);
	}
	while ((rc = hoso_input_next(in, &line)) == 1) {
		hoso_progress_update(&progress, progress_files, progress_bytes + line.offset,
				     progress_lines + (unsigned long long) line.lineno);
		f.line = &line;
		f.root = NULL;
		f.raw_done = false;
		if (line.flaw != HOSO_LINE_OK)
			reject_flawed_line(&f, &line);
		else
			format->line(state, &f, &line);
		if (f.failed)
			goto cleanup;
	}
	if (rc < 0) {
		hoso_error("%s", in->error);
		goto cleanup;
	}
	if (format->finish) {
		f.raw_done = false;
		format->finish(state, &f);
		if (f.failed)
			goto cleanup;
	}
	hoso_buf_reset(&f.scratch);
	unknown_fields_json(&f, &f.scratch);
	memset(erec, 0, sizeof(erec));
	hoso_value_int(&erec[HOSO_E_file_no], file_no);
	hoso_value_int(&erec[HOSO_E_lines], in->lines);
	hoso_value_int(&erec[HOSO_E_messages], f.messages);
	hoso_value_int(&erec[HOSO_E_dossiers], f.dossiers);
	hoso_value_int(&erec[HOSO_E_progress], f.progress);
	hoso_value_int(&erec[HOSO_E_other_messages], f.other_messages);
	hoso_value_int(&erec[HOSO_E_rejects], f.rejects);
	hoso_value_text(&erec[HOSO_E_unknown_fields], f.scratch.data, f.scratch.len);
	hoso_records_write(w, 'E', erec, HOSO_E_NFIELDS);
	if (f.warnings < f.rejects)
		hoso_report(HOSO_LOG_WARNING, hoso_log_event("rejects_not_shown"),
			    hoso_log_str("file", path), hoso_log_int("rejects", f.rejects - f.warnings),
			    hoso_msg("%s: %ld more rejects not shown", path, f.rejects - f.warnings));
	progress_files++;
	progress_lines += (unsigned long long) in->lines;
	progress_bytes += f.line ? f.line->offset + f.line->len : 0;
	ok = true;
cleanup:
	if (format->end)
		format->end(state, &f);
	extract_input_close(xi);
	hoso_map_release(&f.unknown_fields);
	hoso_buf_release(&f.raw);
	hoso_buf_release(&f.scratch);
	hoso_buf_release(&f.reason);
	return ok;
}
