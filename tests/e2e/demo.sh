#!/usr/bin/env bash
# needs: sqlite
# `cutover demo` on SQLite (the README's main command), small, IS 5.8.0 to 7.0.0 by default:
# it exits 0 with the gate READY and the summary's equality line; in the two files it leaves
# every new row is the old row transformed as the independent expectation
# (tools/xform_expect.py) has it, and every old row the new one transformed back (the new side's
# writes after the switch came back through the reverse sync, none of them echoed forward),
# with the workload's writes in them. A second demo refuses the used folder (exit 2, nothing
# touched). Ctrl-C during the sync under load exits 130, names the folder, and leaves a
# consistent pair: `sync run --once` on the files then makes them match. `--to 5.8.0` runs the
# same-version demo, equal by the plain comparator.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
. "$(dirname "$0")/tools/xform_lib.sh"

# transformed_data SOURCE TARGET FROM TO WHAT: every target row is its source row as FROM -> TO
# declares it, by the test's own expectations.
transformed_data() {
  local out
  if ! out=$("$PY" "$EXPECT" "$1" "$2" "$3" "$4" "$TABLES" 2>&1); then
    fail "$5: the target is not the transformed source: $out"
  fi
}

TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_AUTH_SESSION_STORE
ROWS=2000

# 1. The whole demo.
D="$WORK/demo"
run 0 demo --dir "$D" --rows $ROWS --seconds 5 --threads 3
echo "$OUT"
expect_in "$OUT" "both sides equal: 6 tables" "demo summary"
expect_in "$OUT" "5.8.0 -> 7.0.0 transform" "demo summary"
expect_in "$OUT" "[5/7] sync cutover: writers stopped on the old side" "demo phases"
expect_in "$OUT" "READY: backlog 0, 6 tables" "demo gate"
expect_in "$OUT" "[6/7] after the switch" "demo phases"
# The new side wrote tokens after the switch, the reverse sync applied entries, none echoed.
issued_after=$(printf '%s\n' "$OUT" | sed -n 's/.*new side wrote .*: \([0-9,]*\) issued.*/\1/p' | tr -d ,)
[ "${issued_after:-0}" -gt 0 ] || fail "demo: the new side issued no token after the switch: $OUT"
back=$(printf '%s\n' "$OUT" | sed -n 's/.*flowed back *\([0-9,]*\) journal entries.*/\1/p' | tr -d ,)
[ "${back:-0}" -gt 0 ] || fail "demo: nothing flowed back: $OUT"
expect_in "$OUT" "on the old side; 0 echoed forward" "demo: no echo"
S="sqlite:$D/source-is-5.8.0.db"
T="sqlite:$D/target-is-7.0.0.db"
[ -f "$D/source-is-5.8.0.db" ] && [ -f "$D/target-is-7.0.0.db" ] || fail "demo files missing: $(ls "$D")"
transformed_data "$S" "$T" 5.8.0 7.0.0 "demo"
transformed_data "$T" "$S" 7.0.0 5.8.0 "demo, new side back to the old"
# The target is 7.0.0's schema, its new columns filled as declared.
none=$(sqlite3 "$D/target-is-7.0.0.db" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN WHERE AUTHORIZED_ORGANIZATION = 'NONE' AND TOKEN_BINDING_REF = 'NONE' AND IDP_ID IS NOT NULL")
all=$(sqlite3 "$D/target-is-7.0.0.db" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")
[ "$none" = "$all" ] || fail "demo: $none of $all target tokens have 7.0.0's new columns as declared"
# The workload wrote: more tokens than the fill made, new ones with the workload's grant types
# on both sides, and codes exchanged for tokens.
tokens=$(sqlite3 "$D/target-is-7.0.0.db" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")
[ "$tokens" -gt $ROWS ] || fail "demo: the target has $tokens tokens, no more than the $ROWS filled"
refreshed=$(sqlite3 "$D/target-is-7.0.0.db" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN WHERE GRANT_TYPE = 'refresh_token' AND TIME_CREATED > datetime('now', '-1 hour')")
[ "$refreshed" -gt 0 ] || fail "demo: no refreshed token reached the target"
exchanged=$(sqlite3 "$D/target-is-7.0.0.db" "SELECT COUNT(*) FROM IDN_OAUTH2_AUTHORIZATION_CODE c JOIN IDN_OAUTH2_ACCESS_TOKEN t ON t.TOKEN_ID = c.TOKEN_ID WHERE t.GRANT_TYPE = 'authorization_code' AND c.STATE = 'INACTIVE'")
[ "$exchanged" -gt 0 ] || fail "demo: no exchanged code reached the target"
# One ACTIVE token per client, user and scope (the workload retires the old one first).
dups=$(sqlite3 "$D/source-is-5.8.0.db" "SELECT COUNT(*) FROM (SELECT 1 FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_STATE = 'ACTIVE' GROUP BY CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID, USER_DOMAIN, USER_TYPE, TOKEN_SCOPE_HASH, IDP_ID HAVING COUNT(*) > 1)")
[ "$dups" = 0 ] || fail "demo: $dups client/user/scope groups with more than one ACTIVE token"

# 2. The used folder is refused, nothing in it touched.
before=$(cksum "$D"/*.db)
run 2 demo --dir "$D" --rows $ROWS --seconds 1
one_line_error "$ERR" "demo into a used folder"
expect_in "$ERR" "not empty" "demo into a used folder"
[ "$(cksum "$D"/*.db)" = "$before" ] || fail "demo into a used folder changed its files"

# 3. Ctrl-C while the workload writes.
D2="$WORK/demo2"
"$CUTOVER" demo --dir "$D2" --rows $ROWS --seconds 60 >"$WORK/d2.out" 2>"$WORK/d2.err" &
pid=$!
for _ in $(seq 1 120); do
  grep -q "workload .* tx" "$WORK/d2.out" && break
  sleep 0.5
done
grep -q "workload .* tx" "$WORK/d2.out" || fail "demo 2 never reached the sync under load: $(cat "$WORK/d2.out" "$WORK/d2.err")"
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" = 130 ] || fail "demo after Ctrl-C exited $rc, expected 130: $(cat "$WORK/d2.err")"
expect_in "$(cat "$WORK/d2.err")" "interrupted during sync under load" "demo Ctrl-C message"
expect_in "$(cat "$WORK/d2.err")" "$D2" "demo Ctrl-C names the folder"
S2="sqlite:$D2/source-is-5.8.0.db"
T2="sqlite:$D2/target-is-7.0.0.db"
run 0 sync run --source "$S2" --target "$T2" --to 7.0.0 --once
transformed_data "$S2" "$T2" 5.8.0 7.0.0 "demo interrupted, then sync run --once"

# 4. One version: --to 5.8.0 needs no transform, and the plain comparator finds the sides equal.
D3="$WORK/demo3"
run 0 demo --dir "$D3" --rows 500 --seconds 2 --to 5.8.0
expect_in "$OUT" "both sides equal: 6 tables" "same-version demo summary"
same_data "sqlite:$D3/source-is-5.8.0.db" "sqlite:$D3/target-is-5.8.0.db" "$TABLES" "same-version demo"
finish
