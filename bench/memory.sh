#!/usr/bin/env bash
# What a relay's memory is: for each build, peak RSS (VmHWM) once ready and after DURATION seconds of
# inline load at 64 connections (the peer benchmark counts VmHWM too), split into the relay's own
# binary (its code apart), the shared libraries and other mapped files (the SQLite WAL index), and
# anonymous memory (heap, stacks), from /proc/PID/smaps at the end of the load.
#   bench/memory.sh BUILD [BUILD...]        # DURATION=5 MODE=inline|queue RUN_AS=65534 (a user other than root)
# Needs: nginx, wrk (apt-get install -y nginx wrk).
set -euo pipefail
(($#)) || { sed -n '2,7p' "$0" >&2; exit 2; }
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "needs nginx and wrk: apt-get install -y nginx wrk" >&2; exit 1; }
DURATION=${DURATION:-5} MODE=${MODE:-inline}
builds=()
for build in "$@"; do builds+=("$(readlink -f "$build")"); done
STATE=$(mktemp -d /tmp/feedback-relay-memory.XXXXXX)
BIN=${builds[0]} source "$(dirname "$0")/lib.sh"
upstream fast

relay_settings "$MODE"
mb() { awk -v k="$2" '$1 == k":" {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
printf '%-9s %-9s | %-14s %-15s %-8s %-8s %s\n' "idle MB" "load MB" "binary: all MB" "of which code" "libs MB" "anon MB" build
for build in "${builds[@]}"; do
  start_build "$build"
  idle=$(mb "$relay" VmHWM)
  wrk -t2 -c64 -d"${DURATION}s" -s bench/post.lua "http://127.0.0.1:$RELAY_PORT/hooks/elevenlabs" >/dev/null
  peak=$(mb "$relay" VmHWM)
  # Rss per mapping: the binary's own (by its path, code r-xp apart), libraries, the rest anonymous.
  split=$(awk -v self="$(readlink -f "/proc/$relay/exe")" '
    /^[0-9a-f]+-[0-9a-f]+ / { path = $6; perm = $2 }
    /^Rss:/ { if (path == self) { own += $2; if (perm ~ /x/) code += $2 } else if (path ~ /^\//) libs += $2; else anon += $2 }
    END { printf "%.1f %.1f %.1f %.1f", own / 1024, code / 1024, libs / 1024, anon / 1024 }' "/proc/$relay/smaps")
  read -r own code libs anon <<<"$split"
  printf '%-9s %-9s | %-14s %-15s %-8s %-8s %s\n' "$idle" "$peak" "$own" "$code" "$libs" "$anon" "$build"
  kill "$relay"; wait "$relay" 2>/dev/null || true
done
