#!/usr/bin/env python3
"""hoso_oracle: an independent reference computation of the period summary.

Reads raw DVCQG JSON Lines landing files (docs/input.md §1-2) and computes the
figures of docs/counting.md §3 from the milestones of docs/counting.md §2, written from
the specification's words only.  It shares no code with the C pipeline and is
meant to be checked against it.

Usage:
    hoso_oracle.py --from 2022-12-15 --to 2023-10-14 \
        [--units units.csv --unit CODE] [--json] [--report] FILE_OR_DIR...

Directories are walked recursively for *.jsonl, *.jsonl.gz and *.gz; all
files are then taken in byte order of their path.  Output: one line per
column, "name value", in the order of docs/counting.md §3 (or a JSON object with
--json).  A file that cannot be read to its end exits 1.

Times are kept as the portal's 14-digit local strings (yyyyMMddHHmmss, Vietnam
time, docs/counting.md §1): fixed width, so string order is time order, and the
local date of an instant is its first 8 characters.  T0 and T1 are therefore
"<from>000000" and "<to>235959".

Readings of the spec where its words leave a choice (the golden cases that
depend on one say so in their comments):
- A step sent twice keeps the logged position of its first copy (order of
  steps sharing a ThoiDiemXuLy is by that position: _at, file, line, data
  position).
- The end's kind (resolved/closed) is decided on the raw finished_at and
  closed_at; only then is the end time clamped to accepted_at.  The clamped
  time is what "T0 <= finished_at <= T1", "ended before T0" and the
  early/late dates use (otherwise the docs/counting.md §3 identities could not hold).
- due_at(t): "rounds with a NgayBoSung exist" is read without "by t" (the
  earliest-requested round's NgayHenTraTruoc recovers the original due date);
  received rounds with equal NgayTiepNhanBoSung: the one sent later wins;
  equally early requests: the one sent first.
- "earliest _at of a dossier message reporting status ..." counts accepted
  dossier objects of the case only (a rejected object is not loaded).
- Rejected: an object whose MaHoSo/MaTTHC is empty, whose TrangThaiHoSo (or
  a progress row's TrangThai) is not exactly "1".."10", any non-empty date
  field (dossier dates, supplement round dates, ThoiDiemXuLy, NgayBatDau,
  NgayKetThucTheoQuyDinh) that is not a real yyyyMMddHHmmss, NgayKetThucXuLy
  before NgayTiepNhan, a Gia that is not digits with one kind of thousands
  separator; a line that is not a JSON object or has no valid _at or _src.
  Blank lines are skipped.

Memory: per case only the current dossier's counted fields and a few
aggregates of its progress rows are kept (not the rows themselves); see
class Case.
"""

import argparse
import csv
import datetime
import gzip  # noqa: F401  (gzip members are decoded with zlib below, per member)
import json
import os
import re
import sys
import unicodedata
import zlib

COLUMNS = (
	"carried_over", "received_online", "received_direct", "received_postal",
	"received_in_period", "received_total", "resolved_total", "resolved_early",
	"resolved_on_time", "resolved_late", "in_progress_total",
	"in_progress_in_time", "in_progress_overdue", "in_progress_paused",
	"closed_other", "digitised_at_intake", "on_time_rate",
)

STATUSES = {str(i): i for i in range(1, 11)}
ACCEPT_STATUSES = frozenset((2, 4, 5, 6, 9, 10))
DOSSIER_DATES = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra",
	"NgayKetThucXuLy", "NgayTra", "NgayTuChoi")
ROUND_DATES = ("NgayBoSung", "NgayTiepNhanBoSung", "NgayHenTraTruoc",
	"NgayHenTraMoi")
PROGRESS_DATES = ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh")
GIA_RE = re.compile(r"^(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:,[0-9]{3})+)$")
MAX_LINE = 1048576
KEEP_UNIT = False  # DonViXuLy is kept only when a unit scope is asked
BOM = b"\xef\xbb\xbf"


class BadRecord(Exception):
	pass


class FileError(Exception):
	pass


# ---------------------------------------------------------------- scalars

