#!/usr/bin/env bash
# needs:
# `cutover verify --repair` on SQLite (issue 15): a 5.8.0 source with known rows, copied by the
# sync, then one difference of each kind injected in a copy (tools/verify_lib.sh). --dry-run
# prints the SQL, writes nothing (the target file is byte for byte as it was) and exits 3; the
# printed SQL, run by sqlite3 itself, repairs a copy. --repair exits 0, the target verifies
# equal and the independent comparator agrees; the source file never changes. Across versions
# (5.8.0 source, 7.0.0 target) the repaired rows are the transformed ones.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
. "$(dirname "$0")/tools/xform_lib.sh"
. "$(dirname "$0")/tools/verify_lib.sh"

TABLES=IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_AUTH_SESSION_STORE,IDN_OAUTH_CONSUMER_APPS
S=$(db_url sqlite src)
run 0 schema create "$S" --version 5.8.0
run 0 schema fill "$S" --rows 400
known_rows sqlite src
run 0 sync prepare --source "$S"
T=$(db_url sqlite dst)
run 0 sync copy --source "$S" --target "$T"
source_sum=$(sha256sum <"$WORK/src.db")
source_unchanged() {
  [ "$(sha256sum <"$WORK/src.db")" = "$source_sum" ] || fail "$1: the source file changed"
}

# --- dry run: the SQL, nothing written ------------------------------------------------------
cp "$WORK/dst.db" "$WORK/inj.db"
inject sqlite inj
# A scope row gone and one added: a second table, a composite key.
sql sqlite inj "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE rowid = (SELECT MIN(rowid) FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE);
  INSERT INTO IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID, TOKEN_SCOPE, TENANT_ID) VALUES ('alpha', 'extra scope', -1234)"
I=$(db_url sqlite inj)
injected_sum=$(sha256sum <"$WORK/inj.db")
run 3 verify --source "$S" --target "$I" --repair --dry-run
expect_in "$OUT" "DIFFERENT:" "dry run: the check comes first"
expect_in "$OUT" "BEGIN;" "dry run SQL"
expect_in "$OUT" "COMMIT;" "dry run SQL"
expect_in "$OUT" "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = 'v-extra';" "dry run: the extra row"
expect_in "$OUT" "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID = 'alpha' AND TOKEN_SCOPE = 'extra scope';" "dry run: the extra scope"
expect_in "$OUT" "'v-missing'" "dry run: the missing row"
expect_in "$OUT" "X'0102'" "dry run: the blob as a literal"
expect_in "$OUT" "DRY RUN: the repair would write 15 rows and remove 3 in 3 tables; nothing was written" "dry run summary"
[ "$(sha256sum <"$WORK/inj.db")" = "$injected_sum" ] || fail "dry run: the target file changed"
source_unchanged "dry run"
run 3 verify --source "$S" --target "$I" --repair --dry-run --json
[ "$(json_get "$OUT" 'j["repair"]["dry_run"] and "after" not in j["repair"] and j["repair"]["rows_removed"]')" = 3 ] ||
  fail "dry run JSON: $OUT"
# The printed SQL is what the repair would run: sqlite3 runs it on a copy, which then verifies.
cp "$WORK/inj.db" "$WORK/by_sql.db"
json_get "$OUT" '";\n".join(j["repair"]["statements"]) + ";"' >"$WORK/repair.sql"
sqlite3 -bail "$WORK/by_sql.db" <"$WORK/repair.sql" || fail "sqlite3 refused the printed SQL"
run 0 verify --source "$S" --target "$(db_url sqlite by_sql)"
[ "$(sha256sum <"$WORK/inj.db")" = "$injected_sum" ] || fail "dry run --json: the target file changed"

# --- repair ---------------------------------------------------------------------------------
run 0 verify --source "$S" --target "$I" --repair
expect_in "$OUT" "REPAIRED: 15 rows written, 3 removed" "repair summary"
expect_in "$OUT" "EQUAL:" "verified again after the repair"
run 0 verify --source "$S" --target "$I" --json
expect_equal "after --repair"
same_data "$S" "$I" "$TABLES" "after --repair"
source_unchanged "repair"
# Nothing to repair: exit 0, no repair section.
run 0 verify --source "$S" --target "$I" --repair --json
[ "$(json_get "$OUT" '"repair" in j')" = False ] || fail "an equal target has nothing to repair: $OUT"

# The JSON of a repair: counts and the second check.
cp "$WORK/dst.db" "$WORK/inj2.db"
inject sqlite inj2
run 0 verify --source "$S" --target "$(db_url sqlite inj2)" --repair --json
[ "$(json_get "$OUT" '(j["equal"], j["repair"]["equal_after"], j["repair"]["rows_written"], j["repair"]["rows_removed"], j["repair"]["after"]["equal"])')" = "(False, True, 14, 2, True)" ] ||
  fail "repair JSON: $OUT"
source_unchanged "repair --json"

# --- across versions: the repaired rows are the transformed ones ------------------------------
T7=$(db_url sqlite dst7)
run 0 schema create "$T7" --version 7.0.0
ENGINE=sqlite local_idps dst7 7.0.0
run 0 sync copy --source "$S" --target "$T7" --from 5.8.0 --to 7.0.0
cp "$WORK/dst7.db" "$WORK/inj7.db"
sql sqlite inj7 "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET IDP_ID = 102 WHERE TOKEN_ID = 'alpha';
  UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_BINDING_REF = 'wrong', AUTHORIZED_ORGANIZATION = 'x' WHERE TOKEN_ID = 'ab';
  DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = 'v-int'"
run 0 verify --source "$S" --target "$(db_url sqlite inj7)" --from 5.8.0 --to 7.0.0 --repair
expect_in "$OUT" "REPAIRED: 3 rows written, 0 removed" "7.0.0 repair"
q="SELECT TOKEN_ID, IDP_ID, TOKEN_BINDING_REF, AUTHORIZED_ORGANIZATION FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID IN ('alpha', 'ab', 'v-int') ORDER BY TOKEN_ID"
want=$(sql sqlite dst7 "$q")
got=$(sql sqlite inj7 "$q")
[ "$got" = "$want" ] || fail "7.0.0: repaired rows are not the transformed ones: got $got, want $want"
expect_in "$got" "v-int|" "7.0.0: the missing row is back"
expect_not_in "$got" "wrong" "7.0.0: the transformed column"
source_unchanged "7.0.0 repair"

# --- refusals -------------------------------------------------------------------------------
run 2 verify --source "$S" --target "$I" --dry-run
one_line_error "$ERR" "--dry-run without --repair"
finish
