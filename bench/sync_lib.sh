# shellcheck shell=bash
# Sourced by bench/sync_*.sh (from the project root, after bench/servers.sh): the source data
# the sync benchmarks share, clients for both servers, timing helpers and the machine line.
# The sources hold the three tables a sync of IDN_OAUTH2_ACCESS_TOKEN(_SCOPE) copies
# (IDN_OAUTH_CONSUMER_APPS, IDN_OAUTH2_ACCESS_TOKEN, IDN_OAUTH2_ACCESS_TOKEN_SCOPE) filled by
# `schema fill`, the other tables dropped, so every tool copies exactly the same rows.
# shellcheck disable=SC2154  # state and enc_host come from bench/servers.sh

cutover=${CUTOVER:-$PWD/build/src/cutover}
[ -x "$cutover" ] || { echo "build first: scripts/build.sh (or set CUTOVER=path)" >&2; exit 2; }
bench_version=${BENCH_VERSION:-5.11.0}
bench_tables=IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE
# The sources hold three tables of the version, so detection would guess an older one: name it.
# shellcheck disable=SC2034  # used by the sourcing scripts
bench_versions=(--from "$bench_version" --to "$bench_version")
# shellcheck disable=SC2034  # used by the sourcing scripts
py=/usr/bin/python3  # Debian's: it has psycopg2 and pymysql
my_user=${MY_SOCKET_USER:-root}
pg_base="postgresql://postgres@$enc_host:$PG_PORT"
pg_url() { echo "$pg_base/$1"; }
my_url() { echo "mysql://$my_user@localhost/$1?socket=$MY_SOCKET"; }
pg() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 "$(pg_url "$db")" "$@"; }
my() { local db=$1; shift; mariadb -S "$MY_SOCKET" -u "$my_user" "$db" "$@"; }
log() { echo "  .. $*" >&2; }

# ensure_peers: the peer tools, from Debian, when missing.
ensure_peers() {
  local missing=() p
  for p in "$@"; do
    command -v "${p%%:*}" >/dev/null 2>&1 || missing+=("${p#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
}

machine() {
  local cpu mem
  cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
  mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "machine: $(nproc) cores ($cpu), $mem RAM, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "servers: PostgreSQL $(pg postgres -At -c 'SHOW server_version' | cut -d' ' -f1)," \
    "MariaDB $(my '' -N -e 'SELECT VERSION()') (tests/servers settings: fsync off, binlog on)"
  echo "date: $(date -u +%FT%TZ), cutover $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
}

# fresh_pg NAME / fresh_my NAME: an empty database (dropped first when it exists).
fresh_pg() { pg postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null; }
fresh_my() { my '' -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1"; }

# now: seconds since the epoch, with fractions.
now() { date +%s.%N; }

# timed OUTVAR CMD...: runs CMD (output to $state/out), stores its wall seconds in OUTVAR and
# its peak RSS in MiB in ${OUTVAR}_rss.
timed() {
  local var=$1 secs kib
  shift
  if ! /usr/bin/time -f "%e %M" -o "$state/time" "$@" >"$state/out" 2>&1; then
    tail -20 "$state/out" >&2
    echo "failed: $*" >&2
    exit 1
  fi
  read -r secs kib <"$state/time"
  printf -v "$var" '%s' "$secs"
  printf -v "${var}_rss" '%s' "$((kib / 1024))"
}

# timed_sh OUTVAR 'SHELL PIPELINE': like timed, for a pipeline (wall time only).
timed_sh() {
  local var=$1 t0 t1
  t0=$(now)
  if ! bash -o pipefail -c "$2" >"$state/out" 2>&1; then
    tail -20 "$state/out" >&2
    echo "failed: $2" >&2
    exit 1
  fi
  t1=$(now)
  printf -v "$var" '%.2f' "$(echo "$t1 - $t0" | bc)"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# count_pg DB / count_my DB: rows of the three tables, "apps tokens scopes".
count_sql="SELECT (SELECT count(*) FROM IDN_OAUTH_CONSUMER_APPS), (SELECT count(*) FROM IDN_OAUTH2_ACCESS_TOKEN), (SELECT count(*) FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE)"
count_pg() { pg "$1" -At -F' ' -c "$count_sql"; }
count_my() { my "$1" -N -e "$count_sql" | tr '\t' ' '; }

# keep_only_sync_tables ENGINE DB: drops every table but the three.
keep_only_sync_tables() {
  local keep="'idn_oauth_consumer_apps','idn_oauth2_access_token','idn_oauth2_access_token_scope'"
  if [ "$1" = pg ]; then
    pg "$2" -At -c "SELECT format('DROP TABLE %I CASCADE;', tablename) FROM pg_tables
      WHERE schemaname = 'public' AND tablename NOT IN ($keep)
      UNION ALL SELECT format('DROP SEQUENCE %I;', sequencename) FROM pg_sequences
      WHERE schemaname = 'public' AND sequencename NOT LIKE 'idn_oauth_consumer_apps%'" |
      pg "$2" 2>/dev/null
  else
    my "$2" -N -e "SELECT CONCAT('DROP TABLE \`', TABLE_NAME, '\`;') FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = DATABASE() AND LOWER(TABLE_NAME) NOT IN ($keep)" |
      { echo 'SET FOREIGN_KEY_CHECKS = 0;'; cat; } | my "$2"
  fi
}

# make_sources ROWS [pg]: databases src_ROWS on both servers (only PostgreSQL with `pg`), the
# same rows on each: `schema fill` on PostgreSQL, then copied into MariaDB's own IS schema
# (`schema create`) by cutover sync copy (faster than a second fill; the capture and the
# copy's bookkeeping removed afterwards). Kept between scripts that share the servers
# (CO_BENCH_STATE).
make_sources() {
  local rows=$1 db=src_$1
  [ -f "$state/sources_$rows" ] && return 0
  if [ ! -f "$state/sources_pg_$rows" ]; then
    log "filling $rows access tokens on PostgreSQL (not timed)"
    fresh_pg "$db"
    "$cutover" schema create "$(pg_url "$db")" --version "$bench_version" >/dev/null
    "$cutover" schema fill "$(pg_url "$db")" --rows "$rows" >/dev/null
    keep_only_sync_tables pg "$db"
    pg "$db" -c "VACUUM ANALYZE"
    touch "$state/sources_pg_$rows"
  fi
  [ "${2:-}" != pg ] || return 0
  log "copying them into MariaDB (not timed)"
  fresh_my "$db"
  "$cutover" schema create "$(my_url "$db")" --version "$bench_version" >/dev/null
  keep_only_sync_tables my "$db"
  "$cutover" sync prepare --source "$(pg_url "$db")" "${bench_versions[@]}" --tables "$bench_tables" >/dev/null
  "$cutover" sync copy --source "$(pg_url "$db")" --target "$(my_url "$db")" "${bench_versions[@]}" \
    --tables "$bench_tables" >/dev/null
  "$cutover" sync remove --source "$(pg_url "$db")" --target "$(my_url "$db")" >/dev/null
  my "$db" -e "ANALYZE TABLE IDN_OAUTH_CONSUMER_APPS, IDN_OAUTH2_ACCESS_TOKEN, IDN_OAUTH2_ACCESS_TOKEN_SCOPE" >/dev/null
  [ "$(count_pg "$db")" = "$(count_my "$db")" ] ||
    { echo "sources differ: $(count_pg "$db") vs $(count_my "$db")" >&2; exit 1; }
  touch "$state/sources_$rows"
}
