#!/usr/bin/env bash
# needs: postgres mariadb
# The DBA's path: `sync prepare --print-sql DIALECT --from V` printed by the binary and run with
# the engine's own client (sqlite3, psql, mariadb) instead of `sync prepare`; then copy, run
# --once, status and remove work against it exactly as after `sync prepare`: the target equals
# the source by the independent comparator, and remove leaves the source's catalogue as it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0
TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_OAUTH2_TOKEN_BINDING,IDN_OAUTH2_AUTHZ_CODE_SCOPE,IDN_AUTH_SESSION_STORE

# client ENGINE DB FILE: runs a printed script as a DBA would.
client() {
  case "$1" in
    sqlite) sqlite3 -bail "$WORK/$2.db" < "$3" ;;
    postgresql) PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$(db_url postgresql "$2")" -f "$3" >/dev/null ;;
    mariadb) mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" "$2" < "$3" ;;
  esac
}

for e in sqlite postgresql mariadb; do
  src="ps_src_$e"
  dst="ps_dst_$e"
  fresh_db "$e" "$src"
  fresh_db postgresql "$dst"
  S=$(db_url "$e" "$src")
  T=$(db_url postgresql "$dst")
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows 200
  before=$(objects "$e" "$src")

  dialect=$e
  [ "$e" = mariadb ] && dialect=mysql
  run 0 sync prepare --print-sql "$dialect" --from "$V"
  printf '%s\n' "$OUT" > "$WORK/install_$e.sql"
  client "$e" "$src" "$WORK/install_$e.sql" || fail "$e: the printed script failed in the engine's client"

  # The capture reads as complete, with the id the script carries.
  journal=$(sed -n "s/.*VALUES ('\*', 0, '\([0-9a-f]*\)').*/\1/p" "$WORK/install_$e.sql")
  [ -n "$journal" ] || fail "$e: no journal id in the printed script"
  run 0 sync status --source "$S" --target "$T" --json
  [ "$(json_get "$OUT" 'j["captured"]')" = True ] || fail "$e: status does not see the printed capture: $OUT"
  [ "$(json_get "$OUT" 'j["journal_id"]')" = "$journal" ] || fail "$e: status shows another journal id: $OUT"
  # A second prepare refuses, as after `sync prepare`.
  run 2 sync prepare --source "$S"
  expect_in "$ERR" "already installed" "$e: prepare after the printed script"

  sql "$e" "$src" "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED' WHERE TOKEN_ID LIKE '%1';
    DELETE FROM IDN_AUTH_SESSION_STORE WHERE SESSION_ID LIKE '%2';" >/dev/null || fail "$e: writes"
  run 0 sync copy --source "$S" --target "$T" --jobs 2
  sql "$e" "$src" "INSERT INTO IDN_IDENTITY_USER_DATA (TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE) VALUES (-1234, 'printed', 'k', 'v');
    DELETE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID LIKE '%3';
    UPDATE IDN_OAUTH2_AUTHORIZATION_CODE SET STATE = 'INACTIVE' WHERE CODE_ID LIKE '%4';" >/dev/null || fail "$e: writes"
  entries=$(sql "$e" "$src" "SELECT COUNT(*) FROM CUTOVER_JOURNAL" | tail -1)
  [ "$entries" -gt 0 ] || fail "$e: the printed triggers journaled nothing"
  run 0 sync run --source "$S" --target "$T" --once
  same_data "$S" "$T" "$TABLES" "$e: printed capture"
  run 0 sync status --source "$S" --target "$T" --json
  [ "$(json_get "$OUT" 'j["backlog"]')" = 0 ] || fail "$e: backlog after run --once: $OUT"

  run 0 sync remove --source "$S" --target "$T"
  after=$(objects "$e" "$src")
  [ "$before" = "$after" ] || fail "$e: source catalogue after remove differs: $(diff <(echo "$before") <(echo "$after") | head -5)"
done
finish
