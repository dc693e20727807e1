# shellcheck shell=bash
# Helpers for the verify e2e scripts (sourced after sync_lib.sh): known rows added to a 5.8.0
# source, one injected difference of each kind in a copy, and the check of verify's JSON
# against the exact list of differences expected (tools/verify_expect.py).
VERIFY_EXPECT="$(dirname "${BASH_SOURCE[0]}")/verify_expect.py"

# Token ids whose order differs by collation: binary puts '_x' after 'Zeta' and 'B1' before
# 'a2', case-insensitive and ICU collations the other way; 'éclair' sorts after 'ezra' in
# bytes, before it with accents ignored; 'a b' / 'ab' differ in where the space goes.
ODD_KEYS=("_x" "Zeta" "alpha" "éclair" "ezra" "B1" "a2" "a b" "ab" "Apple" "apricot")
# One token per injected value difference, plus the one the target loses.
VALUE_KEYS=(v-int v-text v-ts v-null v-space v-case v-secret v-missing)

# known_rows ENGINE DB [FRACTION]: the tokens above (5.8.0 columns) and session 's-blob';
# with FRACTION, token v-frac created at 10:00:00.123456 (not on MariaDB: its TIMESTAMP
# columns hold whole seconds, so a copy there differs for real).
known_rows() {
  local values="" id ts="'2026-11-30 10:00:00'"
  for id in "${ODD_KEYS[@]}" "${VALUE_KEYS[@]}" ${3:+v-frac}; do
    local t=$ts
    [ "$id" = v-frac ] && t="'2026-11-30 10:00:00.123456'"
    values+="${values:+,}('$id', 'at-$id', 1, 'alice', -1234, 'PRIMARY', 'APPLICATION_USER', 'password', $t, $t, 3600, 7200, 'h-$id', 'ACTIVE', 'NONE', NULL, NULL)"
  done
  sql "$1" "$2" "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, ACCESS_TOKEN, CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID, USER_DOMAIN, USER_TYPE, GRANT_TYPE, TIME_CREATED, REFRESH_TOKEN_TIME_CREATED, VALIDITY_PERIOD, REFRESH_TOKEN_VALIDITY_PERIOD, TOKEN_SCOPE_HASH, TOKEN_STATE, TOKEN_STATE_ID, SUBJECT_IDENTIFIER, IDP_ID) VALUES $values;
    INSERT INTO IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID, TOKEN_SCOPE, TENANT_ID) VALUES ('alpha', 'scope-gone', -1234), ('ab', 'scope-x', -1234), ('Zeta', 'openid', -1234);
    INSERT INTO IDN_AUTH_SESSION_STORE (SESSION_ID, SESSION_TYPE, OPERATION, SESSION_OBJECT, TIME_CREATED, TENANT_ID, EXPIRY_TIME) VALUES ('s-blob', 'AuthenticationContextCache', 'STORE', X'0102', 1, -1234, 2);" >/dev/null ||
    fail "$1: cannot add the known rows"
}

