/*
 * write.c: the landing files of one copy of the plan.
 *
 * Every dossier version, progress row, resend and look-up becomes an
 * emission with a landing time; emissions are sorted and cut into landing
 * days, and each day into 15-minute sync runs whose objects are batched
 * into messages (1-20 objects).  A batch's _at is the latest log time in
 * it, so a later version of a case never gets an earlier _at than an older
 * one.  Everything random here is a hash of (seed, copy, case, what), so
 * the days can be written by two processes in any order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "gen.h"
#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_paths.h"

enum { K_DOSSIER, K_ROW, K_DUP_ROW, K_STALE, K_RESEND, K_LOOKUP };

struct emission {
	hoso_time sort;		/* landing order */
	hoso_time at;		/* the object's log time */
	uint32_t case_id;
	uint8_t kind;
	uint8_t idx;
};

struct writer {
	const struct gen_plan *plan;
	const struct gen_catalogue *cat;
	const char *out_dir;
	char src[32];
	struct emission *em;
	size_t nem;
};

static uint64_t
h3(const struct writer *w, uint64_t a, uint64_t b)
{
	return gen_mix(gen_mix(w->plan->seed * 0x9e3779b97f4a7c15ULL + (uint64_t) w->plan->copy) ^
		       gen_mix(a * 0xff51afd7ed558ccdULL + b));
}

/* ---- emissions ---- */

static void
push(struct writer *w, size_t *cap, hoso_time sort, hoso_time at, uint32_t id, int kind, int idx)
{
	if (hoso_time_date(sort) > gen_last_day || hoso_time_date(sort) < gen_first_day)
		return;
	if (w->nem == *cap) {
		*cap = *cap ? *cap * 2 : 1 << 20;
		w->em = hoso_xrealloc(w->em, *cap * sizeof(*w->em));
	}
	w->em[w->nem++] = (struct emission) { sort, at, id, (uint8_t) kind, (uint8_t) idx };
}

static hoso_time
row_log(const struct writer *w, const struct gen_case *c, int i)
{
	uint64_t h = h3(w, c->id, 100 + (uint64_t) i);
	int u = (int) (h % 100);

	if (u < 85)
		return c->rows[i].at + 20 + (hoso_time) ((h >> 8) % 900);
	if (u < 98)
		return c->rows[i].at + 900 + (hoso_time) ((h >> 8) % (3 * 3600));
	return c->rows[i].at + 3 * 3600 + (hoso_time) ((h >> 8) % (20 * 3600));
}

static int
compare_emission(const void *pa, const void *pb)
{
	const struct emission *a = pa, *b = pb;

	if (a->sort != b->sort)
		return a->sort < b->sort ? -1 : 1;
	if (a->case_id != b->case_id)
		return a->case_id < b->case_id ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return (int) a->idx - (int) b->idx;
}

static void
build_emissions(struct writer *w)
{
	size_t cap = 0;

	for (uint32_t i = 0; i < w->plan->ncases; i++) {
		const struct gen_case *c = &w->plan->cases[i];
		const struct gen_version *last = &c->versions[c->nversions - 1];

		for (int v = 0; v < c->nversions; v++)
			push(w, &cap, c->versions[v].log, c->versions[v].log, c->id, K_DOSSIER, v);
		for (int r = 0; r < c->nrows; r++) {
			hoso_time log = row_log(w, c, r);

			push(w, &cap, log, log, c->id, K_ROW, r);
			/* a step sent twice */
			if (c->dup_row && h3(w, c->id, 200 + (uint64_t) r) % 3 == 0) {
				hoso_time again = log + 600 + (hoso_time) (h3(w, c->id, 300 + (uint64_t) r) % (20 * 3600));

				push(w, &cap, again, again, c->id, K_DUP_ROW, r);
			}
		}
		/* an older version landing after the newer one, under its old _at */
		if (c->stale && c->nversions >= 2) {
			hoso_date d = hoso_time_date(last->log) + 1 + (int) (h3(w, c->id, 400) % 2);
			hoso_time sort = hoso_date_start(d) + 6 * 3600 + (hoso_time) (h3(w, c->id, 401) % (12 * 3600));

			push(w, &cap, sort, c->versions[0].log, c->id, K_STALE, 0);
		}
		/* the system resends a finished case months later, unchanged */
		if (c->resend && (last->status >= 7)) {
			hoso_time t = last->log + 30 * 86400 + (hoso_time) (h3(w, c->id, 500) % (170 * 86400));

			push(w, &cap, t, t, c->id, K_RESEND, c->nversions - 1);
		}
		/* a citizen looks the case up */
		if (h3(w, c->id, 600) % 250 == 0) {
			hoso_time t = c->versions[0].log + 3600 + (hoso_time) (h3(w, c->id, 601) % (5 * 86400));

			push(w, &cap, t, t, c->id, K_LOOKUP, 0);
		}
	}
	qsort(w->em, w->nem, sizeof(*w->em), compare_emission);
}

