/*
 * dvcqg.c: the portal sync log format "dvcqg-jsonl" (docs/input.md §2): one
 * message per line, dossier objects become D records, progress rows P
 * records.  The Vietnamese field names of the portal appear only here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "hoso_log.h"
#include "hoso_time.h"

enum field_kind {
	K_TEXT,		/* a scalar kept as sent */
	K_DATE,		/* a scalar yyyyMMddHHmmss or empty */
	K_LIST,		/* an array of objects */
	K_PERSONAL,	/* a scalar of personal data (hashed or dropped) */
	K_IGNORED	/* known, not used, any type */
};

struct field_def {
	const char *name;
	size_t len;		/* of name, measured once */
	enum field_kind kind;
};

#define FIELD(name, kind) { name, sizeof(name) - 1, kind }

/* Dossier object fields (docs/input.md §2.1); positions index struct values below. */
enum {
	DO_MAHOSO, DO_MATTHC, DO_TENTTHC, DO_MALINHVUC, DO_TENLINHVUC, DO_KENH,
	DO_LOAIDOITUONG, DO_NGAYNOP, DO_NGAYTIEPNHAN, DO_NGAYHENTRA, DO_TRANGTHAI,
	DO_NGAYKETTHUC, DO_NGAYTRA, DO_NGAYTUCHOI, DO_DONVI, DO_HINHTHUC, DO_SOHOA,
	DO_THANHTOAN, DO_VNEID, DO_TAILIEUNOP, DO_LEPHI, DO_BOSUNG, DO_KETQUA,
	DO_CHUHOSO, DO_SOGIAYTO, DO_DINHDANH, DO_EMAIL, DO_FAX, DO_SDT, DO_THONGTINKHAC,
	DO_TRICHYEU, DO_NFIELDS
};

static const struct field_def dossier_fields[DO_NFIELDS] = {
	[DO_MAHOSO] = FIELD("MaHoSo", K_TEXT),
	[DO_MATTHC] = FIELD("MaTTHC", K_TEXT),
	[DO_TENTTHC] = FIELD("TenTTHC", K_TEXT),
	[DO_MALINHVUC] = FIELD("MaLinhVuc", K_TEXT),
	[DO_TENLINHVUC] = FIELD("TenLinhVuc", K_TEXT),
	[DO_KENH] = FIELD("KenhThucHien", K_TEXT),
	[DO_LOAIDOITUONG] = FIELD("LoaiDoiTuong", K_TEXT),
	[DO_NGAYNOP] = FIELD("NgayNopHoSo", K_DATE),
	[DO_NGAYTIEPNHAN] = FIELD("NgayTiepNhan", K_DATE),
	[DO_NGAYHENTRA] = FIELD("NgayHenTra", K_DATE),
	[DO_TRANGTHAI] = FIELD("TrangThaiHoSo", K_TEXT),
	[DO_NGAYKETTHUC] = FIELD("NgayKetThucXuLy", K_DATE),
	[DO_NGAYTRA] = FIELD("NgayTra", K_DATE),
	[DO_NGAYTUCHOI] = FIELD("NgayTuChoi", K_DATE),
	[DO_DONVI] = FIELD("DonViXuLy", K_TEXT),
	[DO_HINHTHUC] = FIELD("HinhThuc", K_TEXT),
	[DO_SOHOA] = FIELD("HoSoCoThanhPhanSoHoa", K_TEXT),
	[DO_THANHTOAN] = FIELD("DuocThanhToanTrucTuyen", K_TEXT),
	[DO_VNEID] = FIELD("TaiKhoanDuocXacThucVoiVNeID", K_TEXT),
	[DO_TAILIEUNOP] = FIELD("TaiLieuNop", K_LIST),
	[DO_LEPHI] = FIELD("DanhSachLePhi", K_LIST),
	[DO_BOSUNG] = FIELD("DanhSachHoSoBoSung", K_LIST),
	[DO_KETQUA] = FIELD("DanhSachGiayToKetQua", K_LIST),
	[DO_CHUHOSO] = FIELD("ChuHoSo", K_PERSONAL),
	[DO_SOGIAYTO] = FIELD("SoGiayToChuHoSo", K_PERSONAL),
	[DO_DINHDANH] = FIELD("DinhDanhCHS", K_IGNORED),
	[DO_EMAIL] = FIELD("Email", K_IGNORED),
	[DO_FAX] = FIELD("Fax", K_IGNORED),
	[DO_SDT] = FIELD("SoDienThoai", K_IGNORED),
	[DO_THONGTINKHAC] = FIELD("ThongTinKhac", K_IGNORED),
	[DO_TRICHYEU] = FIELD("TrichYeuHoSo", K_IGNORED),
};

