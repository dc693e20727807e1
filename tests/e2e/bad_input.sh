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

# A directory is not a database; a read-only database can still be inspected.
run 2 inspect "sqlite:$WORK"
expect_in "$ERR" "is a directory" "directory as database"
mkdir -p "$WORK/ro"
run 0 schema create "sqlite:$WORK/ro/is.db" --version 7.1.0
chmod 555 "$WORK/ro"
chmod 444 "$WORK/ro/is.db"
if [ "$(id -u)" = "0" ]; then
  chmod 755 "$WORK"
  OUT=$(runuser -u nobody -- "$CUTOVER" inspect "sqlite:$WORK/ro/is.db" 2>&1) || fail "read-only inspect: $OUT"
else
  run 0 inspect "sqlite:$WORK/ro/is.db"
fi
expect_in "$OUT" "7.1.0" "read-only database inspected"
chmod 755 "$WORK/ro"

# An explicit --password-file wins over the environment; an unreadable one is named.
run 2 inspect "sqlite:$WORK/is.db" --password-file "$WORK/nope"
expect_in "$ERR" "nope" "missing password file named"

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
