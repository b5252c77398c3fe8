/*
 * hoso_source_schema.h: a CSV source schema (schemas/sources/NAME.yaml,
 * docs/input.md §3): which column of a province's export is which dossier
 * field, how its dates are written, which values map to which codes, the
 * defaults, the ignored and the personal columns, and the _src its rows
 * belong to.  Read with libyaml against a declarative key table, like a
 * pipeline; every error is "FILE:LINE:COLUMN: message" (1-based).
 *
 *   name: province-a                 # optional; default: file name without .yaml
 *   src: KTM-IGATE                   # required: the _src of every row
 *   delimiter: ";"                   # ";" or ","; default: guessed from the header
 *   date_formats: ["dd/MM/yyyy HH:mm:ss", "dd/MM/yyyy"]   # tried in order
 *   columns:                         # required, one entry per known column
 *     - title: Mã hồ sơ              # matched after NFC and case folding
 *       field: MaHoSo                # a dossier field (docs/input.md §2.1 names)
 *     - title: Kênh nộp
 *       field: KenhThucHien
 *       values: {Trực tiếp: "1", Trực tuyến: "2"}   # unmapped values are rejects
 *     - title: Ghi chú
 *       ignore: true                 # known, not loaded
 *     - title: Số điện thoại
 *       personal: true               # never loaded (ChuHoSo, SoGiayToChuHoSo are hashed on request)
 *     - title: Ngày nộp
 *       field: NgayNopHoSo
 *       optional: true               # may be missing from the header
 *       date_formats: ["dd-MM-yyyy"] # this column's own formats
 *   defaults: {LoaiDoiTuong: "1"}    # value of a field when its cell is empty or it has no column
 */
#ifndef HOSO_SOURCE_SCHEMA_H
#define HOSO_SOURCE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"
#include "hoso_time.h"

/* The dossier fields a column can fill; names as in docs/input.md §2.1. */
enum hoso_sfield {
	HOSO_SF_MAHOSO, HOSO_SF_MATTHC, HOSO_SF_TENTTHC, HOSO_SF_MALINHVUC, HOSO_SF_TENLINHVUC,
	HOSO_SF_KENH, HOSO_SF_LOAIDOITUONG, HOSO_SF_NGAYNOP, HOSO_SF_NGAYTIEPNHAN,
	HOSO_SF_NGAYHENTRA, HOSO_SF_TRANGTHAI, HOSO_SF_NGAYKETTHUC, HOSO_SF_NGAYTRA,
	HOSO_SF_NGAYTUCHOI, HOSO_SF_DONVI, HOSO_SF_HINHTHUC, HOSO_SF_SOHOA, HOSO_SF_THANHTOAN,
	HOSO_SF_VNEID,
	HOSO_SF_COLEPHI,	/* flat CSV: the case has a fee (D.has_fee) */
	HOSO_SF_KETQUADIENTU,	/* flat CSV: electronic result (D.e_result) */
	HOSO_SF_TAISUDUNG,	/* flat CSV: reused documents (D.reuse) */
	HOSO_SF_CHUHOSO, HOSO_SF_SOGIAYTO,	/* personal: hashed or dropped */
	HOSO_SF_NFIELDS
};

enum hoso_sfield_kind {
	HOSO_SK_TEXT,		/* kept as written (trimmed) */
	HOSO_SK_DATE,		/* parsed with the date formats */
	HOSO_SK_STATUS,		/* 1..10 */
	HOSO_SK_FLAG,		/* 0 or 1 (DuocThanhToanTrucTuyen: 0, 1 or 2) */
	HOSO_SK_PERSONAL
};

const char *hoso_sfield_name(enum hoso_sfield f);
enum hoso_sfield_kind hoso_sfield_kind(enum hoso_sfield f);

struct hoso_source_column {
	char *title;			/* as written in the schema */
	char *key;			/* folded title (hoso_text_fold) */
	int field;			/* enum hoso_sfield, -1 for ignored or personal-only */
	bool ignore, personal, optional;
	char **date_formats;		/* this column's own, else the schema's */
	size_t ndate_formats;
	char **value_keys;		/* folded "from" values */
	char **value_to;		/* what each maps to */
	size_t nvalues;
	size_t line;			/* 1-based line in the schema, for messages */
};

struct hoso_source_schema {
	char *name;			/* [a-z0-9_-]+; the format name in pipelines and F records */
	char *src;
	char delimiter;			/* ';', ',' or 0 = guess from the header */
	char **date_formats;
	size_t ndate_formats;
	struct hoso_source_column *columns;
	size_t ncolumns;
	char *defaults[HOSO_SF_NFIELDS];	/* NULL = none */
	int column_of[HOSO_SF_NFIELDS];		/* index into columns, -1 = none */
};

/*
 * Load the schema at path into *out (initialised by the call).  On failure
 * returns false with "FILE:LINE:COLUMN: message" appended to err and *out
 * holds nothing to release.  On success the caller releases *out.
 */
bool hoso_source_schema_load(const char *path, struct hoso_source_schema *out,
			     struct hoso_buf *err);
bool hoso_source_schema_load_buffer(const char *name, const char *data, size_t len,
				    struct hoso_source_schema *out, struct hoso_buf *err);
void hoso_source_schema_release(struct hoso_source_schema *s);

/*
 * A date format of the schema: yyyy, MM, dd, HH, mm, ss (two digits; M, d,
 * H, m, s one or two) and literal characters.  hoso_source_date_check
 * returns NULL for a valid format, else why not.
 */
const char *hoso_source_date_check(const char *format);
/* Parse s (exactly, no trailing text) with format; false when it does not match or is impossible. */
bool hoso_source_date_parse(const char *format, const char *s, size_t len, hoso_time *out);

/* The column whose folded title is key, or -1. */
int hoso_source_schema_find(const struct hoso_source_schema *s, const char *key, size_t keylen);

#endif
