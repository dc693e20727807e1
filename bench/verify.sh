#!/usr/bin/env bash
# `cutover verify` beside its peers, on the sync benchmarks' data (bench/sync_lib.sh: ROWS
# access tokens with their scopes, the same rows on PostgreSQL and MariaDB):
#   - MariaDB: `cutover verify` of IDN_OAUTH2_ACCESS_TOKEN against a copy of it in a second
#     database, beside pt-table-checksum (percona-toolkit, from Debian) checksumming the table
#     once (it checks one server against its replicas; here it has none, so it only computes);
#   - PostgreSQL: `cutover verify` of the table against a copy (CREATE DATABASE ... TEMPLATE),
#     beside the in-database floor: one xor of md5 over every row of one database;
#   - across engines, for information: `cutover verify` MariaDB -> PostgreSQL.
# Each verify must exit 0 (equal); afterwards one changed row on the copy must give exit 3.
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

machine
echo "command: bench/verify.sh $rows $runs"
declare -a t_cv_my t_pt t_cv_pg t_floor t_cv_x
for r in $(seq "$runs"); do
  log "run $r of $runs"
  # shellcheck disable=SC2046  # the words of cv are the command
  timed s $(cv "$(my_url "$src")" "$(my_url "$cp_db")")
  t_cv_my+=("$s")
  timed_sh s "$pt_cmd"
  pt_check
  t_pt+=("$s")
  # shellcheck disable=SC2046
  timed s $(cv "$(pg_url "$src")" "$(pg_url "$cp_db")")
  t_cv_pg+=("$s")
  timed_sh s "psql -X -q -At -v ON_ERROR_STOP=1 '$(pg_url "$src")' -c \"$floor_sql\""
  t_floor+=("$s")
  # shellcheck disable=SC2046
  timed s $(cv "$(my_url "$src")" "$(pg_url "$src")")
  t_cv_x+=("$s")
done

# Not timed: the check must also see a difference (exit 3), then the copy is put back.
pg "$cp_db" -c "UPDATE $table SET TOKEN_STATE = 'REVOKED' WHERE TOKEN_ID = (SELECT min(TOKEN_ID) FROM $table)" >/dev/null
set +e
"$cutover" verify --source "$(pg_url "$src")" --target "$(pg_url "$cp_db")" --from "$bench_version" \
  --to "$bench_version" --tables "$table" >/dev/null 2>&1
rc=$?
set -e
pg postgres -c "DROP DATABASE $cp_db" >/dev/null
rm -f "$state/verify_copies_$rows"
[ "$rc" = 3 ] || { echo "verify missed a changed row (exit $rc, expected 3)" >&2; exit 1; }

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
