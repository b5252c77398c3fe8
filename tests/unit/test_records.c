/*
 * test_records.c: the record stream: COPY-text escaping by the writer,
 * unescaping by the reader, \N, and malformed streams.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_records.h"
#include "unit.h"

/*
 * A D record written from values set by name reads back with each value at
 * the position its name has: the layout (hoso_layout.h) is the only order.
 */
static void
layout_round_trip(void)
{
	struct hoso_records_writer w;
	struct hoso_records_reader r;
	struct hoso_value v[HOSO_D_NFIELDS] = { 0 };
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	int n;

	hoso_records_writer_init(&w, f);
	hoso_value_str(&v[HOSO_D_case_no], "H-1");
	hoso_value_int(&v[HOSO_D_status], 10);
	hoso_value_bool(&v[HOSO_D_paid_online], true);
	hoso_value_bool(&v[HOSO_D_digitised], false);
	hoso_value_time(&v[HOSO_D_accepted_at], 0);
	hoso_records_write(&w, 'D', v, HOSO_D_NFIELDS);
	CHECK(hoso_records_writer_flush(&w), "layout: flush");
	hoso_records_writer_release(&w);
	fclose(f);
	f = fmemopen(mem, memlen, "r");
	hoso_records_reader_init(&r, f);
	CHECK_EQ_LL(hoso_records_next(&r), 1, "layout: one record");
	CHECK_EQ_LL(r.nfields, HOSO_D_NFIELDS, "layout: every D field");
	CHECK_EQ_STR(r.fields[HOSO_D_case_no], "H-1", "layout: case_no in its place");
	CHECK_EQ_STR(r.fields[HOSO_D_status], "10", "layout: status in its place");
	CHECK_EQ_STR(r.fields[HOSO_D_paid_online], "1", "layout: paid_online in its place");
	CHECK_EQ_STR(r.fields[HOSO_D_digitised], "0", "layout: digitised in its place");
	CHECK_EQ_STR(r.fields[HOSO_D_accepted_at], "19700101000000", "layout: a time in the 14-digit form");
	CHECK(r.fields[HOSO_D_vneid] == NULL && r.fields[HOSO_D_src] == NULL, "layout: unset is \\N");
	CHECK(hoso_record_layout('D', &n) != NULL && n == HOSO_D_NFIELDS - 1 &&
	      strcmp(hoso_record_layout('D', &n)[HOSO_D_paid_online - 1].name, "paid_online") == 0,
	      "layout: the D layout names its fields");
	hoso_records_reader_release(&r);
	fclose(f);
	free(mem);
}

int
main(void)
{
	struct hoso_records_writer w;
	struct hoso_records_reader r;
	char *mem = NULL;
	size_t memlen = 0;
	FILE *f = open_memstream(&mem, &memlen);
	static const char nasty[] = "tab\there\\back\nnl\rcr \\N end";

	hoso_records_writer_init(&w, f);
	hoso_records_header(&w);
	hoso_records_begin(&w, 'X');
	hoso_records_int(&w, -42);
	hoso_records_field(&w, nasty, strlen(nasty));
	hoso_records_null(&w);
	hoso_records_field_str(&w, "");
	hoso_records_bool(&w, true);
	hoso_records_field_str(&w, "\\N");
	hoso_records_end(&w);
	CHECK(hoso_records_writer_flush(&w), "flush");
	hoso_records_writer_release(&w);
	fclose(f);

	/* the exact COPY text: backslash, TAB, LF, CR escaped; \N for NULL */
	CHECK_EQ_STR(mem, "H\thoso-records\t1\n"
		     "X\t-42\ttab\\there\\\\back\\nnl\\rcr \\\\N end\t\\N\t\t1\t\\\\N\n",
		     "written text");

	f = fmemopen(mem, memlen, "r");
	hoso_records_reader_init(&r, f);
	CHECK_EQ_LL(hoso_records_next(&r), 1, "header read");
	CHECK_EQ_LL(r.nfields, 3, "header fields");
	CHECK_EQ_STR(r.fields[1], "hoso-records", "magic");
	CHECK_EQ_LL(hoso_records_next(&r), 1, "record read");
	CHECK_EQ_LL(r.lineno, 2, "line number");
	CHECK_EQ_LL(r.nfields, 7, "record fields");
	CHECK_EQ_STR(r.fields[0], "X", "type");
	CHECK_EQ_STR(r.fields[1], "-42", "int");
	CHECK_EQ_STR(r.fields[2], nasty, "round trip of every escaped byte");
	CHECK(r.fields[3] == NULL, "\\N is NULL");
	CHECK_EQ_STR(r.fields[4], "", "empty is not NULL");
	CHECK_EQ_STR(r.fields[5], "1", "bool");
	CHECK_EQ_STR(r.fields[6], "\\N", "the text \\N is not NULL");
	CHECK_EQ_LL(hoso_records_next(&r), 0, "end of stream");
	hoso_records_reader_release(&r);
	fclose(f);
	free(mem);

	/* a record cut short (the writer died) is an error */
	{
		static char cut[] = "H\thoso-records\t1\nD\t1\t2";

		f = fmemopen(cut, strlen(cut), "r");
		hoso_records_reader_init(&r, f);
		CHECK_EQ_LL(hoso_records_next(&r), 1, "first record");
		CHECK_EQ_LL(hoso_records_next(&r), -1, "truncated record");
		hoso_records_reader_release(&r);
		fclose(f);
	}
	{
		char s[] = "a\\tb\\x\\";

		CHECK_EQ_LL(hoso_records_unescape(s, 6), 4, "\\x stands for x");
		CHECK_EQ_LL(hoso_records_unescape(s, strlen(s)), -1, "lone trailing backslash");
	}
	layout_round_trip();
	return unit_summary("test_records");
}
