#!/usr/bin/env bash
# Benchmark: `cutover cleanup tokens` over ROWS access tokens, half of them eligible, on
# PostgreSQL and MariaDB (servers started for the run, bench/servers.sh): rows removed per
# second and the longest single transaction, beside one plain DELETE statement of the same
# rows on a copy of the same data (one transaction holding every lock until it ends).
# The data: `schema fill --rows ROWS`, then every other token (by a hash of TOKEN_ID) made
# ACTIVE and never-expiring and the rest non-ACTIVE, so eligibility is exactly
# TOKEN_STATE <> 'ACTIVE' and the plain DELETE can say so; every authorization code stays.
# Usage: bench/cleanup_tokens.sh [ROWS] [BATCH]   (default 1,000,000 tokens, batch 10,000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
batch=${2:-10000}
# shellcheck source=bench/servers.sh
. bench/servers.sh
# shellcheck source=bench/sync_lib.sh
. bench/sync_lib.sh
now_utc="2026-11-01 12:00:00"

# Authorization codes are kept (ACTIVE, valid for ten years from their creation): the plain
# DELETE removes tokens only, so cutover must do the same work to be compared with it.
code_validity=315360000000
# half ENGINE DB: every other token kept (ACTIVE, validity -1 = never expires), the rest made
# non-ACTIVE. TOKEN_STATE_ID stays unique per non-ACTIVE row, so CON_APP_KEY holds.
half_pg() {
  pg "$1" -c "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'ACTIVE', VALIDITY_PERIOD = -1, REFRESH_TOKEN_VALIDITY_PERIOD = -1 WHERE abs(hashtext(TOKEN_ID)) % 2 = 0" \
    -c "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'EXPIRED' WHERE abs(hashtext(TOKEN_ID)) % 2 = 1 AND TOKEN_STATE = 'ACTIVE'" \
    -c "UPDATE IDN_OAUTH2_AUTHORIZATION_CODE SET STATE = 'ACTIVE', VALIDITY_PERIOD = $code_validity" \
    -c "VACUUM ANALYZE" >/dev/null
}
half_my() {
  my "$1" -e "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'ACTIVE', VALIDITY_PERIOD = -1, REFRESH_TOKEN_VALIDITY_PERIOD = -1 WHERE CRC32(TOKEN_ID) % 2 = 0; UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'EXPIRED' WHERE CRC32(TOKEN_ID) % 2 = 1 AND TOKEN_STATE = 'ACTIVE'; UPDATE IDN_OAUTH2_AUTHORIZATION_CODE SET STATE = 'ACTIVE', VALIDITY_PERIOD = $code_validity; ANALYZE TABLE IDN_OAUTH2_ACCESS_TOKEN" >/dev/null
}
plain_delete="DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_STATE <> 'ACTIVE'"

machine
echo "cleanup tokens: $rows tokens (schema fill, IS $bench_version), half eligible, --batch $batch"
printf '  %-11s %10s %10s %9s %12s %14s\n' engine eligible removed seconds "rows/s" "longest tx s"
for engine in postgresql mariadb; do
  if [ $engine = postgresql ]; then
    fresh_pg bct_a
    url=$(pg_url bct_a)
  else
    fresh_my bct_a
    url=$(my_url bct_a)
  fi
  log "$engine: create and fill $rows tokens"
  "$cutover" schema create "$url" --version "$bench_version" >/dev/null
  "$cutover" schema fill "$url" --rows "$rows" >/dev/null
  if [ $engine = postgresql ]; then
    half_pg bct_a
    pg postgres -c "DROP DATABASE IF EXISTS bct_b" -c "CREATE DATABASE bct_b TEMPLATE bct_a" >/dev/null
  else
    half_my bct_a
    fresh_my bct_b
    mariadb-dump -S "$MY_SOCKET" -u "$my_user" bct_a | my bct_b
  fi
  "$cutover" cleanup tokens "$url" --now "$now_utc" --batch "$batch" --json >"$state/ct.json"
  read -r eligible removed secs longest < <("$py" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["eligible"], [v for k, v in j["removed"].items() if k.upper() == "IDN_OAUTH2_ACCESS_TOKEN"][0], j["seconds"], j["longest_batch_seconds"])' "$state/ct.json")
  printf '  %-11s %10s %10s %9.2f %12.0f %14.3f\n' "$engine cutover" "$eligible" "$removed" "$secs" \
    "$("$py" -c "print($removed / $secs)")" "$longest"
  count="SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN"
  if [ $engine = postgresql ]; then
    total=$(pg bct_b -At -c "$count")
    t0=$(now)
    pg bct_b -c "$plain_delete" >/dev/null
    t1=$(now)
    n=$(pg bct_b -At -c "$count")
  else
    total=$(my bct_b -N -e "$count")
    t0=$(now)
    my bct_b -e "$plain_delete"
    t1=$(now)
    n=$(my bct_b -N -e "$count")
  fi
  secs=$("$py" -c "print($t1 - $t0)")
  gone=$((total - n))
  printf '  %-11s %10s %10s %9.2f %12.0f %14.3f\n' "$engine DELETE" "$eligible" "$gone" "$secs" \
    "$("$py" -c "print($gone / $secs)")" "$secs"
  [ "$gone" = "$removed" ] || echo "  warning: the plain DELETE removed $gone tokens, cutover $removed" >&2
done