/* Progress row fields (docs/input.md §2.2). */
enum {
	PR_MAHOSO, PR_THOIDIEM, PR_TRANGTHAI, PR_NOIDUNG, PR_PHONGBAN, PR_NGUOIXULY,
	PR_CHUCDANH, PR_NGAYBATDAU, PR_NGAYKETTHUC, PR_NFIELDS
};

static const struct field_def progress_fields[PR_NFIELDS] = {
	[PR_MAHOSO] = FIELD("MaHoSo", K_TEXT),
	[PR_THOIDIEM] = FIELD("ThoiDiemXuLy", K_DATE),
	[PR_TRANGTHAI] = FIELD("TrangThai", K_TEXT),
	[PR_NOIDUNG] = FIELD("NoiDungXuLy", K_TEXT),
	[PR_PHONGBAN] = FIELD("PhongBanXuLy", K_TEXT),
	[PR_NGUOIXULY] = FIELD("NguoiXuLy", K_PERSONAL),
	[PR_CHUCDANH] = FIELD("ChucDanh", K_PERSONAL),
	[PR_NGAYBATDAU] = FIELD("NgayBatDau", K_DATE),
	[PR_NGAYKETTHUC] = FIELD("NgayKetThucTheoQuyDinh", K_DATE),
};

/* Message envelope fields. */
enum { EN_AT, EN_SRC, EN_SERVICE, EN_ISUPDATING, EN_DATA, EN_NFIELDS };

static const struct field_def envelope_fields[EN_NFIELDS] = {
	[EN_AT] = FIELD("_at", K_DATE),
	[EN_SRC] = FIELD("_src", K_TEXT),
	[EN_SERVICE] = FIELD("service", K_TEXT),
	[EN_ISUPDATING] = FIELD("isUpdating", K_IGNORED),
	[EN_DATA] = FIELD("data", K_IGNORED),
};

#define MAX_FIELDS DO_NFIELDS

/* A scalar's text: strings as they are, numbers as written, null as "". */
struct text {
	const char *s;
	size_t len;
	bool present;
};

/* One object's known fields, looked up once. */
struct values {
	const struct hoso_json_value *v[MAX_FIELDS];
};

struct dvcqg {
	struct hoso_json_parser jp;
	struct hoso_buf hash_input;
	struct hoso_buf supplements;
};

static bool
is_scalar(const struct hoso_json_value *v)
{
	return v->type == HOSO_JSON_STRING || v->type == HOSO_JSON_NUMBER ||
		v->type == HOSO_JSON_NULL;
}

static struct text
text_of(const struct hoso_json_value *v)
{
	struct text t = { "", 0, false };

	if (v) {
		t.present = true;
		if (v->type == HOSO_JSON_STRING || v->type == HOSO_JSON_NUMBER) {
			t.s = v->u.s;
			t.len = v->len;
		}
	}
	return t;
}

/* "what \"value\"" as f->reason.data */
static const char *
quoted(struct extract_file *f, const char *what, struct text t)
{
	hoso_buf_reset(&f->reason);
	hoso_buf_addf(&f->reason, "%s ", what);
	return extract_quote(f, t.s, t.len);
}

static bool
reject_type(struct extract_file *f, const char *field, const char *expected,
	    const struct hoso_json_value *v)
{
	char reason[64];

	snprintf(reason, sizeof(reason), "expected %s, got %s", expected,
		 hoso_json_type_name(v->type));
	extract_reject(f, field, reason);
	return false;
}

