#!/usr/bin/env bash
# shellcheck disable=SC2154  # timed and timed_sh set their variables with printf -v
# Benchmark: `cutover sync copy` against its peers on the same data, side by side in one run,
# median of RUNS. The source holds N access tokens with their scopes and consumer apps (what
# a sync of IDN_OAUTH2_ACCESS_TOKEN(_SCOPE) copies), the same rows on PostgreSQL and MariaDB.
#   PostgreSQL -> PostgreSQL, into the same fully indexed result (keys, indexes, foreign keys):
#     cutover sync copy, pgcopydb clone, pg_dump -t ... | psql; and the floor: binary COPY
#     piped into bare tables (no index, no key), psql \copy out | psql \copy in, table by table.
#   MariaDB -> PostgreSQL: cutover sync copy, pgloader.
#   MariaDB -> MariaDB: cutover sync copy, mydumper | myloader, mariadb-dump | mariadb.
# Every target is a fresh empty database; its row counts are checked after each copy. cutover's
# `sync prepare` (needed before a copy) and `sync remove` are not timed. Peers come from
# Debian (installed when missing). Prints a table: seconds per run, median, rows/s, peak RSS.
# Usage: bench/sync_copy.sh [ROWS] [RUNS]     (default 1,000,000 tokens, 3 runs)
# SYNC_COPY_PATHS="pg mp mm" picks the paths (PostgreSQL/MariaDB source -> target).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
paths=${SYNC_COPY_PATHS:-pg mp mm}  # which of the three source -> target paths to run
# shellcheck source=bench/servers.sh
. bench/servers.sh
# shellcheck source=bench/sync_lib.sh
. bench/sync_lib.sh
ensure_peers pgcopydb:pgcopydb pgloader:pgloader mydumper:mydumper pg_dump:postgresql-client \
  mariadb-dump:mariadb-client
src=src_$rows
make_sources "$rows"
read -r n_apps n_tokens n_scopes <<<"$(count_pg "$src")"
total=$((n_apps + n_tokens + n_scopes))
# pgloader reads MariaDB over TCP as the password user.
my '' -e "GRANT ALL ON *.* TO '$MY_TCP_USER'@'127.0.0.1'"
# The tables and their sequences (WSO2's PostgreSQL scripts use free-standing ones).
tables_pg=(-t idn_oauth_consumer_apps -t idn_oauth2_access_token -t idn_oauth2_access_token_scope)
for s in $(pg "$src" -At -c "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"); do
  tables_pg+=(-t "$s")
done

declare -A secs rss cmd
record() {  # record KEY SECONDS [RSS]
  log "$1: $2 s"
  secs[$1]="${secs[$1]:-} $2"
  [ -z "${3:-}" ] || rss[$1]="${rss[$1]:-} $3"
}
check() {  # check KEY COUNTS: the copy holds every row
  [ "$2" = "$n_apps $n_tokens $n_scopes" ] ||
    { echo "$1: target holds $2 rows, source $n_apps $n_tokens $n_scopes" >&2; exit 1; }
}

cutover_copy() {  # cutover_copy KEY SOURCE_URL TARGET_URL
  "$cutover" sync prepare --source "$2" "${bench_versions[@]}" --tables "$bench_tables" >/dev/null
  cmd[$1]="cutover sync copy --source SRC --target DST --tables $bench_tables"
  timed t "$cutover" sync copy --source "$2" --target "$3" "${bench_versions[@]}" --tables "$bench_tables"
  record "$1" "$t" "$t_rss"
  "$cutover" sync remove --source "$2" >/dev/null
}

