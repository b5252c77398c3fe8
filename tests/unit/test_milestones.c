/*
 * test_milestones.c: docs/counting.md §2 and §1 worked by hand on small cases.
 */
#include "hoso_index766.h"
#include "hoso_milestones.h"
#include "hoso_worktime.h"
#include "unit.h"

#define NONE HOSO_TIME_NONE

static hoso_time
T(const char *compact)
{
	hoso_time t = NONE;

	hoso_time_parse_compact(compact, strlen(compact), &t);
	return t;
}

static struct hoso_dossier_view
view(int status)
{
	struct hoso_dossier_view d = {
		.status = status, .accepted_at = NONE, .due_at = NONE, .processed_at = NONE,
		.returned_at = NONE, .refused_at = NONE,
	};

	for (int s = 0; s <= 10; s++)
		d.first_at_with_status[s] = NONE;
	return d;
}

static void
test_time_parsing(void)
{
	hoso_time t;

	CHECK(!hoso_time_parse_compact("20231345081500", 14, &t), "month 13 is rejected");
	CHECK(!hoso_time_parse_compact("20230229120000", 14, &t), "29 February 2023 is rejected");
	CHECK(hoso_time_parse_compact("20240229120000", 14, &t), "29 February 2024 is accepted");
	CHECK(!hoso_time_parse_compact("2023102008150", 13, &t), "13 digits are rejected");
	CHECK(!hoso_time_parse_compact("20231020246000", 14, &t), "hour 24 is rejected");
	/* 2023-10-20 08:15:00 local = 1697764500 Unix (01:15 UTC) + 25200 */
	CHECK_EQ_LL(T("20231020081500"), 1697764500LL + 25200, "local seconds of a date");
	char buf[32];
	hoso_time_format_pg(T("20231014233000"), buf);
	CHECK_EQ_STR(buf, "2023-10-14 23:30:00+07", "timestamptz text keeps the local clock");
	CHECK_EQ_LL(hoso_date_weekday(hoso_time_date(T("20231020081500"))), 4, "2023-10-20 is a Friday");
}

static void
test_accepted_and_received(void)
{
	struct hoso_dossier_view d = view(4);
	struct hoso_step steps[] = { { T("20230105090000"), 1 }, { T("20230106100000"), 2 } };
	struct hoso_milestones m;

	/* NgayTiepNhan empty: the first progress row with status 2/4/5/6/9/10 */
	hoso_milestones_derive(&d, steps, 2, &m);
	CHECK(m.received, "status 4 with a status-2 row is received");
	CHECK_EQ_LL(m.accepted_at, T("20230106100000"), "accepted_at falls back to the status-2 row");

	d = view(1);
	d.accepted_at = T("20230105090000");
	hoso_milestones_derive(&d, NULL, 0, &m);
	CHECK(!m.received, "latest status 1 (registered only) is not received");
	d = view(3);
	d.accepted_at = T("20230105090000");
	hoso_milestones_derive(&d, NULL, 0, &m);
	CHECK(!m.received, "latest status 3 (refused at intake) is not received");
	d = view(4);
	hoso_milestones_derive(&d, steps, 1, &m);
	CHECK(!m.received, "no NgayTiepNhan and no accepting row: not received");
}

