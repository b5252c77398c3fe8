/*
 * national.c: "hoso-gen --national": the 63 provinces of Vietnam before
 * 1 July 2025, each a copy of the synthetic province scaled to its share
 * of the country's cases, with one national catalogue that maps the 63 to
 * the 34 provinces of 1 July 2025 (docs/national.md).
 *
 * Kon Tum is the calibrated province itself (copy 0, same _src, same
 * codes); at --scale 1 its figures are checked against the reference as in
 * the one-province sample.  Every other province is the same catalogue
 * with its own agency code and names, and its own random draws.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen.h"
#include "hoso_buf.h"
#include "hoso_log.h"

/*
 * The provinces until 30 June 2025: agency code number (Kon Tum's H34 and
 * Quảng Ngãi's H55 are the sample's; the others are this generator's),
 * name, whether it is a centrally-run city, its case volume against Kon
 * Tum's, and the province it is part of from 1 July 2025 (the number of
 * the one whose name the merged province keeps; its own when unchanged).
 */
static const struct province {
	int no;
	const char *name;
	bool city;
	double volume;
	int successor;
} provinces[] = {
	{ 1, "Hà Nội", true, 12, 1 }, { 2, "Hà Giang", false, 0.8, 5 },
	{ 3, "Cao Bằng", false, 0.6, 3 }, { 4, "Bắc Kạn", false, 0.4, 12 },
	{ 5, "Tuyên Quang", false, 0.8, 5 }, { 6, "Lào Cai", false, 0.9, 6 },
	{ 7, "Điện Biên", false, 0.7, 7 }, { 8, "Lai Châu", false, 0.5, 8 },
	{ 9, "Sơn La", false, 1.2, 9 }, { 10, "Yên Bái", false, 0.8, 6 },
	{ 11, "Hòa Bình", false, 0.8, 16 }, { 12, "Thái Nguyên", false, 1.4, 12 },
	{ 13, "Lạng Sơn", false, 0.8, 13 }, { 14, "Quảng Ninh", false, 2.4, 14 },
	{ 15, "Bắc Giang", false, 1.9, 18 }, { 16, "Phú Thọ", false, 1.5, 16 },
	{ 17, "Vĩnh Phúc", false, 1.5, 16 }, { 18, "Bắc Ninh", false, 2.1, 18 },
	{ 19, "Hải Dương", false, 1.9, 20 }, { 20, "Hải Phòng", true, 3.4, 20 },
	{ 21, "Hưng Yên", false, 1.3, 21 }, { 22, "Thái Bình", false, 1.5, 21 },
	{ 23, "Hà Nam", false, 0.8, 25 }, { 24, "Nam Định", false, 1.5, 25 },
	{ 25, "Ninh Bình", false, 1.0, 25 }, { 26, "Thanh Hóa", false, 3.4, 26 },
	{ 27, "Nghệ An", false, 3.2, 27 }, { 28, "Hà Tĩnh", false, 1.3, 28 },
	{ 29, "Quảng Bình", false, 0.9, 30 }, { 30, "Quảng Trị", false, 0.7, 30 },
	{ 31, "Huế", true, 1.2, 31 }, { 32, "Đà Nẵng", true, 2.6, 32 },
	{ 33, "Quảng Nam", false, 1.5, 32 }, { 34, "Kon Tum", false, 1, 55 },
	{ 35, "Gia Lai", false, 1.5, 35 }, { 36, "Bình Định", false, 1.5, 35 },
	{ 37, "Phú Yên", false, 0.9, 41 }, { 38, "Khánh Hòa", false, 1.4, 38 },
	{ 39, "Ninh Thuận", false, 0.6, 38 }, { 40, "Bình Thuận", false, 1.2, 43 },
	{ 41, "Đắk Lắk", false, 1.8, 41 }, { 42, "Đắk Nông", false, 0.6, 43 },
	{ 43, "Lâm Đồng", false, 1.3, 43 }, { 44, "Bình Phước", false, 1.0, 47 },
	{ 45, "Tây Ninh", false, 1.1, 45 }, { 46, "Bình Dương", false, 4.1, 49 },
	{ 47, "Đồng Nai", false, 3.4, 47 }, { 48, "Bà Rịa – Vũng Tàu", false, 1.7, 49 },
	{ 49, "Hồ Chí Minh", true, 14, 49 }, { 50, "Long An", false, 1.7, 45 },
	{ 51, "Tiền Giang", false, 1.7, 56 }, { 52, "Bến Tre", false, 1.2, 54 },
	{ 53, "Trà Vinh", false, 0.9, 54 }, { 54, "Vĩnh Long", false, 0.9, 54 },
	{ 55, "Quảng Ngãi", false, 1.2, 55 }, { 56, "Đồng Tháp", false, 1.6, 56 },
	{ 57, "An Giang", false, 1.8, 57 }, { 58, "Kiên Giang", false, 1.6, 57 },
	{ 59, "Cần Thơ", true, 1.5, 59 }, { 60, "Hậu Giang", false, 0.6, 59 },
	{ 61, "Sóc Trăng", false, 1.1, 59 }, { 62, "Bạc Liêu", false, 0.8, 63 },
	{ 63, "Cà Mau", false, 1.0, 63 },
};
enum { NPROVINCES = sizeof(provinces) / sizeof(provinces[0]) };

