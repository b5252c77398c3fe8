#!/bin/sh
# pg.sh: a private, throwaway PostgreSQL 15 on a Unix socket.
#
#   pg.sh start DIR    create (if needed) and start a cluster in DIR/data,
#                      socket in DIR; prints the environment to eval
#   pg.sh stop DIR     stop it (fast); safe when it is not running
#   pg.sh kill DIR     stop it as a crash would (immediate: no shutdown
#                      checkpoint, sessions cut); for fault tests
#   pg.sh env DIR      print the environment of a running cluster
#
# The server never listens on TCP.  As root, the cluster runs as the
# postgres user (initdb refuses root), so DIR is handed to postgres, and
# every directory above DIR must let postgres through (a clone under a
# 0700 home does not: put DIR elsewhere, as scripts/demo.sh does).
set -eu
cmd=${1:-}
dir=${2:-}
# absolute: the server's commands run from / (below), and PGHOST needs it
case $dir in '' | /*) ;; *) dir=$(pwd)/$dir ;; esac
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || { command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v pg_ctl)"; } || true)}
if [ "$cmd" = start ] && [ ! -x "$PGBIN/initdb" ]; then
	echo "pg.sh: no PostgreSQL server programs (initdb, pg_ctl) found; install postgresql-15" \
	     "(make deps), or point PGHOST/PGDATABASE at a server you have" >&2
	exit 1
fi

# from /: postgres may not enter the caller's directory (a 0700 home), and
# pg_ctl would say so ("could not change directory ... Permission denied")
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

print_env() {
	echo "export PGHOST='$dir' PGPORT=5432 PGUSER=postgres PGDATABASE=postgres"
}

case $cmd in
start)
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || {
			echo "pg.sh: as root the server must run as the postgres user, and there is" \
			     "none; install postgresql-15 (make deps) or run as an ordinary user" >&2
			exit 1
		}
		chown postgres "$dir"
		runuser -u postgres -- test -w "$dir" || {
			echo "pg.sh: the postgres user cannot reach $dir (a directory above it is" \
			     "closed to other users, mode 0700?); choose a directory it can reach" >&2
			exit 1
		}
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 \
			--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 1; }
	fi
	# already running (a demo run before, say): reuse it
	if as_owner "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
		print_env
		exit 0
	fi
	# fsync off: a throwaway server; nothing here must survive a power cut
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-k '$dir' -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c shared_buffers=256MB -c work_mem=64MB -c maintenance_work_mem=256MB" \
		start >/dev/null ||
		{ cat "$dir/server.log" >&2; exit 1; }
	print_env
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	;;
kill)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	;;
env)
	print_env
	;;
*)
	echo "usage: pg.sh start|stop|kill|env DIR" >&2
	exit 2
	;;
esac
