#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: its own data directory and port, on
# loopback only, run by an unprivileged user (Debian's `postgres` when started as root).
#   scripts/postgres.sh start   # prints the URL the tests read from RELAY_TEST_POSTGRES
#   scripts/postgres.sh stop
#   scripts/postgres.sh resume   # after stop: start it again on the same data (outage tests)
# Needs Debian's postgresql package. PGPORT (55432) and POSTGRES_DIR (/tmp/feedback-relay-postgres) move it.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $bin ]] || { echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2; exit 1; }
dir=${POSTGRES_DIR:-/tmp/feedback-relay-postgres}
port=${PGPORT:-55432}
password=relay-test-password
as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# The server keeps no descriptor of the caller's but its log: a caller waits for this script by the EOF
# of a descriptor it left open in it (Foundation's Process does), and must not wait for the server too.
serve() (
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    ((fd <= 2)) || eval "exec $fd>&-" 2>/dev/null || true
  done
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_preload_libraries=pg_stat_statements" start \
    </dev/null >/dev/null 2>&1 || { cat "$dir/server.log" >&2; exit 1; }
)

case ${1:-} in
start)
  if [[ -f $dir/data/postmaster.pid ]]; then as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '%s\n' "$password" >"$dir/password"
  [[ $(id -u) -ne 0 ]] || chown -R postgres "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U relay_admin --pwfile="$dir/password" -A scram-sha-256 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  serve
  # A role that may log in but not create tables (PostgreSQL 15 lets only a schema's owner create in it).
  PGPASSWORD=$password psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U relay_admin -d postgres \
    -c "CREATE DATABASE relay_test" -c "CREATE ROLE relay_no_rights LOGIN PASSWORD '$password'" >/dev/null
  echo "postgres://relay_admin:$password@127.0.0.1:$port/relay_test?sslmode=disable"
  ;;
stop)
  [[ ! -f $dir/data/postmaster.pid ]] || as_owner "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  ;;
resume)
  serve
  ;;
*)
  echo "usage: $0 start|stop|resume" >&2
  exit 2
  ;;
esac
