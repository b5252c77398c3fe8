/*
 * hoso_milestones.h: a case's milestones as docs/counting.md §2 defines them.
 *
 * Pure functions over one case's latest dossier and its de-duplicated,
 * ordered progress rows; the transform gathers those, this module decides.
 */
#ifndef HOSO_MILESTONES_H
#define HOSO_MILESTONES_H

#include <stdbool.h>
#include <stddef.h>

#include "hoso_time.h"

/* One supplement round (DanhSachHoSoBoSung entry); HOSO_TIME_NONE = empty. */
struct hoso_round {
	hoso_time requested;	/* NgayBoSung */
	hoso_time received;	/* NgayTiepNhanBoSung */
	hoso_time due_before;	/* NgayHenTraTruoc */
	hoso_time due_after;	/* NgayHenTraMoi */
};

/* What the milestones need of the latest dossier version. */
struct hoso_dossier_view {
	int status;			/* TrangThaiHoSo, 1..10 */
	hoso_time accepted_at;		/* NgayTiepNhan */
	hoso_time due_at;		/* NgayHenTra */
	hoso_time processed_at;		/* NgayKetThucXuLy */
	hoso_time returned_at;		/* NgayTra */
	hoso_time refused_at;		/* NgayTuChoi */
	const struct hoso_round *rounds;
	size_t nrounds;
	/* earliest _at of any dossier version reporting status s (1..10) */
	hoso_time first_at_with_status[11];
};

/* One progress step, after de-duplication, in history order. */
struct hoso_step {
	hoso_time event_at;
	int status;
};

enum hoso_end_kind { HOSO_END_NONE = 0, HOSO_END_RESOLVED = 'R', HOSO_END_CLOSED = 'C' };

struct hoso_milestones {
	bool received;			/* a received case (counted at all) */
	hoso_time accepted_at;
	hoso_time finished_at;
	hoso_time closed_at;
	hoso_time end_at;		/* earlier of finished/closed */
	enum hoso_end_kind end_kind;
	bool inconsistent;		/* an end before accepted_at was clamped */
	hoso_time due_at_end;		/* due_at(end_at) of a resolved case */
	hoso_time original_due_at;	/* the due date before any supplement */
};

/* A piece of the piecewise-constant due_at(t) or status_at(t). */
struct hoso_span {
	hoso_time from_at;		/* HOSO_TIME_NONE = from the beginning */
	hoso_time due_at;		/* for due spans; HOSO_TIME_NONE = none */
	int status;			/* for status spans */
};

void hoso_milestones_derive(const struct hoso_dossier_view *d,
			    const struct hoso_step *steps, size_t nsteps,
			    struct hoso_milestones *out);

/* due_at(t) of docs/counting.md §2; HOSO_TIME_NONE when the case has none. */
hoso_time hoso_due_at(const struct hoso_dossier_view *d, hoso_time t);

/*
 * Fill spans (capacity nrounds + 1) with due_at(t) as a step function,
 * ordered by from_at; returns the count.
 */
size_t hoso_due_spans(const struct hoso_dossier_view *d, struct hoso_span *spans);

/*
 * Fill spans (capacity nsteps + 2) with status_at(t); without steps, the
 * implied history of docs/counting.md §2 is used.  Returns the count.
 */
size_t hoso_status_spans(const struct hoso_dossier_view *d,
			 const struct hoso_milestones *m,
			 const struct hoso_step *steps, size_t nsteps,
			 struct hoso_span *spans);

#endif
