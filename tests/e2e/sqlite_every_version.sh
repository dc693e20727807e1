#!/usr/bin/env bash
# needs: sqlite
# schema create + fill + inspect on SQLite for every catalogued version: inspect names the
# version that was created, the fill is deterministic for a seed, and --json is valid.
. "$(dirname "$0")/lib.sh"

run 0 schema create --help
for v in 5.7.0 5.8.0 5.9.0 5.10.0 5.11.0 6.0.0 6.1.0 7.0.0 7.1.0 7.2.0 7.3.0; do
  db="$WORK/is-$v.db"
  run 0 schema create "sqlite:$db" --product is --version "$v"
  run 0 schema fill "sqlite:$db" --rows 300 --seed 7
  expect_in "$OUT" "WSO2 Identity Server" "fill reports the product"
  expect_in "$OUT" "$v" "fill reports the version"
  run 0 inspect "sqlite:$db" --json
  narrowed=$(json_get "$OUT" '" ".join(j["product"]["narrowed"])')
  expect_in " $narrowed " " $v " "inspect names $v"
  exact=$(json_get "$OUT" 'j["product"]["exact"]')
  [ "$exact" = "True" ] || fail "$v: columns do not match exactly"
  tokens=$(json_get "$OUT" 'j["cleanup"]["total_tokens"]')
  [ "$tokens" = "300" ] || fail "$v: expected 300 tokens, got $tokens"
done

# Same seed, same data: two fills produce identical token tables.
run 0 schema create "sqlite:$WORK/a.db" --version 7.0.0
run 0 schema create "sqlite:$WORK/b.db" --version 7.0.0
run 0 schema fill "sqlite:$WORK/a.db" --rows 500 --seed 42
run 0 schema fill "sqlite:$WORK/b.db" --rows 500 --seed 42
a=$(sqlite3 "$WORK/a.db" "SELECT group_concat(TOKEN_ID || ACCESS_TOKEN || TOKEN_STATE, ',') FROM (SELECT * FROM IDN_OAUTH2_ACCESS_TOKEN ORDER BY TOKEN_ID)")
b=$(sqlite3 "$WORK/b.db" "SELECT group_concat(TOKEN_ID || ACCESS_TOKEN || TOKEN_STATE, ',') FROM (SELECT * FROM IDN_OAUTH2_ACCESS_TOKEN ORDER BY TOKEN_ID)")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "same seed gave different tokens"

# At most one ACTIVE token per client, user and scope (CON_APP_KEY) holds by construction.
dups=$(sqlite3 "$WORK/a.db" "SELECT COUNT(*) FROM (SELECT 1 FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_STATE='ACTIVE' GROUP BY CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID, USER_DOMAIN, USER_TYPE, TOKEN_SCOPE_HASH HAVING COUNT(*) > 1)")
[ "$dups" = "0" ] || fail "duplicate ACTIVE tokens: $dups"
# Identity tables of 6.0 beside registry tables of 5.11 (WSO2 splits the two databases): inspect
# names each database's version instead of averaging them into a wrong one.
run 0 schema create "sqlite:$WORK/mixed.db" --version 6.0.0 --database identity
run 0 schema create --version 5.11.0 --database shared --print-sql sqlite
printf '%s\n' "$OUT" | sqlite3 "$WORK/mixed.db" || fail "loading shared tables"
run 0 inspect "sqlite:$WORK/mixed.db" --json
[ "$(json_get "$OUT" 'j["product"]["by_database"]["identity"]["version"]')" = "6.0.0-6.1.0" ] ||
  fail "identity tables of 6.0 not named"
expect_in "$(json_get "$OUT" 'j["product"]["by_database"]["shared"]["versions"]')" "5.11.0" "shared tables of 5.11"
run 0 schema fill "sqlite:$WORK/mixed.db" --rows 200
expect_in "$OUT" "identity 6.0.0-6.1.0, shared" "fill names each database's version"
finish
