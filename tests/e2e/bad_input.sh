#!/usr/bin/env bash
# needs: sqlite
# Bad input gets a one-line error with a hint, the documented exit code, and changes nothing.
. "$(dirname "$0")/lib.sh"

run 2 inspect "postgress://u@h/d"
one_line_error "$ERR" "unknown scheme"
expect_in "$ERR" "unknown URL scheme 'postgress'" "unknown scheme"
expect_in "$ERR" "did you mean 'postgres" "unknown scheme suggestion"
expect_in "$ERR" "sqlite:PATH" "unknown scheme lists known ones"

run 2 schema create "sqlite:$WORK/x.db" --version 5.12.0
one_line_error "$ERR" "unknown version"
expect_in "$ERR" "unknown WSO2 Identity Server version '5.12.0'" "unknown version"
expect_in "$ERR" "5.7.0, 5.8.0, 5.9.0" "unknown version lists known ones"
[ ! -e "$WORK/x.db" ] || fail "unknown version created a file"

run 2 inspect "postgresql://admin:hunter2@db.example:5432/wso2"
one_line_error "$ERR" "password in URL"
expect_in "$ERR" "refusing a password" "password in URL"
expect_in "$ERR" "CUTOVER_DB_PASSWORD" "password hint"
expect_not_in "$ERR" "hunter2" "password must never be echoed"

run 2 inspect "odbc:Driver={X};UID=a;PWD=hunter2"
expect_not_in "$ERR" "hunter2" "ODBC password must never be echoed"

run 2 inspect "sqlite:$WORK/missing.db"
one_line_error "$ERR" "missing sqlite file"
expect_in "$ERR" "does not exist" "missing sqlite file"
[ ! -e "$WORK/missing.db" ] || fail "inspect created the missing file"

sqlite3 "$WORK/other.db" "CREATE TABLE customers (id INTEGER PRIMARY KEY); CREATE TABLE orders (id INTEGER)"
before=$(sha256sum "$WORK/other.db")
run 2 inspect "sqlite:$WORK/other.db"
one_line_error "$ERR" "no IS tables"
expect_in "$ERR" "no WSO2 Identity Server tables" "no IS tables"
expect_in "$ERR" "2 other tables" "no IS tables counts what is there"
run 2 schema fill "sqlite:$WORK/other.db" --rows 10
[ "$before" = "$(sha256sum "$WORK/other.db")" ] || fail "a failed command changed the file"

echo "not a database at all" > "$WORK/garbage.db"
run 2 inspect "sqlite:$WORK/garbage.db"
one_line_error "$ERR" "not a database"

