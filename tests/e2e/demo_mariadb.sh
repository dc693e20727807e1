#!/usr/bin/env bash
# needs: mariadb
# `cutover demo --engine mariadb` against two empty databases of the test server (binary
# logging on, like production): exits 0 with the summary's equality line (and its JSON), and
# the independent comparator finds the two databases equal. A source that already holds IS tables is refused before any write.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_AUTH_SESSION_STORE
fresh_db mariadb demo_src
fresh_db mariadb demo_dst
S=$(db_url mariadb demo_src)
T=$(db_url mariadb demo_dst)

run 0 demo --engine mariadb --source "$S" --target "$T" --rows 2000 --seconds 5 --threads 4 --json
echo "$ERR"
expect_in "$ERR" "both sides equal: 6 tables" "demo mariadb summary"
[ "$(json_get "$OUT" 'j["equal"]')" = True ] || fail "demo mariadb: JSON says not equal: $OUT"
[ "$(json_get "$OUT" 'j["workload"]["transactions"] > 0')" = True ] || fail "demo mariadb: no workload: $OUT"
[ "$(json_get "$OUT" 'j["applied"]["entries"] > 0')" = True ] || fail "demo mariadb: nothing applied: $OUT"
same_data "$S" "$T" "$TABLES" "demo mariadb"

# Again into the same (now used) databases: refused, nothing written.
before=$(sql mariadb demo_src "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")
run 2 demo --engine mariadb --source "$S" --target "$T" --rows 100 --seconds 1
expect_in "$ERR" "already" "demo mariadb into used databases"
[ "$(sql mariadb demo_src "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")" = "$before" ] ||
  fail "demo mariadb into used databases changed the source"
finish
