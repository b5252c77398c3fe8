/*
 * gen.h: hoso-gen, the synthetic Kon Tum case-log generator.
 *
 * catalogue.c builds the reference data (units, procedures, calendar) and
 * writes it as CSV; plan.c decides every case (category, dates, due dates,
 * supplement rounds) and checks it against docs/counting.md through the
 * library's milestone code; write.c turns the plan into landing files.
 */
#ifndef GEN_H
#define GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "hoso_buf.h"
#include "hoso_milestones.h"
#include "hoso_time.h"
#include "hoso_worktime.h"

/* ---- deterministic random numbers (splitmix64) ---- */

struct gen_rng {
	uint64_t s;
};

static inline uint64_t
gen_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void
gen_rng_seed(struct gen_rng *r, uint64_t a, uint64_t b, uint64_t c)
{
	r->s = gen_mix(a * 0x9e3779b97f4a7c15ULL + gen_mix(b + 0x632be59bd9b4e019ULL) + gen_mix(c ^ 0xd1b54a32d192ed03ULL));
}

static inline uint64_t
gen_rng_next(struct gen_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	return gen_mix(r->s);
}

/* uniform in [0, n) */
static inline uint32_t
gen_rng_below(struct gen_rng *r, uint32_t n)
{
	return (uint32_t) (((gen_rng_next(r) >> 32) * (uint64_t) n) >> 32);
}

