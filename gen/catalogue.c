/*
 * catalogue.c: the reference data of the synthetic province: Kon Tum's units
 * (and what replaces them on 2025-07-01), its procedure catalogue and the
 * working-day calendars 2022-2025.  Fixed data, independent of --seed, so
 * that the committed schemas/reference files match what --reference writes.
 * plan.c draws cases from the volume weights kept here beside each entry.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <utf8proc.h>

#include "gen.h"
#include "hoso_buf.h"
#include "hoso_log.h"
#include "hoso_paths.h"

/* ---- units ---- */

struct dept_def {
	const char *name;
	const char *alias;
	double weight;
};

/* index matters: procedures name their department by position */
enum {
	D_VP, D_NV, D_TP, D_KHDT, D_TC, D_CT, D_NN, D_GTVT, D_XD, D_TNMT,
	D_TTTT, D_LDTBXH, D_VHTTDL, D_KHCN, D_GDDT, D_YT, D_TTr, D_BDT, D_KKT, D_CA,
	D_COUNT
};

static const struct dept_def depts[D_COUNT] = {
	{ "Văn phòng UBND tỉnh Kon Tum", "VP UBND tỉnh", 0.5 },
	{ "Sở Nội vụ tỉnh Kon Tum", "Sở Nội vụ", 0.6 },
	{ "Sở Tư pháp tỉnh Kon Tum", "Sở Tư pháp", 3 },
	{ "Sở Kế hoạch và Đầu tư tỉnh Kon Tum", "Sở KH&ĐT|Sở Kế hoạch và Đầu tư", 6 },
	{ "Sở Tài chính tỉnh Kon Tum", "Sở Tài chính", 0.5 },
	{ "Sở Công Thương tỉnh Kon Tum", "Sở Công Thương", 1.5 },
	{ "Sở Nông nghiệp và Phát triển nông thôn tỉnh Kon Tum", "Sở NN&PTNT", 1.5 },
	{ "Sở Giao thông vận tải tỉnh Kon Tum", "Sở GTVT|Sở Giao thông vận tải", 4 },
	{ "Sở Xây dựng tỉnh Kon Tum", "Sở Xây dựng", 1 },
	{ "Sở Tài nguyên và Môi trường tỉnh Kon Tum", "Sở TN&MT|Sở Tài nguyên và Môi trường", 5 },
	{ "Sở Thông tin và Truyền thông tỉnh Kon Tum", "Sở TT&TT", 0.4 },
	{ "Sở Lao động - Thương binh và Xã hội tỉnh Kon Tum", "Sở LĐ-TB&XH", 1.5 },
	{ "Sở Văn hóa, Thể thao và Du lịch tỉnh Kon Tum", "Sở VHTT&DL", 0.6 },
	{ "Sở Khoa học và Công nghệ tỉnh Kon Tum", "Sở KH&CN", 0.3 },
	{ "Sở Giáo dục và Đào tạo tỉnh Kon Tum", "Sở GD&ĐT", 1.2 },
	{ "Sở Y tế tỉnh Kon Tum", "Sở Y tế", 1.8 },
	{ "Thanh tra tỉnh Kon Tum", "Thanh tra tỉnh", 0.1 },
	{ "Ban Dân tộc tỉnh Kon Tum", "Ban Dân tộc", 0.1 },
	{ "Ban Quản lý Khu kinh tế tỉnh Kon Tum", "BQL Khu kinh tế", 0.3 },
	{ "Công an tỉnh Kon Tum", "Công an tỉnh", 0.8 },
};

struct district_def {
	const char *name;	/* "Thành phố Kon Tum" */
	const char *short_name;	/* "thành phố Kon Tum" as in "UBND thành phố Kon Tum" */
	double weight;
	const char *communes;	/* ';'-separated full names */
	const char *successor;	/* new commune (index into new_communes) name */
};

static const struct district_def districts[] = {
	{ "Thành phố Kon Tum", "thành phố Kon Tum", 30,
	  "Phường Quyết Thắng;Phường Thắng Lợi;Phường Quang Trung;Phường Duy Tân;"
	  "Phường Thống Nhất;Phường Lê Lợi;Phường Trần Hưng Đạo;Phường Ngô Mây;"
	  "Phường Nguyễn Trãi;Phường Trường Chinh;Xã Đắk Cấm;Xã Đắk Blà;Xã Ia Chim;"
	  "Xã Đắk Năng;Xã Đoàn Kết;Xã Chư Hreng;Xã Đắk Rơ Wa;Xã Hòa Bình;Xã Vinh Quang;"
	  "Xã Ngọk Bay;Xã Kroong", NULL },
	{ "Huyện Đắk Glei", "huyện Đắk Glei", 7,
	  "Thị trấn Đắk Glei;Xã Đắk Plô;Xã Đắk Man;Xã Đắk Nhoong;Xã Đắk Pék;Xã Đắk Choong;"
	  "Xã Xốp;Xã Mường Hoong;Xã Ngọc Linh;Xã Đắk Long;Xã Đắk Kroong;Xã Đắk Môn", NULL },
	{ "Huyện Ngọc Hồi", "huyện Ngọc Hồi", 10,
	  "Thị trấn Plei Kần;Xã Đắk Ang;Xã Đắk Dục;Xã Đắk Nông;Xã Đắk Xú;Xã Đắk Kan;"
	  "Xã Bờ Y;Xã Sa Loong", NULL },
	{ "Huyện Đắk Tô", "huyện Đắk Tô", 10,
	  "Thị trấn Đắk Tô;Xã Đắk Rơ Nga;Xã Ngọk Tụ;Xã Đắk Trăm;Xã Văn Lem;Xã Kon Đào;"
	  "Xã Tân Cảnh;Xã Diên Bình;Xã Pô Kô", NULL },
	{ "Huyện Kon Plông", "huyện Kon Plông", 6,
	  "Thị trấn Măng Đen;Xã Đắk Nên;Xã Đắk Ring;Xã Măng Bút;Xã Đắk Tăng;Xã Ngọk Tem;"
	  "Xã Pờ Ê;Xã Măng Cành;Xã Hiếu", NULL },
	{ "Huyện Kon Rẫy", "huyện Kon Rẫy", 5,
	  "Thị trấn Đắk Rve;Xã Đắk Kôi;Xã Đắk Tơ Lung;Xã Đắk Ruồng;Xã Đắk Pne;"
	  "Xã Đắk Tờ Re;Xã Tân Lập", NULL },
	{ "Huyện Đắk Hà", "huyện Đắk Hà", 12,
	  "Thị trấn Đắk Hà;Xã Đắk Pxi;Xã Đắk Long;Xã Đắk HRing;Xã Đắk Ui;Xã Đăk Ngọk;"
	  "Xã Đắk Mar;Xã Ngọk Wang;Xã Ngọk Réo;Xã Hà Mòn;Xã Đắk La", NULL },
	{ "Huyện Sa Thầy", "huyện Sa Thầy", 9,
	  "Thị trấn Sa Thầy;Xã Rờ Kơi;Xã Sa Nhơn;Xã Hơ Moong;Xã Mô Rai;Xã Sa Sơn;"
	  "Xã Sa Nghĩa;Xã Sa Bình;Xã Ya Xiêr;Xã Ya Tăng;Xã Ya Ly", NULL },
	{ "Huyện Tu Mơ Rông", "huyện Tu Mơ Rông", 5,
	  "Xã Đắk Hà;Xã Tu Mơ Rông;Xã Văn Xuôi;Xã Ngọk Lây;Xã Đắk Na;Xã Măng Ri;"
	  "Xã Ngọk Yêu;Xã Đắk Sao;Xã Đắk Rơ Ông;Xã Đắk Tờ Kan;Xã Tê Xăng", NULL },
	{ "Huyện Ia H'Drai", "huyện Ia H'Drai", 3,
	  "Xã Ia Đal;Xã Ia Dom;Xã Ia Tơi", NULL },
};
#define NDISTRICTS ((int) (sizeof(districts) / sizeof(districts[0])))