/*
 * Sort an object's members into values->v by the field table; count the
 * unknown ones; reject a non-scalar where a scalar belongs, and a field
 * given twice.
 */
static bool
collect(struct extract_file *f, const struct hoso_json_value *obj, const struct field_def *defs,
	int ndefs, struct values *values, bool count_unknown)
{
	bool ok = true;
	int hint = 0;

	memset(values->v, 0, sizeof(values->v[0]) * (size_t) ndefs);
	for (size_t i = 0; i < obj->len; i++) {
		const struct hoso_json_member *m = &obj->u.members[i];
		int j, k = 0;

		/*
		 * Hot: senders keep their field order, so the search starts after
		 * the previous match.
		 */
		for (j = 0; j < ndefs; j++) {
			k = hint + j < ndefs ? hint + j : hint + j - ndefs;
			if (hoso_json_key_is(m, defs[k].name, defs[k].len))
				break;
		}
		if (j == ndefs) {
			if (count_unknown)
				extract_count_unknown(f, m->key, m->keylen);
			continue;
		}
		hint = k + 1 < ndefs ? k + 1 : 0;
		if (values->v[k]) {
			/* two values for one field: neither can be trusted */
			if (ok)
				extract_reject(f, defs[k].name, "duplicated key");
			ok = false;
			continue;
		}
		values->v[k] = &m->value;
		if (ok && defs[k].kind != K_LIST && defs[k].kind != K_IGNORED &&
		    !is_scalar(&m->value))
			ok = reject_type(f, defs[k].name, "a string", &m->value);
	}
	return ok;
}

/* Required: present and not empty. */
static bool
require(struct extract_file *f, const struct values *values, const struct field_def *defs, int k)
{
	struct text t = text_of(values->v[k]);

	if (!t.present) {
		extract_reject(f, defs[k].name, "missing");
		return false;
	}
	if (t.len == 0) {
		extract_reject(f, defs[k].name, "empty");
		return false;
	}
	return true;
}

/* What a date field holds: when something happened, or a deadline. */
enum date_kind {
	DATE_EVENT,
	/*
	 * A due date is a deadline the source system computed, not an event:
	 * systems write the zero of Unix time (1970) for one they could not
	 * compute, and the counting rules take it as it is (such a case is
	 * late), so only an event has to fall in the plausible window.
	 */
	DATE_DUE,
};

/* A date field: empty or a valid yyyyMMddHHmmss; an event in the plausible window. */
static bool
check_date(struct extract_file *f, const char *field, struct text t, enum date_kind kind,
	   hoso_time *out)
{
	*out = HOSO_TIME_NONE;
	if (t.len == 0)
		return true;
	if (!hoso_time_parse_compact(t.s, t.len, out)) {
		extract_reject(f, field, quoted(f, "invalid date", t));
		return false;
	}
	if (kind == DATE_EVENT &&
	    (hoso_time_date(*out) < f->ex->dates_from || hoso_time_date(*out) > f->ex->dates_to)) {
		char from[11], to[11];

		hoso_date_format_iso(f->ex->dates_from, from);
		hoso_date_format_iso(f->ex->dates_to, to);
		quoted(f, "implausible date", t);
		hoso_buf_addf(&f->reason, " (outside %s .. %s)", from, to);
		extract_reject(f, field, f->reason.data);
		*out = HOSO_TIME_NONE;
		return false;
	}
	return true;
}

/* Status codes 1..10 (docs/input.md §4); returns 0 after a reject. */
static int
check_status(struct extract_file *f, const char *field, struct text t)
{
	int v = 0;

	if (t.len >= 1 && t.len <= 2) {
		for (size_t i = 0; i < t.len; i++)
			v = t.s[i] >= '0' && t.s[i] <= '9' && v >= 0 ? v * 10 + (t.s[i] - '0') : -1;
		if (v >= 1 && v <= 10 && t.s[0] != '0')
			return v;
	}
	extract_reject(f, field, quoted(f, "unknown status", t));
	return 0;
}

