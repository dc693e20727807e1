#!/usr/bin/env bash
# Every test, from a fresh Debian 12 machine: install packages, build with warnings as
# errors, start throwaway PostgreSQL and MariaDB servers (CTest fixtures), run unit, golden,
# backend conformance and end-to-end tests. A skipped test fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DCUTOVER_WERROR=ON
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
(cd build && ctest --output-on-failure --timeout 900 -j "$(nproc)" "$@") 2>&1 | tee "$log" || status=$?
if grep -qE '\*\*\*Skipped|Not Run' "$log"; then
  echo "test.sh: some tests were skipped or not run; that is a failure here" >&2
  exit 1
fi
exit "$status"