/* communes of Quảng Ngãi from 2025-07-01 that take over each district's area */
static const char *const new_communes[NDISTRICTS] = {
	"Phường Kon Tum", "Xã Đăk Glei", "Xã Ngọc Hồi", "Xã Đăk Tô", "Xã Măng Đen",
	"Xã Kon Rẫy", "Xã Đăk Hà", "Xã Sa Thầy", "Xã Tu Mơ Rông", "Xã Ia Tơi",
};

#define PROVINCE_CODE "000.00.00.H34"
#define NEW_PROVINCE_CODE "000.00.00.H55"
#define UNITS_VALID_FROM "2004-01-01"
#define UNITS_VALID_TO "2025-06-30"
#define NEW_VALID_FROM "2025-07-01"

static char *
xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
	struct hoso_buf b = HOSO_BUF_INIT;
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	hoso_buf_addstr(&b, tmp);
	return b.data;
}

/* NFD copy of s (the generator sends some text decomposed). */
char *
gen_nfd_dup(const char *s)
{
	utf8proc_uint8_t *d = utf8proc_NFD((const utf8proc_uint8_t *) s);
	char *r;

	if (!d)
		return hoso_xstrdup(s);
	r = hoso_xstrdup((const char *) d);
	free(d);
	return r;
}

/* "Phường Quyết Thắng" -> "phường Quyết Thắng" (after "UBND ") */
static char *
lower_first_word(const char *name)
{
	char *r = hoso_xstrdup(name);

	if (strncmp(r, "Phường", strlen("Phường")) == 0 || strncmp(r, "Xã", 3) == 0 ||
	    strncmp(r, "Thị", 4) == 0 || strncmp(r, "Huyện", strlen("Huyện")) == 0 ||
	    strncmp(r, "Thành", strlen("Thành")) == 0)
		r[0] = (char) (r[0] - 'A' + 'a');
	return r;
}

static struct gen_unit *
add_unit(struct gen_catalogue *cat, int *cap)
{
	if (cat->nunits == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		cat->units = hoso_xrealloc(cat->units, (size_t) *cap * sizeof(*cat->units));
	}
	memset(&cat->units[cat->nunits], 0, sizeof(cat->units[0]));
	return &cat->units[cat->nunits++];
}

