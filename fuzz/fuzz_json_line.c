/*
 * fuzz_json_line.c: one line through the JSON parser, re-serialisation, and
 * the dvcqg-jsonl validation and mapping of extract (the fuzz build links
 * extract/ without its main.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "extract.h"
#include "hoso_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct extract ex;
	static bool ready;
	struct extract_file f;
	struct hoso_input_line line;
	struct hoso_json_parser jp;
	struct hoso_buf out = HOSO_BUF_INIT;
	const struct hoso_json_value *v;
	void *state;

	if (!ready) {
		hoso_log_set_level(HOSO_LOG_ERROR);	/* rejects are expected */
		ex.max_line_bytes = HOSO_INPUT_MAX_LINE_DEFAULT;
		ex.reject_fd = -1;
		hoso_hmac_init(&ex.hmac, "k", 1);
		hoso_records_writer_init(&ex.out, fopen("/dev/null", "w"));
		ready = true;
	}
	/* the parser alone, and its output parsed again must be the same text */
	hoso_json_parser_init(&jp);
	v = hoso_json_parse(&jp, (const char *) data, size);
	if (v) {
		struct hoso_buf again = HOSO_BUF_INIT;

		hoso_json_serialize(&out, v, NULL);
		v = hoso_json_parse(&jp, out.data, out.len);
		if (!v)
			__builtin_trap();
		hoso_json_serialize(&again, v, NULL);
		if (again.len != out.len || memcmp(again.data, out.data, out.len) != 0)
			__builtin_trap();
		hoso_buf_release(&again);
	}
	hoso_buf_release(&out);
	hoso_json_parser_release(&jp);

	/* the whole line handling of extract, as for a line without byte flaws */
	memset(&f, 0, sizeof(f));
	memset(&line, 0, sizeof(line));
	f.ex = &ex;
	f.format = &extract_format_dvcqg;
	f.path = "fuzz";
	f.file_no = 1;
	hoso_map_init(&f.unknown_fields);
	ex.hash_personal_data = size & 1;
	line.data = (const char *) data;
	line.len = size;
	line.full_len = size;
	line.lineno = 1;
	f.line = &line;
	state = extract_format_dvcqg.begin(&f);
	extract_format_dvcqg.line(state, &f, &line);
	extract_format_dvcqg.end(state, &f);
	hoso_map_release(&f.unknown_fields);
	hoso_buf_release(&f.raw);
	hoso_buf_release(&f.scratch);
	hoso_buf_release(&f.reason);
	ex.out.len = 0;	/* nothing to keep */
	return 0;
}
