# shellcheck shell=bash
# Helpers for the version-transform e2e scripts (sourced after sync_lib.sh): the versions, IS-like
# writes in a source's own schema, and a target's own LOCAL identity providers. ENGINE names the
# engine the helpers write to (sqlite, postgresql, mariadb).
EXPECT="$(dirname "${BASH_SOURCE[0]}")/xform_expect.py"
VERSIONS=(5.7.0 5.8.0 5.9.0 5.10.0 5.11.0 6.0.0 6.1.0 7.0.0 7.1.0 7.2.0 7.3.0)
TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_OAUTH2_TOKEN_BINDING,IDN_OAUTH2_AUTHZ_CODE_SCOPE,IDN_AUTH_SESSION_STORE

# at_least V W: version V is W or later.
at_least() {
  local i j
  for i in "${!VERSIONS[@]}"; do [ "${VERSIONS[$i]}" = "$1" ] && break; done
  for j in "${!VERSIONS[@]}"; do [ "${VERSIONS[$j]}" = "$2" ] && break; done
  [ "$i" -ge "$j" ]
}

# writes DB VERSION TAG N: IS-like writes in the source's own schema: new tokens of three tenants
# and a FEDERATED one (with IDP_ID where the version has it: NULL for two where it may be NULL,
# the federated IdP's 4 for the FEDERATED one), a new code, a revoke, deletes.
writes() {
  local idp_col="" a="" b="" f="" c=""
  if at_least "$2" 5.11.0; then
    idp_col=", IDP_ID" a=", 1" b=", 2" f=", 4" c=", 3"
  elif at_least "$2" 5.8.0; then
    idp_col=", IDP_ID" a=", NULL" b=", 2" f=", 4" c=", NULL"
  fi
  local cols="TOKEN_ID, ACCESS_TOKEN, CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID, USER_DOMAIN, USER_TYPE, GRANT_TYPE, TIME_CREATED, REFRESH_TOKEN_TIME_CREATED, TOKEN_SCOPE_HASH, TOKEN_STATE, TOKEN_STATE_ID$idp_col"
  local ts="'2026-11-30 10:00:00'"
  sql "$ENGINE" "$1" "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN ($cols) VALUES
      ('w-$3-a', 'at-$3-a', 1, 'alice', -1234, 'PRIMARY', 'APPLICATION_USER', 'password', $ts, $ts, 'h-$3-a', 'ACTIVE', 'NONE'$a),
      ('w-$3-b', 'at-$3-b', 2, 'bob', 1, 'PRIMARY', 'APPLICATION_USER', 'password', $ts, $ts, 'h-$3-b', 'ACTIVE', 'NONE'$b),
      ('w-$3-c', 'at-$3-c', 3, 'carol', 2, 'SECONDARY', 'APPLICATION_USER', 'password', $ts, $ts, 'h-$3-c', 'ACTIVE', 'NONE'$a),
      ('w-$3-f', 'at-$3-f', 1, 'fred', 1, 'FEDERATED', 'APPLICATION_USER', 'authorization_code', $ts, $ts, 'h-$3-f', 'ACTIVE', 'NONE'$f);
    INSERT INTO IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID, TOKEN_SCOPE, TENANT_ID) VALUES ('w-$3-a', 'openid', -1234);
    INSERT INTO IDN_OAUTH2_AUTHORIZATION_CODE (CODE_ID, AUTHORIZATION_CODE, CONSUMER_KEY_ID, SCOPE, AUTHZ_USER, TENANT_ID, USER_DOMAIN, TIME_CREATED, STATE${idp_col}) VALUES
      ('c-$3', 'code-$3', 2, 'openid profile', 'bob', 2, 'PRIMARY', $ts, 'ACTIVE'$c);
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = TOKEN_ID WHERE TOKEN_STATE = 'ACTIVE' AND TOKEN_ID LIKE '%a$4';
    DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID LIKE '%c$4';
    UPDATE IDN_IDENTITY_USER_DATA SET DATA_VALUE = 'changed-$3' WHERE DATA_KEY LIKE '%$4';" >/dev/null ||
    fail "$2: the writes failed"
}

# local_idps DB VERSION: the target's own LOCAL identity providers, ids unlike the source's
# (its fill gives tenants -1234, 1, 2 the ids 1, 2, 3).
local_idps() {
  local uuid_col="" u1="" u2="" u3=""
  if at_least "$2" 5.10.0; then
    uuid_col=", UUID"
    u1=", 'u-101'"
    u2=", 'u-102'"
    u3=", 'u-103'"
  fi
  sql "$ENGINE" "$1" "INSERT INTO IDP (ID, TENANT_ID, NAME$uuid_col) VALUES (101, -1234, 'LOCAL'$u1), (102, 1, 'LOCAL'$u2), (103, 2, 'LOCAL'$u3)" >/dev/null ||
    fail "$2: cannot add the target's identity providers"
}