# schema create on a database that already has the tables: refused, nothing changed.
run 0 schema create "sqlite:$WORK/is.db" --version 6.0.0
run 0 schema fill "sqlite:$WORK/is.db" --rows 50
before=$(sqlite3 "$WORK/is.db" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")
run 2 schema create "sqlite:$WORK/is.db" --version 7.0.0
expect_in "$ERR" "already exist" "create over existing tables"
run 2 schema fill "sqlite:$WORK/is.db" --rows 50
expect_in "$ERR" "already has rows" "fill over existing rows"
[ "$before" = "$(sqlite3 "$WORK/is.db" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN")" ] || fail "rows changed"

# run_unprivileged EXPECTED_RC ARGS...: like run, as a user file permissions apply to. Root
# ignores them, so as root this runs as nobody, through a copy of the binary in $WORK: the
# checkout may sit in a directory nobody cannot enter (a private clone, a home directory).
chmod 755 "$WORK"
if [ "$(id -u)" = "0" ]; then
  mkdir -p "$WORK/bin"
  cp "$CUTOVER" "$WORK/bin/cutover"
  chmod 755 "$WORK/bin" "$WORK/bin/cutover"
fi
run_unprivileged() {
  if [ "$(id -u)" != "0" ]; then
    run "$@"
    return
  fi
  local want=$1
  shift
  OUT=$(runuser -u nobody -- "$WORK/bin/cutover" "$@" 2>"$WORK/stderr")
  RC=$?
  ERR=$(cat "$WORK/stderr")
  if [ "$RC" != "$want" ]; then
    fail "cutover $* (unprivileged) exited $RC, expected $want; stderr: $ERR"
  fi
}

# A directory is not a database; a read-only database can still be inspected.
run 2 inspect "sqlite:$WORK"
expect_in "$ERR" "is a directory" "directory as database"
mkdir -p "$WORK/ro"
run 0 schema create "sqlite:$WORK/ro/is.db" --version 7.1.0
chmod 555 "$WORK/ro"
chmod 444 "$WORK/ro/is.db"
if [ "$(id -u)" = "0" ] && runuser -u nobody -- touch "$WORK/ro/is.db" 2>/dev/null; then
  fail "the read-only database is writable for the unprivileged user: the check below proves nothing"
fi
run_unprivileged 0 inspect "sqlite:$WORK/ro/is.db"
expect_in "$OUT" "7.1.0" "read-only database inspected"
chmod 755 "$WORK/ro"

# An explicit --password-file wins over the environment; a missing, unreadable or directory
# one is bad input (exit 2), named, with a hint.
run 2 inspect "sqlite:$WORK/is.db" --password-file "$WORK/nope"
one_line_error "$ERR" "missing password file"
expect_in "$ERR" "cannot read password file $WORK/nope: No such file" "missing password file named"
expect_in "$ERR" "hint: check the path" "missing password file hint"
echo "s3cret" > "$WORK/pw"
chmod 000 "$WORK/pw"
run_unprivileged 2 inspect "sqlite:$WORK/is.db" --password-file "$WORK/pw"
one_line_error "$ERR" "unreadable password file"
expect_in "$ERR" "cannot read password file $WORK/pw: Permission denied" "unreadable password file"
expect_in "$ERR" "hint: check the path" "unreadable password file hint"
run 2 inspect "sqlite:$WORK/is.db" --password-file "$WORK"
expect_in "$ERR" "Is a directory" "directory as password file"

# Whole-number options: their real range, one clean line; never wrapped, clamped or looping.
for bad in -1 abc 99999999999999999999 100000001 1.5 " 5" ""; do
  run 2 schema fill "sqlite:$WORK/is.db" --rows "$bad"
  one_line_error "$ERR" "--rows '$bad'"
  expect_in "$ERR" "--rows: expected a whole number from 0 to 100000000" "--rows '$bad'"
done
for bad in -1 18446744073709551616 99999999999999999999999 0x10; do
  run 2 schema fill "sqlite:$WORK/is.db" --seed "$bad"
  one_line_error "$ERR" "--seed '$bad'"
  expect_in "$ERR" "--seed: expected a whole number from 0 to 18446744073709551615" "--seed '$bad'"
done
run 2 inspect "sqlite:$WORK/is.db" --safe-period -3
expect_in "$ERR" "--safe-period: expected a whole number from 0 to 87600" "--safe-period -3"
# The largest seed is a seed like any other (it used to be where -1 ended up, silently).
run 0 schema create "sqlite:$WORK/seed.db" --version 7.0.0
run 0 schema fill "sqlite:$WORK/seed.db" --rows 5 --seed 18446744073709551615
expect_in "$OUT" "(seed 18446744073709551615)" "largest seed"
run 0 schema fill --help
expect_in "$OUT" "0 to 100000000" "--help documents the --rows maximum"

# Usage errors and help.
run 2 frobnicate
run 2 schema create "sqlite:$WORK/y.db"
expect_in "$ERR" "needs --version" "missing version"
run 2 schema create --version 7.0.0 --print-sql informix
expect_in "$ERR" "unknown SQL dialect" "unknown dialect"
run 0 --version
expect_in "$OUT" "cutover " "version"
run 0 --help
expect_in "$OUT" "Exit codes:" "help documents exit codes"
for cmd in "schema create" "schema fill" inspect; do
  # shellcheck disable=SC2086
  run 0 $cmd --help
  expect_in "$OUT" "--" "$cmd --help"
done
finish
