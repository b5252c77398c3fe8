/*
 * hoso_csv.c: the RFC 4180 reader, a byte-at-a-time state machine over a
 * refillable input buffer.  Fields are copied, unquoted, into one record
 * buffer, each followed by a NUL, so a caller gets C strings without a
 * copy of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_csv.h"
#include "hoso_log.h"

#define END_OF_INPUT (-1)
#define READ_ERROR (-2)

void
hoso_csv_init(struct hoso_csv *csv, hoso_csv_read_fn read, void *ctx)
{
	memset(csv, 0, sizeof(*csv));
	csv->delimiter = ',';
	csv->max_record_bytes = HOSO_CSV_DEFAULT_MAX_RECORD;
	csv->read = read;
	csv->ctx = ctx;
	csv->in = hoso_xmalloc(HOSO_CSV_CHUNK);
	csv->cur_line = 1;
	csv->cur_col = 1;
}

void
hoso_csv_release(struct hoso_csv *csv)
{
	free(csv->in);
	free(csv->rec);
	free(csv->starts);
	free(csv->fields);
	free(csv->lengths);
	memset(csv, 0, sizeof(*csv));
}

bool
hoso_csv_failed(const struct hoso_csv *csv)
{
	return csv->failed;
}

/* The next byte without moving the line and column; END_OF_INPUT or READ_ERROR. */
static int
raw_get(struct hoso_csv *csv)
{
	if (csv->npushed)
		return csv->pushed[--csv->npushed];
	if (csv->in_pos == csv->in_len) {
		ssize_t n;

		if (csv->eof)
			return END_OF_INPUT;
		n = csv->read(csv->ctx, csv->in, HOSO_CSV_CHUNK);
		if (n < 0)
			return READ_ERROR;
		if (n == 0) {
			csv->eof = true;
			return END_OF_INPUT;
		}
		csv->in_len = (size_t) n;
		csv->in_pos = 0;
	}
	return (unsigned char) csv->in[csv->in_pos++];
}

static int
peek(struct hoso_csv *csv)
{
	int c = raw_get(csv);

	if (c >= 0)
		csv->pushed[csv->npushed++] = (unsigned char) c;
	return c;
}

/* Give back a byte that take() returned (never a line feed). */
static void
untake(struct hoso_csv *csv, int c)
{
	csv->pushed[csv->npushed++] = (unsigned char) c;
	if ((c & 0xC0) != 0x80)
		csv->cur_col--;
}

/* The next byte, moving the position past it. */
static int
take(struct hoso_csv *csv)
{
	int c = raw_get(csv);

	if (c == '\n') {
		csv->cur_line++;
		csv->cur_col = 1;
	} else if (c >= 0 && (c & 0xC0) != 0x80) {
		csv->cur_col++;		/* UTF-8 continuation bytes share their character's column */
	}
	return c;
}

/* Skip a UTF-8 BOM at the very start, even when the reads come a byte at a time. */
static int
skip_bom(struct hoso_csv *csv)
{
	static const char bom[3] = { '\xEF', '\xBB', '\xBF' };

	csv->started = true;
	while (csv->in_len < 3 && !csv->eof) {
		ssize_t n = csv->read(csv->ctx, csv->in + csv->in_len, HOSO_CSV_CHUNK - csv->in_len);

		if (n < 0)
			return READ_ERROR;
		if (n == 0)
			csv->eof = true;
		csv->in_len += (size_t) n;
		if (memcmp(csv->in, bom, csv->in_len < 3 ? csv->in_len : 3) != 0)
			break;
	}
	if (csv->in_len >= 3 && memcmp(csv->in, bom, 3) == 0)
		csv->in_pos = 3;
	return 0;
}

static bool
append(struct hoso_csv *csv, char c)
{
	if (csv->rec_len + 1 > csv->max_record_bytes)
		return false;
	if (csv->rec_len == csv->rec_cap) {
		csv->rec_cap = csv->rec_cap ? 2 * csv->rec_cap : 256;
		if (csv->rec_cap > csv->max_record_bytes)
			csv->rec_cap = csv->max_record_bytes;
		csv->rec = hoso_xrealloc(csv->rec, csv->rec_cap);
	}
	csv->rec[csv->rec_len++] = c;
	return true;
}

static void
start_field(struct hoso_csv *csv)
{
	if (csv->nfields == csv->fields_cap) {
		csv->fields_cap = csv->fields_cap ? 2 * csv->fields_cap : 16;
		csv->starts = hoso_xrealloc(csv->starts, csv->fields_cap * sizeof(*csv->starts));
		csv->lengths = hoso_xrealloc(csv->lengths, csv->fields_cap * sizeof(*csv->lengths));
		csv->fields = hoso_xrealloc(csv->fields, csv->fields_cap * sizeof(*csv->fields));
	}
	csv->starts[csv->nfields] = csv->rec_len;
}

/* Close the current field with its NUL; false when the record is too long. */
static bool
end_field(struct hoso_csv *csv)
{
	csv->lengths[csv->nfields] = csv->rec_len - csv->starts[csv->nfields];
	csv->nfields++;
	return append(csv, '\0');
}

