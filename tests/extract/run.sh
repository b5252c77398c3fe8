#!/bin/sh
# tests/extract/run.sh: hoso-extract end to end on the fixtures beside this
# script: exact records, exact diagnostics, exit statuses.  Exits non-zero on
# the first failure.  Usage: tests/extract/run.sh [path/to/hoso-extract]
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${HOSO_BIN:-$here/../../bin}/hoso-extract}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 1
cp "$here"/*.jsonl .
failures=0
tests=0
TAB=$(printf '\t')

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect_rc NAME WANT GOT
expect_rc() {
	tests=$((tests + 1))
	[ "$2" = "$3" ] || fail "$1: exit status $3, expected $2"
}

# expect_same NAME WANTFILE GOTFILE
expect_same() {
	tests=$((tests + 1))
	if ! cmp -s "$2" "$3"; then
		fail "$1: output differs"
		diff "$2" "$3" | head -20 >&2
	fi
}

# expect_line NAME FILE LINE: FILE has exactly LINE as one of its lines
expect_line() {
	tests=$((tests + 1))
	grep -qxF -- "$3" "$2" || { fail "$1: no line '$3' in:"; head -5 "$2" >&2; }
}

f_record() {	# F record of file number $1 for path $2
	printf 'F\t%s\t%s\t%s\t%s\tdvcqg-jsonl\n' "$1" "$2" "$(wc -c < "$2" | tr -d ' ')" \
		"$(sha256sum < "$2" | cut -d' ' -f1)"
}

# --- a clean file: every D/P field and derived flag, BOM, CRLF, empty line
"$bin" ok.jsonl > out 2> err; expect_rc ok 0 $?
{ echo "H${TAB}hoso-records${TAB}1"; f_record 1 ok.jsonl; cat "$here/ok.records"; } > want
expect_same ok-records want out
expect_same ok-stderr /dev/null err

# --- the same content as multi-member gzip, a BOM at the start of each member
head -n 2 ok.jsonl | gzip -c > multi.gz
{ printf '\357\273\277'; tail -n +3 ok.jsonl; } | gzip -c >> multi.gz
"$bin" multi.gz > out 2> err; expect_rc multi-gzip 0 $?
{ echo "H${TAB}hoso-records${TAB}1"; f_record 1 multi.gz; cat "$here/ok.records"; } > want
expect_same multi-gzip want out

# --- standard input, and file numbers in argument order
"$bin" ok.jsonl - < multi.gz > out 2> err; expect_rc stdin 0 $?
tests=$((tests + 1))
[ "$(grep -c "^F${TAB}2${TAB}-${TAB}$(wc -c < multi.gz | tr -d ' ')${TAB}" out)" = 1 ] || fail "stdin: no F record for file 2"
expect_line stdin out "$(sed -n 's/^E\t1\t/E\t2\t/p' "$here/ok.records")"

# --- every kind of reject: exact X records and warnings; exit 0
"$bin" --max-line-bytes 200 --reject-file rej.jsonl rejects.jsonl > out 2> err
expect_rc rejects 0 $?
grep '^X' out | cut -f1-6 > got
expect_same rejects-records "$here/rejects.records" got
expect_same rejects-stderr "$here/rejects.stderr" err
expect_line rejects-E out "E${TAB}1${TAB}20${TAB}10${TAB}1${TAB}0${TAB}0${TAB}20${TAB}{}"
# personal data: in neither the X records nor the reject file, which holds
# the same allowlisted raw copy and where to find the line
tests=$((tests + 1))
grep '^X' out | grep -q 'Lê C' && fail "rejects: personal data in an X record"
tests=$((tests + 1))
grep -q 'Lê C' rej.jsonl && fail "reject file: personal data"
tests=$((tests + 1))
grep -q '"line":2,"byte_offset":155,"field":"NgayTiepNhan",.*"raw":"{' rej.jsonl || fail "reject file: line 2 missing or without its raw copy"
tests=$((tests + 1))
[ "$(wc -l < rej.jsonl)" = 20 ] || fail "reject file: $(wc -l < rej.jsonl) lines, expected 20"
tests=$((tests + 1))
[ "$(stat -c %a rej.jsonl)" = 600 ] || fail "reject file: mode $(stat -c %a rej.jsonl), expected 600"
# the raw of a JSON reject is the line without personal keys; \N when not JSON
expect_line rejects-raw out "$(printf 'X\t1\t2\t155\tNgayTiepNhan\tinvalid date "20231345081500"\t{"_at":"20231027101503","_src":"S","service":"DongBoHoSoMC","data":[{"MaHoSo":"A-3","MaTTHC":"1","TrangThaiHoSo":"2","NgayTiepNhan":"20231345081500"}]}')"
expect_line rejects-raw-null out "$(printf 'X\t1\t18\t1894\t-\tinvalid UTF-8 at column 34\t\\N')"

# --- warnings are capped per file; the rest are counted
i=0; : > many.jsonl
while [ $i -lt 25 ]; do echo '{' >> many.jsonl; i=$((i + 1)); done
"$bin" many.jsonl > out 2> err; expect_rc cap 0 $?
tests=$((tests + 1))
[ "$(grep -c 'warning: many.jsonl:[0-9]*: invalid JSON' err)" = 20 ] || fail "cap: not 20 warnings"
expect_line cap err "hoso-extract: warning: many.jsonl: 5 more rejects not shown"
expect_line cap out "E${TAB}1${TAB}25${TAB}0${TAB}0${TAB}0${TAB}0${TAB}25${TAB}{}"

# --- personal data hashed with the key from the environment
key=0123456789abcdef0123456789abcdef
HOSO_HMAC_KEY=$key "$bin" --personal-data hash ok.jsonl > out 2> err; expect_rc hash 0 $?
want_hash=$(printf 'Nguyễn Văn A|001' | openssl dgst -sha256 -hmac $key | sed 's/.* //')
tests=$((tests + 1))
[ "$(grep '^D' out | head -1 | cut -f29)" = "$want_hash" ] || fail "hash: applicant_hash"
want_hash=$(printf 'Trần B|Chuyên viên' | openssl dgst -sha256 -hmac $key | sed 's/.* //')
tests=$((tests + 1))
[ "$(grep '^P' out | head -1 | cut -f14)" = "$want_hash" ] || fail "hash: handler_hash"
want_hash=$(printf '|' | openssl dgst -sha256 -hmac $key | sed 's/.* //')
tests=$((tests + 1))
[ "$(grep '^D' out | sed -n 2p | cut -f29)" = "$want_hash" ] || fail "hash: empty personal data"

# --- files that cannot be read to their end: exit 1, path:line: byte offset
size=$(wc -c < ok.jsonl | tr -d ' ')
gzip -c ok.jsonl > good.gz
n=$(wc -c < good.gz | tr -d ' ')
head -c $((n - 4)) good.gz > trunc.gz
"$bin" trunc.gz > out 2> err; expect_rc truncated 1 $?
expect_line truncated err "hoso-extract: error: trunc.gz:7: byte offset $size: truncated gzip stream"
cp good.gz badcrc.gz
printf '\377' | dd of=badcrc.gz bs=1 seek=$((n - 8)) conv=notrunc 2>/dev/null
"$bin" badcrc.gz > out 2> err; expect_rc bad-crc 1 $?
expect_line bad-crc err "hoso-extract: error: badcrc.gz:7: byte offset $size: bad CRC (gzip data check failed)"
{ cat good.gz; printf 'garbage'; } > trailing.gz
"$bin" trailing.gz > out 2> err; expect_rc trailing 1 $?
expect_line trailing err "hoso-extract: error: trailing.gz:7: byte offset $size: trailing data after the end of the gzip stream"
# a later file is not read after a failure
"$bin" ok.jsonl trunc.gz ok.jsonl > out 2> err; expect_rc stop 1 $?
tests=$((tests + 1))
[ "$(grep -c '^F' out)" = 2 ] || fail "stop: read past the failed file"

# --- not gzip, not text
printf 'PK\003\004\024\000\000\000' > a.zip
"$bin" a.zip > out 2> err; expect_rc zip 1 $?
expect_line zip err "hoso-extract: error: a.zip: looks like a zip archive, not gzip or UTF-8 text"
printf '\177ELF\002\001\001\000\000\000' > a.out
"$bin" a.out > out 2> err; expect_rc elf 1 $?
expect_line elf err "hoso-extract: error: a.out: looks like an ELF executable, not gzip or UTF-8 text"
printf 'BZh91AY&SY' > a.bz2
"$bin" a.bz2 > out 2> err; expect_rc bzip2 1 $?
expect_line bzip2 err "hoso-extract: error: a.bz2: looks like bzip2 data, not gzip or UTF-8 text"
head -c 4096 /dev/zero > zeros
"$bin" zeros > out 2> err; expect_rc zeros 1 $?
expect_line zeros err "hoso-extract: error: zeros: looks like binary data (NUL bytes), not gzip or UTF-8 text"
"$bin" missing.jsonl > out 2> err; expect_rc missing 1 $?
expect_line missing err "hoso-extract: error: missing.jsonl: cannot open: No such file or directory"

# --- empty files and empty gzip members contribute nothing
: > empty.jsonl
"$bin" empty.jsonl > out 2> err; expect_rc empty 0 $?
expect_line empty out "E${TAB}1${TAB}0${TAB}0${TAB}0${TAB}0${TAB}0${TAB}0${TAB}{}"
{ printf '' | gzip -c; gzip -c ok.jsonl; printf '' | gzip -c; } > hollow.gz
"$bin" hollow.gz > out 2> err; expect_rc empty-members 0 $?
expect_line empty-members out "$(grep '^E' "$here/ok.records")"

# --- usage
"$bin" --bogus > out 2> err; expect_rc usage 2 $?
expect_line usage err 'hoso-extract: error: unknown option "--bogus"'
"$bin" --format csv-x ok.jsonl > out 2> err; expect_rc format 2 $?
expect_line format err 'hoso-extract: error: unknown format "csv-x" (known: dvcqg-jsonl)'
env -u HOSO_HMAC_KEY "$bin" --personal-data hash ok.jsonl > out 2> err; expect_rc no-key 2 $?
expect_line no-key err "hoso-extract: error: --personal-data hash needs the key in the environment variable HOSO_HMAC_KEY, which is not set"
HOSO_HMAC_KEY=0123456789abcdef0123456789abcde "$bin" --personal-data hash ok.jsonl > out 2> err; expect_rc short-key 2 $?
expect_line short-key err "hoso-extract: error: --personal-data hash needs a key of at least 32 bytes in HOSO_HMAC_KEY, which has 31 (make one with: openssl rand -hex 32)"
"$bin" --max-line-bytes 0 ok.jsonl > out 2> err; expect_rc max-line 2 $?
"$bin" --help > out 2> err; expect_rc help 0 $?
"$bin" --version > out 2> err; expect_rc version 0 $?
tests=$((tests + 1))
grep -q '^hoso-extract ' out || fail "version: no version line"
"$bin" --log-format json many.jsonl > out 2> err; expect_rc json-log 0 $?
tests=$((tests + 1))
grep -q '^{"ts":"[^"]*","level":"warning","program":"hoso-extract","run_id":null,"event":"[a-z_]*","msg":"many.jsonl:1: invalid JSON' err || fail "json-log: not JSON diagnostics"

# --- the reject file: never through a symbolic link, only a regular file
echo "someone else's" > target
ln -s target link.jsonl
"$bin" --reject-file link.jsonl rejects.jsonl > out 2> err; expect_rc reject-symlink 1 $?
expect_line reject-symlink err "hoso-extract: error: link.jsonl: cannot open the reject file: it is a symbolic link"
tests=$((tests + 1))
[ "$(cat target)" = "someone else's" ] && [ "$(stat -c %a target)" != 600 ] || fail "reject-symlink: the link's target was written or chmodded"
mkfifo fifo.jsonl
"$bin" --reject-file fifo.jsonl rejects.jsonl > out 2> err; expect_rc reject-fifo 1 $?
expect_line reject-fifo err "hoso-extract: error: fifo.jsonl: cannot open the reject file: not a regular file"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	: > theirs.jsonl
	chown nobody theirs.jsonl
	"$bin" --reject-file theirs.jsonl rejects.jsonl > out 2> err; expect_rc reject-owner 1 $?
	expect_line reject-owner err "hoso-extract: error: theirs.jsonl: cannot open the reject file: not a file of the user running hoso"
fi

# --- text logs show control characters in file names escaped
name=$(printf 'bad\rname\033[2J.jsonl')
echo '{' > "$name"
"$bin" "$name" > out 2> err; expect_rc escaped-name 0 $?
expect_line escaped-name err 'hoso-extract: warning: bad\x0dname\x1b[2J.jsonl:1: invalid JSON at column 2: expected a string key in object, found end of line'

# --- input semantics: a whole number in exponent form is that number, a
# key given twice is a reject naming it, a year outside 2000..tomorrow is
# implausible (and --dates-from/--dates-to move the window)
sem() {	# sem NAME STATUS EXTRA: one dossier line
	printf '{"_at":"20230301170000","_src":"S","service":"DongBoHoSoMC","data":[{"MaHoSo":"%s","MaTTHC":"1.000001","NgayTiepNhan":"%s","TrangThaiHoSo":%s%s}]}\n' "$1" "${4:-20230301080000}" "$2" "$3"
}
{
	sem E1 1e1 ''
	sem E2 2.5 ''
	sem D1 '"4"' ',"MaHoSo":"OTHER"'
	sem Y1 '"4"' '' 19000301080000
	sem Y2 '"4"' '' 21000301080000
	# a due date is no event: 1970, as systems write an unset one, is kept
	sem U1 '"4"' ',"NgayHenTra":"19700101000000"'
} > sem.jsonl
"$bin" sem.jsonl > out 2> err; expect_rc semantics 0 $?
tests=$((tests + 1))
[ "$(grep '^D' out | cut -f7,16 | tr '\t' ' ' | grep '^E')" = "E1 10" ] || fail "semantics: 1e1 is not status 10: $(grep '^D' out | cut -f7,16)"
tests=$((tests + 1))
grep -q "^X${TAB}1${TAB}2${TAB}[0-9]*${TAB}TrangThaiHoSo${TAB}unknown status \"2.5\"" out || fail "semantics: 2.5 is not rejected as a status"
tests=$((tests + 1))
grep -q "^X${TAB}1${TAB}3${TAB}[0-9]*${TAB}MaHoSo${TAB}duplicated key" out || fail "semantics: a duplicated MaHoSo is not a reject naming it"
tests=$((tests + 1))
grep -q "^X${TAB}1${TAB}4${TAB}[0-9]*${TAB}NgayTiepNhan${TAB}implausible date \"19000301080000\" (outside 2000-01-01 .. " out || fail "semantics: year 1900 accepted"
tests=$((tests + 1))
grep -q "^X${TAB}1${TAB}5${TAB}[0-9]*${TAB}NgayTiepNhan${TAB}implausible date \"21000301080000\"" out || fail "semantics: year 2100 accepted"
tests=$((tests + 1))
grep '^D' out | grep -q "U1.*19700101000000" || fail "semantics: a 1970 due date (NgayHenTra) is rejected"
"$bin" --dates-from 1900-01-01 --dates-to 2100-12-31 sem.jsonl > out 2> err; expect_rc semantics-window 0 $?
tests=$((tests + 1))
[ "$(grep -c '^D' out)" = 4 ] || fail "semantics: --dates-from/--dates-to do not widen the window"

echo "tests/extract: $tests checks, $failures failed"
[ $failures = 0 ]
