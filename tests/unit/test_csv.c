/*
 * test_csv.c: the RFC 4180 reader.  Every input is read twice: in one
 * piece and one byte per read, so that a record, a quote pair, a CRLF or
 * the BOM split across reads is exercised.
 */
#include <stdio.h>
#include <string.h>

#include "hoso_csv.h"
#include "unit.h"

/*
 * Read all of text (len bytes) and render what came out, one line per
 * call of hoso_csv_next: "L: [f1][f2]" for a record, "E: message" for an
 * error.  With columns set, every record must have that many fields.
 */
static void
render(const char *text, size_t len, char delimiter, size_t columns, size_t max_record,
       size_t chunk, struct hoso_buf *out)
{
	struct hoso_csv_memory mem = { text, len, 0, chunk };
	struct hoso_csv csv;
	struct hoso_buf err = HOSO_BUF_INIT;

	hoso_csv_init(&csv, hoso_csv_read_memory, &mem);
	csv.delimiter = delimiter;
	csv.columns = columns;
	if (max_record)
		csv.max_record_bytes = max_record;
	for (int guard = 0; guard < 100; guard++) {
		enum hoso_csv_status st;

		hoso_buf_reset(&err);
		st = hoso_csv_next(&csv, &err);
		if (st == HOSO_CSV_END)
			break;
		if (st == HOSO_CSV_ERROR) {
			hoso_buf_addf(out, "E: %s\n", err.data);
			if (hoso_csv_failed(&csv))
				break;
			continue;
		}
		hoso_buf_addf(out, "%lu: ", csv.line);
		for (size_t i = 0; i < csv.nfields; i++) {
			hoso_buf_addch(out, '[');
			hoso_buf_add(out, csv.fields[i], csv.lengths[i]);
			hoso_buf_addch(out, ']');
		}
		hoso_buf_addch(out, '\n');
	}
	hoso_buf_release(&err);
	hoso_csv_release(&csv);
}

static void
expect_len(const char *text, size_t len, char delimiter, size_t columns, size_t max_record,
	   const char *expected, const char *what)
{
	struct hoso_buf whole = HOSO_BUF_INIT, bytewise = HOSO_BUF_INIT;

	render(text, len, delimiter, columns, max_record, 0, &whole);
	render(text, len, delimiter, columns, max_record, 1, &bytewise);
	CHECK_EQ_STR(whole.data, expected, what);
	CHECK_EQ_STR(bytewise.data, expected, what);
	hoso_buf_release(&whole);
	hoso_buf_release(&bytewise);
}

static void
expect(const char *text, char delimiter, size_t columns, const char *expected, const char *what)
{
	expect_len(text, strlen(text), delimiter, columns, 0, expected, what);
}

static ssize_t
failing_read(void *ctx, char *buf, size_t cap)
{
	return -1;
}

