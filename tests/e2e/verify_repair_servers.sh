#!/usr/bin/env bash
# needs: postgres mariadb
# `cutover verify --repair` across engines (issue 15): a SQLite 5.8.0 source with known rows,
# copied by the sync to PostgreSQL and MariaDB; one difference of each kind injected in each
# copy (tools/verify_lib.sh). --dry-run leaves the target as it was (verify still finds exactly
# the injected differences) and its SQL, run by the engine's own client, repairs it; --repair
# makes it verify equal and the independent comparator agree; the source never changes. Then a PostgreSQL source repairing a MariaDB target: the
# source's rows hash the same before and after.
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
source_sum=$(sha256sum <"$WORK/src.db")

for e in postgresql mariadb; do
  db=vr_${e:0:2}
  fresh_db "$e" "$db"
  T=$(db_url "$e" "$db")
  run 0 sync copy --source "$S" --target "$T" --jobs 2
  inject "$e" "$db"
  # Dry run: the statements, and the target still differs exactly as injected.
  run 3 verify --source "$S" --target "$T" --repair --dry-run
  expect_in "$OUT" "DRY RUN: the repair would write 14 rows and remove 2 in 3 tables" "$e dry run"
  expect_in "$OUT" "'v-missing'" "$e dry run: the missing row"
  run 3 verify --source "$S" --target "$T" --json
  expect_diffs "$e after the dry run" "${INJECTED[@]}"
  # The printed SQL is what the repair would run: the engine's own client runs it, and the
  # target verifies equal. Then the same differences again, for --repair itself.
  run 3 verify --source "$S" --target "$T" --repair --dry-run --json
  json_get "$OUT" '";\n".join(j["repair"]["statements"]) + ";"' >"$WORK/repair_$e.sql"
  case $e in
    postgresql) psql -X -q -v ON_ERROR_STOP=1 "$T" -f "$WORK/repair_$e.sql" >/dev/null ;;
    mariadb) mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" "$db" <"$WORK/repair_$e.sql" ;;
  esac || fail "$e: its client refused the printed SQL"
  run 0 verify --source "$S" --target "$T"
  inject "$e" "$db"
  # The repair.
  run 0 verify --source "$S" --target "$T" --repair
  expect_in "$OUT" "REPAIRED: 14 rows written, 2 removed" "$e repair"
  run 0 verify --source "$S" --target "$T" --json
  expect_equal "$e after --repair"
  same_data "$S" "$T" "$TABLES" "$e after --repair"
  [ "$(sha256sum <"$WORK/src.db")" = "$source_sum" ] || fail "$e: the SQLite source file changed"
done

# --- a server source: PostgreSQL (now equal to the SQLite source) repairs a MariaDB copy ------
P=$(db_url postgresql vr_po)
fresh_db mariadb vr_my2
M=$(db_url mariadb vr_my2)
run 0 sync copy --source "$S" --target "$M" --jobs 2
inject mariadb vr_my2
pg_rows() {
  sql postgresql vr_po "SELECT md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) FROM idn_oauth2_access_token t
    UNION ALL SELECT md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))) FROM idn_auth_session_store t"
}
before=$(pg_rows)
run 0 verify --source "$P" --target "$M" --repair
expect_in "$OUT" "REPAIRED: 14 rows written, 2 removed" "postgresql -> mariadb repair"
run 0 verify --source "$P" --target "$M" --json
expect_equal "postgresql -> mariadb after --repair"
same_data "$P" "$M" "$TABLES" "postgresql -> mariadb after --repair"
[ "$(pg_rows)" = "$before" ] || fail "postgresql source: its rows changed"
finish
