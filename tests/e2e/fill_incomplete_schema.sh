#!/usr/bin/env bash
# needs: sqlite
# schema fill --version V on a schema that lacks tables of V refuses with exit 2, naming the
# missing tables, and loads nothing; a database holding only one WSO2 database's tables
# (identity or shared) is complete as far as that database goes.
. "$(dirname "$0")/lib.sh"

total_rows() {  # total_rows URL: rows in all catalogued tables, per inspect
  run 0 inspect "$1" --json
  json_get "$OUT" 'sum(t["rows"] for t in j["tables"])'
}

db="$WORK/missing.db"
run 0 schema create "sqlite:$db" --version 5.8.0
sqlite3 "$db" "DROP TABLE IDN_OAUTH2_ACCESS_TOKEN_AUDIT" || fail "sqlite3: drop table"
run 2 schema fill "sqlite:$db" --version 5.8.0 --rows 200
one_line_error "$ERR" "--version with a missing table"
expect_in "$ERR" "lacks 1 table of WSO2 Identity Server 5.8.0: IDN_OAUTH2_ACCESS_TOKEN_AUDIT" \
  "names the missing table"
[ "$(total_rows "sqlite:$db")" = "0" ] || fail "a refused fill loaded rows"
# Without --version it refuses too (no version matches exactly).
run 2 schema fill "sqlite:$db" --rows 200
[ "$(total_rows "sqlite:$db")" = "0" ] || fail "a refused fill loaded rows"

# Two tables of the shared database missing: both named.
db="$WORK/missing2.db"
run 0 schema create "sqlite:$db" --version 7.0.0
sqlite3 "$db" "DROP TABLE REG_RESOURCE_RATING; DROP TABLE REG_RATING" || fail "sqlite3: drop"
run 2 schema fill "sqlite:$db" --version 7.0.0
expect_in "$ERR" "lacks 2 tables" "counts the missing tables"
expect_in "$ERR" "REG_RATING" "names REG_RATING"
expect_in "$ERR" "REG_RESOURCE_RATING" "names REG_RESOURCE_RATING"
[ "$(total_rows "sqlite:$db")" = "0" ] || fail "a refused fill loaded rows"

# Only the identity tables (the shared database lives elsewhere): complete, so it fills.
db="$WORK/identity.db"
run 0 schema create "sqlite:$db" --version 5.8.0 --database identity
run 0 schema fill "sqlite:$db" --version 5.8.0 --rows 200
[ "$(total_rows "sqlite:$db")" != "0" ] || fail "identity-only schema was not filled"
db="$WORK/shared.db"
run 0 schema create "sqlite:$db" --version 7.0.0 --database shared
run 0 schema fill "sqlite:$db" --version 7.0.0 --rows 200
[ "$(total_rows "sqlite:$db")" != "0" ] || fail "shared-only schema was not filled"
finish