def scalar(obj, name):
	"""A field as a string: missing and null are "", numbers as written."""
	v = obj.get(name)
	if v is None:
		return ""
	if isinstance(v, str):
		return v
	if isinstance(v, bool):
		return "true" if v else "false"
	if isinstance(v, (int, float)):
		return repr(v) if isinstance(v, float) else str(v)
	raise BadRecord("%s: not a scalar" % name)


def date_field(obj, name):
	"""A date field: "" for no value, else a validated 14-digit string."""
	s = scalar(obj, name)
	if s == "":
		return ""
	if len(s) != 14 or not s.isdigit() or not s.isascii():
		raise BadRecord("%s: invalid date %r" % (name, s))
	try:
		datetime.datetime(int(s[0:4]), int(s[4:6]), int(s[6:8]),
			int(s[8:10]), int(s[10:12]), int(s[12:14]))
	except ValueError:
		raise BadRecord("%s: invalid date %r" % (name, s))
	return s


def nfc(s):
	if s.isascii() or unicodedata.is_normalized("NFC", s):
		return s
	return unicodedata.normalize("NFC", s)


def fold_name(s):
	s = unicodedata.normalize("NFC", s).casefold()
	s = unicodedata.normalize("NFC", s)
	return " ".join(s.split())


def status_of(obj, name):
	s = scalar(obj, name)
	st = STATUSES.get(s)
	if st is None:
		raise BadRecord("%s: unknown status %r" % (name, s))
	return st


def entries(obj, name):
	v = obj.get(name)
	if v is None or v == "":
		return []
	if not isinstance(v, list):
		raise BadRecord("%s: not an array" % name)
	for e in v:
		if not isinstance(e, dict):
			raise BadRecord("%s: entry not an object" % name)
	return v


# ---------------------------------------------------------------- per case

class Case:
	"""What the counting needs of one (_src, MaHoSo).

	dkey: logged position (at, file_no, line, pos) of the current dossier.
	d: the current dossier's fields (see parse_dossier) or None.
	at_fin, at_st7, at_st8: earliest _at of an accepted dossier message
	  reporting status 9/10, 7, 8 (docs/counting.md §2 fallbacks).
	p_*: aggregates of the progress rows (earliest time per status group).
	st_time, st_rows: the latest event time <= T1 among the progress rows and,
	  for the distinct steps at that time, the first logged position of each
	  (so a step sent twice keeps its first place), for status_at(T1).
	"""
	__slots__ = ("dkey", "d", "at_fin", "at_st7", "at_st8", "has_rows",
		"p_acc", "p_9", "p_10", "p_close", "st_time", "st_rows")

	def __init__(self):
		self.dkey = None
		self.d = None
		self.at_fin = self.at_st7 = self.at_st8 = None
		self.has_rows = False
		self.p_acc = self.p_9 = self.p_10 = self.p_close = None
		self.st_time = None
		self.st_rows = None


def earliest(a, b):
	return b if a is None or b < a else a


def parse_dossier(o):
	"""Validate one dossier object; return (case_no, fields) or raise."""
	case_no = nfc(scalar(o, "MaHoSo"))
	if case_no == "":
		raise BadRecord("MaHoSo: missing")
	if scalar(o, "MaTTHC") == "":
		raise BadRecord("MaTTHC: missing")
	status = status_of(o, "TrangThaiHoSo")
	dates = {n: date_field(o, n) for n in DOSSIER_DATES}
	if dates["NgayKetThucXuLy"] and dates["NgayTiepNhan"] and \
			dates["NgayKetThucXuLy"] < dates["NgayTiepNhan"]:
		raise BadRecord("NgayKetThucXuLy before NgayTiepNhan")
	rounds = []
	for r in entries(o, "DanhSachHoSoBoSung"):
		rounds.append(tuple(date_field(r, n) for n in ROUND_DATES))
	for fee in entries(o, "DanhSachLePhi"):
		g = scalar(fee, "Gia")
		if g != "" and not GIA_RE.match(g):
			raise BadRecord("Gia: bad amount %r" % g)
	kenh = scalar(o, "KenhThucHien")
	channel = 2 if kenh == "2" else 3 if kenh == "3" else 1
	digitised = scalar(o, "HoSoCoThanhPhanSoHoa") == "1"
	unit_name = scalar(o, "DonViXuLy") if KEEP_UNIT else ""
	fields = (status, dates["NgayTiepNhan"], dates["NgayHenTra"],
		dates["NgayKetThucXuLy"], dates["NgayTra"], dates["NgayTuChoi"],
		channel, digitised, unit_name, tuple(rounds))
	return case_no, fields