/* ---- JSON ---- */

static const char *const surnames[] = {
	"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
	"Đỗ", "Hồ", "Ngô", "Dương", "Lý", "A", "Y", "Đinh", "Trương",
};
static const char *const middles[] = {
	"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Thị Thu", "Văn Hoàng",
};
static const char *const givens[] = {
	"An", "Bình", "Cường", "Dũng", "Hoa", "Hương", "Lan", "Minh", "Nam", "Phong", "Quân",
	"Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Hùng", "Linh", "Khánh", "Nhung",
	"Thắng", "Blong", "H'Nga",
};
static const char *const givens_ascii[] = {
	"an", "binh", "cuong", "dung", "hoa", "huong", "lan", "minh", "nam", "phong", "quan",
	"son", "tam", "thao", "trang", "tuan", "viet", "yen", "hung", "linh", "khanh", "nhung",
	"thang", "blong", "hnga",
};
static const char *const firms[] = {
	"Công ty TNHH Cà phê Đắk Hà", "Công ty TNHH Xây dựng Tây Nguyên", "Công ty CP Sâm Ngọc Linh Kon Tum",
	"Công ty TNHH Thương mại Măng Đen", "Doanh nghiệp tư nhân Hoàng Phát", "Công ty TNHH MTV Nông sản Sa Thầy",
	"Hợp tác xã Nông nghiệp Đắk Tô", "Công ty CP Du lịch Kon Plông",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const step_text[] = {
	"Tiếp nhận hồ sơ", "Chuyển xử lý", "Yêu cầu bổ sung hồ sơ", "Tiếp nhận hồ sơ bổ sung",
	"Thông báo thực hiện nghĩa vụ tài chính", "Đã thực hiện nghĩa vụ tài chính",
	"Hoàn thành xử lý", "Trả kết quả", "Công dân rút hồ sơ", "Dừng xử lý hồ sơ",
	"Từ chối tiếp nhận hồ sơ",
};
static const char *const step_dept[] = {
	"Bộ phận Một cửa", "Bộ phận chuyên môn", "Bộ phận chuyên môn", "Bộ phận Một cửa",
	"Bộ phận chuyên môn", "Bộ phận Một cửa", "Bộ phận chuyên môn", "Bộ phận Một cửa",
	"Bộ phận Một cửa", "Lãnh đạo đơn vị", "Bộ phận Một cửa",
};
static const char *const titles[] = {
	"Công chức Một cửa", "Chuyên viên", "Công chức Tư pháp - Hộ tịch", "Công chức Địa chính - Xây dựng",
	"Phó Trưởng phòng", "Trưởng phòng",
};

static void
add(struct hoso_buf *b, const char *s)
{
	hoso_buf_add(b, s, strlen(s));
}

/* ,"key":"value" with value trusted (no quote, backslash or control) */
static void
kv(struct hoso_buf *b, const char *key, const char *value)
{
	hoso_buf_grow(b, strlen(key) + strlen(value) + 8);
	hoso_buf_addch(b, '"');
	add(b, key);
	add(b, "\":\"");
	add(b, value);
	add(b, "\",");
}

static void
kv_time(struct hoso_buf *b, const char *key, hoso_time t)
{
	char tmp[16] = "";

	if (t != HOSO_TIME_NONE)
		hoso_time_format_compact(t, tmp);
	kv(b, key, tmp);
}

static void
kv_int(struct hoso_buf *b, const char *key, long v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%ld", v);
	kv(b, key, tmp);
}

/* drop the trailing comma before closing an object or array */
static void
close_with(struct hoso_buf *b, char c)
{
	if (b->len && b->data[b->len - 1] == ',')
		b->len--;
	hoso_buf_addch(b, c);
	hoso_buf_addch(b, ',');
}

static void
case_number(const struct writer *w, const struct gen_case *c, char *out, size_t size)
{
	const struct gen_catalogue *cat = w->cat;
	/* the province's agency code, "H34" of "000.00.00.H34" */
	const char *province = strrchr(cat->units[cat->province].code, '.') + 1;
	char prefix[32];
	int y, m, d;

	hoso_date_to_ymd(hoso_time_date(c->submitted), &y, &m, &d);
	if (c->unit_mode == UM_CODE)
		snprintf(prefix, sizeof(prefix), "%s", cat->units[c->unit].code);
	else if (c->unit_mode == UM_NAME_ONLY)
		snprintf(prefix, sizeof(prefix), "%s.%d", province, 100 + c->unit);	/* an old local code */
	else
		snprintf(prefix, sizeof(prefix), "%s.999", province);
	snprintf(out, size, "%s-%02d%02d%02d-%04u", prefix, y % 100, m, d, (unsigned) c->serial);
}

static const char *
unit_text(const struct writer *w, const struct gen_case *c, char *tmp, size_t size)
{
	const struct gen_unit *u = &w->cat->units[c->unit];
	uint64_t h = h3(w, c->id, 700);

	if (c->unit_mode == UM_UNRESOLVED)
		return h % 2 ? "Bộ phận Một cửa liên thông" : "";
	if (c->unit_mode == UM_NAME_ONLY) {
		if (h % 3 == 0) {
			/* extra white space, folded away by the resolver */
			snprintf(tmp, size, "  %s ", u->name);
			for (char *p = tmp + 2; *p; p++)
				if (*p == ' ' && p[1] != ' ' && p[1] && h % 2) {
					memmove(p + 1, p, strlen(p) + 1);
					break;
				}
			return tmp;
		}
		return c->nfd ? u->name_nfd : u->name;
	}
	if (c->nfd)
		return u->name_nfd;
	return h % 5 == 0 ? u->name : u->desk_name;
}

/* The dossier as the system knew it at version v. */
static void
dossier_json(const struct writer *w, const struct gen_case *c, int vi, struct hoso_buf *b)
{
	const struct gen_catalogue *cat = w->cat;
	const struct gen_version *v = &c->versions[vi];
	const struct gen_procedure *p = c->unknown_code ? NULL : &cat->procs[c->proc];
	char num[48], tmp[256];
	hoso_time due = c->due0;
	uint64_t h = h3(w, c->id, 800);
	int st = v->status;
	bool accepted = st != 1 && st != 3;

	case_number(w, c, num, sizeof(num));
	hoso_buf_addch(b, '{');
	kv(b, "MaHoSo", num);
	if (p) {
		kv(b, "MaTTHC", p->code);
		/* names travel with the first version only; the catalogue wins anyway */
		if (vi == 0)
			kv(b, "TenTTHC", c->nfd ? p->name_nfd : p->name);
		kv(b, "MaLinhVuc", cat->fields[p->field].code);
	} else {
		snprintf(tmp, sizeof(tmp), "2.999%03d", (int) c->unknown_code);
		kv(b, "MaTTHC", tmp);
		if (vi == 0)
			kv(b, "TenTTHC", "Thủ tục đặc thù của địa phương");
	}
	switch (c->channel) {
	case CH_ONLINE: kv(b, "KenhThucHien", "2"); break;
	case CH_POSTAL: kv(b, "KenhThucHien", "3"); break;
	case CH_DIRECT_EMPTY: kv(b, "KenhThucHien", ""); break;
	case CH_DIRECT_MISSING: break;
	default: kv(b, "KenhThucHien", "1"); break;
	}
	kv(b, "LoaiDoiTuong", c->applicant == 2 ? "2" : "1");
	kv_time(b, "NgayNopHoSo", c->submitted);
	kv_time(b, "NgayTiepNhan", accepted && !c->no_accept_date ? c->accepted : HOSO_TIME_NONE);
	for (int i = 0; i < c->nrounds; i++)
		if (c->rounds[i].received != HOSO_TIME_NONE && c->rounds[i].received <= v->at)
			due = c->rounds[i].due_after;
	kv_time(b, "NgayHenTra", accepted ? due : HOSO_TIME_NONE);
	kv_int(b, "TrangThaiHoSo", st);
	if (st == 9 || st == 10)
		kv_time(b, "NgayKetThucXuLy", c->finished);
	if (st == 7 || st == 8)
		kv_time(b, "NgayKetThucXuLy", c->closed);
	if (st == 10)
		kv_time(b, "NgayTra", c->returned);
	if (st == 3)
		kv_time(b, "NgayTuChoi", c->closed);
	kv(b, "DonViXuLy", unit_text(w, c, tmp, sizeof(tmp)));
	kv(b, "HinhThuc", c->channel == CH_POSTAL || h % 40 == 0 ? "1" : "0");
	kv(b, "HoSoCoThanhPhanSoHoa", c->digitised ? "1" : "0");
	/* flags that are "0" are often left out */
	if (p && p->has_fee && c->channel == CH_ONLINE)
		kv(b, "DuocThanhToanTrucTuyen", (h >> 8) % 10 < 5 ? "1" : (h >> 8) % 10 < 7 ? "2" : "0");
	else if ((h >> 8) % 4 == 0)
		kv(b, "DuocThanhToanTrucTuyen", "0");
	if (c->channel == CH_ONLINE)
		kv(b, "TaiKhoanDuocXacThucVoiVNeID", (h >> 16) % 100 < 65 ? "1" : "0");
	else if ((h >> 16) % 4 == 0)
		kv(b, "TaiKhoanDuocXacThucVoiVNeID", "0");

	/* the applicant (personal data: the pipeline drops or hashes it) */
	if (c->applicant == 2) {
		kv(b, "ChuHoSo", firms[(h >> 20) % NELEM(firms)]);
		snprintf(tmp, sizeof(tmp), "61%08llu", (unsigned long long) ((h >> 24) % 100000000));
	} else {
		const char *sn = surnames[(h >> 20) % NELEM(surnames)];
		const char *md = middles[(h >> 25) % NELEM(middles)];
		const char *gv = givens[(h >> 30) % NELEM(givens)];

		snprintf(tmp, sizeof(tmp), "%s %s %s", sn, md, gv);
		kv(b, "ChuHoSo", tmp);
		snprintf(tmp, sizeof(tmp), "062%09llu", (unsigned long long) ((h >> 24) % 1000000000));
	}
	kv(b, "SoGiayToChuHoSo", tmp);
	snprintf(tmp, sizeof(tmp), "09%08llu", (unsigned long long) ((h >> 13) % 100000000));
	kv(b, "SoDienThoai", tmp);
	if ((h >> 40) % 10 < 3) {
		snprintf(tmp, sizeof(tmp), "%s%llu@gmail.com", givens_ascii[(h >> 30) % NELEM(givens)],
			 (unsigned long long) ((h >> 44) % 1000));
		kv(b, "Email", tmp);
	}
	if (c->digitised) {
		int n = 1 + ((h >> 50) % 5 == 0);

		add(b, "\"TaiLieuNop\":[");
		for (int i = 0; i < n; i++) {
			hoso_buf_addch(b, '{');
			snprintf(tmp, sizeof(tmp), "%08llx%02d", (unsigned long long) (h & 0xffffffffULL), i);
			kv(b, "TepDinhKemId", tmp);
			kv(b, "TenTepDinhKem", i ? "Giấy tờ kèm theo.pdf" : "Tờ khai.pdf");
			snprintf(tmp, sizeof(tmp), "TP%d", i + 1);
			kv(b, "MaThanhPhanHoSo", tmp);
			kv(b, "DuocSoHoa", "1");
			kv(b, "DuocTaiSuDung", (h >> (52 + i)) % 4 == 0 ? "1" : "0");
			kv(b, "DuocLayTuKhoDMQG", (h >> (55 + i)) % 5 == 0 ? "1" : "0");
			kv(b, "IsDeleted", "0");
			close_with(b, '}');
		}
		close_with(b, ']');
	}
	if (p && p->has_fee && accepted) {
		add(b, "\"DanhSachLePhi\":[{");
		kv(b, "TenPhiLePhi", "Lệ phí giải quyết thủ tục");
		kv(b, "MaPhiLePhi", "LP01");
		kv(b, "HinhThucThu", c->channel == CH_ONLINE ? "2" : "1");
		if ((h >> 58) % 4 == 0) {
			long th = p->fee / 1000;

			snprintf(tmp, sizeof(tmp), "%ld.%03ld", th, p->fee % 1000);
		} else {
			snprintf(tmp, sizeof(tmp), "%ld", p->fee);
		}
		kv(b, "Gia", tmp);
		kv(b, "LoaiPhiLePhi", "1");
		close_with(b, '}');
		close_with(b, ']');
	}
	if (c->nrounds && c->rounds[0].requested <= v->at) {
		add(b, "\"DanhSachHoSoBoSung\":[");
		for (int i = 0; i < c->nrounds; i++) {
			const struct gen_round *r = &c->rounds[i];
			bool in = r->received != HOSO_TIME_NONE && r->received <= v->at;

			if (r->requested > v->at)
				continue;
			hoso_buf_addch(b, '{');
			kv_time(b, "NgayBoSung", r->requested);
			kv_time(b, "NgayTiepNhanBoSung", in ? r->received : HOSO_TIME_NONE);
			kv_time(b, "NgayHenTraTruoc", r->due_before);
			kv_time(b, "NgayHenTraMoi", in ? r->due_after : HOSO_TIME_NONE);
			kv(b, "TrangThaiBoSung", in ? "1" : "0");
			kv(b, "NoiDungBoSung", "Bổ sung giấy tờ còn thiếu");
			close_with(b, '}');
		}
		close_with(b, ']');
	}
	if (st == 9 || st == 10) {
		add(b, "\"DanhSachGiayToKetQua\":[{");
		kv(b, "TenGiayTo", p ? p->result_name : "Kết quả giải quyết");
		kv(b, "MaThanhPhanHoSo", "KQ1");
		snprintf(tmp, sizeof(tmp), "KQ%08llx", (unsigned long long) (h >> 32));
		kv(b, "GiayToId", tmp);
		if ((h >> 36) % 100 < 45) {
			char url[384];

			snprintf(url, sizeof(url), "https://dichvucong.kontum.gov.vn/ketqua/%s.pdf", tmp);
			kv(b, "DuongDanTepTinKetQua", url);
		}
		close_with(b, '}');
		close_with(b, ']');
	}
	close_with(b, '}');
}

static void
row_json(const struct writer *w, const struct gen_case *c, int ri, struct hoso_buf *b)
{
	const struct gen_row *r = &c->rows[ri];
	char num[48], tmp[128];
	uint64_t h = h3(w, c->id, 900 + (uint64_t) ri);

	case_number(w, c, num, sizeof(num));
	hoso_buf_addch(b, '{');
	kv(b, "MaHoSo", num);
	kv_time(b, "ThoiDiemXuLy", r->at);
	kv_int(b, "TrangThai", r->status);
	kv(b, "NoiDungXuLy", step_text[r->what]);
	kv(b, "PhongBanXuLy", step_dept[r->what]);
	snprintf(tmp, sizeof(tmp), "%s %s %s", surnames[h % NELEM(surnames)],
		 middles[(h >> 8) % NELEM(middles)], givens[(h >> 16) % NELEM(givens)]);
	kv(b, "NguoiXuLy", tmp);
	kv(b, "ChucDanh", titles[(h >> 24) % NELEM(titles)]);
	if (r->status == 4) {
		hoso_time due = c->due0;

		for (int i = 0; i < c->nrounds; i++)
			if (c->rounds[i].received != HOSO_TIME_NONE && c->rounds[i].received <= r->at)
				due = c->rounds[i].due_after;
		kv_time(b, "NgayBatDau", r->at);
		kv_time(b, "NgayKetThucTheoQuyDinh", due);
	}
	close_with(b, '}');
}

/* ---- files ---- */

/* gzip members of data[0..len) split at the given line-aligned offsets */
static bool
write_gzip(const char *path, const char *data, size_t len, const size_t *cuts, int ncuts,
	   bool bom_in_second, struct gen_write_stats *st)
{
	FILE *f = fopen(path, "wb");
	size_t start = 0;
	unsigned char *out = NULL;
	size_t outcap = 0;
	bool ok = false;

	if (!f) {
		hoso_error("%s: %s", path, strerror(errno));
		return false;
	}
	for (int m = 0; m <= ncuts; m++) {
		size_t end = m < ncuts ? cuts[m] : len;
		z_stream z;
		size_t need;

		memset(&z, 0, sizeof(z));
		if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			goto cleanup;
		need = deflateBound(&z, (uLong) (end - start + 3));
		if (need > outcap) {
			outcap = need;
			out = hoso_xrealloc(out, outcap);
		}
		z.next_out = out;
		z.avail_out = (uInt) outcap;
		if (m == 1 && bom_in_second) {
			static const unsigned char bom[] = { 0xEF, 0xBB, 0xBF };

			z.next_in = (unsigned char *) bom;
			z.avail_in = 3;
			deflate(&z, Z_NO_FLUSH);
		}
		z.next_in = (unsigned char *) data + start;
		z.avail_in = (uInt) (end - start);
		if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
			deflateEnd(&z);
			hoso_error("%s: deflate failed", path);
			goto cleanup;
		}
		if (fwrite(out, 1, z.total_out, f) != z.total_out) {
			deflateEnd(&z);
			hoso_error("%s: %s", path, strerror(errno));
			goto cleanup;
		}
		st->bytes_gz += z.total_out;
		deflateEnd(&z);
		start = end;
	}
	ok = true;
cleanup:
	free(out);
	if (fclose(f) != 0)
		ok = false;
	return ok;
}

