#!/usr/bin/env bash
# The sync benchmarks in one go, on one pair of servers and one generated data set:
# bench/sync_copy.sh ROWS, bench/sync_apply.sh ROWS (apply, lag, peak RSS), bench/sync_apply.sh
# ROWS/4 without the lag part (peak RSS at a quarter of the rows), bench/sync_capture.sh ROWS.
# Each script also runs alone (starting its own servers). Run on a quiet machine: the
# figures mean nothing while something else uses the cores.
# Usage: bench/sync_all.sh [ROWS] [RUNS]   (default 1,000,000 tokens, 3 runs)
# Needs a built cutover (scripts/build.sh); installs pgcopydb, pgloader, mydumper when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
# shellcheck source=bench/servers.sh
. bench/servers.sh
export CO_BENCH_STATE=$state
bench/sync_copy.sh "$rows" "$runs"
echo
bench/sync_apply.sh "$rows" 200000 60
echo
bench/sync_apply.sh $((rows / 4)) 200000 0
echo
bench/sync_capture.sh "$rows" 20000 "$runs"
