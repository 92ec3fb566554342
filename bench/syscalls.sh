#!/usr/bin/env bash
# System calls per inline webhook, counted by strace -c over every thread of the relay while wrk posts
# signed ElevenLabs webhooks for DURATION seconds at CONNS connections. Like instructions, the count
# does not move with what else the machine does; unlike them, it shows the kernel's share of the work.
#   bench/syscalls.sh BUILD [BUILD...]        # DURATION=2 CONNS=64
#   MODE=queue bench/syscalls.sh BUILD ...    # queue mode: unique signed events (bench/signed.lua), deliveries included
# Needs: nginx, wrk, strace (apt-get install -y nginx wrk strace).
set -euo pipefail
(($#)) || { sed -n '2,7p' "$0" >&2; exit 2; }
for tool in nginx wrk strace; do command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y nginx wrk strace" >&2; exit 1; }; done
DURATION=${DURATION:-2} CONNS=${CONNS:-64}
builds=()
for build in "$@"; do builds+=("$(readlink -f "$build")"); done
STATE=$(mktemp -d /tmp/feedback-relay-syscalls.XXXXXX)
BIN=${builds[0]} source "$(dirname "$0")/lib.sh"
upstream fast

MODE=${MODE:-inline}
relay_settings "$MODE"
# Queue mode takes a repeated event as a duplicate: there, every request is an event of its own.
load() {  # load SECONDS FIRST_EVENT
  if [[ $MODE == queue ]]; then
    python3 bench/signed-events.py $(($1 * 30000)) "$RELAY_ROUTE_ELEVENLABS_SECRET" "$STATE/events" "$2"
    BENCH_EVENTS=$STATE/events BENCH_THREADS=2 wrk -t2 -c"$CONNS" -d"$1s" -s bench/signed.lua "http://127.0.0.1:$RELAY_PORT/hooks/elevenlabs"
  else
    wrk -t2 -c"$CONNS" -d"$1s" -s bench/post.lua "http://127.0.0.1:$RELAY_PORT/hooks/elevenlabs"
  fi
}
for build in "${builds[@]}"; do
  start_build "$build"
  load 1 1000000000 >/dev/null  # connections and pools
  strace -c -f -q -p "$relay" -o "$STATE/strace.txt" &
  tracer=$!
  sleep 0.5
  requests=$(load "$DURATION" 0 | sed -n 's/^RESULT.* requests=\([0-9]*\).*/\1/p')
  kill -INT "$tracer"; wait "$tracer" 2>/dev/null || true
  kill "$relay"; wait "$relay" 2>/dev/null || true
  echo "$build: $requests requests under strace"
  # strace -c: % time, seconds, usecs/call, calls, [errors], syscall.
  awk -v n="$requests" '$1 ~ /^[0-9.]+$/ && $NF != "total" { count[$NF] = $4; total += $4 }
    END { for (name in count) if (count[name] / n >= 0.01) printf "  %-16s %6.2f\n", name, count[name] / n; printf "  %-16s %6.2f\n", "all", total / n }' \
    "$STATE/strace.txt" | sort -k2 -n -r
done