static bool
text_is(struct text t, const char *s)
{
	return t.len == strlen(s) && memcmp(t.s, s, t.len) == 0;
}

/* Digits, optionally grouped by three with '.' or ','; *positive if not all zero. */
static bool
amount_ok(struct text t, bool *positive)
{
	size_t group = 0, i;
	bool grouped = false;

	*positive = false;
	for (i = 0; i < t.len; i++) {
		char c = t.s[i];

		if (c >= '0' && c <= '9') {
			group++;
			*positive |= c != '0';
		} else if ((c == '.' || c == ',') && group > 0 && (grouped ? group == 3 : group <= 3)) {
			grouped = true;
			group = 0;
		} else {
			return false;
		}
	}
	return group > 0 && (!grouped || group == 3);
}

/* One nested list: its entries must be objects; returns false after a reject. */
static bool
list_entry(struct extract_file *f, const char *list, size_t i, const struct hoso_json_value *e)
{
	char field[64];

	if (e->type == HOSO_JSON_OBJECT)
		return true;
	snprintf(field, sizeof(field), "%s[%zu]", list, i);
	return reject_type(f, field, "an object", e);
}

/* A scalar member of a list entry; rejects a non-scalar. */
static bool
entry_text(struct extract_file *f, const char *list, size_t i, const struct hoso_json_value *e,
	   const char *name, struct text *out)
{
	const struct hoso_json_value *v = hoso_json_get(e, name);
	char field[96];

	*out = text_of(v);
	if (!v || is_scalar(v))
		return true;
	snprintf(field, sizeof(field), "%s[%zu].%s", list, i, name);
	return reject_type(f, field, "a string", v);
}

/* null or "" = no list; else it must be an array */
static bool
list_of(struct extract_file *f, const struct values *values, int k,
	const struct hoso_json_value **out)
{
	const struct hoso_json_value *v = values->v[k];

	*out = NULL;
	if (!v || v->type == HOSO_JSON_NULL || (v->type == HOSO_JSON_STRING && v->len == 0))
		return true;
	if (v->type != HOSO_JSON_ARRAY)
		return reject_type(f, dossier_fields[k].name, "an array", v);
	*out = v;
	return true;
}

struct dossier_flags {
	bool has_fee, e_result, reuse;
};

static bool
scan_lists(struct extract_file *f, struct dvcqg *st, const struct values *values,
	   struct dossier_flags *flags)
{
	static const char *const round_dates[4] = {
		"NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi"
	};
	const struct hoso_json_value *l;
	const char *name;

	memset(flags, 0, sizeof(*flags));
	name = dossier_fields[DO_LEPHI].name;
	if (!list_of(f, values, DO_LEPHI, &l))
		return false;
	for (size_t i = 0; l && i < l->len; i++) {
		struct text gia;
		bool positive;

		if (!list_entry(f, name, i, &l->u.items[i]) ||
		    !entry_text(f, name, i, &l->u.items[i], "Gia", &gia))
			return false;
		if (gia.len == 0)
			continue;
		if (!amount_ok(gia, &positive)) {
			char field[64];

			snprintf(field, sizeof(field), "%s[%zu].Gia", name, i);
			extract_reject(f, field, quoted(f, "invalid amount", gia));
			return false;
		}
		flags->has_fee |= positive;
	}

	name = dossier_fields[DO_KETQUA].name;
	if (!list_of(f, values, DO_KETQUA, &l))
		return false;
	for (size_t i = 0; l && i < l->len; i++) {
		struct text link;

		if (!list_entry(f, name, i, &l->u.items[i]) ||
		    !entry_text(f, name, i, &l->u.items[i], "DuongDanTepTinKetQua", &link))
			return false;
		flags->e_result |= link.len > 0;
	}

