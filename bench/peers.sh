#!/usr/bin/env bash
# The peer benchmark (nginx+njs, Python aiohttp, adnanh/webhook doing the same job against a local fake
# ElevenLabs) with feedback-relay in inline mode beside them. Given several builds, one whole run each,
# back to back, so a change is read as each build's ratio to nginx+njs in its own run.
#   bench/peers.sh                                   # .build/release/feedback-relay
#   PEERS=nginx-njs bench/peers.sh OLD-BINARY NEW-BINARY
#   PEERS=nginx-njs DELAY_CONNS= bench/peers.sh BINARY BINARY@tracing     # what tracing costs, off and on
# A build named with @tracing runs with tracing on (README, Tracing), exporting OTLP/HTTP to
# bench/otlp-sink.sh with the batch exporter's defaults.
# PEER_BENCH is the benchmark's folder (default: ../shared/bench beside this repository); its own
# variables (DURATION, CONNS, DELAY_CONNS, PEERS, THREADS) pass through. The relay logs every request
# at info to a file and counts its metrics, as a user runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
PEER_BENCH=${PEER_BENCH:-$(cd .. && pwd)/shared/bench}
[[ -x $PEER_BENCH/run-peers.sh ]] || { echo "no peer benchmark at $PEER_BENCH (set PEER_BENCH)" >&2; exit 1; }
binaries=("$@")
[[ ${#binaries[@]} -gt 0 ]] || binaries=(.build/release/feedback-relay)
source "$PEER_BENCH/env.sh"
logs=$(mktemp -d /tmp/feedback-relay-peers.XXXXXX)

# Queue mode (the default, durable: 202 once the commit is on disk) on the peers' own job, right after
# the build's peer run: unique HMAC-signed ElevenLabs webhooks at 64 connections for DURATION, every
# event also delivered to a fast stand-in for ElevenLabs; accepted events/s against that run's
# nginx+njs inline req/s at 64 connections. QUEUE=0 skips it.
queue_run() {  # queue_run BINARY SUMMARY_TSV
  local seconds=${DURATION:-10} njs result accepted state=$logs/queue-$RANDOM
  njs=$(awk -F'\t' '$1 == "fast" && $2 == "nginx-njs" && $3 == 64 {print $4}' "$2")
  mkdir -p "$state/nginx/tmp" "$state/data"
  python3 bench/signed-events.py $((seconds * 25000)) "$WEBHOOK_SECRET" "$state/events"
  nginx -p "$state/nginx/" -c "$PWD/bench/upstream.conf" -g 'daemon off;' &
  local upstream=$!
  env -i PATH=/usr/bin:/bin ELEVENLABS_API_KEY=sk_bench_relay ELEVENLABS_BASE_URL=http://127.0.0.1:18090 RELAY_ALLOW_INSECURE_UPSTREAM=true \
    RELAY_DELIVERY=queue RELAY_STORE="sqlite:$state/data/relay.sqlite" RELAY_CONCURRENCY=64 RELAY_LOG_LEVEL=info \
    RELAY_LISTEN=127.0.0.1:8080 RELAY_MANAGEMENT_LISTEN=127.0.0.1:8081 \
    RELAY_ROUTE_ELEVENLABS_PRESET=elevenlabs RELAY_ROUTE_ELEVENLABS_SECRET="$WEBHOOK_SECRET" \
    "$1" serve >"$state/relay.log" 2>&1 &
  local relay=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8081/readyz >/dev/null && break; sleep 0.1; done
  result=$(BENCH_EVENTS=$state/events BENCH_THREADS=2 wrk -t2 -c64 -d"${seconds}s" -s bench/signed.lua http://127.0.0.1:8080/hooks/elevenlabs | grep '^RESULT')
  kill "$relay" "$upstream"
  wait "$relay" "$upstream" 2>/dev/null || true
  accepted=$(awk '{for (i = 2; i <= NF; i++) {split($i, kv, "="); r[kv[1]] = kv[2]} printf "%.0f", r["requests"] / r["seconds"]}' <<<"$result")
  echo "queue mode, c=64: $accepted accepted events/s ($result); nginx-njs inline in this run: $njs req/s; ratio $(awk -v a="$accepted" -v n="$njs" 'BEGIN {printf "%.2f", a / n}')"
  rm -rf "$state"
}

for variant in "${binaries[@]}"; do
  echo "== $variant"
  binary=${variant%@tracing}
  tracing=()
  if [[ $variant == *@tracing ]]; then
    bench/otlp-sink.sh start 2>/dev/null || true
    trap 'bench/otlp-sink.sh stop' EXIT
    tracing=(OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318)
  fi
  python3 bench/evict.py "$binary"
  env -i PATH=/usr/bin:/bin "${tracing[@]}" ELEVENLABS_API_KEY="$XI_API_KEY" ELEVENLABS_BASE_URL="$UPSTREAM_URL" RELAY_ALLOW_INSECURE_UPSTREAM=true \
    RELAY_DELIVERY=inline RELAY_CONCURRENCY=64 RELAY_LOG_LEVEL=info RELAY_LISTEN=127.0.0.1:8080 RELAY_MANAGEMENT_LISTEN=127.0.0.1:8081 \
    RELAY_ROUTE_ELEVENLABS_PRESET=elevenlabs RELAY_ROUTE_ELEVENLABS_SECRET="$WEBHOOK_SECRET" \
    "$binary" serve >"$logs/$(basename "$variant").log" 2>&1 &
  relay=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8081/readyz >/dev/null && break; sleep 0.1; done
  (cd "$PEER_BENCH" && RELAY_URL=http://127.0.0.1:8080/hooks/elevenlabs RELAY_PID=$relay ./run-peers.sh) || status=$?
  kill "$relay"
  wait "$relay" || true
  [[ ${status:-0} -eq 0 ]] || exit "$status"
  if [[ ${QUEUE:-1} == 1 ]]; then queue_run "$binary" "$(ls -td "$BENCH_STATE"/results/* | head -1)/summary.tsv"; fi
done
