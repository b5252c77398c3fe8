/*
 * fuzz_input.c: bytes through the gzip/plain line reader.  The first byte
 * picks the line limit, so that over-long lines and chunk edges are reached.
 */
#include <stdint.h>
#include <string.h>

#include "hoso_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hoso_input in;
	struct hoso_input_line line;
	size_t max;
	uint64_t last_offset = 0;
	long last_lineno = 0;
	int rc;

	if (size < 1)
		return 0;
	max = 1 + data[0] * 4;
	if (hoso_input_open_memory(&in, "fuzz", data + 1, size - 1, max)) {
		while ((rc = hoso_input_next(&in, &line)) == 1) {
			/* invariants: lines move forward and stay within bounds */
			if (line.lineno <= last_lineno || (last_lineno && line.offset <= last_offset) ||
			    line.len > max || line.len == 0 ||
			    (!in.gzip && line.offset + line.len > size))
				__builtin_trap();
			if (line.flaw == HOSO_LINE_OK && hoso_utf8_check(line.data, line.len) != line.len)
				__builtin_trap();
			if (line.flaw == HOSO_LINE_OK && memchr(line.data, '\0', line.len))
				__builtin_trap();
			/* the quick verdict (16 bytes at a time) agrees with the byte-by-byte one */
			if (line.flaw != HOSO_LINE_TOO_LONG &&
			    hoso_utf8_no_nul(line.data, line.len) != (line.flaw == HOSO_LINE_OK))
				__builtin_trap();
			/* a flaw found is a flaw: NUL there, or invalid UTF-8 from there */
			if (line.flaw == HOSO_LINE_NUL && line.data[line.flaw_column - 1] != '\0')
				__builtin_trap();
			if (line.flaw == HOSO_LINE_BAD_UTF8 &&
			    hoso_utf8_check(line.data + line.flaw_column - 1,
					    line.len - line.flaw_column + 1) != 0)
				__builtin_trap();
			last_lineno = line.lineno;
			last_offset = line.offset;
		}
		(void) rc;
	}
	hoso_input_close(&in);
	return 0;
}
