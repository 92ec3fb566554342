#!/usr/bin/env bash
# Several replicas on PostgreSQL, measured beside SQLite in one run, everything on 127.0.0.1:
#   1. accepted events/s at CONNS connections, DURATION s each (unique signed events, queue mode, a fast
#      upstream taking the deliveries at the same time): SQLite with one relay, PostgreSQL with one
#      relay, PostgreSQL with two relays behind the HA load balancer (deploy/nginx-ha.conf, real nginx).
#      For each: CPU per event of the relays and of PostgreSQL (its server process, live backends and
#      the ended ones it reaped), and, until every event is delivered, PostgreSQL statements and their
#      execution time (pg_stat_statements), WAL bytes (pg_stat_wal) and table + index bytes per event;
#   2. delivered events/s against an upstream that takes 50 ms, RELAY_CONCURRENCY=64 per relay
#      (bound 1,280/s per relay), one and two relays on PostgreSQL, BACKLOG events queued first.
#   bench/replicas.sh             # DURATION=10 CONNS=64 BACKLOG=10000 PHASES="1 2"
# Needs: nginx, libnginx-mod-http-js, wrk, postgresql (scripts/postgres.sh), python3.
set -euo pipefail
DURATION=${DURATION:-10} CONNS=${CONNS:-64} BACKLOG=${BACKLOG:-10000} PHASES=${PHASES:-1 2}
STATE=$(mktemp -d /tmp/feedback-relay-replicas.XXXXXX)
chmod 755 "$STATE"   # the PostgreSQL server runs as its own user
source "$(dirname "$0")/lib.sh"
export POSTGRES_DIR=$STATE/postgres PGPORT=18097
stop_postgres() { scripts/postgres.sh stop || true; }
trap 'stop_postgres; cleanup' EXIT
BALANCER_PORT=18099
admin=$(scripts/postgres.sh start)
psql_admin() { psql -qAtX "${admin%%\?*}" -c "$1"; }
psql_admin "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"

relays=()
relay() {  # relay STORE PORT: start one relay (management on PORT+1)
  env -i PATH=/usr/bin:/bin ELEVENLABS_API_KEY=sk_bench_relay ELEVENLABS_BASE_URL=http://127.0.0.1:18090 \
    RELAY_ALLOW_INSECURE_UPSTREAM=true RELAY_LISTEN=127.0.0.1:$2 RELAY_MANAGEMENT_LISTEN=127.0.0.1:$(($2 + 1)) \
    RELAY_STORE="$1" RELAY_CONCURRENCY=64 RELAY_LOG_LEVEL="${RELAY_LOG_LEVEL:-info}" \
    RELAY_ROUTE_BENCH_PRESET=token RELAY_ROUTE_BENCH_SECRET=bench-token RELAY_ROUTE_BENCH_TOKEN_HEADER=X-Relay-Token \
    RELAY_ROUTE_BENCH_CONVERSATION_ID=/conversation_id RELAY_ROUTE_BENCH_FEEDBACK=/rating RELAY_ROUTE_BENCH_LIKE=good \
    RELAY_ROUTE_BENCH_EVENT_ID=/id "$BIN" serve >>"$STATE/relay-$2.log" 2>&1 &
  relays+=($!)
  pids+=($!)
  wait_port "$2"
}
stop_relays() {
  for pid in "${relays[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${relays[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
  relays=()
}
balancer() {  # the HA load balancer in front of the relays on RELAY_PORT and RELAY_PORT+2
  scripts/nginx-ha-local.sh $RELAY_PORT $((RELAY_PORT + 2)) $BALANCER_PORT "$STATE/balancer" >"$STATE/balancer.conf"
  nginx -p "$STATE/" -c "$STATE/balancer.conf" -g 'daemon off;' &
  balancer_pid=$!
  pids+=("$balancer_pid")
  wait_port $BALANCER_PORT
}
fresh_database() {  # a new, empty database on the server; its URL
  local name=bench_$RANDOM$RANDOM
  psql_admin "CREATE DATABASE $name"
  echo "${admin/\/relay_test?//$name?}"
}
load() { unique_events "$1" "$2" "$CONNS" "$3"; }  # load PORT SECONDS RUN -> "rps p50 p99 non2xx requests"
cpu_seconds() {  # CPU seconds used so far by the given processes and their threads
  local ticks=0 pid
  for pid in "$@"; do
    [[ -r /proc/$pid/stat ]] && ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.3f", t / hz}'
}
postgres_cpu() {  # all postgres processes ever: live ones from /proc, ended backends from their parent's cutime
  local server
  server=$(head -1 "$POSTGRES_DIR/data/postmaster.pid")
  awk -v hz="$(getconf CLK_TCK)" '{t += $14 + $15 + $16 + $17} END {printf "%.3f", t / hz}' \
    "/proc/$server/stat" $(pgrep -P "$server" | sed 's|.*|/proc/&/stat|')
}
count() {  # count DATABASE_URL STATE: deliveries in that state
  psql -qAtX "${1%%\?*}" -c "SELECT count(*) FROM deliveries WHERE state = '$2'"
}
# Until nothing waits or is in flight, as the first relay's metrics say: asking the database with psql
# would start a server process each time, whose CPU would count as the events'.
drained() {
  until curl -s "http://127.0.0.1:$((RELAY_PORT + 1))/metrics" |
    awk '/^feedback_relay_queue_depth\{state="(waiting|in_flight)"\}/ {n += $2} END {exit n != 0}'; do sleep 0.2; done
}

