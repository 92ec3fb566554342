# shellcheck shell=bash
# Shared by bench/run.sh and bench/queue.sh: scratch state, the release binary, and processes that
# are stopped on exit.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# BIN=path/to/feedback-relay measures another build (bench/observability.sh compares two).
if [[ -z ${BIN:-} ]]; then
  [[ -x .build/release/feedback-relay ]] || swift build -c release --product feedback-relay
  BIN=$PWD/.build/release/feedback-relay
fi
RELAY_PORT=18095 MANAGEMENT_PORT=18096

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$STATE"
}
trap cleanup EXIT

wait_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on 127.0.0.1:$1" >&2; return 1
}
