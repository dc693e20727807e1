#!/usr/bin/env bash
# needs:
# `cutover verify` while a sync runs (issue 15, live sources), on SQLite:
#  1. a change journaled on the source but not applied (no `sync run`): verify waits for the
#     sync at most --recheck-timeout, then reports the row with exit 3 and says the sync did
#     not catch up (live.sync true, live.caught_up false);
#  2. with `sync run` applying and an IS-like workload writing the source during the check,
#     verify reports no difference (exit 0): rows changed after they were read are looked at
#     again once the sync applied them;
#  3. a real difference (a target row changed behind the sync's back) is still reported after
#     the re-checks (exit 3, the row and column named, live.caught_up true);
#  4. without a sync set up between the two databases nothing is re-checked (live.sync false).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0
WORKLOAD="$(dirname "$0")/tools/workload.py"
json_get() {
  "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}
S=$(db_url sqlite live_src)
T=$(db_url sqlite live_dst)
run 0 schema create "$S" --version "$V"
run 0 schema fill "$S" --rows 300
run 0 sync prepare --source "$S"
run 0 sync copy --source "$S" --target "$T"
run 0 sync run --source "$S" --target "$T" --once
run 0 verify --source "$S" --target "$T" --json
[ "$(json_get "$OUT" 'j["equal"] and j["live"]["sync"]')" = True ] || fail "after copy and run: $OUT"

# --- 1. journaled, not applied: reported after the wait, with the note --------------------
sql sqlite live_src "UPDATE IDN_IDENTITY_USER_DATA SET DATA_VALUE = 'pending' WHERE rowid = (SELECT MIN(rowid) FROM IDN_IDENTITY_USER_DATA)" >/dev/null
started=$(date +%s)
run 3 verify --source "$S" --target "$T" --recheck-timeout 2s --json
[ "$(json_get "$OUT" 'j["live"]["sync"] and not j["live"]["caught_up"]')" = True ] ||
  fail "a pending change: live should say the sync did not catch up: $OUT"
[ "$(json_get "$OUT" '[t["differing"] for t in j["tables"] if t["table"] == "IDN_IDENTITY_USER_DATA"][0]')" = 1 ] ||
  fail "a pending change: the row should be reported: $OUT"
[ $(($(date +%s) - started)) -ge 2 ] || fail "verify did not wait for the sync"
run 3 verify --source "$S" --target "$T" --recheck-timeout 1s
expect_in "$OUT" "did not apply the journal within 1s" "the note on a sync that did not catch up"

# --- 2. sync running, source written during the check: no false alarm -----------------------
"$CUTOVER" sync run --source "$S" --target "$T" --interval 50 >/dev/null 2>"$WORK/run.err" &
runpid=$!
"$PY" "$WORKLOAD" "$S" load --seconds 8 --threads 2 --rate 30 --seed 7 >"$WORK/wl.out" 2>"$WORK/wl.err" &
wlpid=$!
sleep 1
for i in 1 2 3; do
  run 0 verify --source "$S" --target "$T" --json
  [ "$(json_get "$OUT" 'j["live"]["sync"] and j["live"]["caught_up"]')" = True ] ||
    fail "under load ($i): $OUT"
  echo "under load ($i): in flight $(json_get "$OUT" 'j["live"]["in_flight"]'), re-checks $(json_get "$OUT" 'j["live"]["rechecks"]')"
done
wait "$wlpid" || fail "the workload failed: $(cat "$WORK/wl.err")"

# --- 3. a real difference stays reported after the re-checks ----------------------------------
sql sqlite live_dst "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_SCOPE_HASH = 'tampered' WHERE TOKEN_ID = (SELECT MIN(TOKEN_ID) FROM IDN_OAUTH2_ACCESS_TOKEN)" >/dev/null
run 3 verify --source "$S" --target "$T" --json
[ "$(json_get "$OUT" 'j["live"]["caught_up"] and j["live"]["rechecks"] >= 1')" = True ] ||
  fail "a real difference: the sync was running, the row should have been re-checked: $OUT"
[ "$(json_get "$OUT" '[c["column"].upper() for t in j["tables"] for r in t["rows"] for c in r["columns"]]')" = "['TOKEN_SCOPE_HASH']" ] ||
  fail "a real difference: the column should be named: $OUT"
kill "$runpid" 2>/dev/null
wait "$runpid" 2>/dev/null

# --- 4. no sync set up: nothing re-checked -------------------------------------------------
cp "$WORK/live_src.db" "$WORK/plain_src.db"
run 0 sync remove --source "$(db_url sqlite plain_src)"
cp "$WORK/plain_src.db" "$WORK/plain_dst.db"
sql sqlite plain_dst "DELETE FROM IDN_IDENTITY_USER_DATA WHERE USER_NAME = (SELECT MIN(USER_NAME) FROM IDN_IDENTITY_USER_DATA)" >/dev/null
run 3 verify --source "$(db_url sqlite plain_src)" --target "$(db_url sqlite plain_dst)" --json
[ "$(json_get "$OUT" 'not j["live"]["sync"] and j["live"]["rechecks"] == 0')" = True ] ||
  fail "no sync: nothing to wait for: $OUT"
finish
