/*
 * test_reference.c: loading the unit and procedure catalogues and the
 * calendar (docs/design.md §4), and resolving a case's unit (docs/input.md §5).
 * Run from the repository root: it reads tests/unit/fixtures/reference/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoso_reference.h"
#include "unit.h"

#define FIX "tests/unit/fixtures/reference"

static char tmpdir[] = "/tmp/hoso-test-reference-XXXXXX";

/* Write text to tmpdir/name; returns the path (static buffer). */
static const char *
write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load a units file written from text; returns the error message ("" when it loads). */
static const char *
units_error(const char *text)
{
	static char msg[1024];
	struct hoso_reference ref;
	struct hoso_buf err = HOSO_BUF_INIT;
	const char *path = write_file("units.csv", text);

	hoso_reference_init(&ref);
	msg[0] = '\0';
	if (!hoso_reference_load_units(&ref, path, &err))
		snprintf(msg, sizeof(msg), "%s", err.data ? err.data : "(no message)");
	CHECK(ref.nunits == 0 || msg[0] == '\0', "a failed load leaves no units behind");
	hoso_reference_release(&ref);
	hoso_buf_release(&err);
	return msg;
}

static const char *
procedures_error(const char *text)
{
	static char msg[1024];
	struct hoso_reference ref;
	struct hoso_buf err = HOSO_BUF_INIT;
	const char *path = write_file("procedures.csv", text);

	hoso_reference_init(&ref);
	msg[0] = '\0';
	if (!hoso_reference_load_procedures(&ref, path, &err))
		snprintf(msg, sizeof(msg), "%s", err.data ? err.data : "(no message)");
	hoso_reference_release(&ref);
	hoso_buf_release(&err);
	return msg;
}

static char expected[1024];

/* tmpdir followed by rest (static buffer) */
static const char *
tmp_path(const char *rest)
{
	snprintf(expected, sizeof(expected), "%s%s", tmpdir, rest);
	return expected;
}

#define UNIT_HEADER "code,name,aliases,level,parent_code,valid_from,valid_to,successor_code\n"
#define PROC_HEADER "code,name,field_code,field_name,limit_value,limit_unit,online_level," \
		    "has_fee,paper_result,integrated,valid_from,valid_to\n"

/* The unit of a case whatever its date. */
static const struct hoso_unit *
any_day(const struct hoso_reference *ref, const char *case_no, const char *name)
{
	return hoso_reference_case_unit(ref, case_no, name, HOSO_DATE_NONE, NULL);
}

