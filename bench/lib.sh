# shellcheck shell=bash
# Shared by bench/run.sh, bench/queue.sh and bench/replicas.sh: scratch state, the release binary, and processes that
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

# The stand-in for ElevenLabs on 127.0.0.1:18090 (STATE is the caller's scratch directory).
upstream() {  # upstream fast|delay
  [[ -n ${upstream_pid:-} ]] && { kill "$upstream_pid"; wait "$upstream_pid" 2>/dev/null || true; }
  mkdir -p "$STATE/nginx/tmp"
  local conf=$PWD/bench/upstream.conf
  if [[ $1 == delay ]]; then sed "s|BENCH_DIR|$PWD/bench|" bench/upstream-delay.conf >"$STATE/delay.conf"; conf=$STATE/delay.conf; fi
  nginx -p "$STATE/nginx/" -c "$conf" -g 'daemon off;' &
  upstream_pid=$!
  pids+=("$upstream_pid")
  wait_port 18090
}

# Unique token-signed events (bench/unique.lua), one wrk run.
unique_events() {  # unique_events PORT SECONDS CONNS RUN -> "rps p50 p99 non2xx requests"
  local out
  out=$(BENCH_TOKEN=bench-token BENCH_RUN=$4 wrk -t2 -c"$3" -d"$2s" -s bench/unique.lua "http://127.0.0.1:$1/hooks/bench" | grep '^RESULT')
  declare -A r=()
  for kv in ${out#RESULT }; do r[${kv%%=*}]=${kv#*=}; done
  echo "$(awk -v n="${r[requests]}" -v s="${r[seconds]}" 'BEGIN {printf "%.0f", n / s}') ${r[p50_ms]} ${r[p99_ms]} ${r[non2xx]} ${r[requests]}"
}

# The relay's settings for the scripts that start it themselves (RELAY_LOG_LEVEL to change the level),
# and one ElevenLabs post-call webhook for bench/post.lua (BENCH_BODY, also in $STATE/body.json; its
# BENCH_SIGNATURE comes from the build's own `sign`).
relay_settings() {  # relay_settings MODE
  export ELEVENLABS_API_KEY=sk_bench_relay ELEVENLABS_BASE_URL=http://127.0.0.1:18090 RELAY_ALLOW_INSECURE_UPSTREAM=true
  export RELAY_LISTEN=127.0.0.1:$RELAY_PORT RELAY_MANAGEMENT_LISTEN=127.0.0.1:$MANAGEMENT_PORT RELAY_DELIVERY=$1
  export RELAY_ROUTE_ELEVENLABS_PRESET=elevenlabs RELAY_ROUTE_ELEVENLABS_SECRET=wsec_bench_relay_secret RELAY_LOG_LEVEL=${RELAY_LOG_LEVEL:-info}
  BENCH_BODY='{"type":"post_call_transcription","event_timestamp":1764100000,"data":{"conversation_id":"conv_01jxd5y165f62a0v7gtr6bkg56","agent_id":"agent_123","analysis":{"call_successful":"success"}}}'
  export BENCH_BODY
  printf '%s' "$BENCH_BODY" >"$STATE/body.json"
}

# Starts BUILD on a fresh store and waits until it is ready; sets relay (its pid) and BENCH_SIGNATURE.
# RUN_AS=UID runs it as that user, as the image runs it (uid 10001 there; 65534, nobody, here).
start_build() {  # start_build BUILD
  rm -rf "$STATE/data" && mkdir -p "$STATE/data"
  python3 bench/evict.py "$1"
  local as=()
  if [[ -n ${RUN_AS:-} ]]; then
    chmod 777 "$STATE" "$STATE/data"
    as=(setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --clear-groups)
  fi
  RELAY_STORE="sqlite:$STATE/data/relay.sqlite" "${as[@]}" "$1" serve >"$STATE/relay.log" 2>&1 &
  relay=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$MANAGEMENT_PORT/readyz" >/dev/null && break; sleep 0.1; done
  BENCH_SIGNATURE=$("$1" sign elevenlabs --body "$STATE/body.json" | sed -n 's/^ElevenLabs-Signature: //p')
  export BENCH_SIGNATURE
}
