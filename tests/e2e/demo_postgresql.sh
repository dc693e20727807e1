#!/usr/bin/env bash
# needs: postgres
# `cutover demo --engine postgresql` against two empty databases of the test server: exits 0
# with the summary's equality line (and its JSON), and the independent comparator finds the
# two databases equal. A source that already holds IS tables is refused before any write.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_AUTH_SESSION_STORE
fresh_db postgresql demo_src
fresh_db postgresql demo_dst
S=$(db_url postgresql demo_src)
T=$(db_url postgresql demo_dst)

run 0 demo --engine postgresql --source "$S" --target "$T" --rows 2000 --seconds 5 --threads 4 --json
echo "$ERR"
expect_in "$ERR" "both sides equal: 6 tables" "demo postgresql summary"
[ "$(json_get "$OUT" 'j["equal"]')" = True ] || fail "demo postgresql: JSON says not equal: $OUT"
[ "$(json_get "$OUT" 'j["workload"]["transactions"] > 0')" = True ] || fail "demo postgresql: no workload: $OUT"
[ "$(json_get "$OUT" 'j["applied"]["entries"] > 0')" = True ] || fail "demo postgresql: nothing applied: $OUT"
same_data "$S" "$T" "$TABLES" "demo postgresql"

# Again into the same (now used) databases: refused, nothing written.
before=$(sql postgresql demo_src "SELECT COUNT(*) FROM idn_oauth2_access_token")
run 2 demo --engine postgresql --source "$S" --target "$T" --rows 100 --seconds 1
expect_in "$ERR" "already" "demo postgresql into used databases"
[ "$(sql postgresql demo_src "SELECT COUNT(*) FROM idn_oauth2_access_token")" = "$before" ] ||
  fail "demo postgresql into used databases changed the source"
finish
