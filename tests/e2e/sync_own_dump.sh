#!/usr/bin/env bash
# needs: postgres mariadb
# The seed's manual path: prepare, then the operator's own dump and restore (pg_dump | psql,
# mariadb-dump | mariadb, a copied SQLite file), which carries our triggers, journal and
# metadata into the target; then run applies what changed after the dump without the target's
# copies of our triggers journaling the applier's writes; remove cleans both sides.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.9.0
TABLES=IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_AUTH_SESSION_STORE

dump_restore() {  # ENGINE SRC DST
  case "$1" in
    sqlite) cp "$WORK/$2.db" "$WORK/$3.db" ;;
    postgresql) pg_dump -h "$PG_HOST" -p "$PG_PORT" -U postgres "$2" | psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres "$3" >/dev/null ;;
    mariadb) mariadb-dump -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" --single-transaction --triggers "$2" | mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" "$3" ;;
  esac || fail "$1: dump and restore failed"
}

for e in sqlite postgresql mariadb; do
  src="od_src_$e"
  dst="od_dst_$e"
  fresh_db "$e" "$src"
  fresh_db "$e" "$dst"
  S=$(db_url "$e" "$src")
  T=$(db_url "$e" "$dst")
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows 300
  run 0 sync prepare --source "$S"
  sql "$e" "$src" "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'EXPIRED' WHERE TOKEN_ID LIKE '%1'" >/dev/null
  dump_restore "$e" "$src" "$dst"
  [ "$(objects "$e" "$dst" | grep -ciE ':co_')" -gt 0 ] || fail "$e: the dump did not carry the triggers (test premise)"
  journal_before=$(sql "$e" "$dst" "SELECT COUNT(*) FROM CUTOVER_JOURNAL")
  sql "$e" "$src" "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = TOKEN_ID WHERE TOKEN_ID LIKE '%2';
    DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID LIKE '%3';
    INSERT INTO IDN_IDENTITY_USER_DATA (TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE) VALUES (-1234, 'od', 'k', 'v');" >/dev/null
  run 0 sync run --source "$S" --target "$T" --once
  same_data "$S" "$T" "$TABLES" "$e own dump"
  journal_after=$(sql "$e" "$dst" "SELECT COUNT(*) FROM CUTOVER_JOURNAL")
  [ "$journal_before" = "$journal_after" ] || fail "$e: the applier's writes were journaled on the target ($journal_before -> $journal_after)"
  run 0 sync remove --source "$S" --target "$T"
  left=$( (objects "$e" "$src"; objects "$e" "$dst") | grep -iE 'cutover|:co_' || true)
  [ -z "$left" ] || fail "$e: remove left $left"
done
finish
