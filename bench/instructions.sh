#!/usr/bin/env bash
# Instructions per webhook, counted by valgrind's callgrind: unlike req/s, the count does not move with
# what else the machine is doing (the same build gives the same count to about 0.2 %), so it settles
# small differences that throughput runs on a shared machine cannot. Each build serves REQUESTS signed
# ElevenLabs post-call webhooks over one keep-alive connection (each with its own conversation id),
# after WARMUP more; the counters are zeroed between the two, so start-up is not counted. Every thread
# of the relay is counted (the event loops, the curl thread, the log writer); the kernel is not.
#   bench/instructions.sh BUILD [BUILD...]           # MODE=inline|queue REQUESTS=1000 TOP=25
#   ENV_2="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318" bench/instructions.sh B B   # settings per build
#   MODE=queue CONNECTIONS=32 DURATION=30 bench/instructions.sh B   # wrk at 32 connections instead (needs wrk)
# With CONNECTIONS, wrk sends unique signed events (bench/signed.lua) for DURATION seconds, many at once as
# in the peer benchmark's queue run, so the store's group commit batches them as it does there; the
# count is per accepted request, and the deliveries of those requests are in it.
# Prints instructions per request for each build, its ratio to the first, and (TOP>0) the functions
# with most instructions of their own; each dump is kept as /tmp/feedback-relay-callgrind-N.out for
# callgrind_annotate. Needs valgrind, nginx, python3.
set -euo pipefail
(($#)) || { sed -n '2,16p' "$0" >&2; exit 2; }
for tool in valgrind callgrind_control objcopy nginx python3 curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y valgrind binutils nginx python3 curl" >&2; exit 1; }
done
builds=("$@")
MODE=${MODE:-inline} REQUESTS=${REQUESTS:-1000} WARMUP=${WARMUP:-200} TOP=${TOP:-25}
STATE=$(mktemp -d /tmp/feedback-relay-instructions.XXXXXX)
source "$(dirname "$0")/lib.sh"
upstream fast
if env | grep -q "^ENV_[0-9]*=.*OTEL_EXPORTER_OTLP_ENDPOINT"; then
  bench/otlp-sink.sh start
  trap 'bench/otlp-sink.sh stop; cleanup' EXIT
fi

relay_settings "$MODE"
secret=$RELAY_ROUTE_ELEVENLABS_SECRET

# Sends N webhooks, each with its own conversation id (queue mode would take repeats as duplicates).
send() {  # send N FIRST
  python3 - "$1" "$2" "$secret" "$RELAY_PORT" <<'PY'
import hashlib, hmac, http.client, sys, time
count, first, secret, port = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode(), int(sys.argv[4])
connection = http.client.HTTPConnection("127.0.0.1", port)
answers = {}
for n in range(first, first + count):
    body = ('{"type":"post_call_transcription","event_timestamp":1764100000,"data":{"conversation_id":"conv_%026d",'
            '"agent_id":"agent_123","analysis":{"call_successful":"success"}}}' % n).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    connection.request("POST", "/hooks/elevenlabs", body, {"Content-Type": "application/json", "ElevenLabs-Signature": f"t={stamp},v0={signature}"})
    response = connection.getresponse()
    response.read()
    answers[response.status] = answers.get(response.status, 0) + 1
if set(answers) - {200, 202}:
    sys.exit(f"unexpected answers: {answers}")
PY
}

# Self instructions per function in a callgrind dump, demangled, most first.
top_functions() {  # top_functions FILE
  python3 - "$1" "$REQUESTS" "$TOP" <<'PY' | swift demangle --simplified --compact | cut -c1-150
import collections, re, sys
names, own = {}, collections.Counter()
function, after_call = None, False
def ident(token):
    match = re.match(r"\((\d+)\)(?: (.*))?", token)
    if match.group(2): names[match.group(1)] = match.group(2)
    return match.group(1)
for line in open(sys.argv[1]):
    if line.startswith("fn="): function, after_call = ident(line[3:].strip()), False
    elif line.startswith("cfn="): ident(line[4:].strip())
    elif line.startswith("calls="): after_call = True
    elif line[:1].isdigit() or line[:1] in "+-*":
        fields = line.split()
        if len(fields) >= 2:
            if after_call: after_call = False
            else: own[function] += int(fields[1])
total = sum(own.values())
for key, count in own.most_common(int(sys.argv[3])):
    print(f"    {count * 100 / total:5.1f} % {count // int(sys.argv[2]):8d}  {names.get(key, key)}")
PY
}

declare -a counts
for index in "${!builds[@]}"; do
  build=${builds[$index]}
  settings_var=ENV_$((index + 1))
  read -r -a settings <<<"${!settings_var:-}"
  rm -rf "$STATE/data" && mkdir -p "$STATE/data"
  # valgrind cannot read the debug info Swift 6.3 writes, so it counts a copy without it.
  objcopy --strip-debug "$build" "$STATE/relay"
  env "${settings[@]}" RELAY_STORE="sqlite:$STATE/data/relay.sqlite" \
    valgrind --tool=callgrind --callgrind-out-file="$STATE/callgrind.out" "$STATE/relay" serve >"$STATE/relay.log" 2>&1 &
  relay=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$MANAGEMENT_PORT/readyz" >/dev/null && break; sleep 0.2; done
  send "$WARMUP" 0
  callgrind_control -z "$relay" >/dev/null 2>&1
  if [[ -n ${CONNECTIONS:-} ]]; then
    # Conversation ids from 10^9 on: the warm-up's ids count from 0.
    python3 bench/signed-events.py $((${DURATION:-30} * 2000)) "$secret" "$STATE/events" 1000000000
    result=$(BENCH_EVENTS=$STATE/events BENCH_THREADS=2 wrk -t2 -c"$CONNECTIONS" -d"${DURATION:-30}s" -s bench/signed.lua \
      "http://127.0.0.1:$RELAY_PORT/hooks/elevenlabs" | grep '^RESULT')
    REQUESTS=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$result")
    sleep 5  # the deliveries of the last events, slowed by valgrind
  else
    send "$REQUESTS" "$WARMUP"
    sleep 1  # queue mode: the deliveries of the last events
  fi
  callgrind_control -d "$relay" >/dev/null 2>&1
  kill "$relay"; wait "$relay" 2>/dev/null || true
  dump=$(ls "$STATE"/callgrind.out.* | sort -V | head -1)
  total=$(awk '/^summary:/ {print $2}' "$dump")
  counts[index]=$((total / REQUESTS))
  awk -v b="$build" -v n="${counts[index]}" -v f="${counts[0]}" -v s="${!settings_var:-}" \
    'BEGIN {printf "%-60s %s %9d instructions per request  %.3f of the first\n", b, (s == "" ? "" : "(" s ")"), n, n / f}'
  ((TOP > 0)) && top_functions "$dump"
  cp "$dump" "${KEEP:-/tmp}/feedback-relay-callgrind-$((index + 1)).out"
  rm -f "$STATE"/callgrind.out*
done
