#!/usr/bin/env bash
# needs: sqlite postgres
# A fill stopped by Ctrl-C exits 130 and leaves every table empty; a fill killed with -9 leaves
# every table empty too (one transaction); either way the database is usable afterwards.
. "$(dirname "$0")/lib.sh"
load_env pg.env
enc_host=$(printf '%s' "$PG_HOST" | sed 's|/|%2F|g')

# started SECONDS: gives the fill time to be well inside its transaction.
started() { sleep "$1"; }

check_empty() {  # check_empty URL WHAT
  run 0 inspect "$1" --json
  total=$(json_get "$OUT" 'sum(t["rows"] for t in j["tables"])')
  [ "$total" = "0" ] || fail "$2: $total rows left behind"
}

for target in "sqlite:$WORK/int.db" "postgresql://postgres@$enc_host:$PG_PORT/e2e_int"; do
  case "$target" in
    postgresql*) psql -X -q "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS e2e_int" -c "CREATE DATABASE e2e_int" ;;
  esac
  run 0 schema create "$target" --version 7.0.0

  # Ctrl-C: the interrupt flag is checked between bulk batches; the transaction rolls back.
  "$CUTOVER" schema fill "$target" --rows 2000000 >"$WORK/out" 2>"$WORK/err" &
  pid=$!
  started 3
  kill -INT "$pid"
  wait "$pid"
  rc=$?
  [ "$rc" = "130" ] || fail "$target: Ctrl-C exit code $rc, expected 130 ($(cat "$WORK/err"))"
  expect_in "$(cat "$WORK/err")" "interrupted" "$target: Ctrl-C message"
  check_empty "$target" "$target after Ctrl-C"

  # kill -9: nothing committed, nothing left.
  "$CUTOVER" schema fill "$target" --rows 2000000 >/dev/null 2>&1 &
  pid=$!
  started 3
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  check_empty "$target" "$target after kill -9"

  # And the schema still takes a complete fill afterwards.
  run 0 schema fill "$target" --rows 1000
  run 0 inspect "$target" --json
  [ "$(json_get "$OUT" 'j["cleanup"]["total_tokens"]')" = "1000" ] || fail "$target: refill"
done
psql -X -q "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS e2e_int"
finish