static void
test_units(void)
{
	struct hoso_reference ref;
	struct hoso_buf err = HOSO_BUF_INIT;
	const struct hoso_unit *u, *stp;
	/* "Phường Quang Trung" decomposed: u + horn, o + horn + grave */
	const char *nfd_quang_trung = "Phu\xCC\x9Bo\xCC\x9B\xCC\x80ng Quang Trung";

	hoso_reference_init(&ref);
	CHECK(hoso_reference_load_units(&ref, FIX "/units.csv", &err), "units.csv loads");
	if (err.len)
		fprintf(stderr, "%s\n", err.data);
	CHECK_EQ_LL(ref.nunits, 7, "seven units");

	stp = any_day(&ref, "000.00.20.H34-231020-0001", NULL);
	CHECK(stp != NULL, "agency code before the first '-' resolves");
	CHECK_EQ_STR(stp ? stp->code : NULL, "000.00.20.H34", "agency code: Sở Tư pháp");
	CHECK_EQ_STR(stp ? stp->level : NULL, "SO_NGANH", "level");
	CHECK(stp && stp->parent && strcmp(stp->parent->code, "000.00.00.H34") == 0,
	      "parent pointer resolved");
	CHECK(stp && stp->parent && stp->parent->parent == NULL, "the province is the top");

	u = any_day(&ref, "000.00.20.H34-231020-0001", "Phường Quang Trung");
	CHECK(u == stp, "the agency code wins over the handling unit's name");

	u = any_day(&ref, "G22.99-231020-0001", "  sở tư PHÁP  ");
	CHECK(u == stp, "unknown agency code: the folded name resolves");
	u = any_day(&ref, NULL, "stp kon tum");
	CHECK(u == stp, "the second alias resolves");
	u = any_day(&ref, NULL, "Sở Tư Pháp tỉnh Kon Tum");
	CHECK(u == stp, "the first alias resolves");
	u = any_day(&ref, "X-1", "THÀNH PHỐ   Kon Tum");
	CHECK(u && strcmp(u->code, "000.00.31.H34") == 0, "alias with case and spaces folded");

	u = any_day(&ref, NULL, nfd_quang_trung);
	CHECK(u && strcmp(u->code, "000.31.30.H34") == 0, "an NFD name matches an NFC catalogue");
	CHECK(u && u->parent && u->parent->parent &&
	      strcmp(u->parent->parent->code, "000.00.00.H34") == 0, "commune -> district -> province");
	CHECK_EQ_LL(u ? u->valid_from : 0, hoso_date_from_ymd(2020, 1, 1), "valid_from");
	CHECK(u && u->valid_to == HOSO_DATE_NONE, "empty valid_to is open");

	u = any_day(&ref, NULL, "Xã Đắk Kôi");
	CHECK(u && strcmp(u->code, "000.32.30.H34") == 0, "an NFC name matches an NFD catalogue");
	CHECK_EQ_STR(u ? u->name : NULL, "Xã Đắk Kôi", "names are stored in NFC");

	u = any_day(&ref, NULL, "Phường 1");
	CHECK(u == NULL, "a name two units share resolves to neither");
	CHECK(any_day(&ref, "000.33.30.H34-1", "Phường 1") != NULL,
	      "the agency code still resolves a shared name");
	CHECK(any_day(&ref, NULL, "Phường 9") == NULL, "unknown name");
	CHECK(any_day(&ref, NULL, NULL) == NULL, "nothing to resolve");
	CHECK(any_day(&ref, "000.00.20.H34", NULL) == NULL,
	      "a number without '-' has no agency code");

	u = any_day(&ref, "000.00.00.H34-1", NULL);
	CHECK_EQ_STR(u ? u->aliases : NULL, "UBND tỉnh Kon Tum", "aliases kept as in the file");
	CHECK_EQ_STR(u ? u->successor_code : NULL, "000.00.00.H55", "successor code");
	CHECK_EQ_LL(u ? u->valid_to : 0, hoso_date_from_ymd(2025, 6, 30), "valid_to");
	CHECK(u && u->parent_code == NULL, "no parent_code at the top");

	CHECK(!hoso_reference_load_units(&ref, FIX "/units.csv", &err), "a second catalogue is refused");
	hoso_reference_release(&ref);
	hoso_buf_release(&err);
}

static void
test_unit_errors(void)
{
	CHECK_EQ_STR(units_error(UNIT_HEADER
				 "A,Tỉnh A,,TINH,,,,\n"
				 "B,Huyện B,,HUYEN,XX,,,\n"),
		     tmp_path("/units.csv:3: column parent_code: unknown unit \"XX\""),
		     "unknown parent");
	CHECK_EQ_STR(units_error(UNIT_HEADER
				 "A,Tỉnh A,,TINH,B,,,\n"
				 "B,Huyện B,,HUYEN,A,,,\n"),
		     tmp_path("/units.csv:2: column parent_code: unit \"A\" is its own ancestor"),
		     "parent cycle");
	CHECK_EQ_STR(units_error(UNIT_HEADER "A,Tỉnh A,,TINH,A,,,\n"),
		     tmp_path("/units.csv:2: column parent_code: unit \"A\" is its own parent"),
		     "own parent");
	CHECK_EQ_STR(units_error("code,name,alias,level,parent_code,valid_from,valid_to,successor_code\n"),
		     tmp_path("/units.csv:1: header: column 3 must be \"aliases\", found \"alias\""),
		     "wrong header");
	CHECK_EQ_STR(units_error(""), tmp_path("/units.csv:1: the header row is missing"),
		     "empty file");
	CHECK_EQ_STR(units_error("code,name\n"),
		     tmp_path("/units.csv:1:10: expected 8 fields, found 2"),
		     "short header");
	CHECK_EQ_STR(units_error(UNIT_HEADER "A,Tỉnh A,,PROVINCE,,,,\n"),
		     tmp_path("/units.csv:2: column level: \"PROVINCE\" is not one of TINH, SO_NGANH, HUYEN, XA"),
		     "bad level");
	CHECK_EQ_STR(units_error(UNIT_HEADER "A,Tỉnh A,,TINH,,,\n"),
		     tmp_path("/units.csv:2:18: expected 8 fields, found 7"),
		     "missing column (the line ends at column 18)");
	CHECK_EQ_STR(units_error(UNIT_HEADER "A,Tỉnh A,,TINH,,,,\nA,Tỉnh B,,TINH,,,,\n"),
		     tmp_path("/units.csv:3: column code: duplicate code \"A\" (first at line 2)"),
		     "duplicate code");
	CHECK_EQ_STR(units_error(UNIT_HEADER ",Tỉnh A,,TINH,,,,\n"),
		     tmp_path("/units.csv:2: column code: must not be empty"), "empty code");
	CHECK_EQ_STR(units_error(UNIT_HEADER "A,Tỉnh A,,TINH,,2023-02-30,,\n"),
		     tmp_path("/units.csv:2: column valid_from: \"2023-02-30\" is not a date (YYYY-MM-DD)"),
		     "impossible date");
	CHECK_EQ_STR(units_error(UNIT_HEADER "A,Tỉnh A,,TINH,,2024-01-01,2023-12-31,\n"),
		     tmp_path("/units.csv:2: column valid_to: 2023-12-31 is before valid_from 2024-01-01"),
		     "validity reversed");
	CHECK_EQ_STR(units_error(UNIT_HEADER "A,T\xE1nh,,TINH,,,,\n"),
		     tmp_path("/units.csv:2: column name: not valid UTF-8"), "bad UTF-8");
	CHECK_EQ_STR(units_error(UNIT_HEADER "A,\"Tỉnh A,,TINH,,,,\n"),
		     tmp_path("/units.csv:2:3: unterminated quoted field"), "CSV syntax error");
}

