#!/usr/bin/env bash
# needs: postgres mariadb
# The cutover gate and the reverse sync (issue 14) through the binary, on SQLite -> SQLite,
# PostgreSQL -> PostgreSQL and MariaDB -> PostgreSQL:
#  1. gate not ready, exit 5 with the reason: a key deleted on the target behind the sync's
#     back (named with its table and key), then a backlog left with a tiny --timeout;
#  2. gate ready (exit 0, reverse armed) while the old side's IS-like workload still runs and
#     `sync run` applies it; a second gate re-checks and reports it was armed already; the
#     forward applier's writes on the new side are not journaled for the reverse (backlog 0);
#  3. writes on the NEW side (tokens issued, refreshed, revoked, deleted; user data) while
#     `sync run --reverse` is killed with -9 at random moments: after a drain the old side
#     equals the new one (independent comparator), and nothing loops: each direction's
#     second `--once` finds no entry;
#  4. remove with both URLs leaves the source catalogue exactly as before prepare and the
#     target's without any object of ours.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0
TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_OAUTH2_TOKEN_BINDING,IDN_OAUTH2_AUTHZ_CODE_SCOPE,IDN_AUTH_SESSION_STORE
WORKLOAD="$(dirname "$0")/tools/workload.py"
RANDOM=$$