# dossier field indexes
D_STATUS, D_ACCEPTED, D_DUE, D_END, D_RETURNED, D_REFUSED, D_CHANNEL, \
	D_DIGITISED, D_UNIT, D_ROUNDS = range(10)


def parse_progress(o):
	case_no = nfc(scalar(o, "MaHoSo"))
	if case_no == "":
		raise BadRecord("MaHoSo: missing")
	dates = {n: date_field(o, n) for n in PROGRESS_DATES}
	if dates["ThoiDiemXuLy"] == "":
		raise BadRecord("ThoiDiemXuLy: missing")
	status = status_of(o, "TrangThai")
	content = nfc(scalar(o, "NoiDungXuLy"))
	return case_no, dates["ThoiDiemXuLy"], status, hash(content)


# ---------------------------------------------------------------- input

def member_stream(f, path):
	"""Yield the decompressed bytes of a gzip file, member by member, with
	a byte-order mark at the start of each member removed (docs/input.md §1)."""
	pending = b""
	eof = False
	while True:
		# start of a member: need its magic
		while len(pending) < 2 and not eof:
			chunk = f.read(1 << 20)
			if not chunk:
				eof = True
			pending += chunk
		if not pending:
			return
		if pending[:2] != b"\x1f\x8b":
			raise FileError("%s: data after the last gzip member is not gzip" % path)
		d = zlib.decompressobj(31)
		head = b""
		head_done = False
		data = pending
		pending = b""
		while True:
			try:
				out = d.decompress(data) if data else d.flush()
			except zlib.error as e:
				raise FileError("%s: corrupt gzip stream (%s)" % (path, e))
			if not data and not d.eof:
				raise FileError("%s: truncated gzip stream" % path)
			if not head_done:
				# the member's first 3 bytes decide whether it opens with a BOM
				head += out
				out = b""
				if len(head) >= 3 or d.eof:
					out = head[3:] if head.startswith(BOM) else head
					head_done = True
			if out:
				yield out
			if d.eof:
				pending = d.unused_data
				break
			if eof:
				raise FileError("%s: truncated gzip stream" % path)
			data = f.read(1 << 20)
			if not data:
				eof = True
		if not pending and eof:
			return


def plain_stream(f, first):
	if first.startswith(BOM):
		first = first[3:]
	if first:
		yield first
	while True:
		chunk = f.read(1 << 20)
		if not chunk:
			return
		yield chunk


def lines_of(path):
	"""Yield (line_no, bytes) of a landing file: gzip or plain by content."""
	with open(path, "rb") as f:
		first = f.read(4096)
		if first[:2] == b"\x1f\x8b":
			f.seek(0)
			stream = member_stream(f, path)
		else:
			if first[:4] == b"PK\x03\x04":
				raise FileError("%s: looks like a zip archive, not gzip or text" % path)
			# binary: NUL bytes and invalid UTF-8 in the first 4 KiB (one
			# of them alone is a bad line, rejected later)
			if b"\0" in first:
				try:
					first.decode("utf-8")
				except UnicodeDecodeError as e:
					if e.start < len(first) - 3:
						raise FileError("%s: binary data, neither gzip "
							"nor UTF-8 text" % path)
			stream = plain_stream(f, first)
		line_no = 0
		rest = b""
		for chunk in stream:
			buf = rest + chunk if rest else chunk
			parts = buf.split(b"\n")
			rest = parts.pop()
			for p in parts:
				line_no += 1
				yield line_no, p
		if rest:
			line_no += 1
			yield line_no, rest