static void
build_units(struct gen_catalogue *cat)
{
	int cap = 0;
	struct gen_unit *u;
	int province, new_province, new_base;
	int district_idx[NDISTRICTS];

	u = add_unit(cat, &cap);
	*u = (struct gen_unit) { hoso_xstrdup(PROVINCE_CODE), hoso_xstrdup("UBND tỉnh Kon Tum"), NULL,
		hoso_xstrdup("Ủy ban nhân dân tỉnh Kon Tum|Tỉnh Kon Tum"), hoso_xstrdup("UBND tỉnh Kon Tum"),
		LV_TINH, -1, -1, UNITS_VALID_FROM, UNITS_VALID_TO, NEW_PROVINCE_CODE, 1, true, true };
	province = 0;

	for (int i = 0; i < D_COUNT; i++) {
		u = add_unit(cat, &cap);
		*u = (struct gen_unit) { xasprintf("000.00.%02d.H34", i + 1), hoso_xstrdup(depts[i].name), NULL,
			hoso_xstrdup(depts[i].alias), hoso_xstrdup(depts[i].name), LV_SO, province, -1,
			UNITS_VALID_FROM, UNITS_VALID_TO, NEW_PROVINCE_CODE, depts[i].weight, true, true };
	}
	for (int d = 0; d < NDISTRICTS; d++) {
		const char *dn = districts[d].name;
		const char *rest = strchr(dn, ' ') + 1;

		district_idx[d] = cat->nunits;
		u = add_unit(cat, &cap);
		*u = (struct gen_unit) { xasprintf("000.00.%02d.H34", 31 + d), hoso_xstrdup(dn), NULL,
			xasprintf("UBND %s|Ủy ban nhân dân %s|%s", districts[d].short_name,
				  districts[d].short_name, rest),
			xasprintf("UBND %s", districts[d].short_name), LV_HUYEN, province, -1,
			UNITS_VALID_FROM, UNITS_VALID_TO, NEW_PROVINCE_CODE, districts[d].weight, true, true };
		(void) rest;
	}
	/* communes, "000.KK.DD.H34" */
	for (int d = 0; d < NDISTRICTS; d++) {
		char *list = hoso_xstrdup(districts[d].communes);
		char *save = NULL;
		int k = 0;

		for (char *c = strtok_r(list, ";", &save); c; c = strtok_r(NULL, ";", &save)) {
			char *low = lower_first_word(c);

			k++;
			u = add_unit(cat, &cap);
			*u = (struct gen_unit) { xasprintf("000.%02d.%02d.H34", k, 31 + d), hoso_xstrdup(c), NULL,
				xasprintf("UBND %s, %s|%s, %s", low, districts[d].short_name, c,
					  districts[d].short_name),
				xasprintf("UBND %s", low), LV_XA, district_idx[d], district_idx[d],
				UNITS_VALID_FROM, UNITS_VALID_TO, NULL,
				/* wards and district towns take more cases */
				(strncmp(c, "Phường", 3) == 0 || strncmp(c, "Thị", 4) == 0) ? 3.0 : 1.0 + (k % 4) * 0.3,
				true, true };
			free(low);
		}
		free(list);
	}
	/* 2025-07-01: Quảng Ngãi and its new communes */
	new_province = cat->nunits;
	u = add_unit(cat, &cap);
	*u = (struct gen_unit) { hoso_xstrdup(NEW_PROVINCE_CODE), hoso_xstrdup("UBND tỉnh Quảng Ngãi"), NULL,
		hoso_xstrdup("Ủy ban nhân dân tỉnh Quảng Ngãi|Tỉnh Quảng Ngãi"),
		hoso_xstrdup("UBND tỉnh Quảng Ngãi"), LV_TINH, -1, -1, "2004-01-01", "", "", 0, true, false };
	new_base = cat->nunits;
	for (int d = 0; d < NDISTRICTS; d++) {
		char *low = lower_first_word(new_communes[d]);

		u = add_unit(cat, &cap);
		*u = (struct gen_unit) { xasprintf("000.%02d.00.H55", 71 + d), hoso_xstrdup(new_communes[d]), NULL,
			xasprintf("UBND %s, tỉnh Quảng Ngãi", low), xasprintf("UBND %s", low), LV_XA,
			new_province, -1, NEW_VALID_FROM, "", "", 0, true, false };
		free(low);
	}
	/* a name is unique if no other unit, of any time, has it (new communes reuse old names) */
	for (int i = 0; i < cat->nunits; i++)
		for (int j = 0; j < cat->nunits; j++)
			if (i != j && strcmp(cat->units[i].name, cat->units[j].name) == 0)
				cat->units[i].unique_name = false;
	/* a unique commune is also known by what its desk calls it */
	for (int i = 0; i < cat->nunits; i++) {
		struct gen_unit *x = &cat->units[i];

		if (x->level == LV_XA && x->unique_name && x->active_2023) {
			char *a = xasprintf("%s|%s", x->desk_name, x->aliases);

			free(x->aliases);
			x->aliases = a;
		}
	}

	/* successors: districts roll up to the new province, communes to a new commune */
	for (int i = 0; i < cat->nunits; i++) {
		struct gen_unit *x = &cat->units[i];

		if (x->level == LV_XA && x->active_2023) {
			int d = x->district - district_idx[0];

			x->successor = cat->units[new_base + d].code;
		}
		x->name_nfd = gen_nfd_dup(x->name);
	}
	cat->province = province;
}

/* ---- procedures ---- */

struct field_def {
	const char *code, *name;
	enum gen_level level;
	int dept;
	int count;		/* procedures in the catalogue; the last one takes the rest */
	const char *object;	/* used to make the names of the long tail */
};

static const struct gen_field field_list[] = {
	{ "G09-DD", "Đất đai" }, { "G09-HT", "Hộ tịch" },
	{ "G09-DN", "Thành lập và hoạt động doanh nghiệp" },
	{ "G09-HKD", "Thành lập và hoạt động của hộ kinh doanh" }, { "G09-CT", "Chứng thực" },
	{ "G09-XD", "Hoạt động xây dựng" }, { "G09-DB", "Đường bộ" }, { "G09-LLTP", "Lý lịch tư pháp" },
	{ "G09-LD", "Lao động, tiền lương" }, { "G09-BTXH", "Bảo trợ xã hội" },
	{ "G09-GD", "Giáo dục và Đào tạo" }, { "G09-KCB", "Khám bệnh, chữa bệnh" },
	{ "G09-DP", "Dược phẩm" }, { "G09-TT", "Trồng trọt" }, { "G09-TY", "Thú y" },
	{ "G09-LN", "Lâm nghiệp" }, { "G09-MT", "Môi trường" }, { "G09-TNN", "Tài nguyên nước" },
	{ "G09-VH", "Văn hóa" }, { "G09-DL", "Du lịch" }, { "G09-TDTT", "Thể dục thể thao" },
	{ "G09-XB", "Xuất bản, In và Phát hành" }, { "G09-LTHH", "Lưu thông hàng hóa trong nước" },
	{ "G09-DIEN", "Điện" }, { "G09-TG", "Tôn giáo Chính phủ" }, { "G09-TDKT", "Thi đua, khen thưởng" },
	{ "G09-QLCS", "Quản lý công sản" }, { "G09-KHCN", "Hoạt động khoa học và công nghệ" },
	{ "G09-DT", "Đầu tư tại Việt Nam" }, { "G09-NCC", "Người có công" },
	{ "G09-CC", "Công chứng" }, { "G09-NCN", "Nuôi con nuôi" }, { "G09-CQDP", "Chính quyền địa phương" },
	{ "G09-PCTT", "Phòng, chống thiên tai" },
};