#define KONTUM 34		/* the calibrated province: its codes and names are the template's */
#define KONTUM_SUCCESSOR 55	/* its successor's units are in the template already */

static const struct province *
province_no(int no)
{
	return &provinces[no - 1];
}

/* "tỉnh Kon Tum" or "thành phố Đà Nẵng" */
static void
province_label(const struct province *p, bool capital, char *out, size_t size)
{
	snprintf(out, size, "%s %s", p->city ? (capital ? "Thành phố" : "thành phố") :
		 (capital ? "Tỉnh" : "tỉnh"), p->name);
}

/* the buffer's text as a string the caller frees; the buffer is released */
static char *
detach(struct hoso_buf *b)
{
	char *s = hoso_xstrdup(b->len ? b->data : "");

	hoso_buf_release(b);
	return s;
}

/* "a - b" as a string the caller frees */
static char *
join_dash(const char *a, const char *b)
{
	struct hoso_buf buf = HOSO_BUF_INIT;

	hoso_buf_addf(&buf, "%s - %s", a, b);
	return detach(&buf);
}

/* s with every "from" replaced by "to"; caller frees */
static char *
replace_all(const char *s, const char *from, const char *to)
{
	struct hoso_buf b = HOSO_BUF_INIT;
	size_t flen = strlen(from);
	const char *q;

	while ((q = strstr(s, from)) != NULL) {
		hoso_buf_add(&b, s, (size_t) (q - s));
		hoso_buf_addstr(&b, to);
		s = q + flen;
	}
	hoso_buf_addstr(&b, s);
	return detach(&b);
}

/*
 * The template's name of a unit as province p names it: "tỉnh Kon Tum"
 * becomes p's own label; a name that still does not name p (a commune, a
 * department's short alias) gets " - NAME" so that it is unique in the
 * national catalogue, which the transform resolves names against.
 */
static char *
rename_one(const struct province *p, const char *s)
{
	char lower[128], upper[128];
	char *a, *b;

	if (!*s)
		return hoso_xstrdup(s);
	province_label(p, false, lower, sizeof(lower));
	province_label(p, true, upper, sizeof(upper));
	a = replace_all(s, "tỉnh Kon Tum", lower);
	b = replace_all(a, "Tỉnh Kon Tum", upper);
	free(a);
	if (strstr(b, p->name))
		return b;
	a = join_dash(b, p->name);
	free(b);
	return a;
}