one_run() {
  local dump=$state/dump
  # -- PostgreSQL -> PostgreSQL
  if [[ " $paths " == *" pg "* ]]; then
  log "run $1: PostgreSQL -> PostgreSQL"
  fresh_pg dst
  cutover_copy pg_cutover "$(pg_url "$src")" "$(pg_url dst)"
  check pg_cutover "$(count_pg dst)"

  fresh_pg dst
  rm -rf "$state/pgcopydb"
  cmd[pg_pgcopydb]="pgcopydb clone --source SRC --target DST --dir WORK"
  timed t pgcopydb clone --source "$(pg_url "$src")" --target "$(pg_url dst)" \
    --dir "$state/pgcopydb"
  record pg_pgcopydb "$t" "$t_rss"
  check pg_pgcopydb "$(count_pg dst)"

  fresh_pg dst
  cmd[pg_dump]="pg_dump ${tables_pg[*]} SRC | psql DST"
  timed_sh t "pg_dump ${tables_pg[*]} '$(pg_url "$src")' | psql -X -q -v ON_ERROR_STOP=1 '$(pg_url dst)'"
  record pg_dump "$t"
  check pg_dump "$(count_pg dst)"

  # The floor: the bare tables (pre-data: no key, index or foreign key), then binary COPY.
  fresh_pg dst
  pg_dump --section=pre-data "${tables_pg[@]}" "$(pg_url "$src")" | pg dst >/dev/null
  local pipes="" tb
  for tb in idn_oauth_consumer_apps idn_oauth2_access_token idn_oauth2_access_token_scope; do
    pipes+="psql -X -q '$(pg_url "$src")' -c '\\copy $tb TO STDOUT (FORMAT binary)' |"
    pipes+=" psql -X -q -v ON_ERROR_STOP=1 '$(pg_url dst)' -c '\\copy $tb FROM STDIN (FORMAT binary)'; "
  done
  cmd[pg_floor]="per table: psql SRC -c '\\copy T TO STDOUT (FORMAT binary)' | psql DST -c '\\copy T FROM STDIN (FORMAT binary)'"
  timed_sh t "set -e; $pipes"
  record pg_floor "$t"
  check pg_floor "$(count_pg dst)"

  fi
  # -- MariaDB -> PostgreSQL
  if [[ " $paths " == *" mp "* ]]; then
  log "run $1: MariaDB -> PostgreSQL"
  fresh_pg dst
  cutover_copy mp_cutover "$(my_url "$src")" "$(pg_url dst)"
  check mp_cutover "$(count_pg dst)"

  fresh_pg dst
  # Its default prefetch (100,000 rows a reader) exhausts SBCL's 1 GiB heap at 1M tokens.
  cmd[mp_pgloader]="pgloader --with 'prefetch rows = 10000' mysql://USER:PW@127.0.0.1:PORT/SRC pgsql://postgres@unix:SOCKDIR:PORT/DST"
  timed t pgloader --with "prefetch rows = 10000" "mysql://$MY_TCP_USER:$MY_TCP_PASSWORD@127.0.0.1:$MY_PORT/$src" \
    "pgsql://postgres@unix:$PG_HOST:$PG_PORT/dst"
  record mp_pgloader "$t" "$t_rss"
  # pgloader puts the tables in a schema named after the MariaDB database.
  check mp_pgloader "$(pg dst -At -F' ' -c "SET search_path TO $src" -c "$count_sql")"

  fi
  # -- MariaDB -> MariaDB
  if [[ " $paths " == *" mm "* ]]; then
  log "run $1: MariaDB -> MariaDB"
  fresh_my dst
  cutover_copy mm_cutover "$(my_url "$src")" "$(my_url dst)"
  check mm_cutover "$(count_my dst)"

  fresh_my dst
  rm -rf "$dump"
  cmd[mm_mydumper]="mydumper -B SRC -o DIR && myloader -d DIR -B DST -o"
  timed_sh t "mydumper -S '$MY_SOCKET' -u '$my_user' -B '$src' -o '$dump' &&
    myloader -S '$MY_SOCKET' -u '$my_user' -d '$dump' -B dst -o"
  record mm_mydumper "$t"
  check mm_mydumper "$(count_my dst)"
  rm -rf "$dump"

  fresh_my dst
  cmd[mm_dump]="mariadb-dump --single-transaction SRC | mariadb DST"
  timed_sh t "mariadb-dump -S '$MY_SOCKET' -u '$my_user' --single-transaction '$src' |
    mariadb -S '$MY_SOCKET' -u '$my_user' dst"
  record mm_dump "$t"
  check mm_dump "$(count_my dst)"
  fi
}

echo "cutover sync copy benchmark: $rows access tokens (IS $bench_version), median of $runs runs"
echo "command: bench/sync_copy.sh $rows $runs"
machine
echo "rows: $n_tokens IDN_OAUTH2_ACCESS_TOKEN, $n_scopes IDN_OAUTH2_ACCESS_TOKEN_SCOPE," \
  "$n_apps IDN_OAUTH_CONSUMER_APPS ($total in all)"
for r in $(seq 1 "$runs"); do one_run "$r"; done

printf '\n%-24s %-26s %-24s %8s %12s %12s %8s %8s\n' path tool "seconds per run" median \
  "tokens/s" "rows/s" RSS_MiB "cutover"
line() {  # line PATH TOOL KEY CUTOVER_KEY
  [ -n "${secs[$3]:-}" ] && [ -n "${secs[$4]:-}" ] || return 0
  local m t_rate c
  # shellcheck disable=SC2086
  m=$(median ${secs[$3]})
  t_rate=$(echo "$n_tokens / $m" | bc)
  # shellcheck disable=SC2086
  c=$(echo "scale=2; $m / $(median ${secs[$4]})" | bc)
  local r="-"
  # shellcheck disable=SC2086
  [ -z "${rss[$3]:-}" ] || r=$(printf '%s\n' ${rss[$3]} | sort -n | tail -1)
  # shellcheck disable=SC2001
  printf '%-24s %-26s %-24s %8s %12s %12s %8s %7sx\n' "$1" "$2" "$(echo "${secs[$3]}" | sed 's/^ //')" \
    "$m" "$t_rate" "$(echo "$total / $m" | bc)" "$r" "$c"
}
line "PostgreSQL->PostgreSQL" "cutover sync copy" pg_cutover pg_cutover
line "" "pgcopydb clone" pg_pgcopydb pg_cutover
line "" "pg_dump | psql" pg_dump pg_cutover
line "" "floor: binary COPY, bare" pg_floor pg_cutover
line "MariaDB->PostgreSQL" "cutover sync copy" mp_cutover mp_cutover
line "" "pgloader" mp_pgloader mp_cutover
line "MariaDB->MariaDB" "cutover sync copy" mm_cutover mm_cutover
line "" "mydumper | myloader" mm_mydumper mm_cutover
line "" "mariadb-dump | mariadb" mm_dump mm_cutover
echo "(tokens/s = access-token rows / median seconds, the issue's unit; rows/s counts all $total"
echo " rows; 'cutover' = the peer's time / cutover's: above 1x cutover is faster)"
echo "commands (SRC, DST: fresh databases on the servers above):"
for k in pg_cutover pg_pgcopydb pg_dump pg_floor mp_pgloader mm_mydumper mm_dump; do
  [ -z "${cmd[$k]:-}" ] || echo "  ${cmd[$k]}"
done