static void
test_procedures(void)
{
	struct hoso_reference ref;
	struct hoso_buf err = HOSO_BUF_INIT;
	const struct hoso_procedure *p;

	hoso_reference_init(&ref);
	/* this fixture has a BOM and CRLF line breaks */
	CHECK(hoso_reference_load_procedures(&ref, FIX "/procedures.csv", &err),
	      "procedures.csv loads");
	if (err.len)
		fprintf(stderr, "%s\n", err.data);
	CHECK_EQ_LL(ref.nprocedures, 3, "three procedures");
	p = hoso_reference_procedure(&ref, "1.001234");
	CHECK_EQ_STR(p ? p->name : NULL, "Đăng ký khai sinh", "name");
	CHECK_EQ_LL(p ? p->limit_value : 0, 1, "limit_value");
	CHECK_EQ_STR(p ? p->limit_unit : NULL, "working_days", "limit_unit");
	CHECK_EQ_STR(p ? p->online_level : NULL, "TOAN_TRINH", "online_level");
	CHECK(p && !p->has_fee && p->paper_result && p->integrated, "flags 0,1,1");
	CHECK_EQ_STR(p ? p->field_code : NULL, "G01", "field_code");
	CHECK_EQ_STR(p ? p->field_name : NULL, "Hộ tịch", "field_name");

	p = hoso_reference_procedure(&ref, "2.000567");
	CHECK_EQ_STR(p ? p->name : NULL, "Cấp phiếu lý lịch tư pháp, số 1", "quoted name with a comma");
	CHECK(p && p->has_fee && p->paper_result && !p->integrated, "flags 1,1,0");
	CHECK_EQ_LL(p ? p->valid_from : 0, hoso_date_from_ymd(2020, 1, 1), "valid_from");
	CHECK_EQ_LL(p ? p->valid_to : 0, hoso_date_from_ymd(2024, 12, 31), "valid_to");

	p = hoso_reference_procedure(&ref, "3.000001");
	CHECK_EQ_LL(p ? p->limit_value : 0, -1, "empty limit_value is -1");
	CHECK(p && p->limit_unit == NULL && p->field_code == NULL, "empty cells are NULL");
	CHECK_EQ_STR(p ? p->online_level : NULL, "NONE", "online_level NONE");
	CHECK(hoso_reference_procedure(&ref, "9.999999") == NULL, "unknown code");
	CHECK(hoso_reference_procedure(&ref, NULL) == NULL, "no code");
	hoso_reference_release(&ref);
	hoso_buf_release(&err);

	CHECK_EQ_STR(procedures_error(PROC_HEADER "1,A,,,5,weeks,NONE,0,0,0,,\n"),
		     tmp_path("/procedures.csv:2: column limit_unit: \"weeks\" is not one of hours, days, working_days, months"),
		     "bad limit_unit");
	CHECK_EQ_STR(procedures_error(PROC_HEADER "1,A,,,5,,NONE,0,0,0,,\n"),
		     tmp_path("/procedures.csv:2: column limit_unit: must not be empty when limit_value is set"),
		     "limit without unit");
	CHECK_EQ_STR(procedures_error(PROC_HEADER "1,A,,,-5,days,NONE,0,0,0,,\n"),
		     tmp_path("/procedures.csv:2: column limit_value: expected a whole number of at least 0, found \"-5\""),
		     "negative limit");
	CHECK_EQ_STR(procedures_error(PROC_HEADER "1,A,,,99999999999,days,NONE,0,0,0,,\n"),
		     tmp_path("/procedures.csv:2: column limit_value: 99999999999 is more than 2147483647"),
		     "a limit the warehouse's integer column cannot hold");
	CHECK_EQ_STR(procedures_error(PROC_HEADER "1,A,,,5,days,NONE,yes,0,0,,\n"),
		     tmp_path("/procedures.csv:2: column has_fee: expected 0 or 1, found \"yes\""),
		     "bad flag");
	CHECK_EQ_STR(procedures_error(PROC_HEADER "1,A,,,5,days,FULL,0,0,0,,\n"),
		     tmp_path("/procedures.csv:2: column online_level: \"FULL\" is not one of TOAN_TRINH, MOT_PHAN, NONE"),
		     "bad online_level");
}

