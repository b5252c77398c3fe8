/*
 * spill.h: the transform's temporary files (cases spilled beyond the
 * memory budget, derived rows waiting to be merged in key order).
 *
 * Each is made in the staging directory, readable by its owner only, and
 * unlinked at once: it is never listed in the directory, so nothing loads
 * it, and it vanishes with the process however that ends.  Data is
 * appended with spill_write and read back from known extents; a reader
 * that finds less than it was told to expect stops the transform.
 */
#ifndef TRANSFORM_SPILL_H
#define TRANSFORM_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso_buf.h"

/* An open, already unlinked file in dir; fatal when it cannot be made. */
int spill_open(const char *dir);
/* Write data at offset (the file's end as the caller keeps it); fatal on error. */
void spill_write(int fd, unsigned long long offset, const void *data, size_t len);

/*
 * Reads [pos, end) of a spill file through a buffer that grows as needed.
 * A reader that discards gives the file's space back (punches a hole) as
 * it reads, for data read only once: the pages it frees are the ones the
 * next writes reuse, and the dirty data never goes to the disk.
 */
struct spill_reader {
	int fd;
	unsigned long long pos, end;	/* what is left to read from the file */
	unsigned long long discarded;	/* given back up to here (when discarding) */
	bool discard;
	char *buf;
	size_t start, len, cap;		/* unread bytes: buf[start, len) */
};

void spill_reader_init(struct spill_reader *r, int fd, unsigned long long offset,
		       unsigned long long length, size_t bufsize, bool discard);
void spill_reader_release(struct spill_reader *r);
/* Whether every byte of the extent has been taken. */
int spill_reader_done(const struct spill_reader *r);
/* The next n bytes, contiguous, valid until the next call; fatal past the end. */
const void *spill_take(struct spill_reader *r, size_t n);
uint8_t spill_take_u8(struct spill_reader *r);
uint32_t spill_take_u32(struct spill_reader *r);
int64_t spill_take_i64(struct spill_reader *r);

static inline void
spill_put_u8(struct hoso_buf *b, uint8_t v)
{
	hoso_buf_add(b, &v, sizeof(v));
}

static inline void
spill_put_u32(struct hoso_buf *b, uint32_t v)
{
	hoso_buf_add(b, &v, sizeof(v));
}

static inline void
spill_put_i64(struct hoso_buf *b, int64_t v)
{
	hoso_buf_add(b, &v, sizeof(v));
}

#endif
