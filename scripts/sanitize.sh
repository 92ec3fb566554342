#!/usr/bin/env bash
# The whole test suite under ThreadSanitizer and AddressSanitizer, each in its own build folder.
#   scripts/sanitize.sh            # both
#   scripts/sanitize.sh thread     # one
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=("$@")
[[ ${#sanitizers[@]} -gt 0 ]] || sanitizers=(thread address)
for sanitizer in "${sanitizers[@]}"; do
  echo "== swift test --sanitize=$sanitizer"
  # halt_on_error: the first report fails the run instead of scrolling past.
  TSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=0:halt_on_error=1 \
    swift test --sanitize="$sanitizer" --scratch-path ".build-$sanitizer"
done