/* After a recoverable error: drop the rest of the physical line. */
static int
skip_line(struct hoso_csv *csv)
{
	int c;

	do
		c = take(csv);
	while (c >= 0 && c != '\n');
	return c == READ_ERROR ? READ_ERROR : 0;
}

static enum hoso_csv_status
fail(struct hoso_csv *csv, struct hoso_buf *err, unsigned long line, unsigned long col,
     const char *what)
{
	csv->failed = true;
	hoso_buf_addf(err, "%lu:%lu: %s", line, col, what);
	return HOSO_CSV_ERROR;
}

enum hoso_csv_status
hoso_csv_next(struct hoso_csv *csv, struct hoso_buf *err)
{
	unsigned long end_line, end_col, extra_line = 0, extra_col = 0;
	int c;

	if (csv->failed) {
		hoso_buf_addf(err, "%lu:%lu: no more records after the error above",
			      csv->cur_line, csv->cur_col);
		return HOSO_CSV_ERROR;
	}
	if (!csv->started && skip_bom(csv) == READ_ERROR)
		return fail(csv, err, 1, 1, "read error");
	csv->rec_len = 0;
	csv->nfields = 0;

	/* lines without a byte are not records */
	for (;;) {
		c = peek(csv);
		if (c == '\n') {
			take(csv);
		} else if (c == '\r') {
			take(csv);
			c = peek(csv);
			if (c == '\n') {
				take(csv);
			} else {
				untake(csv, '\r');	/* a lone CR is data: it starts the record */
				c = '\r';
				break;
			}
		} else {
			break;
		}
	}
	if (c == READ_ERROR)
		return fail(csv, err, csv->cur_line, csv->cur_col, "read error");
	if (c == END_OF_INPUT)
		return HOSO_CSV_END;
	csv->line = csv->cur_line;

	for (;;) {
		unsigned long field_line = csv->cur_line, field_col = csv->cur_col;

		if (csv->columns && csv->nfields == csv->columns) {
			extra_line = field_line;
			extra_col = field_col;
		}
		start_field(csv);
		c = take(csv);
		if (c == '"') {
			for (;;) {
				c = take(csv);
				if (c == READ_ERROR)
					return fail(csv, err, csv->cur_line, csv->cur_col, "read error");
				if (c == END_OF_INPUT)
					return fail(csv, err, field_line, field_col,
						    "unterminated quoted field");
				if (c == '"') {
					if (peek(csv) != '"')
						break;
					take(csv);
				}
				if (!append(csv, (char) c))
					goto too_long;
			}
			end_line = csv->cur_line;
			end_col = csv->cur_col;
			c = take(csv);
			if (c != csv->delimiter && c != '\n' && c != END_OF_INPUT &&
			    !(c == '\r' && peek(csv) == '\n')) {
				if (c == READ_ERROR)
					return fail(csv, err, end_line, end_col, "read error");
				hoso_buf_addf(err, "%lu:%lu: unexpected character after the closing quote",
					      end_line, end_col);
				if (skip_line(csv) == READ_ERROR)
					csv->failed = true;
				return HOSO_CSV_ERROR;
			}
		} else {
			end_line = field_line;
			end_col = field_col;
			for (;;) {
				if (c == csv->delimiter || c == '\n' || c == END_OF_INPUT)
					break;
				if (c == '\r' && peek(csv) == '\n')
					break;
				if (c == READ_ERROR)
					return fail(csv, err, end_line, end_col, "read error");
				if (c == '"') {
					hoso_buf_addf(err, "%lu:%lu: quote inside an unquoted field",
						      end_line, end_col);
					if (skip_line(csv) == READ_ERROR)
						csv->failed = true;
					return HOSO_CSV_ERROR;
				}
				if (!append(csv, (char) c))
					goto too_long;
				end_line = csv->cur_line;
				end_col = csv->cur_col;
				c = take(csv);
			}
		}
		if (!end_field(csv))
			goto too_long;
		if (c == '\r')
			take(csv);	/* the LF of CRLF */
		if (c != csv->delimiter)
			break;
	}

	for (size_t i = 0; i < csv->nfields; i++)
		csv->fields[i] = csv->rec + csv->starts[i];
	if (csv->columns && csv->nfields != csv->columns) {
		bool extra = csv->nfields > csv->columns;

		hoso_buf_addf(err, "%lu:%lu: expected %zu fields, found %zu",
			      extra ? extra_line : end_line, extra ? extra_col : end_col,
			      csv->columns, csv->nfields);
		return HOSO_CSV_ERROR;
	}
	return HOSO_CSV_RECORD;

too_long:
	{
		char what[96];

		snprintf(what, sizeof(what), "record longer than %zu bytes", csv->max_record_bytes);
		return fail(csv, err, csv->line, 1, what);
	}
}

ssize_t
hoso_csv_read_stdio(void *ctx, char *buf, size_t cap)
{
	FILE *f = ctx;
	size_t n = fread(buf, 1, cap, f);

	if (n == 0 && ferror(f))
		return -1;
	return (ssize_t) n;
}

ssize_t
hoso_csv_read_memory(void *ctx, char *buf, size_t cap)
{
	struct hoso_csv_memory *m = ctx;
	size_t n = m->len - m->pos;

	if (n > cap)
		n = cap;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t) n;
}
