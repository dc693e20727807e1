#!/usr/bin/env bash
# `cutover verify` beside its peers, on the sync benchmarks' data (bench/sync_lib.sh: ROWS
# access tokens with their scopes, the same rows on PostgreSQL and MariaDB):
#   - MariaDB: `cutover verify` of IDN_OAUTH2_ACCESS_TOKEN against a copy of it in a second
#     database, beside pt-table-checksum (percona-toolkit, from Debian) checksumming the table
#     once (it checks one server against its replicas; here it has none, so it only computes);
#   - PostgreSQL: `cutover verify` of the table against a copy (CREATE DATABASE ... TEMPLATE),
#     beside the in-database floor: one xor of md5 over every row of one database;
#   - across engines, for information: `cutover verify` MariaDB -> PostgreSQL.
# Each verify must exit 0 (equal). Then ten rows changed on each copy, spread over the key, must
# be found exactly (exit 3): the time that takes and the peak RSS are printed too.
# Median of RUNS, round-robin. Run on a quiet machine: the figures mean nothing otherwise.
# Usage: bench/verify.sh [ROWS] [RUNS]   (default 1,000,000 tokens, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-3}
# shellcheck source=bench/servers.sh
. bench/servers.sh
# shellcheck source=bench/sync_lib.sh
. bench/sync_lib.sh
ensure_peers pt-table-checksum:percona-toolkit
make_sources "$rows"
src=src_$rows
cp_db=verify_copy_$rows
table=IDN_OAUTH2_ACCESS_TOKEN

if [ ! -f "$state/verify_copies_$rows" ]; then
  log "copying $table to $cp_db on both servers (not timed)"
  pg postgres -c "DROP DATABASE IF EXISTS $cp_db" -c "CREATE DATABASE $cp_db TEMPLATE $src" \
    >/dev/null
  fresh_my "$cp_db"
  my "$cp_db" -e "SET FOREIGN_KEY_CHECKS = 0;
    CREATE TABLE IDN_OAUTH_CONSUMER_APPS LIKE $src.IDN_OAUTH_CONSUMER_APPS;
    INSERT INTO IDN_OAUTH_CONSUMER_APPS SELECT * FROM $src.IDN_OAUTH_CONSUMER_APPS;
    CREATE TABLE $table LIKE $src.$table;
    INSERT INTO $table SELECT * FROM $src.$table;
    ANALYZE TABLE $table;" >/dev/null
  touch "$state/verify_copies_$rows"
fi

# cv SOURCE_URL TARGET_URL: the verify command of one run (must find the two equal: exit 0).
cv() {
  echo "$cutover" verify --source "$1" --target "$2" --from "$bench_version" \
    --to "$bench_version" --tables "$table"
}
pt_out="$state/pt.out"
# pt-table-checksum's exit status carries warning bits (no replicas found); its summary line
# for the table (TS ERRORS DIFFS ROWS ... TABLE) says whether it checksummed every row.
pt_cmd="pt-table-checksum 'h=localhost,S=$MY_SOCKET,u=$my_user' --databases $src --tables $table \
  --recursion-method=none --no-check-binlog-format --no-check-replication-filters \
  --replicate percona.checksums --no-version-check >$pt_out 2>&1 || true"
pt_check() {
  awk -v t="$src.$table" -v n="$rows" '$NF == t { found = 1; if ($2 != 0 || $4 != n) exit 1 }
    END { exit !found }' "$pt_out" ||
    { cat "$pt_out" >&2; echo "pt-table-checksum did not checksum the table" >&2; exit 1; }
}
floor_sql="SELECT count(*), bit_xor(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint) FROM $table t"

# One untimed round first, every path once: the copies were just written, and their first
# reads met dirty pages and background flushing that later runs did not (13.4 s, then 7.3 s
# and 4.4 s for the same MariaDB verify on 2026-11-30).
log "warm-up round (not timed)"
# shellcheck disable=SC2046
$(cv "$(my_url "$src")" "$(my_url "$cp_db")") >/dev/null 2>&1 || true
eval "$pt_cmd"
# shellcheck disable=SC2046
$(cv "$(pg_url "$src")" "$(pg_url "$cp_db")") >/dev/null 2>&1 || true
psql -X -q -At "$(pg_url "$src")" -c "$floor_sql" >/dev/null

machine
echo "command: bench/verify.sh $rows $runs"
declare -a t_cv_my t_pt t_cv_pg t_floor t_cv_x rss_my rss_pg rss_x
for r in $(seq "$runs"); do
  log "run $r of $runs"
  # shellcheck disable=SC2046  # the words of cv are the command
  timed s $(cv "$(my_url "$src")" "$(my_url "$cp_db")")
  t_cv_my+=("$s")
  rss_my+=("$s_rss")
  timed_sh s "$pt_cmd"
  pt_check
  t_pt+=("$s")
  # shellcheck disable=SC2046
  timed s $(cv "$(pg_url "$src")" "$(pg_url "$cp_db")")
  t_cv_pg+=("$s")
  rss_pg+=("$s_rss")
  timed_sh s "psql -X -q -At -v ON_ERROR_STOP=1 '$(pg_url "$src")' -c \"$floor_sql\""
  t_floor+=("$s")
  # shellcheck disable=SC2046
  timed s $(cv "$(my_url "$src")" "$(pg_url "$src")")
  t_cv_x+=("$s")
  rss_x+=("$s_rss")