static bool
write_plain(const char *path, const struct hoso_buf *b, struct gen_write_stats *st)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
		hoso_error("%s: cannot write", path);
		return false;
	}
	st->bytes_gz += b->len;
	return true;
}

static void
message_start(struct hoso_buf *b, const char *src, hoso_time at, const char *service, bool updating)
{
	char ts[16];

	hoso_time_format_compact(at, ts);
	add(b, "{\"_at\":\"");
	add(b, ts);
	add(b, "\",\"_src\":\"");
	add(b, src);
	add(b, "\",\"service\":\"");
	add(b, service);
	add(b, updating ? "\",\"isUpdating\":\"True\",\"data\":[" : "\",\"data\":[");
}

static void
message_end(struct hoso_buf *b, bool crlf, struct gen_write_stats *st)
{
	if (b->len && b->data[b->len - 1] == ',')
		b->len--;
	add(b, crlf ? "]}\r\n" : "]}\n");
	st->messages++;
}

/* One sync run: the items [from, to) of one 15-minute window. */
static void
write_run(struct writer *w, const struct emission *em, size_t n, struct gen_rng *rng,
	  struct hoso_buf *main, struct hoso_buf *side, bool crlf, struct gen_write_stats *st)
{
	/* progress rows first, then dossiers; resends of old versions apart */
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0;

