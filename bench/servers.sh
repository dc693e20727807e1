# shellcheck shell=bash
# Sourced by bench/*.sh (from the project root): starts a throwaway PostgreSQL and MariaDB
# (tests/servers) in a fresh state directory, stops them and removes it on exit, and loads
# their env files (PG_*, MY_*). With CO_BENCH_STATE naming the state directory of servers
# already running, uses those and leaves them running. Sets `state` and `enc_host` (the
# PostgreSQL socket directory, percent-encoded for a URL host).
if [ -n "${CO_BENCH_STATE:-}" ] && [ -f "$CO_BENCH_STATE/pg.env" ]; then
  # Servers started by a calling script (bench/sync_all.sh) that also stops them.
  state=$CO_BENCH_STATE
else
  state=$(mktemp -d /tmp/co.bench.XXXXXX)
  cleanup() {
    bash tests/servers/pg_stop.sh "$state" >/dev/null 2>&1 || true
    bash tests/servers/mariadb_stop.sh "$state" >/dev/null 2>&1 || true
    rm -rf "$state"
  }
  trap cleanup EXIT
  # Production-sized memory (tests/servers/*_start.sh): the tests' small pools would make every
  # engine's figures (ours and the peers') those of a server reading through a 128 MiB cache.
  export CO_SERVER_MEMORY=bench
  bash tests/servers/pg_start.sh "$state" >/dev/null 2>&1
  bash tests/servers/mariadb_start.sh "$state" >/dev/null 2>&1
fi
# shellcheck disable=SC1091
. "$state/pg.env"
# shellcheck disable=SC1091
. "$state/mariadb.env"
# shellcheck disable=SC2034  # used by the sourcing script
enc_host=$(printf '%s' "$PG_HOST" | sed 's|/|%2F|g')