static const struct field_def field_defs[] = {
	{ "G09-DD", "Đất đai", LV_HUYEN, D_TNMT, 118, "giấy chứng nhận quyền sử dụng đất" },
	{ "G09-HT", "Hộ tịch", LV_XA, D_TP, 58, "trích lục hộ tịch" },
	{ "G09-DN", "Thành lập và hoạt động doanh nghiệp", LV_SO, D_KHDT, 112, "giấy chứng nhận đăng ký doanh nghiệp" },
	{ "G09-HKD", "Thành lập và hoạt động của hộ kinh doanh", LV_HUYEN, D_KHDT, 9, "giấy chứng nhận đăng ký hộ kinh doanh" },
	{ "G09-CT", "Chứng thực", LV_XA, D_TP, 21, "bản sao, chữ ký" },
	{ "G09-XD", "Hoạt động xây dựng", LV_HUYEN, D_XD, 58, "giấy phép xây dựng" },
	{ "G09-DB", "Đường bộ", LV_SO, D_GTVT, 96, "giấy phép lái xe, phù hiệu xe" },
	{ "G09-LLTP", "Lý lịch tư pháp", LV_SO, D_TP, 6, "phiếu lý lịch tư pháp" },
	{ "G09-LD", "Lao động, tiền lương", LV_SO, D_LDTBXH, 52, "giấy phép lao động" },
	{ "G09-BTXH", "Bảo trợ xã hội", LV_HUYEN, D_LDTBXH, 38, "trợ cấp xã hội" },
	{ "G09-GD", "Giáo dục và Đào tạo", LV_SO, D_GDDT, 126, "văn bằng, chứng chỉ" },
	{ "G09-KCB", "Khám bệnh, chữa bệnh", LV_SO, D_YT, 104, "chứng chỉ hành nghề khám bệnh, chữa bệnh" },
	{ "G09-DP", "Dược phẩm", LV_SO, D_YT, 68, "chứng chỉ hành nghề dược" },
	{ "G09-TT", "Trồng trọt", LV_SO, D_NN, 34, "giấy chứng nhận đủ điều kiện sản xuất" },
	{ "G09-TY", "Thú y", LV_SO, D_NN, 40, "giấy chứng nhận kiểm dịch" },
	{ "G09-LN", "Lâm nghiệp", LV_SO, D_NN, 36, "giấy phép khai thác lâm sản" },
	{ "G09-MT", "Môi trường", LV_SO, D_TNMT, 46, "giấy phép môi trường" },
	{ "G09-TNN", "Tài nguyên nước", LV_SO, D_TNMT, 28, "giấy phép tài nguyên nước" },
	{ "G09-VH", "Văn hóa", LV_SO, D_VHTTDL, 76, "giấy phép tổ chức biểu diễn" },
	{ "G09-DL", "Du lịch", LV_SO, D_VHTTDL, 36, "giấy phép kinh doanh lữ hành" },
	{ "G09-TDTT", "Thể dục thể thao", LV_SO, D_VHTTDL, 30, "giấy chứng nhận đủ điều kiện kinh doanh thể thao" },
	{ "G09-XB", "Xuất bản, In và Phát hành", LV_SO, D_TTTT, 38, "giấy phép xuất bản" },
	{ "G09-LTHH", "Lưu thông hàng hóa trong nước", LV_SO, D_CT, 74, "giấy phép kinh doanh" },
	{ "G09-DIEN", "Điện", LV_SO, D_CT, 28, "giấy phép hoạt động điện lực" },
	{ "G09-TG", "Tôn giáo Chính phủ", LV_SO, D_NV, 44, "văn bản chấp thuận" },
	{ "G09-TDKT", "Thi đua, khen thưởng", LV_SO, D_NV, 28, "quyết định khen thưởng" },
	{ "G09-QLCS", "Quản lý công sản", LV_SO, D_TC, 30, "quyết định xử lý tài sản công" },
	{ "G09-KHCN", "Hoạt động khoa học và công nghệ", LV_SO, D_KHCN, 48, "giấy chứng nhận hoạt động khoa học" },
	{ "G09-DT", "Đầu tư tại Việt Nam", LV_TINH, D_KHDT, 38, "quyết định chủ trương đầu tư" },
	{ "G09-NCC", "Người có công", LV_HUYEN, D_LDTBXH, 42, "trợ cấp ưu đãi người có công" },
	{ "G09-CC", "Công chứng", LV_SO, D_TP, 40, "văn bản công chứng" },
	{ "G09-NCN", "Nuôi con nuôi", LV_XA, D_TP, 10, "giấy chứng nhận nuôi con nuôi" },
	{ "G09-CQDP", "Chính quyền địa phương", LV_XA, D_NV, 14, "xác nhận" },
	{ "G09-PCTT", "Phòng, chống thiên tai", LV_SO, D_NN, 0, "giấy phép" },
};
#define NFIELDS ((int) (sizeof(field_defs) / sizeof(field_defs[0])))

/* The high-volume procedures: real names, most of the province's cases. */
struct top_def {
	const char *name;
	int field;		/* index in field_defs */
	enum gen_level level;
	int limit_value;
	const char *limit_unit;
	const char *online;
	long fee;
	double weight;
	const char *result;
};