int
main(void)
{
	expect("a,b,c\n1,2,3\n", ',', 0, "1: [a][b][c]\n2: [1][2][3]\n", "plain records");
	expect("a,b", ',', 0, "1: [a][b]\n", "no line break at the end");
	expect("", ',', 0, "", "empty input");
	expect("\"x,y\",\"he said \"\"hi\"\"\",plain\n", ',', 0,
	       "1: [x,y][he said \"hi\"][plain]\n", "quotes, embedded delimiter, doubled quotes");
	expect("id,note\n1,\"line one\nline two\"\n2,z\n", ',', 0,
	       "1: [id][note]\n2: [1][line one\nline two]\n4: [2][z]\n",
	       "a line break inside quotes; the next record starts on line 4");
	expect("a;b\r\n1;2\r\n", ';', 0, "1: [a][b]\n2: [1][2]\n", "CRLF and ';'");
	expect("\"x\r\ny\"\r\n", ',', 0, "1: [x\r\ny]\n", "CRLF inside quotes is kept");
	expect("a,b;c\n", ';', 0, "1: [a,b][c]\n", "',' is data when ';' delimits");
	expect("\xEF\xBB\xBF" "code,name\nA,B\n", ',', 0, "1: [code][name]\n2: [A][B]\n",
	       "a BOM at the start is skipped");
	expect("x,\xEF\xBB\xBF\n", ',', 0, "1: [x][\xEF\xBB\xBF]\n", "a BOM elsewhere is data");
	expect("\xEF\xBB", ',', 0, "1: [\xEF\xBB]\n", "half a BOM is data");
	expect(",,\n\"\"\n", ',', 0, "1: [][][]\n2: []\n", "empty fields");
	expect("a\n\n\r\nb\n\n", ',', 0, "1: [a]\n4: [b]\n", "lines without bytes are skipped");
	expect("a\rb,c\n", ',', 0, "1: [a\rb][c]\n", "a lone CR is data");
	expect("\rb\n", ',', 0, "1: [\rb]\n", "a lone CR may start a record");

	expect("a,\"bc\nd\n", ',', 0, "E: 1:3: unterminated quoted field\n",
	       "unterminated quote names where it opened");
	expect("x\n\"abc\n\ndef", ',', 0, "1: [x]\nE: 2:1: unterminated quoted field\n",
	       "unterminated quote on line 2");
	expect("ab\"c,d\nx,y\n", ',', 0,
	       "E: 1:3: quote inside an unquoted field\n2: [x][y]\n",
	       "a stray quote: error, then the next line");
	expect("Mã,x\"y\n", ',', 0, "E: 1:5: quote inside an unquoted field\n",
	       "columns count characters, not bytes");
	expect("\"ab\"c,d\n1,2\n", ',', 0,
	       "E: 1:5: unexpected character after the closing quote\n2: [1][2]\n",
	       "text after a closing quote");
	expect("a,b\na,b,c\na,b,c,d\n", ',', 3,
	       "E: 1:4: expected 3 fields, found 2\n2: [a][b][c]\nE: 3:7: expected 3 fields, found 4\n",
	       "fixed column count: too few (at the line end), too many (at the first extra field)");
	expect("a,\"b\nc\",d\ne", ',', 3, "1: [a][b\nc][d]\nE: 3:2: expected 3 fields, found 1\n",
	       "column count of a record over two lines; the end at EOF");
	expect_len("abcdefghij\nab\n", 14, ',', 0, 8, "E: 1:1: record longer than 8 bytes\n",
		   "record cap ends the input");
	/* 7 bytes + 1 NUL fit exactly */
	expect_len("abcdefg\n", 8, ',', 0, 8, "1: [abcdefg]\n", "record at the cap");
	expect_len("a\0b,c\n", 6, ',', 0, 0, "1: [a\0b][c]\n", "a NUL byte is data");

	{
		struct hoso_csv csv;
		struct hoso_buf err = HOSO_BUF_INIT;

		hoso_csv_init(&csv, failing_read, NULL);
		CHECK(hoso_csv_next(&csv, &err) == HOSO_CSV_ERROR, "read error");
		CHECK_EQ_STR(err.data, "1:1: read error", "read error message");
		CHECK(hoso_csv_failed(&csv), "a read error ends the input");
		hoso_buf_reset(&err);
		CHECK(hoso_csv_next(&csv, &err) == HOSO_CSV_ERROR, "and stays an error");
		hoso_buf_release(&err);
		hoso_csv_release(&csv);
	}
	{
		/* fields are NUL-terminated C strings in the reader's buffer */
		struct hoso_csv_memory mem = { "\"q\"\"\",r\n", 8, 0, 0 };
		struct hoso_csv csv;
		struct hoso_buf err = HOSO_BUF_INIT;

		hoso_csv_init(&csv, hoso_csv_read_memory, &mem);
		CHECK(hoso_csv_next(&csv, &err) == HOSO_CSV_RECORD, "one record");
		CHECK_EQ_STR(csv.fields[0], "q\"", "field 1 as a C string");
		CHECK_EQ_STR(csv.fields[1], "r", "field 2 as a C string");
		CHECK_EQ_LL(csv.lengths[0], 2, "length of field 1");
		CHECK(hoso_csv_next(&csv, &err) == HOSO_CSV_END, "then the end");
		CHECK(hoso_csv_next(&csv, &err) == HOSO_CSV_END, "and the end again");
		hoso_buf_release(&err);
		hoso_csv_release(&csv);
	}
	return unit_summary("test_csv");
}