# inject ENGINE DB: one difference of each kind, each in its own row of the known ones; in the
# scope table (a two-column text key) a missing, an extra and a differing row.
inject() {
  local blob="X'0103'"
  [ "$1" = postgresql ] && blob="decode('0103', 'hex')"
  sql "$1" "$2" "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET VALIDITY_PERIOD = 3601 WHERE TOKEN_ID = 'v-int';
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED' WHERE TOKEN_ID = 'v-text';
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TIME_CREATED = '2026-11-30 10:00:01' WHERE TOKEN_ID = 'v-ts';
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET SUBJECT_IDENTIFIER = '' WHERE TOKEN_ID = 'v-null';
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET AUTHZ_USER = 'alice ' WHERE TOKEN_ID = 'v-space';
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET USER_DOMAIN = 'primary' WHERE TOKEN_ID = 'v-case';
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET ACCESS_TOKEN = 'leaked-in-clear' WHERE TOKEN_ID = 'v-secret';
    DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = 'v-missing';
    INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, ACCESS_TOKEN, CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID, USER_DOMAIN, USER_TYPE, GRANT_TYPE, TIME_CREATED, REFRESH_TOKEN_TIME_CREATED, VALIDITY_PERIOD, REFRESH_TOKEN_VALIDITY_PERIOD, TOKEN_SCOPE_HASH, TOKEN_STATE, TOKEN_STATE_ID) VALUES ('v-extra', 'at-v-extra', 1, 'alice', -1234, 'PRIMARY', 'APPLICATION_USER', 'password', '2026-11-30 10:00:00', '2026-11-30 10:00:00', 3600, 7200, 'h-v-extra', 'ACTIVE', 'NONE');
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'EXPIRED' WHERE TOKEN_ID = 'Zeta';
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET GRANT_TYPE = 'refresh_token' WHERE TOKEN_ID = 'éclair';
    DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = '_x';
    DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID = 'alpha' AND TOKEN_SCOPE = 'scope-gone';
    INSERT INTO IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID, TOKEN_SCOPE, TENANT_ID) VALUES ('Zeta', 'scope-new', -1234);
    UPDATE IDN_OAUTH2_ACCESS_TOKEN_SCOPE SET TENANT_ID = 1 WHERE TOKEN_ID = 'ab' AND TOKEN_SCOPE = 'scope-x';
    UPDATE IDN_AUTH_SESSION_STORE SET SESSION_OBJECT = $blob WHERE SESSION_ID = 's-blob';" >/dev/null ||
    fail "$1: cannot inject the differences"
}

# The differences inject() makes, as verify_expect.py takes them: TABLE:KIND:KEY[:COLUMN].
INJECTED=(
  IDN_OAUTH2_ACCESS_TOKEN:differing:v-int:VALIDITY_PERIOD
  IDN_OAUTH2_ACCESS_TOKEN:differing:v-text:TOKEN_STATE
  IDN_OAUTH2_ACCESS_TOKEN:differing:v-ts:TIME_CREATED
  IDN_OAUTH2_ACCESS_TOKEN:differing:v-null:SUBJECT_IDENTIFIER
  IDN_OAUTH2_ACCESS_TOKEN:differing:v-space:AUTHZ_USER
  IDN_OAUTH2_ACCESS_TOKEN:differing:v-case:USER_DOMAIN
  IDN_OAUTH2_ACCESS_TOKEN:differing:v-secret:ACCESS_TOKEN
  IDN_OAUTH2_ACCESS_TOKEN:missing:v-missing
  IDN_OAUTH2_ACCESS_TOKEN:extra:v-extra
  IDN_OAUTH2_ACCESS_TOKEN:differing:Zeta:TOKEN_STATE
  IDN_OAUTH2_ACCESS_TOKEN:differing:éclair:GRANT_TYPE
  IDN_OAUTH2_ACCESS_TOKEN:missing:_x
  IDN_AUTH_SESSION_STORE:differing:s-blob:SESSION_OBJECT
  IDN_OAUTH2_ACCESS_TOKEN_SCOPE:missing:scope-gone
  IDN_OAUTH2_ACCESS_TOKEN_SCOPE:extra:scope-new
  IDN_OAUTH2_ACCESS_TOKEN_SCOPE:differing:scope-x:TENANT_ID
)

# expect_diffs WHAT EXPECTATION...: $OUT (verify --json) lists exactly these differences.
expect_diffs() {
  local what=$1 out
  shift
  if ! out=$(printf '%s' "$OUT" | "$PY" "$VERIFY_EXPECT" "$@" 2>&1); then
    fail "$what: $out"
  fi
}

# expect_equal WHAT [OPTION...]: $OUT (verify --json) says every table is equal, with rows
# compared; options as verify_expect.py takes them (mode=TABLE=MODE, indb=TABLE, chunks=N).
expect_equal() {
  local what=$1 out
  shift
  if ! out=$(printf '%s' "$OUT" | "$PY" "$VERIFY_EXPECT" "$@" 2>&1); then
    fail "$what: $out"
  fi
}
