#!/usr/bin/env bash
# Throughput of feedback-relay in inline mode: wrk posts one signed ElevenLabs post-call webhook
# over and over; the relay verifies, maps and forwards each to a local nginx standing in for
# ElevenLabs. Everything listens on 127.0.0.1 and stops by itself.
#   bench/run.sh                      # 10 s at 16 and 64 connections
#   DURATION=30 CONNS="64" bench/run.sh
# Needs: nginx, wrk (apt-get install -y nginx wrk) and a release build (built if missing).
# Prints one line per run: req/s, p50/p99 latency, CPU µs per request and peak RSS of the relay.
set -euo pipefail
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "needs nginx and wrk: apt-get install -y nginx wrk" >&2; exit 1; }
DURATION=${DURATION:-10}
read -r -a CONNS <<<"${CONNS:-16 64}"
THREADS=${THREADS:-2}
STATE=$(mktemp -d /tmp/feedback-relay-bench.XXXXXX)
source "$(dirname "$0")/lib.sh"

mkdir -p "$STATE/tmp"
nginx -p "$STATE/" -c "$PWD/bench/upstream.conf" -g 'daemon off;' &
pids+=($!)
wait_port 18090

relay_settings inline
export RELAY_CONCURRENCY=${RELAY_CONCURRENCY:-64}
"$BIN" serve >"$STATE/relay.log" 2>&1 &
relay=$!
pids+=("$relay")
wait_port $RELAY_PORT

BENCH_SIGNATURE=$("$BIN" sign elevenlabs --body "$STATE/body.json" | sed -n 's/^ElevenLabs-Signature: //p')
export BENCH_SIGNATURE

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick_us=$(( 1000000 / $(getconf CLK_TCK) ))

# Warm-up: connections, caches, the upstream pool.
wrk -t"$THREADS" -c"${CONNS[-1]}" -d2s -s bench/post.lua "http://127.0.0.1:$RELAY_PORT/hooks/elevenlabs" >/dev/null

echo "feedback-relay inline, $(nproc) cores, ${DURATION}s per run"
for c in "${CONNS[@]}"; do
  before=$(cpu_ticks "$relay")
  result=$(wrk -t"$THREADS" -c"$c" -d"${DURATION}s" -s bench/post.lua "http://127.0.0.1:$RELAY_PORT/hooks/elevenlabs" | grep '^RESULT')
  after=$(cpu_ticks "$relay")
  declare -A r=()
  for kv in ${result#RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  rps=$(awk -v n="${r[requests]}" -v s="${r[seconds]}" 'BEGIN {printf "%.0f", n / s}')
  cpu=$(( (after - before) * tick_us / (r[requests] > 0 ? r[requests] : 1) ))
  rss=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$relay/status")
  printf 'conns=%-3s req/s=%-7s p50_ms=%-6s p99_ms=%-6s non2xx=%-4s errors=%-3s cpu_us_per_req=%-4s peak_rss_mb=%s\n' \
    "$c" "$rps" "${r[p50_ms]}" "${r[p99_ms]}" "${r[non2xx]}" "${r[errors]}" "$cpu" "$rss"
done
