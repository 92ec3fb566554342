#!/usr/bin/env bash
# The whole test suite, as CI runs it: a throwaway PostgreSQL server (scripts/postgres.sh) for the
# PostgreSQL store's tests, then `swift test` with any arguments given (e.g. --filter StoreContractTests).
set -euo pipefail
cd "$(dirname "$0")/.."
RELAY_TEST_POSTGRES=$(scripts/postgres.sh start)
export RELAY_TEST_POSTGRES
trap 'scripts/postgres.sh stop' EXIT
swift test "$@"