# lib.sh's json_get through Debian's python3 ($PY): a pyenv shim costs seconds per call here.
json_get() {
  "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}
echo "random seed $RANDOM"

phase() {
  echo "$(date +%T) $*"
}

random_sleep() {
  local ms=$(($1 + RANDOM % ($2 - $1)))
  sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
}

# workload URL SECONDS SEED [ARGS...]: IS-like writes in the background ($wlpid).
workload() {
  local url=$1 secs=$2 seed=$3
  shift 3
  "$PY" "$WORKLOAD" "$url" load --seconds "$secs" --threads 3 --long-pct 10 --rollback-pct 10 \
    --seed "$seed" "$@" >"$WORK/wl.out" 2>"$WORK/wl.err" &
  wlpid=$!
}

end_workload() {
  wait "$wlpid" || fail "$1: the workload failed: $(cat "$WORK/wl.err")"
  echo "$1: workload $(cat "$WORK/wl.out")"
}

# drained WHAT: waits until status shows no backlog in either direction.
drained() {
  local _
  for _ in $(seq 1 100); do
    run 0 sync status --source "$S" --target "$T" --json
    if [ "$(json_get "$OUT" 'j["backlog"] + (j["reverse"] or {}).get("backlog", 0)')" = 0 ]; then
      return 0
    fi
    sleep 0.2
  done
  fail "$1: the backlog never reached 0: $OUT"
}

for pair in "sqlite sqlite" "postgresql postgresql" "mariadb postgresql"; do
  read -r s t <<<"$pair"
  what="$s -> $t"
  src="rv_src_$s"
  dst="rv_dst_${s}_$t"
  fresh_db "$s" "$src"
  fresh_db "$t" "$dst"
  S=$(db_url "$s" "$src")
  T=$(db_url "$t" "$dst")
  phase "$what: setup"
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows 500
  # Keys whose byte order differs from a case-insensitive or locale order, so the gate's
  # merge of the two sides' key streams is tested across engines.
  sql "$s" "$src" "INSERT INTO IDN_IDENTITY_USER_DATA (TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE) VALUES (-1234, 'gate-probe', 'k1', 'v1'), (-1234, 'Zed', 'k1', 'v'), (-1234, '_under', 'k1', 'v'), (-1234, 'alpha', 'K2', 'v'), (-1234, 'Ärger', 'k1', 'v'), (-1234, 'b z', 'k1', 'v'), (7, 'B-a', 'k1', 'v')" >/dev/null
  source_before=$(objects "$s" "$src")
  run 0 sync prepare --source "$S"
  run 0 sync copy --source "$S" --target "$T" --jobs 2
  run 0 sync run --source "$S" --target "$T" --once
  target_before=$(objects "$t" "$dst" | grep -vi cutover)

  phase "$what: gate not ready"
  # --- 1. not ready: a key gone from the target behind the sync's back, then a backlog --------
  sql "$t" "$dst" "DELETE FROM IDN_IDENTITY_USER_DATA WHERE USER_NAME = 'gate-probe'" >/dev/null
  sql "$t" "$dst" "UPDATE IDN_IDENTITY_USER_DATA SET DATA_VALUE = 'changed' WHERE USER_NAME = 'Zed'" >/dev/null
  run 5 sync cutover --source "$S" --target "$T" --timeout 5s
  expect_in "$OUT" "NOT READY" "$what: key deleted on the target"
  expect_in "$(echo "$OUT" | tr a-z A-Z)" "IDN_IDENTITY_USER_DATA: 1 MISSING ON THE TARGET" "$what: key deleted on the target"
  expect_in "$(echo "$OUT" | tr a-z A-Z)" "USER_NAME=GATE-PROBE" "$what: key deleted on the target"
  # The gate verifies values too, not only keys.
  expect_in "$(echo "$OUT" | tr a-z A-Z)" "1 WITH OTHER VALUES ON THE TARGET" "$what: value changed on the target"
  expect_in "$(echo "$OUT" | tr a-z A-Z)" "USER_NAME=ZED" "$what: value changed on the target"
  expect_in "$(echo "$OUT" | tr a-z A-Z)" ": DATA_VALUE" "$what: value changed on the target"
  run 5 sync cutover --source "$S" --target "$T" --timeout 5s --json
  [ "$(json_get "$OUT" 'j["ready"]')" = False ] || fail "$what: --json says ready: $OUT"
  [ "$(json_get "$OUT" '[t["missing_on_target"] for t in j["tables"] if t["table"].upper() == "IDN_IDENTITY_USER_DATA"][0]')" = 1 ] ||
    fail "$what: --json does not count the missing key: $OUT"
  [ "$(json_get "$OUT" '[t["differing"] for t in j["tables"] if t["table"].upper() == "IDN_IDENTITY_USER_DATA"][0]')" = 1 ] ||
    fail "$what: --json does not count the changed row: $OUT"
  run 0 sync status --source "$S" --target "$T" --json
  [ "$(json_get "$OUT" 'j["reverse"]')" = None ] || fail "$what: a not-ready gate armed the reverse: $OUT"
  # Touching the row on the source journals it again; the sync repairs the target.
  sql "$s" "$src" "UPDATE IDN_IDENTITY_USER_DATA SET DATA_VALUE = 'v2' WHERE USER_NAME IN ('gate-probe', 'Zed')" >/dev/null
  run 0 sync run --source "$S" --target "$T" --once
  sql "$s" "$src" "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED' WHERE TOKEN_STATE = 'ACTIVE' AND TOKEN_ID LIKE '%a'" >/dev/null
  run 5 sync cutover --source "$S" --target "$T" --timeout 300ms
  expect_in "$OUT" "backlog:" "$what: backlog left"
  run 5 sync cutover --source "$S" --target "$T" --timeout 300ms --json
  [ "$(json_get "$OUT" 'j["backlog"] > 0 and j["waited_ms"] >= 300 and not j["ready"]')" = True ] ||
    fail "$what: --json with a backlog: $OUT"

  # --- 2. ready while the old side is still written ------------------------------------------
  "$CUTOVER" sync run --source "$S" --target "$T" --interval 50 >/dev/null 2>"$WORK/fwd.err" &
  fwdpid=$!
  workload "$S" 3 21 --rate 40
  sleep 1
  phase "$what: gate under load"
  run 0 sync cutover --source "$S" --target "$T" --timeout 60s
  expect_in "$OUT" "READY" "$what: gate"
  expect_in "$OUT" "reverse sync armed" "$what: gate"
  echo "$OUT" | grep "verified in"
  run 0 sync cutover --source "$S" --target "$T" --timeout 60s --json
  [ "$(json_get "$OUT" 'j["ready"] and j["armed_before"] and j["reverse_armed"]')" = True ] ||
    fail "$what: the second gate: $OUT"
  high_armed=$(json_get "$(
    "$CUTOVER" sync status --source "$S" --target "$T" --json
  )" 'j["high"]')
  end_workload "$what (old side)"
  # Writes on the old side after arming, applied forward onto the new side.
  sql "$s" "$src" "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED' WHERE TOKEN_STATE = 'ACTIVE' AND TOKEN_ID LIKE '%b';
    DELETE FROM IDN_AUTH_SESSION_STORE WHERE SESSION_ID LIKE '%c'" >/dev/null
  phase "$what: drain"
  drained "$what: forward"
  [ "$(json_get "$OUT" 'j["high"]')" -gt "$high_armed" ] || fail "$what: nothing was applied forward after arming: $OUT"
  # The forward applier wrote to the new side after arming: none of it is journaled there.
  [ "$(json_get "$OUT" 'j["reverse"]["applied_rows"]')" = 0 ] || fail "$what: forward writes were applied in reverse: $OUT"
  run 0 sync run --source "$S" --target "$T" --reverse --once
  expect_in "$OUT" "applied 0 journal entries" "$what: forward writes journaled for the reverse"
  same_data "$S" "$T" "$TABLES" "$what (after the switch)"

  # --- 3. the new side written, the reverse killed with -9 at random points ------------------
  tokens_before=$(sql "$s" "$src" "SELECT COUNT(*), SUM(CASE WHEN TOKEN_STATE = 'REVOKED' THEN 1 ELSE 0 END) FROM IDN_OAUTH2_ACCESS_TOKEN" | tr -s ' \t|' '/')
  phase "$what: new side written, reverse killed"
  workload "$T" 4 22
  kills=0
  for _ in 1 2 3; do
    "$CUTOVER" sync run --source "$S" --target "$T" --reverse --interval 50 >/dev/null 2>"$WORK/rev.err" &
    pid=$!
    random_sleep 200 1300
    kill -0 "$pid" 2>/dev/null || fail "$what: run --reverse ended by itself: $(tail -3 "$WORK/rev.err")"
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    kills=$((kills + 1))
  done
  end_workload "$what (new side)"
  kill -INT "$fwdpid"
  wait "$fwdpid"
  rc=$?
  [ "$rc" = 130 ] || fail "$what: sync run exited $rc after SIGINT: $(tail -3 "$WORK/fwd.err")"
  run 0 sync status --source "$S" --target "$T"
  expect_in "$OUT" "reverse (new -> old" "$what: status shows both directions"
  run 0 sync run --source "$S" --target "$T" --reverse --once
  expect_not_in "$OUT" "applied 0 journal entries" "$what: the new side's writes"
  run 0 sync run --source "$S" --target "$T" --once
  expect_in "$OUT" "applied 0 journal entries" "$what: reverse writes journaled forward (echo)"
  run 0 sync run --source "$S" --target "$T" --reverse --once
  expect_in "$OUT" "applied 0 journal entries" "$what: reverse drained twice"
  same_data "$S" "$T" "$TABLES" "$what (reverse after $kills kill -9)"
  tokens_after=$(sql "$s" "$src" "SELECT COUNT(*), SUM(CASE WHEN TOKEN_STATE = 'REVOKED' THEN 1 ELSE 0 END) FROM IDN_OAUTH2_ACCESS_TOKEN" | tr -s ' \t|' '/')
  [ "$tokens_before" != "$tokens_after" ] || fail "$what: the old side's tokens did not change ($tokens_after)"
  echo "$what: old side tokens (all/revoked) $tokens_before -> $tokens_after"
  run 0 sync status --source "$S" --target "$T" --json
  [ "$(json_get "$OUT" 'j["backlog"] == 0 and j["reverse"]["backlog"] == 0 and j["reverse"]["copy"] == "complete"')" = True ] ||
    fail "$what: status after the drain: $OUT"

  phase "$what: remove"
  # --- 4. remove: both directions, both databases ----------------------------------------------
  run 0 sync remove --source "$S" --target "$T"
  after=$(objects "$s" "$src")
  [ "$source_before" = "$after" ] || fail "$what: source catalogue after remove differs: $(diff <(echo "$source_before") <(echo "$after") | head -5)"
  after=$(objects "$t" "$dst")
  [ "$target_before" = "$after" ] || fail "$what: target catalogue after remove differs: $(diff <(echo "$target_before") <(echo "$after") | head -5)"
done
finish