def walk(paths):
	files = []
	for p in paths:
		if os.path.isdir(p):
			for root, dirs, names in os.walk(p):
				for n in names:
					if n.endswith(".jsonl") or n.endswith(".gz"):
						files.append(os.path.join(root, n))
		else:
			files.append(p)
	files.sort(key=os.fsencode)
	return files


# ---------------------------------------------------------------- reading

class Oracle:
	def __init__(self, t1):
		self.t1 = t1
		self.cases = {}
		self.rejects = 0
		self.reject_reasons = {}
		self.other_messages = 0
		self.dossiers = 0
		self.progress = 0

	def reject(self, where, why):
		self.rejects += 1
		if len(self.reject_reasons) < 50:
			self.reject_reasons.setdefault(why, where)

	def case(self, key):
		c = self.cases.get(key)
		if c is None:
			c = self.cases[key] = Case()
		return c

	def read_file(self, file_no, path):
		for line_no, raw in lines_of(path):
			where = "%s:%d" % (path, line_no)
			if raw.endswith(b"\r"):
				raw = raw[:-1]
			if len(raw) > MAX_LINE:
				self.reject(where, "line too long")
				continue
			if b"\0" in raw:
				self.reject(where, "NUL byte")
				continue
			try:
				text = raw.decode("utf-8")
			except UnicodeDecodeError:
				self.reject(where, "invalid UTF-8")
				continue
			if not text.strip():
				continue
			try:
				msg = json.loads(text)
			except ValueError:
				self.reject(where, "not JSON")
				continue
			if not isinstance(msg, dict):
				self.reject(where, "not a JSON object")
				continue
			service = msg.get("service")
			if service not in ("DongBoHoSoMC", "CapNhatTienDoHoSoMC"):
				self.other_messages += 1
				continue
			try:
				at = date_field(msg, "_at")
				if at == "":
					raise BadRecord("_at: missing")
				src = nfc(scalar(msg, "_src"))
				if src == "":
					raise BadRecord("_src: missing")
			except BadRecord as e:
				self.reject(where, str(e))
				continue
			data = msg.get("data")
			if data is None:
				data = []
			if not isinstance(data, list):
				self.reject(where, "data: not an array")
				continue
			for pos, o in enumerate(data):
				if not isinstance(o, dict):
					self.reject(where, "data entry not an object")
					continue
				try:
					if service == "DongBoHoSoMC":
						self.add_dossier(src, at, (at, file_no, line_no, pos), o)
					else:
						self.add_progress(src, (at, file_no, line_no, pos), o)
				except BadRecord as e:
					self.reject("%s[%d]" % (where, pos), str(e))

	def add_dossier(self, src, at, key, o):
		case_no, d = parse_dossier(o)
		self.dossiers += 1
		c = self.case((src, case_no))
		st = d[D_STATUS]
		if st in (9, 10):
			c.at_fin = earliest(c.at_fin, at)
		elif st == 7:
			c.at_st7 = earliest(c.at_st7, at)
		elif st == 8:
			c.at_st8 = earliest(c.at_st8, at)
		if c.dkey is None or key > c.dkey:
			c.dkey = key
			c.d = d

	def add_progress(self, src, key, o):
		case_no, t, st, chash = parse_progress(o)
		self.progress += 1
		c = self.case((src, case_no))
		c.has_rows = True
		if st in ACCEPT_STATUSES:
			c.p_acc = earliest(c.p_acc, t)
		if st == 9:
			c.p_9 = earliest(c.p_9, t)
		elif st == 10:
			c.p_10 = earliest(c.p_10, t)
		elif st in (7, 8):
			c.p_close = earliest(c.p_close, t)
		if t <= self.t1:
			if c.st_time is None or t > c.st_time:
				c.st_time = t
				c.st_rows = {(st, chash): key}
			elif t == c.st_time:
				k = (st, chash)
				prev = c.st_rows.get(k)
				if prev is None or key < prev:
					c.st_rows[k] = key


# ---------------------------------------------------------------- milestones

