/*
 * fuzz_csv: the CSV reader on arbitrary bytes.  The first byte picks the
 * delimiter, the read size (so records straddle reads), a fixed column
 * count and a small record cap; the rest is the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hoso_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hoso_csv_memory mem;
	struct hoso_csv csv;
	struct hoso_buf err = HOSO_BUF_INIT;
	unsigned char mode;
	unsigned long last_line = 0;

	if (size == 0)
		return 0;
	mode = data[0];
	mem = (struct hoso_csv_memory) { (const char *) data + 1, size - 1, 0, (mode >> 1) & 7 };
	hoso_csv_init(&csv, hoso_csv_read_memory, &mem);
	csv.delimiter = mode & 1 ? ';' : ',';
	csv.columns = (mode >> 4) & 3;
	if (mode & 0x40)
		csv.max_record_bytes = 64;
	for (;;) {
		enum hoso_csv_status st;

		hoso_buf_reset(&err);
		st = hoso_csv_next(&csv, &err);
		if (st == HOSO_CSV_END)
			break;
		if (st == HOSO_CSV_ERROR) {
			if (!err.data || !err.len)
				abort();	/* every error has a message */
			if (hoso_csv_failed(&csv))
				break;
			continue;
		}
		if (csv.nfields == 0 || csv.line < last_line)
			abort();
		last_line = csv.line;
		for (size_t i = 0; i < csv.nfields; i++)
			if (csv.fields[i][csv.lengths[i]] != '\0' ||
			    strlen(csv.fields[i]) > csv.lengths[i])
				abort();
	}
	hoso_buf_release(&err);
	hoso_csv_release(&csv);
	return 0;
}
