/*
 * hoso_reference.h: the reference data a pipeline names (docs/input.md §5,
 * docs/design.md §4): the unit catalogue, the procedure catalogue and the
 * working-day calendar.  The transform resolves cases against them; the
 * load copies them into the warehouse's dimensions.
 */
#ifndef HOSO_REFERENCE_H
#define HOSO_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_buf.h"
#include "hoso_map.h"
#include "hoso_time.h"
#include "hoso_worktime.h"

#define HOSO_UNRESOLVED_UNIT "UNRESOLVED"

struct hoso_unit {
	char *code;
	char *name;
	char *aliases;			/* '|'-separated, as in the file */
	char *level;			/* TINH, SO_NGANH, HUYEN, XA */
	char *parent_code;		/* NULL at the top */
	hoso_date valid_from, valid_to;	/* HOSO_DATE_NONE = open */
	char *successor_code;
	const struct hoso_unit *parent;	/* resolved after loading */
	unsigned long line;		/* of units.csv, for messages */
};

struct hoso_procedure {
	char *code;
	char *name;
	char *field_code;
	char *field_name;
	long limit_value;		/* -1 when empty */
	char *limit_unit;		/* hours, days, working_days, months */
	char *online_level;		/* TOAN_TRINH, MOT_PHAN, NONE */
	bool has_fee, paper_result, integrated;
	hoso_date valid_from, valid_to;
};

/* One row of a calendar file, kept for the warehouse's calendar table. */
struct hoso_calendar_entry {
	hoso_date day;
	bool working;
	char *reason;			/* NULL when empty */
};

struct hoso_reference {
	struct hoso_unit *units;
	size_t nunits;
	struct hoso_map unit_by_code;	/* code -> unit */
	struct hoso_map unit_by_name;	/* folded name or alias -> struct hoso_unit_names */
	struct hoso_procedure *procedures;
	size_t nprocedures;
	struct hoso_map procedure_by_code;
	struct hoso_calendar calendar;
	size_t calendar_days;
	struct hoso_calendar_entry *calendar_entries;	/* calendar_days of them, by day */
};

void hoso_reference_init(struct hoso_reference *ref);
void hoso_reference_release(struct hoso_reference *ref);
/* Each returns false with a message "path:line: why" in err. */
bool hoso_reference_load_units(struct hoso_reference *ref, const char *path, struct hoso_buf *err);
bool hoso_reference_load_procedures(struct hoso_reference *ref, const char *path, struct hoso_buf *err);
/* Loads every YYYY.csv of a directory. */
bool hoso_reference_load_calendar(struct hoso_reference *ref, const char *dir, struct hoso_buf *err);

/* Every unit that bears one folded name or alias, in catalogue order. */
struct hoso_unit_names {
	const struct hoso_unit **units;
	size_t nunits;
};

/* Whether the unit exists on day (its validity is inclusive; NONE: any day). */
bool hoso_unit_valid_on(const struct hoso_unit *unit, hoso_date day);

/*
 * The unit of a case (docs/design.md §4): among the units valid on day (the
 * case's acceptance date, or its first event's date; HOSO_DATE_NONE
 * considers every unit), the one whose code is the agency code before the
 * first '-' of its number, else the one bearing the handling unit's name
 * (folded, aliases included); NULL when neither resolves.  A name that
 * several units valid on day bear resolves to none of them: their codes
 * are then appended to candidates (when not NULL), separated by ", ".
 */
const struct hoso_unit *hoso_reference_case_unit(const struct hoso_reference *ref,
						 const char *case_no, const char *unit_name,
						 hoso_date day, struct hoso_buf *candidates);
const struct hoso_procedure *hoso_reference_procedure(const struct hoso_reference *ref,
						      const char *code);

#endif