def due_at(d, t):
	"""docs/counting.md §2 due_at(t): "" when the case has no due date at t."""
	rounds = d[D_ROUNDS]
	if not rounds:
		return d[D_DUE]
	received = [r for r in rounds if r[1] != "" and r[1] <= t]
	if received:
		# last by NgayTiepNhanBoSung; equal times: the one sent later
		best = received[0]
		for r in received[1:]:
			if r[1] >= best[1]:
				best = r
		return best[3]
	requested = [r for r in rounds if r[0] != ""]
	if requested:
		first = requested[0]
		for r in requested[1:]:
			if r[0] < first[0]:
				first = r
		return first[2] if first[2] != "" else d[D_DUE]
	return d[D_DUE]


def milestones(c):
	"""Return None for a case that is not received, else
	(accepted_at, end_at or None, end_kind 'R'/'C'/None, clamped)."""
	d = c.d
	st = d[D_STATUS]
	if st in (1, 3):
		return None
	accepted = d[D_ACCEPTED] or c.p_acc
	if not accepted:
		return None
	finished = c.p_9 or c.p_10
	if finished is None and st in (9, 10):
		finished = d[D_END] or d[D_RETURNED] or c.at_fin
	closed = c.p_close
	if closed is None and st in (7, 8):
		closed = d[D_END] or d[D_REFUSED] or (c.at_st7 if st == 7 else c.at_st8)
	if finished is not None and (closed is None or finished <= closed):
		end, kind = finished, "R"
	elif closed is not None:
		end, kind = closed, "C"
	else:
		end, kind = None, None
	clamped = False
	if end is not None and end < accepted:
		end, clamped = accepted, True
	return accepted, end, kind, clamped


def status_at_t1(c, accepted, end, kind):
	if c.has_rows:
		if c.st_rows is None:
			return None
		k = max(c.st_rows, key=lambda k: c.st_rows[k])
		return k[0]
	# implied history: 2 at accepted_at, then 9 or 7/8 at the end
	# (only in-progress cases are asked, so the end is after T1)
	return 2


# ---------------------------------------------------------------- units

class Units:
	"""The unit catalogue; a case's unit is judged among the units valid on
	its acceptance date (a name two of them bear that day: none)."""

	def __init__(self, path):
		self.parent = {}
		self.valid = {}
		self.by_name = {}
		with open(path, newline="", encoding="utf-8-sig") as f:
			for row in csv.DictReader(f):
				code = row["code"].strip()
				self.parent[code] = (row.get("parent_code") or "").strip() or None
				self.valid[code] = ((row.get("valid_from") or "").strip() or "0000-00-00",
						    (row.get("valid_to") or "").strip() or "9999-99-99")
				names = [row.get("name") or ""]
				names += (row.get("aliases") or "").split("|")
				for n in names:
					k = fold_name(n)
					if k and code not in self.by_name.setdefault(k, []):
						self.by_name[k].append(code)

	def valid_on(self, code, day):
		return day is None or self.valid[code][0] <= day <= self.valid[code][1]

	def resolve(self, case_no, unit_name, day=None):
		"""day: "YYYY-MM-DD", or None to consider every unit."""
		i = case_no.find("-")
		agency = case_no[:i] if i >= 0 else case_no
		if agency in self.parent and self.valid_on(agency, day):
			return agency
		codes = [c for c in self.by_name.get(fold_name(unit_name), []) if self.valid_on(c, day)]
		return codes[0] if len(codes) == 1 else None

	def within(self, code, scope):
		seen = set()
		while code is not None and code not in seen:
			if code == scope:
				return True
			seen.add(code)
			code = self.parent.get(code)
		return False


# ---------------------------------------------------------------- summary