echo "feedback-relay on PostgreSQL beside SQLite, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
phase() { [[ " $PHASES " == *" $1 "* ]]; }
if phase 1; then
  upstream fast
  echo "== 1. accepted events/s, ${DURATION}s at $CONNS connections (deliveries to a fast upstream at the same time)"
  printf '  %-12s %9s %8s %7s %14s %17s %18s %10s %10s\n' setup events/s p99_ms non2xx relay_cpu/evt postgres_cpu/evt stmts+exec/evt wal/evt disk/evt
  for setup in sqlite postgres-1 postgres-2; do
    case $setup in
      sqlite) store=sqlite:$STATE/data/relay.sqlite; relay "$store" $RELAY_PORT; port=$RELAY_PORT ;;
      postgres-1) store=$(fresh_database); relay "$store" $RELAY_PORT; port=$RELAY_PORT ;;
      postgres-2) store=$(fresh_database); relay "$store" $RELAY_PORT; relay "$store" $((RELAY_PORT + 2)); balancer; port=$BALANCER_PORT ;;
    esac
    load "$port" 2 "warm-$setup" >/dev/null
    drained
    if [[ $store == postgres* ]]; then
      psql_admin "SELECT pg_stat_statements_reset(), pg_stat_reset_shared('wal')" >/dev/null
    fi
    relay_before=$(cpu_seconds "${relays[@]}") pg_before=$(postgres_cpu)
    read -r rps _ p99 non2xx requests <<<"$(load "$port" "$DURATION" "run-$setup")"
    stmts=- wal=- disk=-
    drained
    relay_cpu=$(awk -v a="$relay_before" -v b="$(cpu_seconds "${relays[@]}")" -v n="$requests" 'BEGIN {printf "%.0f µs", 1e6 * (b - a) / n}')
    pg_cpu=$(awk -v a="$pg_before" -v b="$(postgres_cpu)" -v n="$requests" 'BEGIN {printf "%.0f µs", 1e6 * (b - a) / n}')
    [[ $store == sqlite* ]] && pg_cpu=-
    if [[ $store == postgres* ]]; then
      # Tables and indexes of what stays until the dedup window ends: a delivered row and its key.
      disk=$(psql -qAtX "${store%%\?*}" -c "SELECT pg_size_pretty((pg_total_relation_size('deliveries') + pg_total_relation_size('dedup_keys'))
        / (SELECT count(*) FROM deliveries))")
      stmts=$(psql_admin "SELECT round(sum(calls) / $requests::numeric, 1) || ' / ' || round(sum(total_exec_time)::numeric * 1000 / $requests) || ' µs'
        FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%'")
      wal=$(psql_admin "SELECT pg_size_pretty(round(wal_bytes / $requests)) FROM pg_stat_wal")
      psql_admin "SELECT calls, round(total_exec_time::numeric) || ' ms', left(regexp_replace(query, '\s+', ' ', 'g'), 80)
        FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 6" >"$STATE/statements-$setup.txt"
    fi
    printf '  %-12s %9s %8s %7s %14s %17s %18s %10s %10s\n' "$setup" "$rps" "$p99" "$non2xx" "$relay_cpu" "$pg_cpu" "$stmts" "$wal" "$disk"
    stop_relays
    [[ -n ${balancer_pid:-} ]] && { kill "$balancer_pid"; wait "$balancer_pid" 2>/dev/null || true; balancer_pid=; }
  done
  for setup in postgres-1 postgres-2; do
    echo "  $setup: statements by execution time (calls|total|statement):"
    sed 's/^/    /' "$STATE/statements-$setup.txt"
  done
fi

if phase 2; then
  echo "== 2. delivered events/s, upstream +50 ms, RELAY_CONCURRENCY=64 per relay, $BACKLOG events queued first"
  upstream delay
  for replicas in 1 2; do
    store=$(fresh_database)
    # The backlog goes in while the relays already deliver (at most 64 calls each, 50 ms a call); the rate
    # is measured once it is queued and the senders have stopped.
    for n in $(seq "$replicas"); do relay "$store" $((RELAY_PORT + 2 * (n - 1))); done
    BENCH_TOKEN=bench-token BENCH_RUN=backlog-$replicas wrk -t2 -c64 -d300s -s bench/unique.lua "http://127.0.0.1:$RELAY_PORT/hooks/bench" >/dev/null &
    wrk_pid=$!
    until (( $(count "$store" pending) + $(count "$store" delivered) >= BACKLOG )); do sleep 0.2; done
    kill "$wrk_pid"; wait "$wrk_pid" 2>/dev/null || true
    start_delivered=$(count "$store" delivered) start=$(date +%s.%N)
    sleep "$DURATION"
    end_delivered=$(count "$store" delivered) end=$(date +%s.%N)
    awk -v a="$start_delivered" -v b="$end_delivered" -v s="$start" -v e="$end" -v k="$replicas" \
      'BEGIN {r = (b - a) / (e - s); printf "  %d relay(s): delivered %.0f events/s = %.1f%% of %d/s\n", k, r, 100 * r / (1280 * k), 1280 * k}'
    stop_relays
  done
fi