static void
test_finished_and_closed(void)
{
	struct hoso_dossier_view d = view(10);
	struct hoso_milestones m;

	d.accepted_at = T("20230301080000");
	d.returned_at = T("20230310100000");
	hoso_milestones_derive(&d, NULL, 0, &m);
	CHECK_EQ_LL(m.finished_at, T("20230310100000"), "finished_at = NgayTra when NgayKetThucXuLy is empty");
	CHECK(m.end_kind == HOSO_END_RESOLVED, "status 10 without rows is resolved");

	d.processed_at = T("20230309150000");
	hoso_milestones_derive(&d, NULL, 0, &m);
	CHECK_EQ_LL(m.finished_at, T("20230309150000"), "NgayKetThucXuLy wins over NgayTra");

	d.processed_at = d.returned_at = NONE;
	d.first_at_with_status[9] = T("20230308120000");
	d.first_at_with_status[10] = T("20230311120000");
	hoso_milestones_derive(&d, NULL, 0, &m);
	CHECK_EQ_LL(m.finished_at, T("20230308120000"), "no dates: earliest _at reporting 9 or 10");

	/* progress rows win over the dossier's dates; a 10 only when no 9 */
	struct hoso_step steps[] = {
		{ T("20230302080000"), 4 }, { T("20230305080000"), 10 }, { T("20230306080000"), 9 },
	};
	d.processed_at = T("20230309150000");
	hoso_milestones_derive(&d, steps, 3, &m);
	CHECK_EQ_LL(m.finished_at, T("20230306080000"), "first status-9 row, even after a 10");
	hoso_milestones_derive(&d, steps, 2, &m);
	CHECK_EQ_LL(m.finished_at, T("20230305080000"), "first status-10 row when there is no 9");

	/* withdrawn, then finished later: closed, and stays closed */
	struct hoso_step w[] = { { T("20230302080000"), 7 }, { T("20230305080000"), 9 } };
	hoso_milestones_derive(&d, w, 2, &m);
	CHECK(m.end_kind == HOSO_END_CLOSED, "closed first: a later 9 does not resolve it");
	CHECK_EQ_LL(m.end_at, T("20230302080000"), "end is the earlier milestone");

	/* tie: resolved */
	struct hoso_step tie[] = { { T("20230302080000"), 9 }, { T("20230302080000"), 8 } };
	hoso_milestones_derive(&d, tie, 2, &m);
	CHECK(m.end_kind == HOSO_END_RESOLVED, "finished and closed at once counts as resolved");

	/* stopped, from the dossier: NgayKetThucXuLy, else NgayTuChoi */
	d = view(8);
	d.accepted_at = T("20230301080000");
	d.refused_at = T("20230304080000");
	hoso_milestones_derive(&d, NULL, 0, &m);
	CHECK(m.end_kind == HOSO_END_CLOSED, "status 8 without rows is closed");
	CHECK_EQ_LL(m.closed_at, T("20230304080000"), "closed_at = NgayTuChoi when NgayKetThucXuLy is empty");

	/* an end before acceptance is clamped and flagged */
	d = view(9);
	d.accepted_at = T("20230301080000");
	struct hoso_step early[] = { { T("20230228080000"), 9 } };
	hoso_milestones_derive(&d, early, 1, &m);
	CHECK_EQ_LL(m.end_at, T("20230301080000"), "an end before accepted_at is taken as accepted_at");
	CHECK(m.inconsistent, "such a case is flagged inconsistent");

	/* status 9 progress row but the latest dossier says 4: still finished */
	d = view(4);
	d.accepted_at = T("20230301080000");
	struct hoso_step nine[] = { { T("20230303080000"), 9 } };
	hoso_milestones_derive(&d, nine, 1, &m);
	CHECK(m.end_kind == HOSO_END_RESOLVED, "a status-9 row finishes the case whatever the dossier says");
	/* dossier status 4 with NgayKetThucXuLy but no rows: not finished */
	d.processed_at = T("20230305080000");
	hoso_milestones_derive(&d, NULL, 0, &m);
	CHECK(m.end_kind == HOSO_END_NONE, "NgayKetThucXuLy alone does not finish a status-4 case");
}

static void
test_due_dates(void)
{
	struct hoso_dossier_view d = view(9);
	struct hoso_round rounds[2];
	struct hoso_span spans[3];
	size_t n;

	d.accepted_at = T("20230301080000");
	d.due_at = T("20230320170000");
	CHECK_EQ_LL(hoso_due_at(&d, T("20230310000000")), T("20230320170000"), "no rounds: NgayHenTra");

	/* requested 03-05, received 03-08 moving the due date to 03-25 */
	rounds[0] = (struct hoso_round) { T("20230305080000"), T("20230308080000"),
					  T("20230315170000"), T("20230325170000") };
	d.rounds = rounds;
	d.nrounds = 1;
	CHECK_EQ_LL(hoso_due_at(&d, T("20230306000000")), T("20230315170000"),
		    "before reception: the earliest round's NgayHenTraTruoc");
	CHECK_EQ_LL(hoso_due_at(&d, T("20230308080000")), T("20230325170000"),
		    "at reception: that round's NgayHenTraMoi");
	rounds[0].due_before = NONE;
	CHECK_EQ_LL(hoso_due_at(&d, T("20230306000000")), T("20230320170000"),
		    "empty NgayHenTraTruoc falls back to NgayHenTra");
	rounds[0].due_after = NONE;
	CHECK_EQ_LL(hoso_due_at(&d, T("20230309000000")), NONE,
		    "an empty NgayHenTraMoi means no due date (no further fallback)");

	/* two rounds received out of order: the last by reception wins */
	rounds[0] = (struct hoso_round) { T("20230305080000"), T("20230312080000"), NONE, T("20230330170000") };
	rounds[1] = (struct hoso_round) { T("20230302080000"), T("20230304080000"), T("20230318170000"), T("20230322170000") };
	d.nrounds = 2;
	CHECK_EQ_LL(hoso_due_at(&d, T("20230301120000")), T("20230318170000"),
		    "nothing received yet: NgayHenTraTruoc of the earliest-requested round");
	CHECK_EQ_LL(hoso_due_at(&d, T("20230310000000")), T("20230322170000"), "after the first reception");
	CHECK_EQ_LL(hoso_due_at(&d, T("20230313000000")), T("20230330170000"), "after the second reception");
	n = hoso_due_spans(&d, spans);
	CHECK_EQ_LL(n, 3, "three due-date steps");
	CHECK(spans[0].from_at == NONE && spans[0].due_at == T("20230318170000"), "first step from the beginning");
	CHECK(spans[1].from_at == T("20230304080000") && spans[1].due_at == T("20230322170000"), "second step");
	CHECK(spans[2].from_at == T("20230312080000") && spans[2].due_at == T("20230330170000"), "third step");

	struct hoso_milestones m;
	struct hoso_step steps[] = { { T("20230311080000"), 9 } };
	hoso_milestones_derive(&d, steps, 1, &m);
	CHECK_EQ_LL(m.due_at_end, T("20230322170000"), "due_at(finished_at) uses rounds received by then");
	CHECK_EQ_LL(m.original_due_at, T("20230318170000"), "original due date before any supplement");
}

