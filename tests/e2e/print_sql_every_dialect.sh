#!/usr/bin/env bash
# needs: sqlite
# --print-sql works for all seven dialects without any database, and the SQLite DDL it prints
# loads into a real SQLite file that inspect then recognises.
. "$(dirname "$0")/lib.sh"
for d in sqlite postgresql mysql oracle mssql db2 h2; do
  run 0 schema create --product is --version 7.3.0 --print-sql "$d"
  expect_in "$OUT" "CREATE TABLE IDN_OAUTH2_ACCESS_TOKEN" "$d DDL"
done
run 0 schema create --version 5.10.0 --print-ddl sqlite --database identity
expect_not_in "$OUT" "REG_PATH" "identity only"
printf '%s\n' "$OUT" | sqlite3 "$WORK/p.db" || fail "printed SQLite DDL does not load"
run 0 inspect "sqlite:$WORK/p.db" --json
expect_in "$(json_get "$OUT" 'j["product"]["versions"]')" "5.10.0" "printed DDL recognised"
finish
