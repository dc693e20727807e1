#!/usr/bin/env bash
# needs: postgres mariadb
# A token deleted on a MariaDB source takes its scope rows with it by ON DELETE CASCADE, which
# fires no trigger: only the token's delete is journaled (DESIGN §3.1). A copy read in several
# snapshots can hold the scopes of a token it never saw (the token's chunk read after the
# delete, the scopes' chunk before it). The apply of the token's delete must remove those
# scopes too, on every target engine. The test makes that state on the target (the token
# removed without its cascade), deletes the token on the source, and compares after run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0
TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_TOKEN_BINDING

for t in postgresql mariadb; do
  what="cascade mariadb -> $t"
  src="cc_src_$t"
  dst="cc_dst_$t"
  fresh_db mariadb "$src"
  fresh_db "$t" "$dst"
  S=$(db_url mariadb "$src")
  T=$(db_url "$t" "$dst")
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows 200
  run 0 sync prepare --source "$S"
  run 0 sync copy --source "$S" --target "$T" --jobs 2

  x=$(sql mariadb "$src" "SELECT TOKEN_ID FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE GROUP BY TOKEN_ID ORDER BY COUNT(*) DESC, TOKEN_ID LIMIT 1" | tail -1)
  [ -n "$x" ] || fail "$what: the fill made no token with scopes"
  # The target as a copy of mixed snapshots leaves it: the scopes without their token.
  if [ "$t" = postgresql ]; then
    sql postgresql "$dst" "SET session_replication_role = replica; DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = '$x'" >/dev/null
  else
    sql mariadb "$dst" "SET foreign_key_checks = 0; DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = '$x'" >/dev/null
  fi
  orphans=$(sql "$t" "$dst" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID = '$x'" | tail -1 | tr -d ' ')
  [ "${orphans:-0}" -ge 1 ] || fail "$what: the test could not leave scopes without their token on the target"

  sql mariadb "$src" "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID = '$x'" >/dev/null
  [ "$(sql mariadb "$src" "SELECT COUNT(*) FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID = '$x'" | tail -1)" = 0 ] ||
    fail "$what: the source kept the scopes of a deleted token: no cascade to test"
  journaled=$(sql mariadb "$src" "SELECT COUNT(*) FROM CUTOVER_JOURNAL WHERE TABLE_NAME = 'IDN_OAUTH2_ACCESS_TOKEN_SCOPE' AND K1 = '$x'" | tail -1)
  [ "$journaled" = 0 ] || fail "$what: the cascade journaled $journaled scope rows: this MariaDB fires triggers on cascades, the test proves nothing"

  run 0 sync run --source "$S" --target "$T" --once
  same_data "$S" "$T" "$TABLES" "$what"
done
finish