def summarise(oracle, t0, t1, to_date, units=None, scope=None):
	n = dict.fromkeys(COLUMNS[:-1], 0)
	inconsistent = 0
	for (src, case_no), c in oracle.cases.items():
		if c.d is None:
			continue  # progress rows still waiting for their dossier
		m = milestones(c)
		if m is None:
			continue
		accepted, end, kind, clamped = m
		if units is not None:
			day = "%s-%s-%s" % (accepted[0:4], accepted[4:6], accepted[6:8])
			code = units.resolve(case_no, c.d[D_UNIT], day)
			if code is None or not units.within(code, scope):
				continue
		inconsistent += clamped
		if accepted > t1:
			continue
		if accepted < t0:
			if end is not None and end < t0:
				continue
			n["carried_over"] += 1
		else:
			ch = c.d[D_CHANNEL]
			if ch == 2:
				n["received_online"] += 1
			elif ch == 3:
				n["received_postal"] += 1
			else:
				n["received_direct"] += 1
			if c.d[D_DIGITISED]:
				n["digitised_at_intake"] += 1
		# every case below is in received_total and has end >= T0 or none
		if end is None or end > t1:
			n["in_progress_total"] += 1
			due = due_at(c.d, t1)
			if due == "" or due[:8] >= to_date:
				n["in_progress_in_time"] += 1
			else:
				n["in_progress_overdue"] += 1
			if status_at_t1(c, accepted, end, kind) in (5, 6):
				n["in_progress_paused"] += 1
		elif kind == "R":
			n["resolved_total"] += 1
			due = due_at(c.d, end)
			if due == "" or end[:8] == due[:8]:
				n["resolved_on_time"] += 1
			elif end[:8] < due[:8]:
				n["resolved_early"] += 1
			else:
				n["resolved_late"] += 1
		else:
			n["closed_other"] += 1
	n["received_in_period"] = (n["received_online"] + n["received_direct"]
		+ n["received_postal"])
	n["received_total"] = n["carried_over"] + n["received_in_period"]
	num = n["resolved_early"] + n["resolved_on_time"]
	den = n["resolved_total"]
	if den:
		q = 10000 * num // den
		n["on_time_rate"] = "%d.%02d" % (q // 100, q % 100)
	else:
		n["on_time_rate"] = None
	assert n["received_total"] == n["resolved_total"] + \
		n["in_progress_total"] + n["closed_other"]
	return n, inconsistent


def parse_day(s):
	try:
		return datetime.date.fromisoformat(s)
	except ValueError:
		raise argparse.ArgumentTypeError("not an ISO date: %r" % s)


def main(argv=None):
	ap = argparse.ArgumentParser(description="Reference period summary "
		"(docs/counting.md §3) computed from raw DVCQG JSON Lines files.")
	ap.add_argument("--from", dest="date_from", required=True, type=parse_day)
	ap.add_argument("--to", dest="date_to", required=True, type=parse_day)
	ap.add_argument("--units", help="units.csv (unit catalogue)")
	ap.add_argument("--unit", help="unit code: count it and its sub-units")
	ap.add_argument("--json", action="store_true", help="print a JSON object")
	ap.add_argument("--report", action="store_true",
		help="print reading counts and reject reasons on stderr")
	ap.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
	a = ap.parse_args(argv)
	if (a.units is None) != (a.unit is None):
		ap.error("--units and --unit go together")
	if a.date_to < a.date_from:
		ap.error("--to is before --from")
	t0 = a.date_from.strftime("%Y%m%d") + "000000"
	to_date = a.date_to.strftime("%Y%m%d")
	t1 = to_date + "235959"
	units = Units(a.units) if a.units else None
	global KEEP_UNIT
	KEEP_UNIT = units is not None
	oracle = Oracle(t1)
	try:
		files = walk(a.paths)
		for i, path in enumerate(files, 1):
			oracle.read_file(i, path)
	except (FileError, OSError) as e:
		print("hoso_oracle: %s" % e, file=sys.stderr)
		return 1
	n, inconsistent = summarise(oracle, t0, t1, to_date, units, a.unit)
	if a.report:
		print("files %d dossiers %d progress %d other_messages %d rejects %d "
			"cases %d inconsistent %d" % (len(files), oracle.dossiers,
			oracle.progress, oracle.other_messages, oracle.rejects,
			sum(1 for c in oracle.cases.values() if c.d is not None),
			inconsistent), file=sys.stderr)
		for why, where in oracle.reject_reasons.items():
			print("reject: %s (first at %s)" % (why, where), file=sys.stderr)
	if a.json:
		print(json.dumps({k: n[k] for k in COLUMNS}))
	else:
		for k in COLUMNS:
			print("%s %s" % (k, "NULL" if n[k] is None else n[k]))
	return 0


if __name__ == "__main__":
	sys.exit(main())
