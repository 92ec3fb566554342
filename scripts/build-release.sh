#!/usr/bin/env bash
# The release build the image ships (Dockerfile's build stage), that the image check runs and that the
# benchmarks measure: the Swift runtime linked in statically, and every function compiled into a
# section of its own, so that the link (Package.swift) can put the functions in hot-functions.order
# first (README, Performance, "What the memory is").
#   scripts/build-release.sh [SCRATCH_PATH]      # default .build-release; prints the binary's path
set -euo pipefail
cd "$(dirname "$0")/.."
# Its own scratch path: objects compiled without -function-sections (as .build-static's may be) would
# still link, but could not be ordered.
scratch=${1:-.build-release}
flags=(-c release --static-swift-stdlib --scratch-path "$scratch")
swift build --quiet "${flags[@]}" --product feedback-relay \
  -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/feedback-relay"
