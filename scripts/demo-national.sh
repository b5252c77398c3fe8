#!/bin/sh
# demo-national.sh (make demo-national): the national warehouse end to end.
#
# Starts four private PostgreSQL servers (a coordinator, two shards, and
# one server that holds everything, to check against), generates the
# 63-province sample (hoso-gen --national, scale $HOSO_NATIONAL_SCALE,
# default 0.001 of Kon Tum's volume per unit of size), loads it through the
# shards and into the one server, then prints the provinces' ranking on the
# on-time rate for the 10 months of 2023 with Kon Tum's place "N/63", and
# whether it equals the one server's ranking.  The servers are stopped and
# their files removed at the end, also when it is interrupted.
#
# demo-national.sh stop (make demo-stop): stop the servers of a demo that
# was killed before it could (its directory is kept in .hoso/national-dir).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin"
scale=${HOSO_NATIONAL_SCALE:-0.001}
servers="c a b one"
stop_servers() {
	for s in $servers; do
		"$root/scripts/pg.sh" stop "$1/$s" >/dev/null 2>&1 || true
	done
	rm -rf "$1"
}
if [ "${1:-}" = stop ]; then
	if [ -f "$root/.hoso/national-dir" ]; then
		d=$(cat "$root/.hoso/national-dir")
		case $d in /var/tmp/hoso-national.*) stop_servers "$d" ;; esac
		rm -f "$root/.hoso/national-dir"
		echo "demo-national: stopped the servers in $d"
	fi
	exit 0
fi
dir=$(mktemp -d /var/tmp/hoso-national.XXXXXX)
chmod 755 "$dir"	# the servers run as postgres when we are root
mkdir -p "$root/.hoso"
echo "$dir" >"$root/.hoso/national-dir"
cleanup() {
	stop_servers "$dir"
	rm -f "$root/.hoso/national-dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
t_start=$(date +%s)
for s in $servers; do
	"$root/scripts/pg.sh" start "$dir/$s" >/dev/null
done
# pg.sh's clusters: superuser postgres, database postgres, socket in the directory
ci() { echo "host=$dir/$1 dbname=postgres user=postgres"; }
q() { psql -X -v ON_ERROR_STOP=1 -Atq "$@"; }

echo "demo-national: generating the 63 provinces (scale $scale) ..."
"$bin/hoso-gen" --national --scale "$scale" --out "$dir/nat"
list() { tail -n +2 "$dir/nat/provinces.csv" | cut -d, -f1 | sed -n "$1" | paste -sd, -; }
cat >"$dir/topology.yaml" <<EOF
coordinator: "$(ci c)"
shards:
  - name: north
    conninfo: "$(ci a)"
    provinces: [$(list 1,32p)]
  - name: south
    conninfo: "$(ci b)"
    provinces: [$(list 33,63p)]
EOF
"$bin/hoso" shard init "$dir/topology.yaml" 2>/dev/null
echo "demo-national: loading through the shards (2 at a time) ..."
t0=$(date +%s)
"$bin/hoso" shard run "$dir/topology.yaml" --jobs 2 --from 2022-06-01 --to 2024-08-31 \
	"$dir/nat/pipelines/"*.yaml >"$dir/shard-run.log" 2>&1 || { tail "$dir/shard-run.log"; exit 1; }
echo "demo-national: shards loaded in $(($(date +%s) - t0)) s"
"$bin/hoso" shard init "$dir/topology.yaml" 2>/dev/null	# the catalogues, now that shards have them
echo "demo-national: loading the same files into one server ..."
t0=$(date +%s)
ls "$dir/nat/pipelines/"*.yaml | PGHOST=$dir/one PGUSER=postgres PGDATABASE=postgres \
	xargs -P 2 -I{} "$bin/hoso" run --wait --from 2022-06-01 --to 2024-08-31 {} >"$dir/one.log" 2>&1 ||
	{ tail "$dir/one.log"; exit 1; }
echo "demo-national: one server loaded in $(($(date +%s) - t0)) s"
"$bin/hoso" shard status "$dir/topology.yaml" | grep -v "last load" || true

# "10 months of 2023" is a reporting period cut on the 15th (docs/counting.md §1)
ranking="SELECT rank, unit_code, unit_name, round(value * 100, 2), numerator, denominator, field_size
	   FROM hoso.unit_ranking('2022-12-15', '2023-10-14', 'TINH', 'on_time_rate')"
coord=$(PGHOST=$dir/c PGUSER=postgres PGDATABASE=postgres q -F ' | ' -c "$ranking")
one=$(PGHOST=$dir/one PGUSER=postgres PGDATABASE=postgres q -F ' | ' -c "$ranking")
echo
echo "Provinces ranked on the on-time rate, 10 months of 2023: 2022-12-15 .. 2023-10-14 (coordinator):"
echo "rank | code | province | on time % | on time | resolved | ranked"
printf '%s\n' "$coord"
kontum=$(printf '%s\n' "$coord" | grep ' 000.00.00.H34 ' | cut -d'|' -f1,7 | tr -d ' ' | tr '|' '/')
echo
echo "Kon Tum: ${kontum}"
if [ "$coord" = "$one" ]; then
	echo "check: the coordinator's ranking equals the one server's: yes"
else
	echo "check: the coordinator's ranking equals the one server's: NO"
	exit 1
fi
echo "demo-national: done in $(($(date +%s) - t_start)) s; stopping the servers"