static void
test_status_spans(void)
{
	struct hoso_dossier_view d = view(9);
	struct hoso_milestones m;
	struct hoso_span spans[4];
	size_t n;

	d.accepted_at = T("20230301080000");
	d.processed_at = T("20230305080000");
	hoso_milestones_derive(&d, NULL, 0, &m);
	n = hoso_status_spans(&d, &m, NULL, 0, spans);
	CHECK_EQ_LL(n, 2, "implied history: two steps");
	CHECK(spans[0].status == 2 && spans[0].from_at == T("20230301080000"), "implied 2 at accepted_at");
	CHECK(spans[1].status == 9 && spans[1].from_at == T("20230305080000"), "implied 9 at finished_at");

	struct hoso_step steps[] = {
		{ T("20230301080000"), 2 }, { T("20230302080000"), 4 }, { T("20230302080000"), 5 },
	};
	n = hoso_status_spans(&d, &m, steps, 3, spans);
	CHECK_EQ_LL(n, 2, "two rows at one instant make one step");
	CHECK_EQ_LL(spans[1].status, 5, "the later-logged row of a tie holds");
}

static void
test_working_time(void)
{
	struct hoso_calendar cal;

	hoso_calendar_init(&cal);
	/* Tết 2023: 2023-01-20 (Fri) .. 2023-01-26 (Thu) off; 01-27 (Fri) working */
	for (int day = 16; day <= 31; day++) {
		hoso_date d = hoso_date_from_ymd(2023, 1, day);

		hoso_calendar_set(&cal, d, hoso_date_weekday(d) < 5 && (day < 20 || day > 26));
	}
	/* Thu 2023-01-19 15:00 -> Fri 2023-01-27 09:00: 2 h on the 19th, 2 h on the 27th */
	CHECK_EQ_LL(hoso_office_seconds(&cal, T("20230119150000"), T("20230127090000")), 4 * 3600,
		    "working time across Lunar New Year");
	/* 11:00 -> 14:00 on a working day: 30 min before lunch, 30 min after */
	CHECK_EQ_LL(hoso_office_seconds(&cal, T("20230117110000"), T("20230117140000")), 3600,
		    "the lunch break does not count");
	/* arriving 18:00 counts from 07:00 next working day */
	CHECK_EQ_LL(hoso_office_seconds(&cal, T("20230117180000"), T("20230118080000")), 3600,
		    "after hours counts from the next office start");
	CHECK_EQ_LL(hoso_calendar_day_seconds(&cal), 8 * 3600, "an office day is 8 hours");
	/* a pause Tue 09:00 -> Wed 09:00 inside Mon 08:00 -> Thu 08:00 */
	struct hoso_round r = { T("20230117090000"), T("20230118090000"), NONE, NONE };
	CHECK_EQ_LL(hoso_case_working_seconds(&cal, T("20230116080000"), T("20230119080000"), &r, 1),
		    3 * 8 * 3600 - 8 * 3600, "a supplement pause is subtracted");
	/* an open round pauses until the end */
	r.received = NONE;
	CHECK_EQ_LL(hoso_case_working_seconds(&cal, T("20230116080000"), T("20230119080000"), &r, 1),
		    8 * 3600 + 3600, "an open round pauses until the end");
	hoso_calendar_release(&cal);
}

