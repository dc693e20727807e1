#!/usr/bin/env bash
# needs: postgres mariadb
# CON_APP_KEY churn (DESIGN §3.2): the IS revokes a token and issues a new one for the same
# client, user, scope and binding (the old one goes REVOKED with a new TOKEN_STATE_ID, the new
# one is ACTIVE with TOKEN_STATE_ID 'NONE'), many times in a row, all within one batch of
# `run --once`, then again with batches of a few entries so the chain is cut anywhere. The
# unique key CON_APP_KEY never collides on the target, on every target engine, and the target
# equals the source.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0
TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_OAUTH2_TOKEN_BINDING,IDN_OAUTH2_AUTHZ_CODE_SCOPE,IDN_AUTH_SESSION_STORE
WORKLOAD="$(dirname "$0")/tools/workload.py"

# churn WHAT ARGS...: revoke-and-reissue chains on $S; fails the check when the IS side fails.
churn() {
  local what=$1 out
  shift
  out=$("$PY" "$WORKLOAD" "$S" churn "$@" 2>&1) || fail "$what: the churn itself failed: $out"
}

for pair in "sqlite postgresql" "postgresql mariadb" "mariadb sqlite"; do
  read -r s t <<<"$pair"
  what="churn $s -> $t"
  src="ch_src_${s}_$t"
  dst="ch_dst_${s}_$t"
  fresh_db "$s" "$src"
  fresh_db "$t" "$dst"
  S=$(db_url "$s" "$src")
  T=$(db_url "$t" "$dst")
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows 300
  run 0 sync prepare --source "$S"
  run 0 sync copy --source "$S" --target "$T" --jobs 2

  # Several rounds, each chain revoked and reissued 6 times, before one run --once (one batch).
  churn "$what" --pairs 10 --rounds 6
  churn "$what" --pairs 10 --rounds 6 --split
  run 0 sync run --source "$S" --target "$T" --once
  expect_in "$OUT" "in 1 batches" "$what: the churn fits one batch"
  same_data "$S" "$T" "$TABLES" "$what (one batch)"

  # The same with tiny batches: a revoke and its reissue land in different batches.
  for b in 2 3 7; do
    churn "$what" --pairs 10 --rounds 3
    churn "$what" --pairs 10 --rounds 3 --split
    run 0 sync run --source "$S" --target "$T" --once --batch "$b"
    same_data "$S" "$T" "$TABLES" "$what (batches of $b)"
  done

  active=$(sql "$s" "$src" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_STATE = 'ACTIVE' AND AUTHZ_USER IN (SELECT AUTHZ_USER FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_STATE = 'REVOKED')" | tail -1)
  [ "${active:-0}" -ge 1 ] || fail "$what: the churn left no reissued ACTIVE token: the test did not churn"
done
finish