static const struct top_def tops[] = {
	{ "Đăng ký khai sinh", 1, LV_XA, 1, "working_days", "TOAN_TRINH", 0, 60, "Giấy khai sinh" },
	{ "Đăng ký khai tử", 1, LV_XA, 1, "working_days", "TOAN_TRINH", 0, 14, "Trích lục khai tử" },
	{ "Đăng ký kết hôn", 1, LV_XA, 1, "working_days", "MOT_PHAN", 0, 12, "Giấy chứng nhận kết hôn" },
	{ "Cấp bản sao trích lục hộ tịch", 1, LV_XA, 1, "working_days", "TOAN_TRINH", 8000, 22, "Bản sao trích lục hộ tịch" },
	{ "Cấp giấy xác nhận tình trạng hôn nhân", 1, LV_XA, 3, "working_days", "TOAN_TRINH", 0, 30, "Giấy xác nhận tình trạng hôn nhân" },
	{ "Đăng ký thường trú kết hợp khai sinh", 1, LV_XA, 5, "working_days", "TOAN_TRINH", 0, 8, "Giấy khai sinh" },
	{ "Thay đổi, cải chính, bổ sung thông tin hộ tịch", 1, LV_XA, 3, "working_days", "MOT_PHAN", 15000, 6, "Trích lục thay đổi hộ tịch" },
	{ "Chứng thực bản sao từ bản chính giấy tờ, văn bản", 4, LV_XA, 8, "hours", "MOT_PHAN", 2000, 55, "Bản sao chứng thực" },
	{ "Chứng thực chữ ký trong các giấy tờ, văn bản", 4, LV_XA, 8, "hours", "MOT_PHAN", 10000, 20, "Giấy tờ đã chứng thực chữ ký" },
	{ "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", 4, LV_XA, 2, "working_days", "NONE", 50000, 6, "Hợp đồng đã chứng thực" },
	{ "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất", 0, LV_HUYEN, 10, "working_days", "MOT_PHAN", 50000, 40, "Giấy chứng nhận quyền sử dụng đất" },
	{ "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", 0, LV_HUYEN, 30, "working_days", "MOT_PHAN", 100000, 12, "Giấy chứng nhận quyền sử dụng đất" },
	{ "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", 0, LV_HUYEN, 1, "working_days", "TOAN_TRINH", 80000, 26, "Văn bản xác nhận đăng ký thế chấp" },
	{ "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", 0, LV_HUYEN, 1, "working_days", "TOAN_TRINH", 20000, 18, "Văn bản xóa đăng ký thế chấp" },
	{ "Cấp đổi, cấp lại Giấy chứng nhận quyền sử dụng đất", 0, LV_HUYEN, 7, "working_days", "MOT_PHAN", 50000, 10, "Giấy chứng nhận quyền sử dụng đất" },
	{ "Tách thửa hoặc hợp thửa đất", 0, LV_HUYEN, 15, "working_days", "MOT_PHAN", 50000, 8, "Giấy chứng nhận quyền sử dụng đất" },
	{ "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền", 0, LV_HUYEN, 15, "working_days", "MOT_PHAN", 0, 5, "Quyết định cho phép chuyển mục đích" },
	{ "Giao đất, cho thuê đất cho tổ chức", 0, LV_SO, 20, "working_days", "MOT_PHAN", 0, 1.5, "Quyết định giao đất" },
	{ "Đăng ký thành lập doanh nghiệp tư nhân", 2, LV_SO, 3, "working_days", "TOAN_TRINH", 50000, 3, "Giấy chứng nhận đăng ký doanh nghiệp" },
	{ "Đăng ký thành lập công ty TNHH một thành viên", 2, LV_SO, 3, "working_days", "TOAN_TRINH", 50000, 4, "Giấy chứng nhận đăng ký doanh nghiệp" },
	{ "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", 2, LV_SO, 3, "working_days", "TOAN_TRINH", 50000, 8, "Giấy xác nhận thay đổi nội dung đăng ký doanh nghiệp" },
	{ "Thông báo thay đổi nội dung đăng ký doanh nghiệp", 2, LV_SO, 3, "working_days", "TOAN_TRINH", 0, 5, "Giấy xác nhận" },
	{ "Đăng ký hoạt động chi nhánh, văn phòng đại diện", 2, LV_SO, 3, "working_days", "TOAN_TRINH", 50000, 2, "Giấy chứng nhận đăng ký hoạt động" },
	{ "Đăng ký thành lập hộ kinh doanh", 3, LV_HUYEN, 3, "working_days", "TOAN_TRINH", 100000, 10, "Giấy chứng nhận đăng ký hộ kinh doanh" },
	{ "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", 3, LV_HUYEN, 3, "working_days", "TOAN_TRINH", 50000, 5, "Giấy chứng nhận đăng ký hộ kinh doanh" },
	{ "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", 5, LV_HUYEN, 15, "days", "MOT_PHAN", 75000, 6, "Giấy phép xây dựng" },
	{ "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam", 7, LV_SO, 10, "working_days", "TOAN_TRINH", 200000, 9, "Phiếu lý lịch tư pháp" },
	{ "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", 6, LV_SO, 5, "working_days", "TOAN_TRINH", 135000, 12, "Giấy phép lái xe" },
	{ "Cấp phù hiệu xe ô tô kinh doanh vận tải", 6, LV_SO, 2, "working_days", "TOAN_TRINH", 0, 4, "Phù hiệu xe" },
	{ "Giải quyết hưởng trợ cấp xã hội hằng tháng", 9, LV_HUYEN, 20, "working_days", "MOT_PHAN", 0, 5, "Quyết định trợ cấp" },
	{ "Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình", 32, LV_XA, -1, "working_days", "NONE", 0, 5, "Giấy xác nhận" },
	{ "Cấp chứng chỉ hành nghề dược", 12, LV_SO, 1, "months", "MOT_PHAN", 500000, 1, "Chứng chỉ hành nghề dược" },
	{ "Cấp giấy phép khai thác tài nguyên nước", 17, LV_SO, 30, "days", "MOT_PHAN", 0, 0.3, "Giấy phép khai thác" },
	{ "Cấp giấy phép lao động cho người lao động nước ngoài", 8, LV_SO, 5, "working_days", "TOAN_TRINH", 400000, 0.8, "Giấy phép lao động" },
	{ "Quyết định chủ trương đầu tư dự án", 28, LV_TINH, 35, "days", "MOT_PHAN", 0, 1.2, "Quyết định chủ trương đầu tư" },
	{ "Công nhận tổ trưởng tổ hòa giải", 32, LV_XA, -1, "working_days", "NONE", 0, 2, "Quyết định công nhận" },
};
#define NTOPS ((int) (sizeof(tops) / sizeof(tops[0])))

#define NPROC_VALID 1711
#define NPROC_FULL 1015
#define NPROC_PARTIAL 364
#define NPROC_INTEGRATED 1375
#define NPROC_FUTURE 6		/* valid from 2024 */
#define NPROC_EXPIRED 4		/* repealed before 2023 */

static const char *const verbs[] = {
	"Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Thu hồi", "Đăng ký", "Thẩm định hồ sơ cấp",
	"Xác nhận", "Công nhận", "Thông báo", "Chấp thuận",
};