		while (i < n) {
			size_t j, limit = 1 + gen_rng_below(rng, 20);
			hoso_time at = 0;
			size_t count = 0;

			for (; i < n; i++) {
				int k = em[i].kind;

				if (pass == 0 ? (k == K_ROW || k == K_DUP_ROW) : (k == K_DOSSIER || k == K_RESEND))
					break;
			}
			if (i == n)
				break;
			for (j = i; j < n && count < limit; j++) {
				int k = em[j].kind;

				if (pass == 0 ? (k == K_ROW || k == K_DUP_ROW) : (k == K_DOSSIER || k == K_RESEND)) {
					count++;
					if (em[j].at > at)
						at = em[j].at;
				}
			}
			message_start(main, w->src, at, pass == 0 ? "CapNhatTienDoHoSoMC" : "DongBoHoSoMC",
				      pass == 1 && gen_rng_chance(rng, 0.3));
			for (size_t x = i; x < j; x++) {
				const struct gen_case *c = &w->plan->cases[em[x].case_id];
				int k = em[x].kind;

				if (pass == 0 && (k == K_ROW || k == K_DUP_ROW))
					row_json(w, c, em[x].idx, main);
				else if (pass == 1 && (k == K_DOSSIER || k == K_RESEND))
					dossier_json(w, c, em[x].idx, main);
				else
					continue;
				st->objects++;
			}
			message_end(main, crlf, st);
			i = j;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct gen_case *c = &w->plan->cases[em[i].case_id];
		struct hoso_buf *b = side ? side : main;

		if (em[i].kind == K_STALE) {
			message_start(b, w->src, em[i].at, "DongBoHoSoMC", true);
			dossier_json(w, c, em[i].idx, b);
			message_end(b, crlf, st);
			st->objects++;
		} else if (em[i].kind == K_LOOKUP) {
			char num[48];

			case_number(w, c, num, sizeof(num));
			message_start(main, w->src, em[i].at, "TraCuuHoSo", false);
			hoso_buf_addch(main, '{');
			kv(main, "MaHoSo", num);
			close_with(main, '}');
			message_end(main, crlf, st);
		}
	}
}