	name = dossier_fields[DO_TAILIEUNOP].name;
	if (!list_of(f, values, DO_TAILIEUNOP, &l))
		return false;
	for (size_t i = 0; l && i < l->len; i++) {
		const struct hoso_json_value *e = &l->u.items[i];
		struct text deleted, reused, national;

		if (!list_entry(f, name, i, e) ||
		    !entry_text(f, name, i, e, "IsDeleted", &deleted) ||
		    !entry_text(f, name, i, e, "DuocTaiSuDung", &reused) ||
		    !entry_text(f, name, i, e, "DuocLayTuKhoDMQG", &national))
			return false;
		if (text_is(deleted, "1") || (deleted.len == 4 && strncasecmp(deleted.s, "true", 4) == 0))
			continue;
		flags->reuse |= text_is(reused, "1") || text_is(reused, "2") ||
			text_is(national, "1");
	}

	name = dossier_fields[DO_BOSUNG].name;
	if (!list_of(f, values, DO_BOSUNG, &l))
		return false;
	hoso_buf_reset(&st->supplements);
	for (size_t i = 0; l && i < l->len; i++) {
		const struct hoso_json_value *e = &l->u.items[i];

		if (!list_entry(f, name, i, e))
			return false;
		if (i)
			hoso_buf_addch(&st->supplements, ';');
		for (int k = 0; k < 4; k++) {
			struct text t;
			hoso_time when;
			char field[96];

			if (!entry_text(f, name, i, e, round_dates[k], &t))
				return false;
			snprintf(field, sizeof(field), "%s[%zu].%s", name, i, round_dates[k]);
			/* NgayHenTraTruoc and NgayHenTraMoi are due dates */
			if (!check_date(f, field, t, k >= 2 ? DATE_DUE : DATE_EVENT, &when))
				return false;
			if (k)
				hoso_buf_addch(&st->supplements, '|');
			hoso_buf_add(&st->supplements, t.s, t.len);
		}
	}
	return true;
}

/* The value of a field as sent; \N when missing. */
static void
set_text(struct hoso_value *out, const struct hoso_json_value *v)
{
	struct text t = text_of(v);

	if (t.present)
		hoso_value_text(out, t.s, t.len);
}

/* A date already checked: \N when empty or missing. */
static void
set_date(struct hoso_value *out, const struct hoso_json_value *v)
{
	struct text t = text_of(v);

	if (t.len)
		hoso_value_text(out, t.s, t.len);
}

/* HMAC of "a|b" in hex (into hex), or \N when personal data is dropped. */
static void
set_hash(struct extract_file *f, struct dvcqg *st, struct hoso_value *out, char hex[65],
	 const struct hoso_json_value *a, const struct hoso_json_value *b)
{
	struct text ta = text_of(a), tb = text_of(b);

	if (!f->ex->hash_personal_data)
		return;
	hoso_buf_reset(&st->hash_input);
	hoso_buf_add(&st->hash_input, ta.s, ta.len);
	hoso_buf_addch(&st->hash_input, '|');
	hoso_buf_add(&st->hash_input, tb.s, tb.len);
	hoso_hmac_hex(&f->ex->hmac, st->hash_input.data, st->hash_input.len, hex);
	hoso_value_text(out, hex, 64);
}

#define MESSAGE_MAX_DATES 6

/* What a dossier or progress message must hold to make a record. */
struct message_rules {
	const struct field_def *defs;
	int ndefs;
	int required[3];			/* present and not empty; the last is the status */
	int dates[MESSAGE_MAX_DATES];		/* empty or valid */
	size_t ndates;
	int due;				/* the one date that is a deadline, not an event */
};

/*
 * The message's fields sorted into val, then checked in the rules' order;
 * times[i] is dates[i]'s instant.  The status, or 0 after a reject.
 */
static int
check_message(struct extract_file *f, const struct hoso_json_value *obj,
	      const struct message_rules *rules, struct values *val, hoso_time *times)
{
	const struct field_def *defs = rules->defs;
	int status_field = rules->required[2];

	if (!collect(f, obj, defs, rules->ndefs, val, true))
		return 0;
	for (int i = 0; i < 3; i++)
		if (!require(f, val, defs, rules->required[i]))
			return 0;
	for (size_t i = 0; i < rules->ndates; i++) {
		int k = rules->dates[i];

		if (!check_date(f, defs[k].name, text_of(val->v[k]),
				k == rules->due ? DATE_DUE : DATE_EVENT, &times[i]))
			return 0;
	}
	return check_status(f, defs[status_field].name, text_of(val->v[status_field]));
}

