#!/usr/bin/env bash
# needs: postgres mariadb
# `cutover demo --engine postgresql|mariadb` against two empty databases of the test servers
# (MariaDB with binary logging on, like production), IS 5.8.0 to 7.0.0 by default: exits 0 with
# the gate ready, the summary's equality line and its JSON; the new side's writes after the
# switch flowed back (none echoed forward), and every new row is the old row transformed as the
# independent expectation (tools/xform_expect.py) has it, and every old row the new one
# transformed back. Databases that already hold IS
# tables are refused before any write.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
. "$(dirname "$0")/tools/xform_lib.sh"

TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_AUTH_SESSION_STORE
for engine in postgresql mariadb; do
  what="demo $engine"
  fresh_db "$engine" demo_src
  fresh_db "$engine" demo_dst
  S=$(db_url "$engine" demo_src)
  T=$(db_url "$engine" demo_dst)

  run 0 demo --engine "$engine" --source "$S" --target "$T" --rows 2000 --seconds 5 --threads 4 --json
  echo "$ERR"
  expect_in "$ERR" "both sides equal: 6 tables" "$what summary"
  [ "$(json_get "$OUT" 'j["equal"]')" = True ] || fail "$what: JSON says not equal: $OUT"
  [ "$(json_get "$OUT" 'j["workload"]["transactions"] > 0')" = True ] || fail "$what: no workload: $OUT"
  [ "$(json_get "$OUT" 'j["applied"]["entries"] > 0')" = True ] || fail "$what: nothing applied: $OUT"
  [ "$(json_get "$OUT" 'j["to"]')" = 7.0.0 ] || fail "$what: not to 7.0.0: $OUT"
  [ "$(json_get "$OUT" 'j["gate"]["ready"] and j["gate"]["reverse_armed"]')" = True ] || fail "$what: gate: $OUT"
  [ "$(json_get "$OUT" 'j["reverse"]["workload"]["issued"] > 0')" = True ] || fail "$what: no writes on the new side: $OUT"
  [ "$(json_get "$OUT" 'j["reverse"]["entries"] > 0')" = True ] || fail "$what: nothing flowed back: $OUT"
  [ "$(json_get "$OUT" 'j["reverse"]["echoed_forward"]')" = 0 ] || fail "$what: the reverse echoed forward: $OUT"
  if ! out=$("$PY" "$EXPECT" "$S" "$T" 5.8.0 7.0.0 "$TABLES" 2>&1); then
    fail "$what: the target is not the transformed source: $out"
  fi
  if ! out=$("$PY" "$EXPECT" "$T" "$S" 7.0.0 5.8.0 "$TABLES" 2>&1); then
    fail "$what: the old side is not the new one transformed back: $out"
  fi

  # Again into the same (now used) databases: refused, nothing written.
  count="SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN"
  before=$(sql "$engine" demo_src "$count")
  run 2 demo --engine "$engine" --source "$S" --target "$T" --rows 100 --seconds 1
  expect_in "$ERR" "already" "$what into used databases"
  [ "$(sql "$engine" demo_src "$count")" = "$before" ] || fail "$what into used databases changed the source"
done
finish