static bool
write_day(struct writer *w, hoso_date day, const struct emission *em, size_t n,
	  struct hoso_buf *main, struct hoso_buf *side, struct gen_write_stats *st)
{
	struct gen_rng rng;
	int y, m, d;
	char path[4096];
	int idx = day - gen_first_day;
	bool multi = idx % 10 == 3;		/* a day sent in several gzip members */
	bool bom = idx == 163;			/* ... one of them with a BOM */
	bool crlf = idx == 200;			/* a day written with CRLF line ends */
	bool plain_side = idx % 97 == 50;	/* resends in a separate, uncompressed file */
	size_t cuts[3];
	int ncuts = 0;
	size_t i = 0;

	if (n == 0)
		return true;	/* a quiet day of a small province sends nothing */
	gen_rng_seed(&rng, w->plan->seed, (uint64_t) w->plan->copy * 1000003ULL + 7, (uint64_t) day);
	hoso_buf_reset(main);
	hoso_buf_reset(side);
	while (i < n) {
		hoso_time slot = em[i].sort / 900;
		size_t j = i;

		while (j < n && em[j].sort / 900 == slot)
			j++;
		write_run(w, em + i, j - i, &rng, main, plain_side ? side : NULL, crlf, st);
		i = j;
		if (multi && ncuts < 2 && main->len > 0 &&
		    ((ncuts == 0 && i * 3 >= n) || (ncuts == 1 && i * 3 >= 2 * n)))
			cuts[ncuts++] = main->len;
	}
	hoso_date_to_ymd(day, &y, &m, &d);
	snprintf(path, sizeof(path), "%s/landing/%04d/%02d/%02d/%s-%04d%02d%02d.jsonl.gz",
		 w->out_dir, y, m, d, w->src, y, m, d);
	if (!hoso_make_parent_dirs(path))
		return false;
	st->bytes_raw += main->len;
	if (!write_gzip(path, main->data, main->len, cuts, ncuts, bom && ncuts > 0, st))
		return false;
	st->files++;
	if (side->len) {
		snprintf(path, sizeof(path), "%s/landing/%04d/%02d/%02d/%s-%04d%02d%02d-resend.jsonl.gz",
			 w->out_dir, y, m, d, w->src, y, m, d);
		st->bytes_raw += side->len;
		if (!write_plain(path, side, st))
			return false;
		st->files++;
	}
	return true;
}