done

rate() { echo "$rows / $1" | bc; }
row() {
  local name=$1 med
  shift
  med=$(median "$@")
  printf '| %s | %s | %s | %s |\n' "$name" "$med" "$(rate "$med")" "$*"
}
echo
echo "$rows rows of $table, median of $runs (seconds per run in the last column)"
echo
echo "| what | seconds | rows/s | runs |"
echo "| --- | --- | --- | --- |"
row "MariaDB: cutover verify (table against its copy)" "${t_cv_my[@]}"
row "MariaDB: pt-table-checksum (one table, no replicas)" "${t_pt[@]}"
row "PostgreSQL: cutover verify (table against its copy)" "${t_cv_pg[@]}"
row "PostgreSQL: floor, xor of md5 over one table" "${t_floor[@]}"
row "MariaDB -> PostgreSQL: cutover verify" "${t_cv_x[@]}"
echo
my_ratio=$(echo "scale=2; $(median "${t_pt[@]}") / $(median "${t_cv_my[@]}")" | bc)
pg_ratio=$(echo "scale=2; $(median "${t_floor[@]}") / $(median "${t_cv_pg[@]}")" | bc)
echo "MariaDB: cutover's rows/s = ${my_ratio}x pt-table-checksum's (target >= 1.0)"
echo "PostgreSQL: cutover's rows/s = ${pg_ratio}x the floor's (target >= 0.5)"

# Ten changed rows, spread over the key, on each copy: verify must find exactly those (exit 3,
# ten differing rows); the time to pin them down (whole-table sums, then chunks and bisection)
# and the peak RSS are reported. Then the copies are dropped.
ten_keys=$(pg "$src" -At -c "SELECT string_agg(quote_literal(TOKEN_ID), ',') FROM (SELECT min(TOKEN_ID) AS TOKEN_ID FROM (SELECT TOKEN_ID, ntile(10) OVER (ORDER BY TOKEN_ID) AS part FROM $table) k GROUP BY part) f")
# The copies are changed from here on: never reused by a later run on these servers.
rm -f "$state/verify_copies_$rows"
change_ten="UPDATE $table SET TOKEN_STATE = 'PINNED' WHERE TOKEN_ID IN ($ten_keys)"
pg "$cp_db" -c "$change_ten" >/dev/null
my "$cp_db" -e "$change_ten"
# pin ENGINE_URL_SOURCE ENGINE_URL_TARGET VAR: one verify that must find the ten rows.
pin() {
  local t0 t1 rc
  t0=$(now)
  set +e
  # shellcheck disable=SC2046  # the words of cv are the command
  /usr/bin/time -f "%M" -o "$state/time" $(cv "$1" "$2") --json >"$state/pin.json" 2>"$state/pin.err"
  rc=$?
  set -e
  t1=$(now)
  local n
  n=$("$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(sum(t["differing"] + t["missing"] + t["extra"] for t in j["tables"]))' "$state/pin.json" 2>/dev/null || echo "?")
  if [ "$rc" != 3 ] || [ "$n" != 10 ]; then
    cat "$state/pin.err" >&2
    echo "verify did not pin down the ten changed rows (exit $rc, $n rows)" >&2
    exit 1
  fi
  printf -v "$3" '%.2f' "$(echo "$t1 - $t0" | bc)"
  printf -v "$3_rss" '%d' "$(($(tail -1 "$state/time") / 1024))"
}
pin_pg="" pin_pg_rss="" pin_my="" pin_my_rss="" pin_x="" pin_x_rss=""
pin "$(pg_url "$src")" "$(pg_url "$cp_db")" pin_pg
pin "$(my_url "$src")" "$(my_url "$cp_db")" pin_my
pin "$(my_url "$src")" "$(pg_url "$cp_db")" pin_x
pg postgres -c "DROP DATABASE $cp_db" >/dev/null
my "" -e "DROP DATABASE $cp_db"

echo
echo "ten changed rows pinned down (exit 3, the ten rows listed): PostgreSQL ${pin_pg} s" \
  "(peak RSS ${pin_pg_rss} MiB), MariaDB ${pin_my} s (${pin_my_rss} MiB)," \
  "MariaDB -> PostgreSQL ${pin_x} s (${pin_x_rss} MiB)"
echo "peak RSS of the equal runs (MiB): MariaDB $(median "${rss_my[@]}"), PostgreSQL" \
  "$(median "${rss_pg[@]}"), MariaDB -> PostgreSQL $(median "${rss_x[@]}")"