/* D and P records begin alike (hoso_layout.h): one setter serves both. */
_Static_assert((int) HOSO_D_case_no == (int) HOSO_P_case_no && (int) HOSO_D_at == (int) HOSO_P_at,
	       "D and P records share their first fields");

static void
set_envelope(struct extract_file *f, struct hoso_value *v, size_t pos, struct text src,
	     struct text at)
{
	hoso_value_int(&v[HOSO_D_file_no], f->file_no);
	hoso_value_int(&v[HOSO_D_line], f->line->lineno);
	hoso_value_int(&v[HOSO_D_pos], (long long) pos);
	hoso_value_text(&v[HOSO_D_src], src.s, src.len);
	hoso_value_text(&v[HOSO_D_at], at.s, at.len);
}

static void
dossier(struct extract_file *f, struct dvcqg *st, const struct hoso_json_value *obj, size_t pos,
	struct text src, struct text at)
{
	/* t[1] is then the instant accepted, t[3] processed */
	static const struct message_rules rules = {
		dossier_fields, DO_NFIELDS, { DO_MAHOSO, DO_MATTHC, DO_TRANGTHAI },
		{ DO_NGAYNOP, DO_NGAYTIEPNHAN, DO_NGAYHENTRA, DO_NGAYKETTHUC, DO_NGAYTRA,
		  DO_NGAYTUCHOI }, 6, DO_NGAYHENTRA
	};
	const struct field_def *defs = dossier_fields;
	struct hoso_value rec[HOSO_D_NFIELDS];
	char hex[65];
	struct values val;
	struct dossier_flags flags;
	hoso_time t[MESSAGE_MAX_DATES];
	int status = check_message(f, obj, &rules, &val, t);

	if (!status)
		return;
	if (t[1] != HOSO_TIME_NONE && t[3] != HOSO_TIME_NONE && t[3] < t[1]) {
		extract_reject(f, defs[DO_NGAYKETTHUC].name,
			       quoted(f, "earlier than NgayTiepNhan", text_of(val.v[DO_NGAYTIEPNHAN])));
		return;
	}
	if (!scan_lists(f, st, &val, &flags))
		return;

	memset(rec, 0, sizeof(rec));
	set_envelope(f, rec, pos, src, at);
	set_text(&rec[HOSO_D_case_no], val.v[DO_MAHOSO]);
	set_text(&rec[HOSO_D_procedure_code], val.v[DO_MATTHC]);
	set_text(&rec[HOSO_D_procedure_name], val.v[DO_TENTTHC]);
	set_text(&rec[HOSO_D_field_code], val.v[DO_MALINHVUC]);
	set_text(&rec[HOSO_D_channel_raw], val.v[DO_KENH]);
	set_text(&rec[HOSO_D_applicant_type], val.v[DO_LOAIDOITUONG]);
	set_date(&rec[HOSO_D_submitted_at], val.v[DO_NGAYNOP]);
	set_date(&rec[HOSO_D_accepted_at], val.v[DO_NGAYTIEPNHAN]);
	set_date(&rec[HOSO_D_due_at], val.v[DO_NGAYHENTRA]);
	hoso_value_int(&rec[HOSO_D_status], status);
	set_date(&rec[HOSO_D_processed_at], val.v[DO_NGAYKETTHUC]);
	set_date(&rec[HOSO_D_returned_at], val.v[DO_NGAYTRA]);
	set_date(&rec[HOSO_D_refused_at], val.v[DO_NGAYTUCHOI]);
	set_text(&rec[HOSO_D_unit_name], val.v[DO_DONVI]);
	set_text(&rec[HOSO_D_return_form], val.v[DO_HINHTHUC]);
	hoso_value_bool(&rec[HOSO_D_digitised], text_is(text_of(val.v[DO_SOHOA]), "1"));
	hoso_value_bool(&rec[HOSO_D_paid_online], text_is(text_of(val.v[DO_THANHTOAN]), "1") ||
			text_is(text_of(val.v[DO_THANHTOAN]), "2"));
	hoso_value_bool(&rec[HOSO_D_vneid], text_is(text_of(val.v[DO_VNEID]), "1"));
	hoso_value_bool(&rec[HOSO_D_has_fee], flags.has_fee);
	hoso_value_bool(&rec[HOSO_D_e_result], flags.e_result);
	hoso_value_bool(&rec[HOSO_D_reuse], flags.reuse);
	if (st->supplements.len || (val.v[DO_BOSUNG] && val.v[DO_BOSUNG]->type == HOSO_JSON_ARRAY &&
				    val.v[DO_BOSUNG]->len))
		hoso_value_text(&rec[HOSO_D_supplements], st->supplements.data, st->supplements.len);
	set_hash(f, st, &rec[HOSO_D_applicant_hash], hex, val.v[DO_CHUHOSO], val.v[DO_SOGIAYTO]);
	hoso_records_write(&f->ex->out, 'D', rec, HOSO_D_NFIELDS);
	f->dossiers++;
}