/* The 766 arithmetic: adding months and office time (docs/counting.md §1, §5). */
static void
test_766_arithmetic(void)
{
	struct hoso_calendar cal;
	struct hoso_dossier_view d = view(2);
	struct hoso_milestones m = { .received = true, .end_at = NONE, .finished_at = NONE,
				     .closed_at = NONE, .due_at_end = NONE };
	struct hoso_judgement_766 j;
	struct hoso_round r[2] = {
		{ T("20230117090000"), T("20230118090000"), NONE, NONE },
		{ T("20230125090000"), NONE, NONE, NONE },
	};

	hoso_calendar_init(&cal);
	for (int day = 16; day <= 31; day++) {
		hoso_date dd = hoso_date_from_ymd(2023, 1, day);

		hoso_calendar_set(&cal, dd, hoso_date_weekday(dd) < 5 && (day < 20 || day > 26));
	}
	CHECK_EQ_LL(hoso_time_add_months(T("20230131100000"), 1), T("20230228100000"),
		    "31 January + 1 month = 28 February (clamped)");
	CHECK_EQ_LL(hoso_time_add_months(T("20231115080000"), 3), T("20240215080000"),
		    "months carry into the next year");
	CHECK_EQ_LL(hoso_time_add_months(T("20240229080000"), -12), T("20230228080000"),
		    "negative months");
	/* Thu 01-19 15:00 + 4 office hours: 2 h that day, Tết, 2 h on Fri 01-27 */
	CHECK_EQ_LL(hoso_office_add(&cal, T("20230119150000"), 4 * 3600), T("20230127090000"),
		    "office time added across Lunar New Year");
	CHECK_EQ_LL(hoso_office_add(&cal, T("20230117110000"), 1800), T("20230117113000"),
		    "office time ending at the lunch break ends there");
	CHECK_EQ_LL(hoso_office_add(&cal, T("20230117110000"), 1801), T("20230117133001"),
		    "one second more is after lunch");

	/* due Wed 01-18 17:00; round 01-17 09:00 .. 01-18 09:00 (1 day paused) */
	m.accepted_at = T("20230116080000");
	m.original_due_at = T("20230118170000");
	d.accepted_at = m.accepted_at;
	d.rounds = r;
	d.nrounds = 1;
	hoso_judge_766(&cal, &d, &m, -1, (struct hoso_limit) { HOSO_LIMIT_NONE, 0 }, &j);
	CHECK_EQ_LL(j.late_from, T("20230119170001"), "open: late after due date + pause");
	d.nrounds = 2;
	hoso_judge_766(&cal, &d, &m, -1, (struct hoso_limit) { HOSO_LIMIT_NONE, 0 }, &j);
	CHECK_EQ_LL(j.late_from, T("20230119170001"), "a second round later than that changes nothing");
	r[1].requested = T("20230119080000");
	hoso_judge_766(&cal, &d, &m, -1, (struct hoso_limit) { HOSO_LIMIT_NONE, 0 }, &j);
	CHECK_EQ_LL(j.late_from, T("20230119080000"), "a second round before it: late from then");
	/* resolved Thu 01-19 16:00: 16:00 - 1 day = 01-18 16:00 <= due */
	d.nrounds = 1;
	m.end_at = m.finished_at = T("20230119160000");
	m.end_kind = HOSO_END_RESOLVED;
	hoso_judge_766(&cal, &d, &m, -1, (struct hoso_limit) { HOSO_LIMIT_NONE, 0 }, &j);
	CHECK(j.resolved_on_time, "resolved within due date + pause: on time");
	m.end_at = m.finished_at = T("20230119180000");
	hoso_judge_766(&cal, &d, &m, -1, (struct hoso_limit) { HOSO_LIMIT_NONE, 0 }, &j);
	CHECK(!j.resolved_on_time, "resolved 2 h after due date + pause: late (timestamps)");
	/* no due date, 2 working days (16 h) from Thu 01-19 15:00: 2 h, Tết, 8 h on
	 * Fri 01-27, then 6 h on Mon 01-30: 07:00-11:30, 13:30-15:00 */
	m = (struct hoso_milestones) { .received = true, .accepted_at = T("20230119150000"),
				       .end_at = NONE, .finished_at = NONE, .closed_at = NONE,
				       .due_at_end = NONE, .original_due_at = NONE };
	d.nrounds = 0;
	hoso_judge_766(&cal, &d, &m, -1, hoso_limit_from_catalogue(2, "working_days"), &j);
	CHECK_EQ_LL(j.late_from, T("20230130150001"), "working-day limit across Tết");
	hoso_judge_766(&cal, &d, &m, -1, hoso_limit_from_catalogue(-1, "working_days"), &j);
	CHECK_EQ_LL(j.late_from, NONE, "no limit known: never late");
	hoso_calendar_release(&cal);
}

int
main(void)
{
	test_time_parsing();
	test_accepted_and_received();
	test_finished_and_closed();
	test_due_dates();
	test_status_spans();
	test_working_time();
	test_766_arithmetic();
	return unit_summary("test_milestones");
}
