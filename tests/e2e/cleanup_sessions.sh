#!/usr/bin/env bash
# needs: postgres mariadb
# cleanup sessions on SQLite, PostgreSQL and MariaDB: with store and temporary session rows
# one nanosecond either side of the cut-off, exactly on it, far from it and without expiry,
# and sessions whose DELETE row lies the same ways around 12 h ago (WSO2's second phase;
# session_rows.py states WSO2's rule on its own and lists what must stay), exactly the
# expired and logged-out rows go, batch by batch over the composite key; a session id's mapping rows go once
# its last store row has gone; --dry-run counts the same and changes nothing; a killed run
# finishes on rerun; a second run removes nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
json_get() { "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
ROWS="$(dirname "$0")/tools/session_rows.py"
NOW="2026-11-01 12:00:00"

"$PY" "$ROWS" "$NOW" 7200 "$WORK/rows.sql" "$WORK/expected" || fail "cannot write the session rows"
want_gone=$(($(grep -c INSERT "$WORK/rows.sql") - $(grep -c . "$WORK/expected")))

# What is left, one "table|key" line per row, sorted (psql and sqlite3 separate with '|').
left() {
  local e=$1 db=$2 t
  for t in IDN_AUTH_SESSION_STORE IDN_AUTH_TEMP_SESSION_STORE; do
    sql "$e" "$db" "SELECT SESSION_ID, SESSION_TYPE, OPERATION, TIME_CREATED FROM $t" |
      grep -v '^wal$\|^[0-9]*$' | tr '\t' '|' | sed "s/^/$t|/"
  done
  for t in IDN_AUTH_USER_SESSION_MAPPING IDN_AUTH_SESSION_APP_INFO; do
    sql "$e" "$db" "SELECT SESSION_ID FROM $t" | grep -v '^wal$\|^[0-9]*$' | sed "s/^/$t|/"
  done
}

for e in sqlite postgresql mariadb; do
  case $e in sqlite) v=7.3.0 ;; postgresql) v=6.0.0 ;; mariadb) v=5.11.0 ;; esac
  db="cs_$e"
  fresh_db "$e" "$db"
  U=$(db_url "$e" "$db")
  run 0 schema create "$U" --version "$v"
  sql "$e" "$db" "CREATE TABLE IDN_AUTH_USER_SESSION_MAPPING (ID INTEGER NOT NULL, USER_ID VARCHAR(255) NOT NULL, SESSION_ID VARCHAR(100) NOT NULL, PRIMARY KEY (ID)); CREATE TABLE IDN_AUTH_SESSION_APP_INFO (SESSION_ID VARCHAR(100) NOT NULL, SUBJECT VARCHAR(100) NOT NULL, APP_ID INTEGER NOT NULL, INBOUND_AUTH_TYPE VARCHAR(255) NOT NULL, PRIMARY KEY (SESSION_ID, SUBJECT, APP_ID, INBOUND_AUTH_TYPE))" >/dev/null ||
    fail "$e: cannot create the mapping tables"
  sql "$e" "$db" "$(cat "$WORK/rows.sql")" >/dev/null || fail "$e: cannot insert the session rows"
  left "$e" "$db" | sort >"$WORK/before"

  # The dry run counts the expired store rows and changes nothing.
  run 0 cleanup sessions "$U" --dry-run --json --now "$NOW"
  got=$(json_get "$OUT" 'j["sessions_eligible"] + j["temp_sessions_eligible"] + j["logged_out_eligible"]')
  lout=$(json_get "$OUT" 'j["logged_out_eligible"]')
  # 30 logged-out sessions, 3 rows of the logged-out type each; 2 of 5 DELETE rows are older
  # than 12 h (one ns before the cut-off, and far before it).
  [ "$lout" = 36 ] || fail "$e: dry run counts $lout rows of logged-out sessions, expected 36"
  stores=$(grep -c '^INSERT INTO IDN_AUTH_[A-Z_]*STORE' "$WORK/rows.sql")
  kept_stores=$(grep -c 'STORE|' "$WORK/expected")
  [ "$got" = $((stores - kept_stores)) ] || fail "$e: dry run counts $got expired rows, expected $((stores - kept_stores))"
  expect_in "$(json_get "$OUT" 'j["mapping_tables"]' | tr a-z A-Z)" "IDN_AUTH_SESSION_APP_INFO" "$e: mapping tables found"
  left "$e" "$db" | sort | cmp -s - "$WORK/before" || fail "$e: the dry run changed rows"

  # Killed mid-way (7 rows a transaction, 100 ms between) once 20 store rows are gone, then
  # run to the end.
  "$CUTOVER" cleanup sessions "$U" --now "$NOW" --batch 7 --pause 100 >/dev/null 2>&1 &
  pid=$!
  total=$(grep -c . "$WORK/before")
  stored=$(grep -c '^IDN_AUTH_SESSION_STORE|' "$WORK/before")
  for _ in $(seq 200); do
    [ "$(sql "$e" "$db" "SELECT COUNT(*) FROM IDN_AUTH_SESSION_STORE" | tail -1)" -le $((stored - 20)) ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  mid=$(left "$e" "$db" | grep -c .)
  if [ "$mid" -ge "$total" ] || [ "$mid" -le "$(grep -c . "$WORK/expected")" ]; then
    fail "$e: the kill should have stopped the cleanup part-way ($mid rows left)"
  fi
  run 0 cleanup sessions "$U" --now "$NOW" --batch 7 --json
  left "$e" "$db" | sort >"$WORK/after_$e"
  diff "$WORK/expected" "$WORK/after_$e" >"$WORK/diff" || fail "$e: rows left differ from the rule (- expected, + found): $(head -20 "$WORK/diff")"
  [ "$(json_get "$OUT" 'j["batches"] > 2')" = True ] || fail "$e: expected several batches"

  # A second run finds nothing.
  run 0 cleanup sessions "$U" --now "$NOW" --json
  [ "$(json_get "$OUT" 'sum(j["removed"].values())')" = 0 ] || fail "$e: second run removed rows"
  [ "$(json_get "$OUT" 'j["sessions_eligible"]')" = 0 ] || fail "$e: second run found expired rows"
done
[ "$want_gone" -gt 50 ] || fail "the generated data should remove many rows ($want_gone)"

# The transaction budget is a duration with its unit, as for cleanup tokens.
fresh_db sqlite cs_budget
run 0 schema create "$(db_url sqlite cs_budget)" --version 5.8.0
run 2 cleanup sessions "$(db_url sqlite cs_budget)" --max-transaction 500
expect_in "$ERR" "--max-transaction 500: give a unit" "a bare number of no unit"
run 0 cleanup sessions "$(db_url sqlite cs_budget)" --max-transaction 1ms --json
[ "$(json_get "$OUT" 'sum(j["removed"].values())')" = 0 ] || fail "an empty store: nothing to remove"

# A database without the session store is refused with a configuration error.
fresh_db sqlite cs_empty
sql sqlite cs_empty "CREATE TABLE T (A INTEGER)" >/dev/null
run 2 cleanup sessions "$(db_url sqlite cs_empty)"
one_line_error "$ERR" "no session store"
finish