static void
test_calendar(void)
{
	struct hoso_reference ref;
	struct hoso_buf err = HOSO_BUF_INIT;
	char dir[600], text[20000];

	hoso_reference_init(&ref);
	CHECK(hoso_reference_load_calendar(&ref, FIX "/calendar", &err), "calendar loads");
	if (err.len)
		fprintf(stderr, "%s\n", err.data);
	CHECK_EQ_LL(ref.calendar_days, 365, "365 days in 2023 (README.txt ignored)");
	CHECK(!hoso_calendar_is_working(&ref.calendar, hoso_date_from_ymd(2023, 1, 2)),
	      "2 January 2023 (a Monday) is off");
	CHECK(hoso_calendar_is_working(&ref.calendar, hoso_date_from_ymd(2023, 1, 3)),
	      "3 January 2023 works");
	CHECK(!hoso_calendar_is_working(&ref.calendar, hoso_date_from_ymd(2023, 1, 26)),
	      "Tết: Thursday 26 January is off");
	CHECK(hoso_calendar_is_working(&ref.calendar, hoso_date_from_ymd(2023, 1, 27)),
	      "Friday 27 January works");
	CHECK(!hoso_calendar_is_working(&ref.calendar, hoso_date_from_ymd(2023, 5, 3)),
	      "3 May 2023 (a Wednesday) is off");
	CHECK(!hoso_calendar_is_working(&ref.calendar, hoso_date_from_ymd(2023, 9, 2)),
	      "2 September is off");
	CHECK_EQ_LL(ref.calendar.missing_lookups, 0, "every day asked is in the data");
	CHECK_EQ_LL(ref.calendar.nperiods, 2, "default office day: two periods");
	CHECK_EQ_LL(ref.calendar.period_start[0], 7 * 3600, "07:00");
	CHECK_EQ_LL(ref.calendar.period_end[1], 17 * 3600, "17:00");
	CHECK_EQ_LL(ref.calendar_entries[0].day, hoso_date_from_ymd(2023, 1, 1), "entries by day");
	CHECK_EQ_STR(ref.calendar_entries[22].reason, "Tết Nguyên đán", "reason of 23 January");
	CHECK(ref.calendar_entries[2].reason == NULL && ref.calendar_entries[2].working,
	      "3 January: working, no reason");
	hoso_reference_release(&ref);

	/* errors: a year file that misses a day, or holds another year's date */
	snprintf(dir, sizeof(dir), "%s/cal", tmpdir);
	CHECK(mkdir(dir, 0700) == 0, "mkdir");
	strcpy(text, "date,working,reason\n");
	for (int d = 1; d <= 31; d++)
		if (d != 15)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
				 "2024-01-%02d,1,\n", d);
	write_file("cal/2024.csv", text);
	hoso_reference_init(&ref);
	hoso_buf_reset(&err);
	CHECK(!hoso_reference_load_calendar(&ref, dir, &err), "incomplete year refused");
	CHECK_EQ_STR(err.data, tmp_path("/cal/2024.csv: 2024 has 366 days, the file lists 30 (2024-01-15 is missing)"),
		     "incomplete year message");
	hoso_reference_release(&ref);

	write_file("cal/2024.csv", "date,working,reason\n2024-01-01,0,x\n2025-01-01,1,\n");
	hoso_reference_init(&ref);
	hoso_buf_reset(&err);
	CHECK(!hoso_reference_load_calendar(&ref, dir, &err), "other year refused");
	CHECK_EQ_STR(err.data, tmp_path("/cal/2024.csv:3: column date: 2025-01-01 is not in 2024"),
		     "other year message");
	hoso_reference_release(&ref);

	write_file("cal/2024.csv", "date,working,reason\n2024-01-01,0,x\n2024-01-01,1,\n");
	hoso_reference_init(&ref);
	hoso_buf_reset(&err);
	CHECK(!hoso_reference_load_calendar(&ref, dir, &err), "duplicate date refused");
	CHECK_EQ_STR(err.data, tmp_path("/cal/2024.csv:3: column date: 2024-01-01 is listed twice (first at line 2)"),
		     "duplicate date message");
	hoso_reference_release(&ref);

	write_file("cal/2024.csv", "date,working,reason\n2024-01-01,2,x\n");
	hoso_reference_init(&ref);
	hoso_buf_reset(&err);
	CHECK(!hoso_reference_load_calendar(&ref, dir, &err), "bad working flag refused");
	CHECK_EQ_STR(err.data, tmp_path("/cal/2024.csv:2: column working: expected 0 or 1, found \"2\""),
		     "bad flag message");
	hoso_reference_release(&ref);
	unlink(tmp_path("/cal/2024.csv"));

	hoso_reference_init(&ref);
	hoso_buf_reset(&err);
	CHECK(!hoso_reference_load_calendar(&ref, dir, &err), "a directory without YYYY.csv is refused");
	CHECK_EQ_STR(err.data, tmp_path("/cal: no calendar file (YYYY.csv) in the directory"),
		     "empty directory message");
	hoso_reference_release(&ref);
	rmdir(dir);

	hoso_reference_init(&ref);
	hoso_buf_reset(&err);
	CHECK(!hoso_reference_load_calendar(&ref, "/nonexistent/cal", &err), "missing directory");
	CHECK_EQ_STR(err.data, "/nonexistent/cal: cannot open the calendar directory: No such file or directory",
		     "missing directory message");
	hoso_reference_release(&ref);
	hoso_buf_release(&err);
}

