#!/bin/sh
# Secrets never travel where other users can read them: a connection string
# carrying a password or sslpassword (itself, or inside a value that is
# itself a connection string) is refused without being printed; the stages
# get the connection string in their environment, never on their command
# line (ps shows it to every local user); a short HMAC key is refused.
. "$HOSO_ROOT/tests/integration/lib.sh"

fresh_db secrets
mkdir -p "$work/input" "$work/bin"
printf '{"_at":"20230301170000","_src":"S","service":"DongBoHoSoMC","data":[{"MaHoSo":"S-1","MaTTHC":"1.000001","KenhThucHien":"2","NgayTiepNhan":"20230301080000","NgayHenTra":"20230306170000","TrangThaiHoSo":"4"}]}\n' >"$work/input/a.jsonl"
# with_conninfo CONNINFO: the test pipeline with that target
with_conninfo() {
	pipeline_for "$work" "$work/p.yaml"
	printf 'target:\n  conninfo: "%s"\n' "$1" >>"$work/p.yaml"
}
refused() {
	name=$1 conninfo=$2 secret=$3 keyword=$4
	with_conninfo "$conninfo"
	rc=0; out=$("$HOSO" run "$work/p.yaml" --date 2023-03-01 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "$name: accepted"
	assert_contains "$out" "$keyword" "$name: refused, naming the keyword"
	case $out in *"$secret"*) fail "$name: the secret is printed" ;; *) say "ok: $name: the secret is not printed" ;; esac
}
refused "password" "dbname=secrets password=Secret1x" Secret1x password
refused "sslpassword" "dbname=secrets sslpassword=Secret2x" Secret2x sslpassword
refused "password inside a dbname" "dbname='host=/nowhere password=Secret3x'" Secret3x password
refused "password in a URI" "postgresql://u:Secret4x@localhost/secrets" Secret4x password
assert_eq "$(q -c "SELECT count(*) FROM hoso.run" 2>/dev/null || echo 0)" 0 "nothing ran"
# a national topology's connection strings pass the same check, with their place
printf 'coordinator: "dbname=secrets"\nshards:\n  - name: north\n    conninfo: "dbname=%s"\n    provinces: [H01]\n' \
	"'host=/nowhere sslpassword=Secret5x'" >"$work/topology.yaml"
rc=0; out=$("$HOSO" shard status "$work/topology.yaml" 2>&1) || rc=$?
assert_eq "$rc" 2 "topology with a nested sslpassword: exit 2"
assert_contains "$out" "sslpassword" "topology: refused, naming the keyword"
assert_contains "$out" "topology.yaml:4:" "topology: refused at its line"
case $out in *Secret5x*) fail "topology: the secret is printed" ;; *) say "ok: topology: the secret is not printed" ;; esac

# the stages' command lines: a stand-in transform records its argv and
# whether the connection string is in its environment, then runs the real one
for p in hoso hoso-extract hoso-load; do cp "$HOSO_BIN/$p" "$work/bin/"; done
cat >"$work/bin/hoso-transform" <<SH
#!/bin/sh
printf '%s\n' "\$*" >"$work/transform.argv"
printf '%s\n' "\${HOSO_CONNINFO:-unset}" >"$work/transform.env"
exec "$HOSO_BIN/hoso-transform" "\$@"
SH
chmod +x "$work/bin/hoso-transform"
with_conninfo "dbname=secrets application_name=marker"
rc=0; out=$(HOSO_SCHEMA_DIR="$HOSO_ROOT/schemas" "$work/bin/hoso" run "$work/p.yaml" --date 2023-03-01 2>&1) || rc=$?
assert_eq "$rc" 0 "a run with a connection string in the pipeline"
assert_eq "$(grep -c 'dbname=' "$work/transform.argv")" 0 "the connection string is not on the transform's command line"
assert_eq "$(cat "$work/transform.env")" "dbname=secrets application_name=marker" "... but in its environment"
assert_eq "$(q -c "SELECT count(*) FROM hoso.case_fact")" 1 "... and the load used it"

# a short HMAC key
sed 's/S-1/S-2/' "$work/input/a.jsonl" >"$work/input/b.jsonl"
pipeline_for "$work" "$work/p.yaml"
echo "personal_data: hash" >>"$work/p.yaml"
rc=0; out=$(HOSO_HMAC_KEY=short "$HOSO" run "$work/p.yaml" --date 2023-03-02 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "a 5-byte HMAC key is accepted"
assert_contains "$out" "a key of at least 32 bytes" "a short HMAC key is refused"
finish
