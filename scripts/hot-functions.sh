#!/usr/bin/env bash
# Writes Sources/feedback-relay/hot-functions.order: every function of the relay's own binary that runs
# while it starts and serves, in inline and in queue mode, as counted by valgrind's callgrind. The
# release link puts these first in .text (Package.swift), so the code a running relay touches sits in
# about 2 MB of adjacent pages instead of being spread over 35 MB (README, Performance, "What the memory
# is"). Run it again after a change that moves the hot path; a function missing from the list still
# works, it only costs the pages around it.
#   scripts/hot-functions.sh          # needs valgrind, nginx, python3, curl, openssl (apt-get install -y valgrind nginx python3 curl openssl)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in valgrind callgrind_control nginx python3 curl openssl; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install -y valgrind nginx python3 curl openssl" >&2; exit 1; }
done
BIN=$(scripts/build-release.sh)
STATE=$(mktemp -d /tmp/feedback-relay-hot-functions.XXXXXX)
source bench/lib.sh
upstream fast
# valgrind cannot read the debug info Swift 6.3 writes; a copy without it keeps the symbols.
objcopy --strip-debug "$BIN" "$STATE/relay"

relay_settings inline  # each run below sets its own RELAY_DELIVERY
secret=$RELAY_ROUTE_ELEVENLABS_SECRET

post() {  # post CONVERSATION [SIGNATURE] -> status
  local body stamp signature
  body='{"type":"post_call_transcription","event_timestamp":1764100000,"data":{"conversation_id":"'$1'","agent_id":"agent_1","analysis":{"call_successful":"success"}}}'
  stamp=$(date +%s)
  signature=${2:-$(printf '%s' "$stamp.$body" | openssl dgst -sha256 -hmac "$secret" -hex | awk '{print $NF}')}
  curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' -H "ElevenLabs-Signature: t=$stamp,v0=$signature" \
    --data "$body" "http://127.0.0.1:$RELAY_PORT/hooks/elevenlabs"
}

for mode in inline queue; do
  rm -rf "$STATE/data" && mkdir -p "$STATE/data"
  RELAY_DELIVERY=$mode RELAY_STORE="sqlite:$STATE/data/relay.sqlite" \
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$STATE/$mode.out" "$STATE/relay" serve >"$STATE/$mode.log" 2>&1 &
  relay=$!
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$MANAGEMENT_PORT/readyz" >/dev/null && break; sleep 0.2; done
  # What ran to start is dumped apart (to $mode.out.1), so what serves can come first in the list.
  callgrind_control --dump=started "$relay" >/dev/null
  for n in $(seq 20); do post "conv_$mode$n"; done | sort | uniq -c
  post "conv_${mode}1" >/dev/null                  # a repeat: a duplicate in queue mode
  post conv_bad 0000 >/dev/null                     # a bad signature
  curl -s -o /dev/null "http://127.0.0.1:$RELAY_PORT/hooks/nope"
  for path in healthz readyz metrics; do curl -s -o /dev/null "http://127.0.0.1:$MANAGEMENT_PORT/$path"; done
  sleep 2  # queue mode: the deliveries
  kill -TERM "$relay"; wait "$relay" || true
done

# Functions defined in the binary, in the order callgrind first names them (callers and callees near each
# other: measured, this packs tighter than sorting by name): what serves first (the inline run's, then
# what only queue mode adds), then what only ran to start. A listening relay unmaps what start-up
# touched (StartupPageRelease), and what serves then comes back from fewer pages.
python3 - "$BIN" "$STATE/inline.out" "$STATE/queue.out" "$STATE/inline.out.1" "$STATE/queue.out.1" >Sources/feedback-relay/hot-functions.order <<'PY'
import re, subprocess, sys
defined = set()
for line in subprocess.run(["nm", "--defined-only", sys.argv[1]], capture_output=True, text=True, check=True).stdout.splitlines():
    fields = line.split()
    if len(fields) == 3 and fields[1] in "tTwW":
        defined.add(fields[2])
ran, seen = [], set()
for dump in sys.argv[2:]:
    for line in open(dump):
        match = re.match(r"c?fn=\(\d+\) (.+)", line)
        if match and match.group(1) in defined and match.group(1) not in seen:
            seen.add(match.group(1))
            ran.append(match.group(1))
print("\n".join(ran))
PY
# SwiftPM does not know the link reads the list: remove the binary so that the next build links anew.
rm -f "$BIN"
echo "$(wc -l <Sources/feedback-relay/hot-functions.order) functions in Sources/feedback-relay/hot-functions.order; build again to link with it"
