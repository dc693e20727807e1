#!/usr/bin/env bash
# Benchmark: reading an IDN_OAUTH2_ACCESS_TOKEN-shaped table of N rows (default 1,000,000)
# through query() and bulk_read() on PostgreSQL 15 (binary COPY), MariaDB 10.11 and SQLite
# (streaming), and copying it PostgreSQL -> PostgreSQL through bulk_read + bulk_insert, through
# the raw COPY pass-through, and through `psql \copy ... | psql \copy` for comparison.
# Starts its own servers (tests/servers). Prints rows/s per path.
# Usage: bench/bulk_read.sh [ROWS]
# Needs a build with -DCUTOVER_BUILD_BENCH=ON (build/bench/bulk_read_bench).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
bench=$PWD/build/bench/bulk_read_bench
[ -x "$bench" ] || { echo "build with -DCUTOVER_BUILD_BENCH=ON first" >&2; exit 2; }
# shellcheck source=bench/servers.sh
. bench/servers.sh
pg_src="postgresql://postgres@$enc_host:$PG_PORT/bench_src"
pg_dst="postgresql://postgres@$enc_host:$PG_PORT/bench_dst"
my_url="mysql://${MY_SOCKET_USER:-root}@localhost/bench?socket=$MY_SOCKET"
lite="$state/bench.db"
psql_src=(psql -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@$enc_host:$PG_PORT/bench_src")
psql_dst=(psql -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@$enc_host:$PG_PORT/bench_dst")
mariadb=(mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}")

# The token table of IS 5.8 without its foreign key and unique key (nothing here needs them).
ddl() {  # ddl TIMESTAMP_TYPE
  cat <<SQL
CREATE TABLE IDN_OAUTH2_ACCESS_TOKEN (
  TOKEN_ID VARCHAR(255) NOT NULL, ACCESS_TOKEN VARCHAR(2048), REFRESH_TOKEN VARCHAR(2048),
  CONSUMER_KEY_ID INTEGER, AUTHZ_USER VARCHAR(100), TENANT_ID INTEGER, USER_DOMAIN VARCHAR(50),
  USER_TYPE VARCHAR(25), GRANT_TYPE VARCHAR(50), TIME_CREATED $1,
  REFRESH_TOKEN_TIME_CREATED $1, VALIDITY_PERIOD BIGINT, REFRESH_TOKEN_VALIDITY_PERIOD BIGINT,
  TOKEN_SCOPE_HASH VARCHAR(32), TOKEN_STATE VARCHAR(25) DEFAULT 'ACTIVE',
  TOKEN_STATE_ID VARCHAR(128) DEFAULT 'NONE', SUBJECT_IDENTIFIER VARCHAR(255),
  ACCESS_TOKEN_HASH VARCHAR(512), REFRESH_TOKEN_HASH VARCHAR(512), IDP_ID INTEGER,
  PRIMARY KEY (TOKEN_ID));
SQL
}
# Row i, the same text on every engine (md5 for the tokens and hashes).
select_rows() {  # select_rows SERIES_COLUMN FROM_CLAUSE TS_EXPR
  local i=$1
  cat <<SQL
SELECT concat('tok-', $i), concat(md5(concat('a', $i)), md5(concat('b', $i))),
  concat(md5(concat('r', $i)), md5(concat('s', $i))), 1 + $i % 50, concat('user', $i % 1000),
  -1234, 'PRIMARY', 'APPLICATION_USER', 'authorization_code', $3, $3, 3600000, 86400000,
  md5(concat('scope', $i % 20)), 'ACTIVE', 'NONE', concat('user', $i % 1000),
  concat(md5(concat('h', $i)), md5(concat('i', $i))), concat(md5(concat('j', $i)), md5(concat('k', $i))), 1
$2
SQL
}

echo "cutover bulk read benchmark: $rows rows, $(nproc) cores, $(uname -m), $(date -u +%FT%TZ)"
echo "setting up (not timed) ..."
psql -X -q "$PG_SOCKET_URL" -c "CREATE DATABASE bench_src" -c "CREATE DATABASE bench_dst"
ddl TIMESTAMP | "${psql_src[@]}"
ddl TIMESTAMP | "${psql_dst[@]}"
select_rows i "FROM generate_series(1, $rows) i" \
  "TIMESTAMP '2024-01-01' + i * INTERVAL '1.001 second'" |
  sed '1s/^/INSERT INTO IDN_OAUTH2_ACCESS_TOKEN /' | "${psql_src[@]}"
"${psql_src[@]}" -c "VACUUM ANALYZE IDN_OAUTH2_ACCESS_TOKEN"
"${mariadb[@]}" -e "CREATE DATABASE bench"
{ ddl 'DATETIME(6)'; echo ';'
  select_rows seq "FROM seq_1_to_$rows" \
    "TIMESTAMPADD(MICROSECOND, seq * 1001000, TIMESTAMP '2024-01-01 00:00:00')" |
    sed '1s/^/INSERT INTO IDN_OAUTH2_ACCESS_TOKEN /'; echo ';'
} | "${mariadb[@]}" bench
# SQLite: the same rows, copied from PostgreSQL by cutover itself (bulk_insert).
ddl TIMESTAMP | sqlite3 "$lite"
"$bench" copy "$pg_src" "sqlite:$lite" IDN_OAUTH2_ACCESS_TOKEN >/dev/null

echo "full-table read"
"$bench" read "$pg_src" IDN_OAUTH2_ACCESS_TOKEN
"$bench" read "$my_url" IDN_OAUTH2_ACCESS_TOKEN
"$bench" read "sqlite:$lite" IDN_OAUTH2_ACCESS_TOKEN
echo "PostgreSQL -> PostgreSQL"
"$bench" copy "$pg_src" "$pg_dst" IDN_OAUTH2_ACCESS_TOKEN
"${psql_dst[@]}" -c "TRUNCATE IDN_OAUTH2_ACCESS_TOKEN"
start=$(date +%s.%N)
"${psql_src[@]}" -c "\\copy (SELECT * FROM IDN_OAUTH2_ACCESS_TOKEN) to stdout" |
  "${psql_dst[@]}" -c "\\copy IDN_OAUTH2_ACCESS_TOKEN from stdin"
end=$(date +%s.%N)
copied=$("${psql_dst[@]}" -At -c "SELECT count(*) FROM IDN_OAUTH2_ACCESS_TOKEN")
awk -v n="$copied" -v s="$start" -v e="$end" \
  'BEGIN { printf "%-40s %9d rows %8.2f s %10.0f rows/s\n", "psql \\copy | psql \\copy (text)", n, e - s, n / (e - s) }'
