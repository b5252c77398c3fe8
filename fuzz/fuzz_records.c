/*
 * fuzz_records: the record stream readers on arbitrary bytes.  The plain
 * reader (hoso_records_next, from a FILE) and the read-ahead reader
 * (hoso_records_ahead, a thread reading a file descriptor in batches) must
 * give the same records, line numbers and outcome; the hook must see the
 * same records in the same order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hoso_buf.h"
#include "hoso_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "lineno nfields" then each field, its length first, NULL as -1 */
static void
describe(struct hoso_buf *out, long lineno, char *const *fields, int nfields)
{
	hoso_buf_addf(out, "%ld %d", lineno, nfields);
	for (int i = 0; i < nfields; i++) {
		if (fields[i])
			hoso_buf_addf(out, " %zu:%s", strlen(fields[i]), fields[i]);
		else
			hoso_buf_addstr(out, " -1");
	}
	hoso_buf_addch(out, '\n');
}

static void
hook(void *arg, char *const *fields, int nfields)
{
	describe(arg, 0, fields, nfields);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hoso_buf plain = HOSO_BUF_INIT, ahead = HOSO_BUF_INIT, hooked = HOSO_BUF_INIT,
		plain_hooked = HOSO_BUF_INIT;
	struct hoso_records_reader r;
	struct hoso_records_ahead a;
	int rc_plain, rc_ahead, fd;
	FILE *f;

	if (size == 0)
		return 0;
	fd = memfd_create("fuzz_records", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t) size || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	f = fmemopen((void *) data, size, "r");
	if (!f)
		abort();
	hoso_records_reader_init(&r, f);
	while ((rc_plain = hoso_records_next(&r)) == 1) {
		describe(&plain, r.lineno, r.fields, r.nfields);
		describe(&plain_hooked, 0, r.fields, r.nfields);
	}
	hoso_records_reader_release(&r);
	fclose(f);

	if (!hoso_records_ahead_start(&a, fd, hook, &hooked))
		abort();
	while ((rc_ahead = hoso_records_ahead_next(&a)) == 1)
		describe(&ahead, a.lineno, a.fields, a.nfields);
	hoso_records_ahead_stop(&a);
	close(fd);

	if (rc_plain != rc_ahead || plain.len != ahead.len ||
	    memcmp(plain.data, ahead.data, plain.len) != 0)
		abort();
	if (hooked.len != plain_hooked.len || memcmp(hooked.data, plain_hooked.data, hooked.len) != 0)
		abort();
	hoso_buf_release(&plain);
	hoso_buf_release(&ahead);
	hoso_buf_release(&hooked);
	hoso_buf_release(&plain_hooked);
	return 0;
}
