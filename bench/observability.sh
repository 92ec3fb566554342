#!/usr/bin/env bash
# What metrics and logging cost: the same benchmarks against two builds in one run, alternating
# (ABBA: the build that goes first changes every round) so the shared machine's drift hits both
# alike, medians reported. BEFORE is a build without them (a worktree of the commit before), AFTER
# this checkout's release build. The relay logs at info (one line per request and per attempt) to a
# file, as in production, and /metrics is scraped every second during each run.
#   git worktree add /tmp/before <commit> && (cd /tmp/before && swift build -c release)
#   BEFORE=/tmp/before/.build/release/feedback-relay bench/observability.sh     # ROUNDS=4 DURATION=8
# AFTER_ENV adds settings to the AFTER runs only, e.g. what tracing costs, one build off and on:
#   BEFORE=$PWD/.build/release/feedback-relay AFTER_ENV=OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 bench/observability.sh
# (an OTEL_ endpoint starts bench/otlp-sink.sh there).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BEFORE:?BEFORE=path to a feedback-relay build to compare with}"
AFTER=${AFTER:-$PWD/.build/release/feedback-relay}
[[ -x $AFTER ]] || swift build -c release --product feedback-relay
ROUNDS=${ROUNDS:-4} DURATION=${DURATION:-8}
read -r -a after_env <<<"${AFTER_ENV:-}"
if [[ ${AFTER_ENV:-} == *OTEL_EXPORTER_OTLP_ENDPOINT* ]]; then
  bench/otlp-sink.sh start
  trap 'bench/otlp-sink.sh stop' EXIT
fi
export DURATION RELAY_LOG_LEVEL=info

scrape() {
  while sleep 1; do curl -s -o /dev/null "http://127.0.0.1:18096/metrics" || true; done
}

declare -A inline cpu queue
measure() {  # measure before|after
  local bin=$BEFORE line settings=()
  [[ $1 == after ]] && bin=$AFTER settings=("${after_env[@]}")
  scrape & local scraper=$!
  line=$(env "${settings[@]}" BIN=$bin CONNS=64 bench/run.sh | grep '^conns=')
  inline[$1]+=" $(sed -E 's/.*req\/s=([0-9]+).*/\1/' <<<"$line")"
  cpu[$1]+=" $(sed -E 's/.*cpu_us_per_req=([0-9]+).*/\1/' <<<"$line")"
  queue[$1]+=" $(env "${settings[@]}" BIN=$bin PHASES=1 CONNS=64 bench/queue.sh | awk '$1 == "queue" {print $2}')"
  kill "$scraper"; wait "$scraper" 2>/dev/null || true
  echo "  $1: inline ${inline[$1]##* } req/s (${cpu[$1]##* } µs CPU each), queue ${queue[$1]##* } events/s"
}
for round in $(seq "$ROUNDS"); do
  echo "round $round"
  if (( round % 2 )); then measure before; measure after; else measure after; measure before; fi
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "medians of $ROUNDS rounds:"
for metric in inline queue cpu; do
  declare -n runs=$metric
  b=$(median "${runs[before]}") a=$(median "${runs[after]}")
  awk -v m="$metric" -v b="$b" -v a="$a" 'BEGIN {
    unit = (m == "cpu") ? "µs CPU per inline request" : (m == "inline") ? "inline req/s" : "queue events/s"
    printf "  %-26s before %7.0f  after %7.0f  after/before %.3f\n", unit, b, a, a / b }'
done
