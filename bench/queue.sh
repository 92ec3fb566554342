#!/usr/bin/env bash
# Durable delivery, measured. Three phases, everything on 127.0.0.1, each bounded in time:
#   1. accepted events/s at CONNS connections, queue mode (202 after the SQLite commit reached the
#      disk) beside inline mode, same events, same machine, same run;
#   2. delivered events/s against an upstream that takes 50 ms, RELAY_CONCURRENCY=64 (bound 1,280/s);
#   3. the database's size after EVENTS accepted and delivered events and a retention sweep.
#   bench/queue.sh                          # DURATION=10 CONNS=64 BACKLOG=20000 EVENTS=1000000 PHASES="1 2 3"
# Needs: nginx, libnginx-mod-http-js, wrk, python3 (apt-get install -y nginx libnginx-mod-http-js wrk).
set -euo pipefail
DURATION=${DURATION:-10} CONNS=${CONNS:-64} BACKLOG=${BACKLOG:-20000} EVENTS=${EVENTS:-1000000} PHASES=${PHASES:-1 2 3}
STATE=$(mktemp -d /tmp/feedback-relay-queue.XXXXXX)
source "$(dirname "$0")/lib.sh"
relay() {  # relay MODE [extra env...]: (re)start the relay on a fresh or kept store
  [[ -n ${relay_pid:-} ]] && { kill "$relay_pid"; wait "$relay_pid" 2>/dev/null || true; }
  env ELEVENLABS_API_KEY=sk_bench_relay ELEVENLABS_BASE_URL=http://127.0.0.1:18090 RELAY_ALLOW_INSECURE_UPSTREAM=true \
    RELAY_LISTEN=127.0.0.1:$RELAY_PORT RELAY_MANAGEMENT_LISTEN=127.0.0.1:$MANAGEMENT_PORT RELAY_DELIVERY="$1" \
    RELAY_STORE="sqlite:$STATE/data/relay.sqlite" RELAY_CONCURRENCY=64 RELAY_LOG_LEVEL="${RELAY_LOG_LEVEL:-info}" \
    RELAY_ROUTE_BENCH_PRESET=token RELAY_ROUTE_BENCH_SECRET=bench-token RELAY_ROUTE_BENCH_TOKEN_HEADER=X-Relay-Token \
    RELAY_ROUTE_BENCH_CONVERSATION_ID=/conversation_id RELAY_ROUTE_BENCH_FEEDBACK=/rating RELAY_ROUTE_BENCH_LIKE=good \
    RELAY_ROUTE_BENCH_EVENT_ID=/id "${@:2}" "$BIN" serve >>"$STATE/relay.log" 2>&1 &
  relay_pid=$!
  pids+=("$relay_pid")
  wait_port $RELAY_PORT
}
load() { unique_events "$RELAY_PORT" "$@"; }  # load SECONDS CONNS RUN -> "rps p50 p99 non2xx requests"
count() {  # count STATE: deliveries in that state
  python3 -c "import sqlite3,sys; print(sqlite3.connect('file:$STATE/data/relay.sqlite?mode=ro', uri=True).execute(\"select count(*) from deliveries where state=?\", (sys.argv[1],)).fetchone()[0])" "$1"
}

echo "feedback-relay durable delivery, $(nproc) cores"
phase() { [[ " $PHASES " == *" $1 "* ]]; }
if phase 1; then
upstream fast
echo "== 1. accepted events/s, ${DURATION}s at $CONNS connections (fast upstream)"
for mode in queue inline; do
  relay "$mode"
  load 2 "$CONNS" "warm-$mode" >/dev/null
  read -r rps p50 p99 non2xx _ <<<"$(load "$DURATION" "$CONNS" "run-$mode")"
  printf '  %-6s %7s events/s  p50 %6s ms  p99 %6s ms  non-2xx %s\n' "$mode" "$rps" "$p50" "$p99" "$non2xx"
done
rm -rf "$STATE/data"
fi

if phase 2; then
echo "== 2. delivered events/s, upstream +50 ms, RELAY_CONCURRENCY=64 (bound 1280/s), $BACKLOG events"
upstream delay
relay queue
BENCH_TOKEN=bench-token BENCH_RUN=backlog wrk -t2 -c64 -d120s -s bench/unique.lua "http://127.0.0.1:$RELAY_PORT/hooks/bench" >/dev/null &
wrk_pid=$!
until (( $(count pending) + $(count delivered) >= BACKLOG )); do sleep 0.2; done
kill "$wrk_pid"; wait "$wrk_pid" 2>/dev/null || true
start_delivered=$(count delivered) start=$(date +%s.%N)
sleep "$DURATION"
end_delivered=$(count delivered) end=$(date +%s.%N)
awk -v a="$start_delivered" -v b="$end_delivered" -v s="$start" -v e="$end" \
  'BEGIN {r = (b - a) / (e - s); printf "  delivered %.0f events/s over %.1f s = %.1f%% of 1280/s\n", r, e - s, 100 * r / 1280}'
rm -rf "$STATE/data"
fi

if phase 3; then
echo "== 3. size after $EVENTS events accepted and delivered, then a retention sweep"
upstream fast
# A 1 s dedup window stands for "the window has passed" (72 h by default): every delivered row and
# dedup key becomes sweepable a second after it was written.
relay queue RELAY_DEDUP_WINDOW=1s
accepted=0 run=0
while (( accepted < EVENTS )); do
  run=$((run + 1))
  read -r _ _ _ _ requests <<<"$(load 10 "$CONNS" "size-$run")"
  accepted=$(( $(count pending) + $(count delivered) ))
done
until (( $(count pending) == 0 )); do sleep 0.5; done
size() {  # database + WAL, and the database's free pages
  local db wal free
  db=$(stat -c %s "$STATE/data/relay.sqlite") wal=$(stat -c %s "$STATE/data/relay.sqlite-wal" 2>/dev/null || echo 0)
  free=$(python3 -c "import sqlite3; c = sqlite3.connect('file:$STATE/data/relay.sqlite?mode=ro', uri=True); print(c.execute('pragma freelist_count').fetchone()[0] * c.execute('pragma page_size').fetchone()[0])")
  awk -v d="$db" -v w="$wal" -v f="$free" 'BEGIN {printf "%.1f MB (file %.1f MB, of it free %.1f MB; WAL %.1f MB)", (d + w) / 1048576, d / 1048576, f / 1048576, w / 1048576}'
}
echo "  $(count delivered) delivered: $(size)"
# A restart runs the retention sweep at once (then every 10 minutes).
sleep 1
relay queue RELAY_DEDUP_WINDOW=1s
swept() {  # rows, dedup keys and free pages left
  python3 -c "import sqlite3; c = sqlite3.connect('file:$STATE/data/relay.sqlite?mode=ro', uri=True); print(sum(c.execute(q).fetchone()[0] for q in ('select count(*) from deliveries', 'select count(*) from dedup_keys', 'pragma freelist_count')))"
}
for _ in $(seq 600); do (( $(swept) == 0 )) && break; sleep 0.5; done
sleep 1
echo "  after the sweep: $(count delivered) rows left, $(size)"
fi
