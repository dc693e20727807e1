#!/usr/bin/env bash
# needs: sqlite postgres mariadb
# Two 'schema fill' at once into the same empty schema: exactly one loads it (exit 0); the
# other waits for it and then refuses cleanly (exit 2, "already has rows"), never with a raw
# duplicate key, and the tables hold the winner's rows only.
. "$(dirname "$0")/lib.sh"
load_env pg.env
load_env mariadb.env
enc_host=$(printf '%s' "$PG_HOST" | sed 's|/|%2F|g')
pg="postgresql://postgres@$enc_host:$PG_PORT/e2e_concurrent"
my="mysql://${MY_SOCKET_USER:-root}@localhost/e2e_concurrent?socket=$MY_SOCKET"
psql -X -q "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS e2e_concurrent" \
  -c "CREATE DATABASE e2e_concurrent" || fail "psql: create database"
mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" \
  -e "DROP DATABASE IF EXISTS e2e_concurrent; CREATE DATABASE e2e_concurrent" ||
  fail "mariadb: create database"

# race URL ROWS: starts two fills together; checks one wins and the other refuses cleanly.
race() {
  local url=$1 rows=$2 rc_a rc_b loser
  run 0 schema create "$url" --version 7.0.0
  "$CUTOVER" schema fill "$url" --rows "$rows" >"$WORK/a.out" 2>"$WORK/a.err" &
  local a=$!
  "$CUTOVER" schema fill "$url" --rows "$rows" >"$WORK/b.out" 2>"$WORK/b.err" &
  local b=$!
  wait "$a"
  rc_a=$?
  wait "$b"
  rc_b=$?
  if [ "$rc_a" = 0 ] && [ "$rc_b" = 2 ]; then
    loser=b
  elif [ "$rc_a" = 2 ] && [ "$rc_b" = 0 ]; then
    loser=a
  else
    fail "$url: exit codes $rc_a and $rc_b, expected 0 and 2: $(cat "$WORK/a.err" "$WORK/b.err")"
    return
  fi
  one_line_error "$(cat "$WORK/$loser.err")" "$url: the loser's error"
  expect_in "$(cat "$WORK/$loser.err")" "already has rows" "$url: the loser says why"
  run 0 inspect "$url" --json
  [ "$(json_get "$OUT" 'j["cleanup"]["total_tokens"]')" = "$rows" ] ||
    fail "$url: expected the winner's $rows tokens only"
}

# SQLite's writer waits at most 5 s for the lock (busy timeout): a fill that ends well within.
race "sqlite:$WORK/concurrent.db" 2000
race "$pg" 20000
race "$my" 20000

psql -X -q "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS e2e_concurrent"
mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "DROP DATABASE IF EXISTS e2e_concurrent"
finish