static void
progress(struct extract_file *f, struct dvcqg *st, const struct hoso_json_value *obj, size_t pos,
	 struct text src, struct text at)
{
	static const struct message_rules rules = {
		progress_fields, PR_NFIELDS, { PR_MAHOSO, PR_THOIDIEM, PR_TRANGTHAI },
		{ PR_THOIDIEM, PR_NGAYBATDAU, PR_NGAYKETTHUC }, 3, PR_NGAYKETTHUC
	};
	struct hoso_value rec[HOSO_P_NFIELDS];
	char hex[65];
	struct values val;
	hoso_time t[MESSAGE_MAX_DATES];
	int status = check_message(f, obj, &rules, &val, t);

	if (!status)
		return;

	memset(rec, 0, sizeof(rec));
	set_envelope(f, rec, pos, src, at);
	set_text(&rec[HOSO_P_case_no], val.v[PR_MAHOSO]);
	set_date(&rec[HOSO_P_event_at], val.v[PR_THOIDIEM]);
	hoso_value_int(&rec[HOSO_P_status], status);
	set_text(&rec[HOSO_P_content], val.v[PR_NOIDUNG]);
	set_text(&rec[HOSO_P_department], val.v[PR_PHONGBAN]);
	set_date(&rec[HOSO_P_step_start], val.v[PR_NGAYBATDAU]);
	set_date(&rec[HOSO_P_step_deadline], val.v[PR_NGAYKETTHUC]);
	set_hash(f, st, &rec[HOSO_P_handler_hash], hex, val.v[PR_NGUOIXULY], val.v[PR_CHUCDANH]);
	hoso_records_write(&f->ex->out, 'P', rec, HOSO_P_NFIELDS);
	f->progress++;
}

static void *
dvcqg_begin(struct extract_file *f)
{
	struct dvcqg *st = hoso_xcalloc(1, sizeof(*st));

	hoso_json_parser_init(&st->jp);
	return st;
}

static void
dvcqg_end(void *state, struct extract_file *f)
{
	struct dvcqg *st = state;

	if (!st)
		return;
	hoso_json_parser_release(&st->jp);
	hoso_buf_release(&st->hash_input);
	hoso_buf_release(&st->supplements);
	free(st);
}