/* uniform in [0, 1) */
static inline double
gen_rng_real(struct gen_rng *r)
{
	return (double) (gen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline bool
gen_rng_chance(struct gen_rng *r, double p)
{
	return gen_rng_real(r) < p;
}

/* ---- reference data (catalogue.c) ---- */

enum gen_level { LV_TINH, LV_SO, LV_HUYEN, LV_XA };

struct gen_unit {
	char *code;
	char *name;
	char *name_nfd;
	char *aliases;		/* '|'-separated, may be "" */
	char *desk_name;	/* what DonViXuLy usually says */
	enum gen_level level;
	int parent;		/* index, -1 at the top */
	int district;		/* index of the district (HUYEN) of a commune */
	const char *valid_from, *valid_to, *successor;	/* "" = none */
	double weight;		/* share of the case volume of its level */
	bool unique_name;	/* its name resolves to it alone */
	bool active_2023;	/* existed in 2023 (cases may use it) */
};

struct gen_procedure {
	char *code;
	char *name;
	char *name_nfd;
	int field;
	int limit_value;	/* -1: no fixed time limit */
	const char *limit_unit;	/* hours, days, working_days, months */
	const char *online_level;
	bool has_fee, paper_result, integrated;
	const char *valid_from, *valid_to;
	enum gen_level level;	/* which units handle it */
	int department;		/* SO_NGANH unit index when level is LV_SO */
	double weight;		/* case volume weight (0: never used) */
	long fee;		/* VND, 0 when has_fee is false */
	const char *result_name;
};

struct gen_field {
	const char *code;
	const char *name;
};

struct gen_catalogue {
	struct gen_unit *units;
	int nunits;
	struct gen_procedure *procs;
	int nprocs;
	const struct gen_field *fields;
	int nfields;
	struct hoso_calendar cal;
	/* indexes by level of units active in 2023, with cumulative weights */
	int *lv_units[4];
	double *lv_cum[4];
	int lv_n[4];
	int province;		/* index of UBND tỉnh Kon Tum */
	/* procedures usable by cases, cumulative weights; online-capable ones */
	int *use_procs, *use_online;
	double *use_cum, *use_online_cum;
	int nuse, nuse_online;
};

void gen_catalogue_build(struct gen_catalogue *cat);
void gen_catalogue_release(struct gen_catalogue *cat);
/* Writes units.csv, procedures.csv, calendar/YYYY.csv under dir; false on error. */
char *gen_nfd_dup(const char *s);	/* NFD copy, owned by the caller */
/* s as one CSV field (quoted when needed), then ',' or, when last, '\n' */
void gen_csv_field(struct hoso_buf *b, const char *s, bool last);
/* Write b to path, whole; false after a logged error. */
bool gen_write_file(const char *path, const struct hoso_buf *b);
bool gen_catalogue_write(const struct gen_catalogue *cat, const char *dir);

/* ---- case plan (plan.c) ---- */

#define GEN_MAX_ROUNDS 2
#define GEN_MAX_ROWS 12
#define GEN_MAX_VERSIONS 8

/* What a case is built to be, as the 2022-12-15..2023-10-14 summary sees it. */
enum gen_category {
	CAT_A1_EARLY, CAT_A1_ONTIME, CAT_A1_LATE,	/* carried over, resolved in period */
	CAT_A2_WITHDRAWN, CAT_A2_STOPPED,		/* carried over, closed in period */
	CAT_A3_INTIME, CAT_A3_INTIME_PAUSED,		/* carried over, open at T1 */
	CAT_A3_OVERDUE, CAT_A3_OVERDUE_PAUSED,
	CAT_B1_EARLY, CAT_B1_ONTIME, CAT_B1_LATE,	/* received in period, resolved */
	CAT_B2_WITHDRAWN, CAT_B2_STOPPED,
	CAT_B3_INTIME, CAT_B3_INTIME_PAUSED,
	CAT_B3_OVERDUE, CAT_B3_OVERDUE_PAUSED,
	CAT_C_BEFORE,		/* ended before T0 */
	CAT_D_AFTER,		/* accepted after T1 */
	CAT_E_REGISTERED,	/* status 1 only */
	CAT_F_REFUSED,		/* status 3 */
	CAT_COUNT
};

enum gen_channel { CH_DIRECT, CH_ONLINE, CH_POSTAL, CH_DIRECT_EMPTY, CH_DIRECT_MISSING };

/* how the case's unit is named: by its code, by name only, or not at all */
enum gen_unit_mode { UM_CODE, UM_NAME_ONLY, UM_UNRESOLVED };

struct gen_round {
	hoso_time requested, received, due_before, due_after;
};

struct gen_row {
	hoso_time at;
	uint8_t status;
	uint8_t what;		/* index into the step texts */
};

struct gen_version {
	hoso_time at;		/* snapshot time (event time) */
	hoso_time log;		/* _at of the message */
	uint8_t status;
};

struct gen_case {
	uint32_t id;
	uint16_t unit;
	int16_t proc;		/* -1: unknown procedure code (unknown_code) */
	uint8_t category;
	uint8_t channel;
	uint8_t unit_mode;
	uint8_t nrounds, nrows, nversions;
	bool digitised, implied, nfd, no_accept_date, stale, resend, dup_row;
	uint8_t unknown_code;
	uint8_t applicant;	/* LoaiDoiTuong */
	uint16_t serial;
	hoso_time submitted, accepted, due0;
	hoso_time finished, returned, closed;	/* NONE when absent */
	uint8_t close_status;	/* 7 or 8 when closed */
	struct gen_round rounds[GEN_MAX_ROUNDS];
	struct gen_row rows[GEN_MAX_ROWS];
	struct gen_version versions[GEN_MAX_VERSIONS];
};

struct gen_plan {
	struct gen_case *cases;
	uint32_t ncases;
	uint64_t seed;
	int copy;
	char src[32];		/* the _src of its messages: "KTM-IGATE", "KTM-IGATE-k", ... */
	long long figures[16];	/* what the plan gives under docs/counting.md */
};

/* Period and data bounds, local seconds. */
extern hoso_time gen_T0, gen_T1, gen_data_start, gen_accept_end, gen_event_end;
extern hoso_date gen_first_day, gen_last_day;	/* landing days */

void gen_time_init(void);
void gen_plan_build(struct gen_plan *plan, const struct gen_catalogue *cat,
		    uint64_t seed, int copy);
/* Likewise with every count of the calibrated copy times fraction (rounded). */
void gen_plan_build_fraction(struct gen_plan *plan, const struct gen_catalogue *cat,
			     uint64_t seed, int copy, double fraction);
void gen_plan_release(struct gen_plan *plan);
/* Compare the plan's figures with the Kon Tum reference figures (plan.c); false on mismatch. */
bool gen_plan_check(const struct gen_plan *plan, bool verbose);

/* Office-time helpers over the catalogue's calendar. */
hoso_time gen_office_next(struct hoso_calendar *cal, hoso_time t);
hoso_time gen_office_add(struct hoso_calendar *cal, hoso_time t, long long secs);

/* ---- landing files (write.c) ---- */

struct gen_write_stats {
	unsigned long long messages, objects, bytes_raw, bytes_gz, files;
};

bool gen_write_landing(const struct gen_plan *plan, const struct gen_catalogue *cat,
		       const char *out_dir, struct gen_write_stats *stats);

/* ---- the 63 provinces (national.c) ---- */

/*
 * Writes under out: reference/ (the national catalogue), Hnn/landing/ per
 * province, pipelines/Hnn.yaml, provinces.csv.  scale is Kon Tum's share
 * of its calibrated volume; the others are sized against it.
 */
bool gen_national_write(const char *out, uint64_t seed, double scale, const char *only, bool verbose,
			unsigned long long *ncases, struct gen_write_stats *stats);

#endif