/* rename_one over each '|'-separated alias */
static char *
rename_list(const struct province *p, const char *s)
{
	struct hoso_buf b = HOSO_BUF_INIT;
	char *copy = hoso_xstrdup(s), *save = NULL;

	for (char *t = strtok_r(copy, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		char *r = rename_one(p, t);

		if (b.len)
			hoso_buf_addch(&b, '|');
		hoso_buf_addstr(&b, r);
		free(r);
	}
	free(copy);
	return detach(&b);
}

static void
replace_owned(char **field, char *value)
{
	free(*field);
	*field = value;
}

/*
 * Turn the template catalogue into province p's: agency code, names, and
 * the 2025 successor map (p's units roll up to the province p becomes
 * part of).  in_template[i] is false for the template's units of Kon
 * Tum's successor, which only Kon Tum's part of the catalogue carries.
 * tinh_codes holds every province's top unit code, by number.
 */
static void
make_province(struct gen_catalogue *cat, const struct province *p, char tinh_codes[][16],
	      bool *in_template)
{
	char suffix[8];

	snprintf(suffix, sizeof(suffix), ".H%02d", p->no);
	for (int i = 0; i < cat->nunits; i++) {
		struct gen_unit *u = &cat->units[i];
		size_t len = strlen(u->code);

		in_template[i] = len > 4 && strcmp(u->code + len - 4, ".H34") == 0;
		if (p->no == KONTUM || !in_template[i])
			continue;
		memcpy(u->code + len - 4, suffix, 4);	/* same length: ".H34" -> ".Hnn" */
		replace_owned(&u->name, rename_one(p, u->name));
		replace_owned(&u->name_nfd, gen_nfd_dup(u->name));
		replace_owned(&u->aliases, rename_list(p, u->aliases));
		replace_owned(&u->desk_name, rename_one(p, u->desk_name));
		if (i == cat->province) {
			bool merged = p->successor != p->no;

			u->valid_to = merged ? "2025-06-30" : "";
			u->successor = merged ? tinh_codes[p->successor] : "";
		} else {
			u->successor = tinh_codes[p->successor];
		}
	}
}

static void
unit_rows(struct hoso_buf *b, const struct gen_catalogue *cat, const bool *keep)
{
	static const char *const levels[] = { "TINH", "SO_NGANH", "HUYEN", "XA" };

	for (int i = 0; i < cat->nunits; i++) {
		const struct gen_unit *u = &cat->units[i];

		if (!keep[i])
			continue;
		gen_csv_field(b, u->code, false);
		gen_csv_field(b, u->name, false);
		gen_csv_field(b, u->aliases, false);
		gen_csv_field(b, levels[u->level], false);
		gen_csv_field(b, u->parent >= 0 ? cat->units[u->parent].code : "", false);
		gen_csv_field(b, u->valid_from, false);
		gen_csv_field(b, u->valid_to, false);
		gen_csv_field(b, u->successor ? u->successor : "", true);
	}
}

/* The pipeline that loads province p's files (absolute paths: it runs from anywhere). */
static void
pipeline_text(struct hoso_buf *b, const char *root, const struct province *p)
{
	hoso_buf_addf(b,
		"# Province H%02d (%s) of the national sample written by hoso-gen --national.\n"
		"name: H%02d\n"
		"province: H%02d\n"
		"source:\n"
		"  paths: [\"%s/H%02d/landing/{date:%%Y/%%m/%%d}/*.jsonl.gz\", "
		"\"%s/H%02d/landing/{date:%%Y/%%m/%%d}/*.jsonl\"]\n"
		"  format: dvcqg-jsonl\n"
		"reference:\n"
		"  units: %s/reference/units.csv\n"
		"  procedures: %s/reference/procedures.csv\n"
		"  calendar: \"{datadir}/schemas/reference/calendar\"   # national, up to date\n"
		"profile: ii06a\n"
		"staging: %s/.staging/H%02d\n",
		p->no, p->name, p->no, p->no, root, p->no, root, p->no, root, root, root, p->no);
}

/* Whether code is in the comma-separated list only (every code when NULL). */
static bool
listed(const char *only, const char *code)
{
	size_t n = strlen(code);

	for (const char *s = only; s; s = strchr(s, ',') ? strchr(s, ',') + 1 : NULL)
		if (strncmp(s, code, n) == 0 && (s[n] == ',' || s[n] == '\0'))
			return true;
	return !only;
}

bool
gen_national_write(const char *out, uint64_t seed, double scale, const char *only, bool verbose,
		   unsigned long long *ncases, struct gen_write_stats *stats)
{
	char tinh_codes[NPROVINCES + 1][16];
	char root[PATH_MAX], path[PATH_MAX + 64];
	struct hoso_buf units = HOSO_BUF_INIT, list = HOSO_BUF_INIT, pipe_text = HOSO_BUF_INIT;
	struct gen_catalogue kontum;
	bool ok = false;

	if (mkdir(out, 0777) != 0 && errno != EEXIST) {
		hoso_error("%s: %s", out, strerror(errno));
		return false;
	}
	if (!realpath(out, root)) {
		hoso_error("%s: %s", out, strerror(errno));
		return false;
	}
	for (int no = 1; no <= NPROVINCES; no++)
		snprintf(tinh_codes[no], sizeof(tinh_codes[no]), "000.00.00.H%02d", no);

	/* procedures and calendars are national; units.csv is rewritten below */
	gen_catalogue_build(&kontum);
	snprintf(path, sizeof(path), "%s/reference", root);
	ok = gen_catalogue_write(&kontum, path);
	gen_catalogue_release(&kontum);
	if (!ok)
		return false;
	ok = false;
	snprintf(path, sizeof(path), "%s/pipelines", root);
	if (mkdir(path, 0777) != 0 && errno != EEXIST) {
		hoso_error("%s: %s", path, strerror(errno));
		return false;
	}
	hoso_buf_addstr(&units, "code,name,aliases,level,parent_code,valid_from,valid_to,successor_code\n");
	hoso_buf_addstr(&list, "province,name,tinh_code,volume,cases,successor\n");
	for (int no = 1; no <= NPROVINCES; no++) {
		const struct province *p = province_no(no);
		struct gen_catalogue cat;
		struct gen_plan plan;
		bool *keep, checked = true;
		char dir[PATH_MAX + 16], num[32];

		gen_catalogue_build(&cat);
		keep = hoso_xcalloc((size_t) cat.nunits, sizeof(bool));
		make_province(&cat, p, tinh_codes, keep);
		/* Kon Tum's part carries its successor's units; that province's own top unit is one of them */
		for (int i = 0; i < cat.nunits; i++)
			if (no == KONTUM)
				keep[i] = true;
			else if (no == KONTUM_SUCCESSOR && i == cat.province)
				keep[i] = false;
		unit_rows(&units, &cat, keep);
		free(keep);

		gen_plan_build_fraction(&plan, &cat, seed, no == KONTUM ? 0 : no, scale * p->volume);
		if (no != KONTUM)
			snprintf(plan.src, sizeof(plan.src), "H%02d-IGATE", no);
		else if (scale == 1.0)
			checked = gen_plan_check(&plan, verbose);
		snprintf(dir, sizeof(dir), "%s/H%02d", root, no);
		if (!checked)
			hoso_error("Kon Tum does not give the reference figures");
		if (!checked || (listed(only, tinh_codes[no] + strlen("000.00.00.")) &&
				 !gen_write_landing(&plan, &cat, dir, stats))) {
			gen_plan_release(&plan);
			gen_catalogue_release(&cat);
			goto cleanup;
		}
		*ncases += plan.ncases;
		snprintf(num, sizeof(num), "%g", p->volume);
		gen_csv_field(&list, tinh_codes[no] + strlen("000.00.00."), false);
		gen_csv_field(&list, p->name, false);
		gen_csv_field(&list, tinh_codes[no], false);
		gen_csv_field(&list, num, false);
		snprintf(num, sizeof(num), "%u", plan.ncases);
		gen_csv_field(&list, num, false);
		gen_csv_field(&list, tinh_codes[p->successor], true);
		if (verbose)
			hoso_info("H%02d %s: %u cases", no, p->name, plan.ncases);
		gen_plan_release(&plan);
		gen_catalogue_release(&cat);

		hoso_buf_reset(&pipe_text);
		pipeline_text(&pipe_text, root, p);
		snprintf(path, sizeof(path), "%s/pipelines/H%02d.yaml", root, no);
		if (!gen_write_file(path, &pipe_text))
			goto cleanup;
	}
	snprintf(path, sizeof(path), "%s/reference/units.csv", root);
	if (!gen_write_file(path, &units))
		goto cleanup;
	snprintf(path, sizeof(path), "%s/provinces.csv", root);
	if (!gen_write_file(path, &list))
		goto cleanup;
	ok = true;
cleanup:
	hoso_buf_release(&units);
	hoso_buf_release(&list);
	hoso_buf_release(&pipe_text);
	return ok;
}