static void
build_procedures(struct gen_catalogue *cat)
{
	int total = NPROC_VALID + NPROC_FUTURE + NPROC_EXPIRED;
	int per_field[NFIELDS];
	int sum = 0, n = 0;
	struct gen_rng rng;
	int *order;
	int full = 0, partial = 0, integ = 0;

	cat->procs = hoso_xcalloc((size_t) total, sizeof(*cat->procs));
	gen_rng_seed(&rng, 20231014, 1, 2);

	for (int f = 0; f < NFIELDS; f++) {
		per_field[f] = field_defs[f].count;
		sum += per_field[f];
	}
	per_field[NFIELDS - 1] += NPROC_VALID - sum;	/* the last field takes the rest */

	/* the top procedures first, then each field's long tail */
	for (int t = 0; t < NTOPS; t++) {
		struct gen_procedure *p = &cat->procs[n++];

		p->name = hoso_xstrdup(tops[t].name);
		p->field = tops[t].field;
		p->limit_value = tops[t].limit_value;
		p->limit_unit = tops[t].limit_unit;
		p->online_level = tops[t].online;
		p->has_fee = tops[t].fee > 0;
		p->fee = tops[t].fee;
		p->paper_result = true;
		p->integrated = true;
		p->level = tops[t].level;
		p->department = field_defs[p->field].dept;
		p->weight = tops[t].weight * 1000;
		p->result_name = tops[t].result;
		per_field[p->field]--;
		if (strcmp(p->online_level, "TOAN_TRINH") == 0)
			full++;
		else if (strcmp(p->online_level, "MOT_PHAN") == 0)
			partial++;
		integ++;
	}
	for (int f = 0; f < NFIELDS; f++) {
		for (int k = 0; k < per_field[f]; k++) {
			struct gen_procedure *p = &cat->procs[n++];
			static const int wd[] = { 3, 5, 7, 10, 15, 20, 30 };

			p->name = xasprintf("%s %s (%s, mục %d)", verbs[k % 12], field_defs[f].object,
					    field_defs[f].name, k + 1);
			p->field = f;
			switch (gen_rng_below(&rng, 10)) {
			case 0:
				p->limit_value = 8 * (1 + (int) gen_rng_below(&rng, 2));
				p->limit_unit = "hours";
				break;
			case 1:
				p->limit_value = 15 + 15 * (int) gen_rng_below(&rng, 3);
				p->limit_unit = "days";
				break;
			case 2:
				p->limit_value = 1 + (int) gen_rng_below(&rng, 2);
				p->limit_unit = "months";
				break;
			case 3:
				p->limit_value = -1;
				p->limit_unit = "working_days";
				break;
			default:
				p->limit_value = wd[gen_rng_below(&rng, 7)];
				p->limit_unit = "working_days";
				break;
			}
			p->has_fee = gen_rng_chance(&rng, 0.45);
			p->fee = p->has_fee ? 10000 * (1 + (long) gen_rng_below(&rng, 50)) : 0;
			p->paper_result = gen_rng_chance(&rng, 0.85);
			p->level = field_defs[f].level;
			p->department = field_defs[f].dept;
			/* provincial departments own most of the long tail */
			if (p->level != LV_SO && gen_rng_chance(&rng, 0.4))
				p->level = LV_SO;
			p->weight = 0.02 + 0.5 * gen_rng_real(&rng) * gen_rng_real(&rng);
			p->result_name = "Kết quả giải quyết thủ tục hành chính";
		}
	}
	if (n != NPROC_VALID)
		hoso_die("internal error: %d procedures, want %d", n, NPROC_VALID);

	/* online levels and integration of the long tail: exact totals, shuffled */
	order = hoso_xmalloc((size_t) NPROC_VALID * sizeof(int));
	for (int i = 0; i < NPROC_VALID - NTOPS; i++)
		order[i] = NTOPS + i;
	for (int i = NPROC_VALID - NTOPS - 1; i > 0; i--) {
		int j = (int) gen_rng_below(&rng, (uint32_t) i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < NPROC_VALID - NTOPS; i++) {
		struct gen_procedure *p = &cat->procs[order[i]];

		if (full < NPROC_FULL) {
			p->online_level = "TOAN_TRINH";
			full++;
		} else if (partial < NPROC_PARTIAL) {
			p->online_level = "MOT_PHAN";
			partial++;
		} else {
			p->online_level = "NONE";
		}
	}
	for (int i = NPROC_VALID - NTOPS - 1; i > 0; i--) {
		int j = (int) gen_rng_below(&rng, (uint32_t) i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < NPROC_VALID - NTOPS; i++)
		cat->procs[order[i]].integrated = integ++ < NPROC_INTEGRATED;
	free(order);

	for (int i = 0; i < NPROC_VALID; i++) {
		cat->procs[i].valid_from = "2021-01-01";
		cat->procs[i].valid_to = "";
	}
	/* procedures announced for 2024 and repealed ones: never counted as of 2023-10-14 */
	for (int i = 0; i < NPROC_FUTURE + NPROC_EXPIRED; i++) {
		struct gen_procedure *p = &cat->procs[n++];
		bool future = i < NPROC_FUTURE;

		p->name = xasprintf("%s %s (%s)", future ? "Cấp" : "Xác nhận",
				    field_defs[i % 4].object, future ? "thủ tục mới năm 2024" : "đã bãi bỏ");
		p->field = i % 4;
		p->limit_value = 5;
		p->limit_unit = "working_days";
		p->online_level = future ? "TOAN_TRINH" : "MOT_PHAN";
		p->has_fee = false;
		p->paper_result = true;
		p->integrated = true;
		p->level = field_defs[p->field].level;
		p->department = field_defs[p->field].dept;
		p->valid_from = future ? "2024-01-01" : "2019-01-01";
		p->valid_to = future ? "" : "2022-06-30";
		p->result_name = "Kết quả";
	}
	cat->nprocs = n;

	/* national procedure codes: "1.00xxxx" or "2.00xxxx", unique */
	for (int i = 0; i < n; i++) {
		struct gen_procedure *p = &cat->procs[i];

		p->code = xasprintf("%d.%06d", i % 5 == 4 ? 2 : 1, 1000 + (i * 7919) % 9000 + (i / 9000) * 9000);
		p->name_nfd = gen_nfd_dup(p->name);
	}
}

/* ---- calendar ---- */

struct cal_entry {
	int y, m, d;
	bool working;
	const char *reason;
};

/*
 * Vietnam's public holidays and the government's swaps, 2022-2025, as the
 * Prime Minister's notices for civil servants announced them.
 */
static const struct cal_entry cal_entries[] = {
	{ 2022, 1, 1, false, "Tết Dương lịch" },
	{ 2022, 1, 3, false, "Nghỉ bù Tết Dương lịch" },
	{ 2022, 1, 29, false, "Tết Nguyên đán" }, { 2022, 1, 30, false, "Tết Nguyên đán" },
	{ 2022, 1, 31, false, "Tết Nguyên đán" }, { 2022, 2, 1, false, "Tết Nguyên đán" },
	{ 2022, 2, 2, false, "Tết Nguyên đán" }, { 2022, 2, 3, false, "Tết Nguyên đán" },
	{ 2022, 2, 4, false, "Tết Nguyên đán" }, { 2022, 2, 5, false, "Tết Nguyên đán" },
	{ 2022, 2, 6, false, "Tết Nguyên đán" },
	{ 2022, 4, 10, false, "Giỗ Tổ Hùng Vương" },
	{ 2022, 4, 11, false, "Nghỉ bù Giỗ Tổ Hùng Vương" },
	{ 2022, 4, 30, false, "Ngày Chiến thắng" },
	{ 2022, 5, 1, false, "Ngày Quốc tế Lao động" },
	{ 2022, 5, 2, false, "Nghỉ bù Ngày Chiến thắng" },
	{ 2022, 5, 3, false, "Nghỉ bù Ngày Quốc tế Lao động" },
	{ 2022, 9, 1, false, "Quốc khánh" }, { 2022, 9, 2, false, "Quốc khánh" },

	{ 2023, 1, 1, false, "Tết Dương lịch" },
	{ 2023, 1, 2, false, "Nghỉ bù Tết Dương lịch" },
	{ 2023, 1, 20, false, "Tết Nguyên đán" }, { 2023, 1, 21, false, "Tết Nguyên đán" },
	{ 2023, 1, 22, false, "Tết Nguyên đán" }, { 2023, 1, 23, false, "Tết Nguyên đán" },
	{ 2023, 1, 24, false, "Tết Nguyên đán" }, { 2023, 1, 25, false, "Tết Nguyên đán" },
	{ 2023, 1, 26, false, "Tết Nguyên đán" },
	{ 2023, 4, 29, false, "Giỗ Tổ Hùng Vương" },
	{ 2023, 4, 30, false, "Ngày Chiến thắng" },
	{ 2023, 5, 1, false, "Ngày Quốc tế Lao động" },
	{ 2023, 5, 2, false, "Nghỉ hoán đổi (làm bù thứ Bảy 06/5/2023)" },
	{ 2023, 5, 3, false, "Nghỉ bù Giỗ Tổ Hùng Vương" },
	{ 2023, 5, 6, true, "Làm bù cho thứ Ba 02/5/2023" },
	{ 2023, 9, 1, false, "Quốc khánh" }, { 2023, 9, 2, false, "Quốc khánh" },
	{ 2023, 9, 4, false, "Nghỉ bù Quốc khánh" },

	{ 2024, 1, 1, false, "Tết Dương lịch" },
	{ 2024, 2, 8, false, "Tết Nguyên đán" }, { 2024, 2, 9, false, "Tết Nguyên đán" },
	{ 2024, 2, 10, false, "Tết Nguyên đán" }, { 2024, 2, 11, false, "Tết Nguyên đán" },
	{ 2024, 2, 12, false, "Tết Nguyên đán" }, { 2024, 2, 13, false, "Tết Nguyên đán" },
	{ 2024, 2, 14, false, "Tết Nguyên đán" },
	{ 2024, 4, 18, false, "Giỗ Tổ Hùng Vương" },
	{ 2024, 4, 29, false, "Nghỉ hoán đổi (làm bù thứ Bảy 04/5/2024)" },
	{ 2024, 4, 30, false, "Ngày Chiến thắng" },
	{ 2024, 5, 1, false, "Ngày Quốc tế Lao động" },
	{ 2024, 5, 4, true, "Làm bù cho thứ Hai 29/4/2024" },
	{ 2024, 9, 2, false, "Quốc khánh" }, { 2024, 9, 3, false, "Quốc khánh" },

	{ 2025, 1, 1, false, "Tết Dương lịch" },
	{ 2025, 1, 25, false, "Tết Nguyên đán" }, { 2025, 1, 26, false, "Tết Nguyên đán" },
	{ 2025, 1, 27, false, "Tết Nguyên đán" }, { 2025, 1, 28, false, "Tết Nguyên đán" },
	{ 2025, 1, 29, false, "Tết Nguyên đán" }, { 2025, 1, 30, false, "Tết Nguyên đán" },
	{ 2025, 1, 31, false, "Tết Nguyên đán" }, { 2025, 2, 1, false, "Tết Nguyên đán" },
	{ 2025, 2, 2, false, "Tết Nguyên đán" },
	{ 2025, 4, 7, false, "Giỗ Tổ Hùng Vương" },
	{ 2025, 4, 26, true, "Làm bù cho thứ Sáu 02/5/2025" },
	{ 2025, 4, 30, false, "Ngày Chiến thắng" },
	{ 2025, 5, 1, false, "Ngày Quốc tế Lao động" },
	{ 2025, 5, 2, false, "Nghỉ hoán đổi (làm bù thứ Bảy 26/4/2025)" },
	{ 2025, 9, 1, false, "Quốc khánh" }, { 2025, 9, 2, false, "Quốc khánh" },
};
#define NCAL ((int) (sizeof(cal_entries) / sizeof(cal_entries[0])))

#define CAL_FIRST_YEAR 2022
#define CAL_LAST_YEAR 2025

/* The calendar row of one day: working flag and reason ("" for a plain working day). */
static bool
cal_day(hoso_date day, const char **reason)
{
	int y, m, d, w;

	hoso_date_to_ymd(day, &y, &m, &d);
	for (int i = 0; i < NCAL; i++)
		if (cal_entries[i].y == y && cal_entries[i].m == m && cal_entries[i].d == d) {
			*reason = cal_entries[i].reason;
			return cal_entries[i].working;
		}
	w = hoso_date_weekday(day);
	if (w >= 5) {
		*reason = w == 5 ? "Thứ Bảy" : "Chủ nhật";
		return false;
	}
	*reason = "";
	return true;
}

static void
build_calendar(struct gen_catalogue *cat)
{
	hoso_date first = hoso_date_from_ymd(CAL_FIRST_YEAR, 1, 1);
	hoso_date last = hoso_date_from_ymd(CAL_LAST_YEAR, 12, 31);

	hoso_calendar_init(&cat->cal);
	for (hoso_date d = first; d <= last; d++) {
		const char *reason;

		hoso_calendar_set(&cat->cal, d, cal_day(d, &reason));
	}
}

/* ---- indexes for plan.c ---- */

static void
build_indexes(struct gen_catalogue *cat)
{
	for (int lv = 0; lv < 4; lv++) {
		cat->lv_units[lv] = hoso_xmalloc((size_t) cat->nunits * sizeof(int));
		cat->lv_cum[lv] = hoso_xmalloc((size_t) cat->nunits * sizeof(double));
		cat->lv_n[lv] = 0;
	}
	for (int i = 0; i < cat->nunits; i++) {
		const struct gen_unit *u = &cat->units[i];
		int lv = (int) u->level;
		int k;

		if (!u->active_2023)
			continue;
		k = cat->lv_n[lv]++;
		cat->lv_units[lv][k] = i;
		cat->lv_cum[lv][k] = (k ? cat->lv_cum[lv][k - 1] : 0) + u->weight;
	}
	cat->use_procs = hoso_xmalloc((size_t) cat->nprocs * sizeof(int));
	cat->use_online = hoso_xmalloc((size_t) cat->nprocs * sizeof(int));
	cat->use_cum = hoso_xmalloc((size_t) cat->nprocs * sizeof(double));
	cat->use_online_cum = hoso_xmalloc((size_t) cat->nprocs * sizeof(double));
	for (int i = 0; i < NPROC_VALID; i++) {
		const struct gen_procedure *p = &cat->procs[i];

		if (p->weight <= 0)
			continue;
		cat->use_procs[cat->nuse] = i;
		cat->use_cum[cat->nuse] = (cat->nuse ? cat->use_cum[cat->nuse - 1] : 0) + p->weight;
		cat->nuse++;
		if (strcmp(p->online_level, "NONE") != 0) {
			cat->use_online[cat->nuse_online] = i;
			cat->use_online_cum[cat->nuse_online] =
				(cat->nuse_online ? cat->use_online_cum[cat->nuse_online - 1] : 0) + p->weight;
			cat->nuse_online++;
		}
	}
}

void
gen_catalogue_build(struct gen_catalogue *cat)
{
	memset(cat, 0, sizeof(*cat));
	build_units(cat);
	build_procedures(cat);
	build_calendar(cat);
	cat->fields = field_list;
	cat->nfields = (int) (sizeof(field_list) / sizeof(field_list[0]));
	build_indexes(cat);
}

void
gen_catalogue_release(struct gen_catalogue *cat)
{
	for (int i = 0; i < cat->nunits; i++) {
		free(cat->units[i].code);
		free(cat->units[i].name);
		free(cat->units[i].name_nfd);
		free(cat->units[i].aliases);
		free(cat->units[i].desk_name);
	}
	free(cat->units);
	for (int i = 0; i < cat->nprocs; i++) {
		free(cat->procs[i].code);
		free(cat->procs[i].name);
		free(cat->procs[i].name_nfd);
	}
	free(cat->procs);
	for (int lv = 0; lv < 4; lv++) {
		free(cat->lv_units[lv]);
		free(cat->lv_cum[lv]);
	}
	free(cat->use_procs);
	free(cat->use_online);
	free(cat->use_cum);
	free(cat->use_online_cum);
	hoso_calendar_release(&cat->cal);
}

/* ---- CSV output ---- */

void
gen_csv_field(struct hoso_buf *b, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		hoso_buf_addch(b, '"');
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				hoso_buf_addch(b, '"');
			hoso_buf_addch(b, *p);
		}
		hoso_buf_addch(b, '"');
	} else {
		hoso_buf_addstr(b, s);
	}
	hoso_buf_addch(b, last ? '\n' : ',');
}