/* Writes the days with (day index % nworkers) == worker. */
static bool
write_days(struct writer *w, int worker, int nworkers, struct gen_write_stats *st)
{
	struct hoso_buf main = HOSO_BUF_INIT, side = HOSO_BUF_INIT;
	size_t i = 0;
	bool ok = true;

	for (hoso_date day = gen_first_day; day <= gen_last_day && ok; day++) {
		size_t j;

		while (i < w->nem && hoso_time_date(w->em[i].sort) < day)
			i++;
		j = i;
		while (j < w->nem && hoso_time_date(w->em[j].sort) == day)
			j++;
		if ((day - gen_first_day) % nworkers == worker)
			ok = write_day(w, day, w->em + i, j - i, &main, &side, st);
		i = j;
	}
	hoso_buf_release(&main);
	hoso_buf_release(&side);
	return ok;
}

bool
gen_write_landing(const struct gen_plan *plan, const struct gen_catalogue *cat,
		  const char *out_dir, struct gen_write_stats *stats)
{
	struct writer w = { plan, cat, out_dir, "", NULL, 0 };
	enum { NWORKERS = 2 };
	int fds[NWORKERS][2];
	pid_t pids[NWORKERS];
	bool ok = true;

	snprintf(w.src, sizeof(w.src), "%s", plan->src);
	build_emissions(&w);

	/* two writers (the machine has two cores); each reports its counts on a pipe */
	for (int k = 0; k < NWORKERS; k++) {
		if (pipe(fds[k]) != 0)
			hoso_die("pipe: %s", strerror(errno));
		pids[k] = fork();
		if (pids[k] < 0)
			hoso_die("fork: %s", strerror(errno));
		if (pids[k] == 0) {
			struct gen_write_stats st = { 0 };
			bool wok;

			close(fds[k][0]);
			wok = write_days(&w, k, NWORKERS, &st);
			if (write(fds[k][1], &st, sizeof(st)) != (ssize_t) sizeof(st))
				_exit(1);
			_exit(wok ? 0 : 1);
		}
		close(fds[k][1]);
	}
	for (int k = 0; k < NWORKERS; k++) {
		struct gen_write_stats st = { 0 };
		int status = 0;

		if (read(fds[k][0], &st, sizeof(st)) != (ssize_t) sizeof(st))
			ok = false;
		close(fds[k][0]);
		if (waitpid(pids[k], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			ok = false;
		stats->messages += st.messages;
		stats->objects += st.objects;
		stats->bytes_raw += st.bytes_raw;
		stats->bytes_gz += st.bytes_gz;
		stats->files += st.files;
	}
	free(w.em);
	return ok;
}