static void
dvcqg_line(void *state, struct extract_file *f, const struct hoso_input_line *line)
{
	struct dvcqg *st = state;
	const struct hoso_json_value *root, *data;
	struct values env;
	struct text at, src, service;
	hoso_time when;
	enum { OTHER, DOSSIERS, PROGRESS } kind;

	root = hoso_json_parse(&st->jp, line->data, line->len);
	if (!root) {
		char reason[160];

		snprintf(reason, sizeof(reason), "invalid JSON at column %zu: %s",
			 st->jp.error_column, st->jp.error);
		extract_reject(f, "-", reason);
		return;
	}
	f->root = root;
	if (root->type != HOSO_JSON_OBJECT) {
		reject_type(f, "-", "a JSON object", root);
		return;
	}
	if (!collect(f, root, envelope_fields, EN_NFIELDS, &env, true) ||
	    !require(f, &env, envelope_fields, EN_AT))
		return;
	at = text_of(env.v[EN_AT]);
	if (!check_date(f, "_at", at, DATE_EVENT, &when) || !require(f, &env, envelope_fields, EN_SRC) ||
	    !require(f, &env, envelope_fields, EN_SERVICE))
		return;
	src = text_of(env.v[EN_SRC]);
	service = text_of(env.v[EN_SERVICE]);
	kind = text_is(service, "DongBoHoSoMC") ? DOSSIERS :
		text_is(service, "CapNhatTienDoHoSoMC") ? PROGRESS : OTHER;
	if (kind == OTHER) {
		f->messages++;
		f->other_messages++;
		return;
	}
	data = env.v[EN_DATA];
	if (!data) {
		extract_reject(f, "data", "missing");
		return;
	}
	if (data->type != HOSO_JSON_ARRAY) {
		reject_type(f, "data", "an array", data);
		return;
	}
	f->messages++;
	for (size_t i = 0; i < data->len; i++) {
		const struct hoso_json_value *obj = &data->u.items[i];
		char field[32];

		if (obj->type != HOSO_JSON_OBJECT) {
			snprintf(field, sizeof(field), "data[%zu]", i);
			reject_type(f, field, "an object", obj);
			continue;
		}
		if (kind == DOSSIERS)
			dossier(f, st, obj, i, src, at);
		else
			progress(f, st, obj, i, src, at);
	}
}

/*
 * The members of list entries (docs/input.md §2.1) that carry no personal data.
 * Not here: TenTepDinhKem (attachment file names hold applicants' names and
 * ID numbers), TenGiayTo and DuongDanTepTinKetQua (likewise).
 */
static const char *const list_entry_keys[] = {
	"TepDinhKemId", "MaThanhPhanHoSo", "DuocSoHoa", "DuocTaiSuDung", "DuocLayTuKhoDMQG",
	"IsDeleted", "TenPhiLePhi", "MaPhiLePhi", "HinhThucThu", "Gia", "LoaiPhiLePhi",
	"NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi", "TrangThaiBoSung",
	"GiayToId",
};

static bool
key_is(const char *key, size_t keylen, const char *name)
{
	return strlen(name) == keylen && memcmp(name, key, keylen) == 0;
}

/* Whether key is a field of defs that holds no personal data. */
static bool
allowed_in(const struct field_def *defs, int n, const char *key, size_t keylen)
{
	for (int i = 0; i < n; i++)
		if (defs[i].kind != K_PERSONAL && key_is(key, keylen, defs[i].name))
			return !extract_is_personal_key(key, keylen);
	return false;
}

/* A reject's raw copy keeps the format's own non-personal fields only. */
static enum hoso_json_member_policy
dvcqg_raw_policy(const char *key, size_t keylen)
{
	if (extract_is_personal_key(key, keylen))
		return HOSO_JSON_DROP;
	if (allowed_in(envelope_fields, EN_NFIELDS, key, keylen) ||
	    allowed_in(dossier_fields, DO_NFIELDS, key, keylen) ||
	    allowed_in(progress_fields, PR_NFIELDS, key, keylen))
		return HOSO_JSON_KEEP;
	for (size_t i = 0; i < sizeof(list_entry_keys) / sizeof(list_entry_keys[0]); i++)
		if (key_is(key, keylen, list_entry_keys[i]))
			return HOSO_JSON_KEEP;
	return HOSO_JSON_MASK;
}

const struct extract_format extract_format_dvcqg = {
	.name = "dvcqg-jsonl",
	.begin = dvcqg_begin,
	.line = dvcqg_line,
	.end = dvcqg_end,
	.raw_policy = dvcqg_raw_policy,
};