/* path := b, whole; false after a logged error */
bool
gen_write_file(const char *path, const struct hoso_buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f) {
		hoso_error("%s: %s", path, strerror(errno));
		return false;
	}
	if (fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
		hoso_error("%s: write failed", path);
		return false;
	}
	return true;
}

static const char *const level_names[] = { "TINH", "SO_NGANH", "HUYEN", "XA" };

bool
gen_catalogue_write(const struct gen_catalogue *cat, const char *dir)
{
	struct hoso_buf b = HOSO_BUF_INIT;
	char path[4096];
	bool ok = false;

	if (!hoso_make_dirs(dir))
		return false;
	hoso_buf_addstr(&b, "code,name,aliases,level,parent_code,valid_from,valid_to,successor_code\n");
	for (int i = 0; i < cat->nunits; i++) {
		const struct gen_unit *u = &cat->units[i];

		gen_csv_field(&b, u->code, false);
		gen_csv_field(&b, u->name, false);
		gen_csv_field(&b, u->aliases, false);
		gen_csv_field(&b, level_names[u->level], false);
		gen_csv_field(&b, u->parent >= 0 ? cat->units[u->parent].code : "", false);
		gen_csv_field(&b, u->valid_from, false);
		gen_csv_field(&b, u->valid_to, false);
		gen_csv_field(&b, u->successor ? u->successor : "", true);
	}
	snprintf(path, sizeof(path), "%s/units.csv", dir);
	if (!gen_write_file(path, &b))
		goto cleanup;

	hoso_buf_reset(&b);
	hoso_buf_addstr(&b, "code,name,field_code,field_name,limit_value,limit_unit,online_level,"
			"has_fee,paper_result,integrated,valid_from,valid_to\n");
	for (int i = 0; i < cat->nprocs; i++) {
		const struct gen_procedure *p = &cat->procs[i];
		char lim[16] = "";

		if (p->limit_value >= 0)
			snprintf(lim, sizeof(lim), "%d", p->limit_value);
		gen_csv_field(&b, p->code, false);
		gen_csv_field(&b, p->name, false);
		gen_csv_field(&b, field_defs[p->field].code, false);
		gen_csv_field(&b, field_defs[p->field].name, false);
		gen_csv_field(&b, lim, false);
		gen_csv_field(&b, p->limit_value >= 0 ? p->limit_unit : "", false);
		gen_csv_field(&b, p->online_level, false);
		gen_csv_field(&b, p->has_fee ? "1" : "0", false);
		gen_csv_field(&b, p->paper_result ? "1" : "0", false);
		gen_csv_field(&b, p->integrated ? "1" : "0", false);
		gen_csv_field(&b, p->valid_from, false);
		gen_csv_field(&b, p->valid_to, true);
	}
	snprintf(path, sizeof(path), "%s/procedures.csv", dir);
	if (!gen_write_file(path, &b))
		goto cleanup;

	snprintf(path, sizeof(path), "%s/calendar", dir);
	if (!hoso_make_dirs(path))
		goto cleanup;
	for (int y = CAL_FIRST_YEAR; y <= CAL_LAST_YEAR; y++) {
		hoso_buf_reset(&b);
		hoso_buf_addstr(&b, "date,working,reason\n");
		for (hoso_date d = hoso_date_from_ymd(y, 1, 1); d <= hoso_date_from_ymd(y, 12, 31); d++) {
			const char *reason;
			bool working = cal_day(d, &reason);
			char iso[16];

			hoso_date_format_iso(d, iso);
			gen_csv_field(&b, iso, false);
			gen_csv_field(&b, working ? "1" : "0", false);
			gen_csv_field(&b, reason, true);
		}
		snprintf(path, sizeof(path), "%s/calendar/%d.csv", dir, y);
		if (!gen_write_file(path, &b))
			goto cleanup;
	}
	ok = true;
cleanup:
	hoso_buf_release(&b);
	return ok;
}
