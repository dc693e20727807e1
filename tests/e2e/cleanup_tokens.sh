#!/usr/bin/env bash
# needs: postgres mariadb
# cleanup tokens on SQLite, PostgreSQL and MariaDB: with tokens at every state and validity
# edge (token_oracle.py decides independently which WSO2's rule removes), exactly the
# eligible tokens go, never a valid one; --dry-run counts what inspect estimates and changes
# nothing; --audit copies each removed token once although the run is killed (-9) three times
# mid-way and then finished; a second run removes nothing; and a writer issuing, revoking and
# deleting tokens meanwhile neither fails nor stalls.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
# lib.sh's json_get through Debian's python: a pyenv shim takes seconds to start, and this
# script reads many values.
json_get() { "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
ORACLE="$(dirname "$0")/tools/token_oracle.py"
WORKLOAD="$(dirname "$0")/tools/workload.py"
NOW="2026-11-01 12:00:00"
V=6.0.0

# The last line: sqlite3 also prints what the PRAGMAs of sql() return.
count() { sql "$1" "$2" "SELECT COUNT(*) FROM $3" | tail -1 | tr -d ' '; }

for e in sqlite postgresql mariadb; do
  db="ct_$e"
  fresh_db "$e" "$db"
  U=$(db_url "$e" "$db")
  run 0 schema create "$U" --version "$V"
  run 0 schema fill "$U" --rows 2000
  "$PY" "$ORACLE" "$U" edges "$NOW" || fail "$e: cannot write the edge tokens"
  "$PY" "$ORACLE" "$U" snapshot "$WORK/snap_$e.json" || fail "$e: snapshot"
  before=$(count "$e" "$db" IDN_OAUTH2_ACCESS_TOKEN)

  # The dry run counts what inspect estimates, and changes nothing.
  run 0 inspect "$U" --json --now "$NOW" --safe-period 2
  est=$(json_get "$OUT" 'j["cleanup"]["eligible"]')
  run 0 cleanup tokens "$U" --dry-run --json --now "$NOW" --safe-period 2h
  [ "$(json_get "$OUT" 'j["eligible"]')" = "$est" ] || fail "$e: dry run counts $(json_get "$OUT" 'j["eligible"]'), inspect $est"
  if [ "$est" -le 0 ] || [ "$est" -ge "$before" ]; then
    fail "$e: the data should hold eligible and valid tokens ($est of $before)"
  fi
  [ "$(count "$e" "$db" IDN_OAUTH2_ACCESS_TOKEN)" = "$before" ] || fail "$e: the dry run removed tokens"

  # The totals a run reports are what it removes: tokens eligible and codes eligible (those
  # whose token the run removes included), so progress never passes 100 %. On a copy.
  if [ "$e" = sqlite ]; then
    cp "$WORK/$db.db" "$WORK/${db}_t.db"
    run 0 cleanup tokens "$(db_url sqlite "${db}_t")" --now "$NOW" --batch 50 --json
    gone() { json_get "$OUT" "sum(v for k, v in j['removed'].items() if k.upper() == '$1')"; }
    [ "$(gone IDN_OAUTH2_ACCESS_TOKEN)" = "$(json_get "$OUT" 'j["eligible"]')" ] ||
      fail "$e: $(gone IDN_OAUTH2_ACCESS_TOKEN) tokens removed, $(json_get "$OUT" 'j["eligible"]') reported eligible"
    [ "$(gone IDN_OAUTH2_AUTHORIZATION_CODE)" = "$(json_get "$OUT" 'j["codes_eligible"]')" ] ||
      fail "$e: $(gone IDN_OAUTH2_AUTHORIZATION_CODE) codes removed, $(json_get "$OUT" 'j["codes_eligible"]') reported eligible"
    [ "$(json_get "$OUT" 'j["codes_eligible"]')" -gt 0 ] || fail "$e: the data should hold removable codes"
    run 0 cleanup tokens "$(db_url sqlite "${db}_t")" --now "$NOW" --batch 50 --json --dry-run
    [ "$(json_get "$OUT" 'j["codes_eligible"]')" = 0 ] || fail "$e: codes left eligible after a run"
  fi

  # Killed three times mid-way, then finished: batches are whole, the audit has no duplicate.
  for i in 1 2 3; do
    "$CUTOVER" cleanup tokens "$U" --now "$NOW" --batch 20 --pause 100 --audit >/dev/null 2>&1 &
    pid=$!
    # Killed once about a quarter more of the eligible tokens are gone.
    goal=$((before - i * est / 4))
    for _ in $(seq 200); do
      [ "$(count "$e" "$db" IDN_OAUTH2_ACCESS_TOKEN)" -le "$goal" ] && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  mid=$(count "$e" "$db" IDN_OAUTH2_ACCESS_TOKEN)
  if [ "$mid" -ge "$before" ] || [ "$mid" -le $((before - est)) ]; then
    fail "$e: the kills should have stopped the cleanup part-way ($mid tokens of $before, $est eligible)"
  fi
  run 0 cleanup tokens "$U" --now "$NOW" --batch 40 --audit --json
  "$PY" "$ORACLE" "$U" check "$WORK/snap_$e.json" "$NOW" 7200 --audit >"$WORK/oracle.out" ||
    fail "$e: after the cleanup: $(cat "$WORK/oracle.out")"
  [ "$(count "$e" "$db" IDN_OAUTH2_ACCESS_TOKEN)" = $((before - est)) ] || fail "$e: token count after cleanup"
  codes=$(sql "$e" "$db" "SELECT COUNT(*) FROM IDN_OAUTH2_AUTHORIZATION_CODE c WHERE c.STATE IN ('INACTIVE', 'EXPIRED', 'REVOKED') AND NOT EXISTS (SELECT 1 FROM IDN_OAUTH2_ACCESS_TOKEN t WHERE t.TOKEN_ID = c.TOKEN_ID)" | tail -1 | tr -d ' ')
  [ "$codes" = 0 ] || fail "$e: $codes used-up codes without a token are left"

  # A second run finds nothing.
  run 0 cleanup tokens "$U" --now "$NOW" --json
  [ "$(json_get "$OUT" 'j["eligible"]')" = 0 ] || fail "$e: second run found $(json_get "$OUT" 'j["eligible"]') eligible"
  [ "$(json_get "$OUT" 'sum(j["removed"].values())')" = 0 ] || fail "$e: second run removed rows"
done

# The time budget sizes the batches: with none (--max-transaction 0) each table goes in --batch
# rows; with 1 ms each starts at 500 rows and shrinks to what fits, so the same rows take many
# more, shorter transactions. Both remove the same rows; a budget that is no duration is refused.
declare -A removed batches
for budget in 0 1ms; do
  db="ctb_$budget"
  fresh_db postgresql "$db"
  U=$(db_url postgresql "$db")
  run 0 schema create "$U" --version "$V"
  run 0 schema fill "$U" --rows 3000
  run 0 cleanup tokens "$U" --now "$NOW" --dry-run --json
  eligible=$(json_get "$OUT" 'j["eligible"]')
  run 0 cleanup tokens "$U" --now "$NOW" --batch 100000 --max-transaction "$budget" --json
  removed[$budget]=$(json_get "$OUT" '[v for k, v in j["removed"].items() if k.upper() == "IDN_OAUTH2_ACCESS_TOKEN"][0]')
  batches[$budget]=$(json_get "$OUT" 'j["batches"]')
  [ "${removed[$budget]}" = "$eligible" ] && [ "$(count postgresql "$db" IDN_OAUTH2_ACCESS_TOKEN)" -gt 0 ] ||
    fail "budget $budget: removed $(json_get "$OUT" 'j["removed"]'), $eligible eligible"
  # WSO2's PostgreSQL schema has no index on this foreign key: every code removed scans it.
  [ "$(json_get "$OUT" '"IDN_OIDC_REQ_OBJECT_REFERENCE.CODE_ID" in j["unindexed_foreign_keys"] and "IDN_OIDC_REQ_OBJECT_REFERENCE.TOKEN_ID" not in j["unindexed_foreign_keys"]')" = True ] ||
    fail "unindexed foreign keys: $(json_get "$OUT" 'j["unindexed_foreign_keys"]')"
  run 0 cleanup tokens "$U" --now "$NOW" --dry-run --json
  [ "$(json_get "$OUT" 'j["eligible"]')" = 0 ] || fail "budget $budget: eligible tokens were left"
done
[ "${batches[1ms]}" -gt $((batches[0] + 5)) ] ||
  fail "a 1 ms budget should cut many more batches (${batches[1ms]} against ${batches[0]})"
run 2 cleanup tokens "$U" --max-transaction 5x
expect_in "$ERR" "--max-transaction 5x: not a duration" "a budget that is no duration"
run 2 cleanup tokens "$U" --max-transaction 500
expect_in "$ERR" "--max-transaction 500: give a unit" "a bare number of no unit"

# A writer issues, revokes and deletes tokens while the cleanup runs (short transactions: a
# writer holding a row lock for seconds makes the batch that needs the row wait as long).
for e in postgresql mariadb; do
  db="ctw_$e"
  fresh_db "$e" "$db"
  U=$(db_url "$e" "$db")
  run 0 schema create "$U" --version 5.11.0
  run 0 schema fill "$U" --rows 4000
  now=$(date -u '+%Y-%m-%d %H:%M:%S')
  "$PY" "$ORACLE" "$U" snapshot "$WORK/snapw_$e.json" || fail "$e: snapshot"
  "$PY" "$WORKLOAD" "$U" load --seconds 4 --threads 3 --long-pct 0 --rollback-pct 10 --seed 3 \
    >"$WORK/wl.out" 2>"$WORK/wl.err" &
  wl=$!
  sleep 0.5
  run 0 cleanup tokens "$U" --now "$now" --batch 200 --pause 10 --json
  longest=$(json_get "$OUT" 'j["longest_batch_seconds"]')
  "$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) < 2 else 1)" "$longest" ||
    fail "$e: a batch held its transaction ${longest}s under load"
  wait "$wl" || fail "$e: the writer failed beside the cleanup: $(cat "$WORK/wl.err")"
  "$PY" "$ORACLE" "$U" check "$WORK/snapw_$e.json" "$now" 7200 --concurrent >"$WORK/oracle.out" ||
    fail "$e: after the cleanup beside a writer: $(cat "$WORK/oracle.out")"
done
finish
