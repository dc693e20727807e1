#!/usr/bin/env bash
# needs:
# `cutover verify` on SQLite (issue 15): a filled 5.8.0 source with known rows (keys whose order
# differs by collation, one token per kind of difference), copied by the sync: equal in both
# directions, also against a 7.0.0 target after `sync copy --from 5.8.0 --to 7.0.0`. Then one
# injected difference of each kind in a copy: exit 3 and exactly those rows and columns in the
# JSON (secrets hashed, never in clear); a truncated timestamp fraction; a transformed column
# with the wrong value in the 7.0.0 target; the refusals (exit 2).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
. "$(dirname "$0")/tools/xform_lib.sh"
. "$(dirname "$0")/tools/verify_lib.sh"

S=$(db_url sqlite src)
run 0 schema create "$S" --version 5.8.0
run 0 schema fill "$S" --rows 3000
known_rows sqlite src fraction
run 0 sync prepare --source "$S"

# --- identical data: equal both ways --------------------------------------------------------
T=$(db_url sqlite dst)
run 0 sync copy --source "$S" --target "$T"
run 0 verify --source "$S" --target "$T" --json
# Same engine, same collation: chunks, several of them.
expect_equal "sqlite -> sqlite" mode=IDN_OAUTH2_ACCESS_TOKEN=chunks chunks=8
run 0 verify --source "$T" --target "$S" --jobs 3
expect_in "$OUT" "EQUAL:" "sqlite -> sqlite, the other way"
expect_in "$OUT" "IDN_OAUTH2_ACCESS_TOKEN" "summary per table"

# --- 5.8.0 against 7.0.0 after the sync's copy ------------------------------------------------
T7=$(db_url sqlite dst7)
run 0 schema create "$T7" --version 7.0.0
ENGINE=sqlite local_idps dst7 7.0.0
run 0 sync copy --source "$S" --target "$T7" --from 5.8.0 --to 7.0.0
run 0 verify --source "$S" --target "$T7" --from 5.8.0 --to 7.0.0 --json
expect_equal "5.8.0 -> 7.0.0"
# A target of another version than --to (here: --to left out, so 5.8.0) is refused.
run 2 verify --source "$S" --target "$T7"
one_line_error "$ERR" "target of another version"
expect_in "$ERR" "target schema is not WSO2 Identity Server 5.8.0" "target of another version"

# --- every kind of difference ------------------------------------------------------------------
cp "$WORK/dst.db" "$WORK/inj.db"
inject sqlite inj
sql sqlite inj "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TIME_CREATED = '2026-11-30 10:00:00.123' WHERE TOKEN_ID = 'v-frac'"
run 3 verify --source "$S" --target "$(db_url sqlite inj)" --json
expect_diffs "injected, sqlite" "${INJECTED[@]}" IDN_OAUTH2_ACCESS_TOKEN:differing:v-frac:TIME_CREATED
expect_not_in "$OUT" "leaked-in-clear" "a secret column's value"
[ "$(json_get "$OUT" '[r["columns"][0]["target"] for t in j["tables"] for r in t["rows"] if r["key"].get("TOKEN_ID") == "v-null"][0]')" = "" ] ||
  fail "NULL vs empty string: the target's value should be the empty string: $OUT"
[ "$(json_get "$OUT" '[r["columns"][0]["source"] for t in j["tables"] for r in t["rows"] if r["key"].get("TOKEN_ID") == "v-null"][0]')" = None ] ||
  fail "NULL vs empty string: the source's value should be null: $OUT"
# The human form: the same rows, the summary line, exit 3.
run 3 verify --source "$S" --target "$(db_url sqlite inj)"
expect_in "$OUT" "DIFFERENT: 3 of" "human summary"
expect_in "$OUT" "missing   TOKEN_ID='v-missing'" "human missing row"
expect_in "$OUT" "AUTHZ_USER 'alice' -> 'alice '" "human trailing space"
expect_in "$OUT" "SUBJECT_IDENTIFIER NULL -> ''" "human NULL vs empty"
# An integer key column bare, text key columns quoted.
expect_in "$OUT" "SESSION_ID='s-blob', SESSION_TYPE='AuthenticationContextCache', TIME_CREATED=1, OPERATION='STORE'" \
  "human key with an integer column"
expect_not_in "$OUT" "leaked-in-clear" "a secret column's value (human)"
# The other way round, missing and extra swap.
run 3 verify --source "$(db_url sqlite inj)" --target "$S" --tables IDN_OAUTH2_ACCESS_TOKEN --json
expect_diffs "injected, reversed" IDN_OAUTH2_ACCESS_TOKEN:extra:v-missing IDN_OAUTH2_ACCESS_TOKEN:extra:_x \
  IDN_OAUTH2_ACCESS_TOKEN:missing:v-extra \
  $(printf '%s\n' "${INJECTED[@]}" | grep '^IDN_OAUTH2_ACCESS_TOKEN:differing:') \
  IDN_OAUTH2_ACCESS_TOKEN:differing:v-frac:TIME_CREATED

# --- a transformed column with the wrong value in the 7.0.0 target ------------------------------
cp "$WORK/dst7.db" "$WORK/inj7.db"
sql sqlite inj7 "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET IDP_ID = 102 WHERE TOKEN_ID = 'alpha';
  UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_BINDING_REF = 'wrong' WHERE TOKEN_ID = 'ab'"
run 3 verify --source "$S" --target "$(db_url sqlite inj7)" --from 5.8.0 --to 7.0.0 --json
expect_diffs "7.0.0 target" IDN_OAUTH2_ACCESS_TOKEN:differing:alpha:IDP_ID \
  IDN_OAUTH2_ACCESS_TOKEN:differing:ab:TOKEN_BINDING_REF

# --- from a cutover sync config, as the sync commands read it ------------------------------------
cat >"$WORK/sync.toml" <<TOML
from = "5.8.0"
to = "7.0.0"
tables = ["IDN_OAUTH2_ACCESS_TOKEN"]
[source]
url = "sqlite:src.db"
[target]
url = "sqlite:inj7.db"
TOML
run 3 verify --config "$WORK/sync.toml" --json
expect_diffs "from a config" IDN_OAUTH2_ACCESS_TOKEN:differing:alpha:IDP_ID \
  IDN_OAUTH2_ACCESS_TOKEN:differing:ab:TOKEN_BINDING_REF
# The command line wins over the file.
run 0 verify --config "$WORK/sync.toml" --target "$T7" --json
expect_equal "config with --target"

# --- refusals ---------------------------------------------------------------------------------
run 2 verify --source "$S"
one_line_error "$ERR" "no target"
run 2 verify --source "$S" --target "$T" --tables NO_SUCH_TABLE
one_line_error "$ERR" "unknown table"
run 2 verify --source "$S" --target "$S"
one_line_error "$ERR" "same database"
finish