/*
 * Units that change on 2025-07-01: the Kon Tum commune Xã Ia Tơi (valid
 * until 2025-06-30) and the Quảng Ngãi commune of the same name (valid from
 * 2025-07-01); a name only one of them bears; two units sharing a name on
 * the same days.  Expected units read off the validity columns by hand.
 */
static void
test_units_by_date(void)
{
	struct hoso_reference ref;
	struct hoso_buf err = HOSO_BUF_INIT, candidates = HOSO_BUF_INIT;
	const hoso_date jun30 = hoso_date_from_ymd(2025, 6, 30), jul01 = hoso_date_from_ymd(2025, 7, 1);
	const struct hoso_unit *u;
	const char *path = write_file("units.csv", UNIT_HEADER
		"000.00.00.H34,UBND tỉnh Kon Tum,,TINH,,2004-01-01,2025-06-30,000.00.00.H55\n"
		"000.03.40.H34,Xã Ia Tơi,\"UBND xã Ia Tơi, huyện Ia H'Drai\",XA,000.00.00.H34,"
		"2004-01-01,2025-06-30,000.80.00.H55\n"
		"000.00.00.H55,UBND tỉnh Quảng Ngãi,,TINH,,2025-07-01,,\n"
		"000.80.00.H55,Xã Ia Tơi,,XA,000.00.00.H55,2025-07-01,,\n"
		"000.81.00.H55,Xã Mới,,XA,000.00.00.H55,2025-07-01,,\n"
		"000.82.00.H55,Phường Trần Phú,,XA,000.00.00.H55,2025-07-01,,\n"
		"000.83.00.H55,\"Phường  Trần Phú\",,XA,000.00.00.H55,2025-07-01,,\n");

	hoso_reference_init(&ref);
	CHECK(hoso_reference_load_units(&ref, path, &err), "the 2025 catalogue loads");
	u = hoso_reference_case_unit(&ref, "G22-1", "Xã Ia Tơi", jun30, &candidates);
	CHECK_EQ_STR(u ? u->code : NULL, "000.03.40.H34", "accepted 2025-06-30: the Kon Tum commune");
	CHECK_EQ_LL(candidates.len, 0, "a resolved name lists no candidates");
	u = hoso_reference_case_unit(&ref, "G22-1", "xã  ia tơi", jul01, &candidates);
	CHECK_EQ_STR(u ? u->code : NULL, "000.80.00.H55", "accepted 2025-07-01: the Quảng Ngãi commune");
	u = hoso_reference_case_unit(&ref, NULL, "Xã Ia Tơi", hoso_date_from_ymd(2023, 3, 1), NULL);
	CHECK_EQ_STR(u ? u->code : NULL, "000.03.40.H34", "2023: the Kon Tum commune");
	u = hoso_reference_case_unit(&ref, NULL, "Xã Ia Tơi", hoso_date_from_ymd(2026, 12, 1), NULL);
	CHECK_EQ_STR(u ? u->code : NULL, "000.80.00.H55", "2026: the Quảng Ngãi commune");
	u = hoso_reference_case_unit(&ref, NULL, "UBND xã Ia Tơi, huyện Ia H'Drai", jun30, NULL);
	CHECK_EQ_STR(u ? u->code : NULL, "000.03.40.H34", "an alias of the old commune, on its last day");
	CHECK(hoso_reference_case_unit(&ref, NULL, "UBND xã Ia Tơi, huyện Ia H'Drai", jul01, NULL) == NULL,
	      "the old commune's alias after it ended");
	CHECK(hoso_reference_case_unit(&ref, NULL, "Xã Mới", jun30, NULL) == NULL,
	      "a new commune's name before it began");

	/* by code: a number keeps its agency's unit only while the unit exists */
	u = hoso_reference_case_unit(&ref, "000.03.40.H34-250630-0001", NULL, jun30, NULL);
	CHECK_EQ_STR(u ? u->code : NULL, "000.03.40.H34", "agency code on its last valid day");
	CHECK(hoso_reference_case_unit(&ref, "000.03.40.H34-250701-0001", NULL, jul01, NULL) == NULL,
	      "agency code of a unit that ended, no name");
	u = hoso_reference_case_unit(&ref, "000.03.40.H34-250701-0001", "Xã Ia Tơi", jul01, NULL);
	CHECK_EQ_STR(u ? u->code : NULL, "000.80.00.H55", "an ended agency code falls back to the name");

	/* a name two units bear that day: neither, and both named */
	hoso_buf_reset(&candidates);
	u = hoso_reference_case_unit(&ref, NULL, "Phường Trần Phú", jul01, &candidates);
	CHECK(u == NULL, "a name two units bear on the day resolves to neither");
	CHECK_EQ_STR(candidates.data, "000.82.00.H55, 000.83.00.H55", "both candidates listed");
	hoso_buf_reset(&candidates);
	u = hoso_reference_case_unit(&ref, NULL, "Xã Ia Tơi", HOSO_DATE_NONE, &candidates);
	CHECK(u == NULL, "without a date the shared name stays unresolved");
	CHECK_EQ_STR(candidates.data, "000.03.40.H34, 000.80.00.H55", "both communes listed");
	hoso_buf_reset(&candidates);
	CHECK(hoso_reference_case_unit(&ref, NULL, "Phường Trần Phú", jun30, &candidates) == NULL &&
	      candidates.len == 0, "no unit bears the name that day: no candidates");

	hoso_reference_release(&ref);
	hoso_buf_release(&err);
	hoso_buf_release(&candidates);
}

int
main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_units();
	test_units_by_date();
	test_unit_errors();
	test_procedures();
	test_calendar();
	unlink(tmp_path("/units.csv"));
	unlink(tmp_path("/procedures.csv"));
	rmdir(tmpdir);
	return unit_summary("test_reference");
}
