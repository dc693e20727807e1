#!/usr/bin/env bash
# Benchmark: schema create + schema fill of N access tokens (and everything sized from them)
# on SQLite, PostgreSQL 15 and MariaDB 10.11 servers started for the run, then inspect.
# Prints wall time and peak memory (RSS) of each cutover command.
# Usage: bench/fill_load.sh [ROWS] [VERSION]     (default 100000 tokens, IS 5.8.0)
# Needs a built cutover (scripts/build.sh) and the packages from scripts/deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
version=${2:-5.8.0}
cutover=$PWD/build/src/cutover
[ -x "$cutover" ] || { echo "build first: scripts/build.sh" >&2; exit 2; }
# shellcheck source=bench/servers.sh
. bench/servers.sh
psql -X -q "$PG_SOCKET_URL" -c "CREATE DATABASE bench"
mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "CREATE DATABASE bench"

measure() {  # measure LABEL ARGS...: one cutover command, its wall time and peak RSS
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$state/time" "$cutover" "$@" >"$state/out" 2>&1 ||
    { cat "$state/out" >&2; exit 1; }
  read -r secs kib <"$state/time"
  printf '  %-28s %8s s %8s MiB\n' "$label" "$secs" "$((kib / 1024))"
}

echo "cutover fill benchmark: $rows tokens, IS $version, $(nproc) cores, $(uname -m)"
for target in "sqlite:$state/bench.db" \
              "postgresql://postgres@$enc_host:$PG_PORT/bench" \
              "mysql://${MY_SOCKET_USER:-root}@localhost/bench?socket=$MY_SOCKET"; do
  echo "${target%%:*}"
  measure "schema create" schema create "$target" --version "$version"
  measure "schema fill --rows $rows" schema fill "$target" --rows "$rows"
  total=$(grep -o 'with [0-9,]* rows' "$state/out")
  measure "inspect" inspect "$target"
  echo "  ($total in all tables)"
done
