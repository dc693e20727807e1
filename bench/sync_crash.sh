#!/usr/bin/env bash
# The sync's crash test at benchmark length: kill -9 of `cutover sync run` at random moments
# under an IS-like write load, 34 times per engine pair (102 in all), plus kill -9 of `sync copy`
# and lost server connections, each followed by a drain and an independent comparison of source
# and target (tests/e2e/sync_crash.sh, which the test suite runs with 8 kills per pair).
# Usage, from the project root after a build: bash bench/sync_crash.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/servers.sh
CUTOVER="$PWD/build/src/cutover" CUTOVER_TEST_STATE="$state" CUTOVER_CRASH_KILLS=34 \
  bash tests/e2e/sync_crash.sh
