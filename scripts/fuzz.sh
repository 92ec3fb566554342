#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (with AddressSanitizer) and runs each for a bounded time on a
# copy of its seed corpus in Fuzz/corpus/. Exit 1 when any target crashes, corrupts memory, runs out of
# memory or times out; the input that did it is left in $OUT. Leak detection is off: LeakSanitizer's
# conservative scan misses Swift references kept in the spare bits of enum payloads and reports
# live selectors and presets as leaked.
#   scripts/fuzz.sh                 # every target, FUZZ_SECONDS=60 each
#   FUZZ_SECONDS=600 scripts/fuzz.sh verify json
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-60}
OUT=${FUZZ_OUT:-$(mktemp -d)}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(json selector form verify config)

swift build --package-path Fuzz --scratch-path .build-fuzz -c debug \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing
BIN=.build-fuzz/debug/feedback-relay-fuzz

status=0
for target in "${targets[@]}"; do
  mkdir -p "$OUT/$target/corpus"
  cp Fuzz/corpus/"$target"/* "$OUT/$target/corpus/"
  if SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 FUZZ_TARGET=$target "$BIN" -max_total_time="$SECONDS_EACH" -detect_leaks=0 -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$OUT/$target/" -print_final_stats=1 "$OUT/$target/corpus" >"$OUT/$target/log" 2>&1; then
    result=ok
  else
    result="FAILED (see $OUT/$target/log and the crash-* file beside it)"
    status=1
  fi
  runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$OUT/$target/log")
  cov=$(grep -o 'cov: [0-9]*' "$OUT/$target/log" | tail -1)
  echo "fuzz $target: $result, ${runs:-?} executions in ${SECONDS_EACH}s, $cov, corpus $(ls "$OUT/$target/corpus" | wc -l) inputs"
done
exit $status
