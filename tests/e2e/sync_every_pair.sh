#!/usr/bin/env bash
# needs: postgres mariadb
# The whole sync through the binary on every pair among SQLite, PostgreSQL and MariaDB (same
# product version): prepare, changes, copy, more changes (inserts, updates, key moves,
# deletes, cascades), run --once, status; the target equals the source by an independent
# comparator; remove leaves both catalogues exactly as they were before prepare.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0
TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_OAUTH2_TOKEN_BINDING,IDN_OAUTH2_AUTHZ_CODE_SCOPE,IDN_AUTH_SESSION_STORE

# changes ENGINE DB TAG: an IS-like burst of writes, portable across the three engines.
changes() {
  sql "$1" "$2" "INSERT INTO IDN_IDENTITY_USER_DATA (TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE) VALUES (-1234, 'e2e-$3', 'k1', 'v1');
    UPDATE IDN_IDENTITY_USER_DATA SET DATA_VALUE = 'changed-$3' WHERE USER_NAME = 'e2e-$3';
    UPDATE IDN_IDENTITY_USER_DATA SET DATA_KEY = 'k2' WHERE USER_NAME = 'e2e-$3';
    UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = TOKEN_ID WHERE TOKEN_STATE = 'ACTIVE' AND TOKEN_ID LIKE '%a$4';
    DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID LIKE '%b$4';
    DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID LIKE '%c$4';
    UPDATE IDN_OAUTH2_AUTHORIZATION_CODE SET STATE = 'INACTIVE' WHERE CODE_ID LIKE '%d$4';
    DELETE FROM IDN_AUTH_SESSION_STORE WHERE SESSION_ID LIKE '%e$4';" >/dev/null ||
    fail "$1: the workload failed"
}

for s in sqlite postgresql mariadb; do
  for t in sqlite postgresql mariadb; do
    pair="$s -> $t"
    src="sp_src_${s}_$t"
    dst="sp_dst_${s}_$t"
    fresh_db "$s" "$src"
    fresh_db "$t" "$dst"
    S=$(db_url "$s" "$src")
    T=$(db_url "$t" "$dst")
    run 0 schema create "$S" --version "$V"
    run 0 schema fill "$S" --rows 400
    before=$(objects "$s" "$src")

    run 0 sync prepare --source "$S" --json
    changes "$s" "$src" one 1
    run 0 sync copy --source "$S" --target "$T" --jobs 3
    changes "$s" "$src" two 2
    changes "$s" "$src" three ""
    run 0 sync run --source "$S" --target "$T" --once
    same_data "$S" "$T" "$TABLES" "$pair"

    run 0 sync status --source "$S" --target "$T" --json
    [ "$(json_get "$OUT" 'j["backlog"]')" = 0 ] || fail "$pair: status shows a backlog after run --once: $OUT"
    [ "$(json_get "$OUT" 'j["copy"]')" = complete ] || fail "$pair: status shows the copy not complete: $OUT"

    # A second run with nothing new changes nothing.
    run 0 sync run --source "$S" --target "$T" --once
    same_data "$S" "$T" "$TABLES" "$pair (second run)"

    run 0 sync remove --source "$S" --target "$T"
    after=$(objects "$s" "$src")
    [ "$before" = "$after" ] || fail "$pair: source catalogue after remove differs: $(diff <(echo "$before") <(echo "$after") | head -5)"
    leftovers=$(objects "$t" "$dst" | grep -i cutover || true)
    [ -z "$leftovers" ] || fail "$pair: target keeps $leftovers after remove"
  done
done
finish
