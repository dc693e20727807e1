#!/usr/bin/env bash
# needs: postgres mariadb
# Bad input to `cutover sync`: a one-line error with a hint, the documented exit code (2 for
# usage and configuration, 1 for a failure) and nothing changed on either database (their
# catalogues listed before and after; the journal's entries counted). Also the privileges a
# prepare needs: MariaDB with binary logging refuses triggers from a user without SUPER while
# log_bin_trust_function_creators is off, and the error names that setting; on PostgreSQL a
# user that does not own the tables is told so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0

# unchanged ENGINE DB BEFORE WHAT: the catalogue of DB is still BEFORE.
unchanged() {
  local now
  now=$(objects "$1" "$2")
  [ "$now" = "$3" ] || fail "$4: the catalogue of $2 changed: $(diff <(echo "$3") <(echo "$now") | head -5)"
}

# refused RC WHAT NEEDLE ARGS...: cutover exits RC with a one-line error containing NEEDLE.
refused() {
  local want=$1 what=$2 needle=$3
  shift 3
  run "$want" "$@"
  one_line_error "$ERR" "$what"
  expect_in "$ERR" "$needle" "$what"
  expect_in "$ERR" "hint:" "$what: a hint"
}

for e in postgresql mariadb; do
  src="sb_src_$e"
  dst="sb_dst_$e"
  fresh_db "$e" "$src"
  fresh_db "$e" "$dst"
  S=$(db_url "$e" "$src")
  T=$(db_url "$e" "$dst")
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows 30
  src_before=$(objects "$e" "$src")
  dst_before=$(objects "$e" "$dst")

  # Unknown table, and hostile names, on the command line.
  refused 2 "$e: unknown table" "IDN_NO_SUCH_TABLE" sync prepare --source "$S" --tables IDN_OAUTH2_ACCESS_TOKEN,IDN_NO_SUCH_TABLE
  refused 2 "$e: hostile --tables" "not a table name" sync prepare --source "$S" --tables "IDN_OAUTH2_ACCESS_TOKEN\"; DROP TABLE IDN_OAUTH2_ACCESS_TOKEN; --"
  refused 2 "$e: quote in --tables" "not a table name" sync copy --source "$S" --target "$T" --tables "X'); DELETE FROM IDN_OAUTH2_ACCESS_TOKEN; --"
  long=$(printf 'A%.0s' $(seq 1 5000))
  refused 2 "$e: very long table name" "not a table name" sync prepare --source "$S" --tables "$long"
  [ ${#ERR} -lt 600 ] || fail "$e: a 5000-character name is echoed at length (${#ERR} characters)"

  # Hostile names in a sync config.
  cat > "$WORK/hostile_$e.toml" <<TOML
from = "$V"
tables = ["IDN_OAUTH2_ACCESS_TOKEN", "IDN'; DROP TABLE IDN_OAUTH2_ACCESS_TOKEN; --", "$long"]
[source]
url = "$S"
[target]
url = "$T"
TOML
  refused 2 "$e: hostile name in --config" "not a table name" sync prepare --config "$WORK/hostile_$e.toml"
  refused 2 "$e: hostile name in --config (run)" "not a table name" sync run --config "$WORK/hostile_$e.toml" --once
  expect_not_in "$ERR" "$long" "$e: the long name is cut short"

  # sync run before prepare: nothing to apply from, nothing created on the target.
  refused 2 "$e: run before prepare" "prepare" sync run --source "$S" --target "$T" --once
  refused 2 "$e: copy before prepare" "prepare" sync copy --source "$S" --target "$T"
  unchanged "$e" "$src" "$src_before" "$e: refused commands"
  unchanged "$e" "$dst" "$dst_before" "$e: refused commands (target)"

  # Prepare, some changes, then prepare again: refused, journal and its entries intact.
  run 0 sync prepare --source "$S" --json
  journal=$(json_get "$OUT" 'j["journal_id"]')
  sql "$e" "$src" "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED' WHERE TOKEN_STATE = 'ACTIVE'" >/dev/null
  entries=$(sql "$e" "$src" "SELECT COUNT(*) FROM CUTOVER_JOURNAL")
  [ "$entries" -gt 0 ] || fail "$e: no journal entries after an update"
  prepared=$(objects "$e" "$src")
  refused 2 "$e: prepare twice" "already installed" sync prepare --source "$S"
  expect_in "$ERR" "$journal" "$e: prepare twice names the journal"
  expect_in "$ERR" "$entries entries" "$e: prepare twice counts the entries"
  unchanged "$e" "$src" "$prepared" "$e: prepare twice"
  [ "$(sql "$e" "$src" "SELECT COUNT(*) FROM CUTOVER_JOURNAL")" = "$entries" ] || fail "$e: prepare twice lost journal entries"
  run 0 sync status --source "$S" --target "$T" --json
  [ "$(json_get "$OUT" 'j["journal_id"]')" = "$journal" ] || fail "$e: the journal id changed"

  # Target missing a table for run (no copy): refused before anything is written there.
  refused 2 "$e: target missing a table" "target" sync run --source "$S" --target "$T" --once
  unchanged "$e" "$dst" "$dst_before" "$e: run on a target without the tables"
  [ "$(sql "$e" "$src" "SELECT COUNT(*) FROM CUTOVER_JOURNAL")" = "$entries" ] || fail "$e: a refused run pruned the journal"

  # Source and target the same database, spelled the same and differently.
  refused 2 "$e: same database" "same database" sync run --source "$S" --target "$S" --once
  case $e in
    postgresql) S2="postgresql://postgres@localhost:$PG_PORT/$src" ; S3="postgresql://postgres@127.0.0.1:$PG_PORT/$src" ;;
    mariadb) S2="mysql://root@127.0.0.1:$MY_PORT/$src" ; S3="mariadb://root@localhost:$MY_PORT/$(echo "$src" | tr a-z A-Z)" ;;
  esac
  refused 2 "$e: same database spelled two ways" "same database" sync copy --source "$S2" --target "$S3"
  unchanged "$e" "$src" "$prepared" "$e: same database"

  run 0 sync remove --source "$S"
  unchanged "$e" "$src" "$src_before" "$e: remove"
done

# --- SQLite: the same file spelled two ways ---------------------------------------------------
run 0 schema create "sqlite:$WORK/one.db" --version "$V"
sqlite_before=$(sha256sum "$WORK/one.db")
ln -s "$WORK/one.db" "$WORK/link.db"
refused 2 "sqlite: same file" "same database" sync copy --source "sqlite:$WORK/one.db" --target "sqlite:$WORK/./sub/../one.db" --from "$V"
refused 2 "sqlite: same file via a link" "same database" sync run --source "sqlite:$WORK/one.db" --target "sqlite:$WORK/link.db" --once
(cd "$WORK" && refused 2 "sqlite: relative and absolute" "same database" sync copy --source "sqlite:one.db" --target "sqlite:$WORK/one.db")
[ "$(sha256sum "$WORK/one.db")" = "$sqlite_before" ] || fail "sqlite: a refused sync changed the file"

# --- sync.properties with a key missing -------------------------------------------------------
need_engine postgresql
props_before=$(objects postgresql sb_src_postgresql)
cat > "$WORK/deployment.toml" <<TOML
[[datasource]]
id = "OLD_IDENTITY_DB"
url = "jdbc:postgresql://127.0.0.1:$PG_PORT/sb_src_postgresql"
username = "postgres"
password = "x"
driver = "org.postgresql.Driver"
[[datasource]]
id = "NEW_IDENTITY_DB"
url = "jdbc:postgresql://127.0.0.1:$PG_PORT/sb_dst_postgresql"
username = "postgres"
password = "x"
driver = "org.postgresql.Driver"
TOML
printf 'sourceVersion=%s\ntargetVersion=%s\nbatchSize=100\n' "$V" "$V" > "$WORK/sync.properties"
refused 2 "sync.properties without identitySchema" "identitySchema" sync prepare --sync-properties "$WORK/sync.properties" --deployment-toml "$WORK/deployment.toml"
printf 'targetVersion=%s\nidentitySchema=OLD_IDENTITY_DB,NEW_IDENTITY_DB\n' "$V" > "$WORK/sync.properties"
refused 2 "sync.properties without sourceVersion" "sourceVersion" sync run --sync-properties "$WORK/sync.properties" --deployment-toml "$WORK/deployment.toml" --once
refused 2 "sync.properties without deployment.toml" "--deployment-toml" sync run --sync-properties "$WORK/sync.properties" --once
unchanged postgresql sb_src_postgresql "$props_before" "sync.properties"

# --- the command line -------------------------------------------------------------------------
S=$(db_url postgresql sb_src_postgresql)
refused 2 "--print-sql with --source" "--print-sql" sync prepare --print-sql postgresql --from "$V" --source "$S"
refused 2 "--print-sql without --from" "--from" sync prepare --print-sql postgresql
refused 2 "unknown dialect" "sybase" sync prepare --print-sql sybase --from "$V"
expect_in "$ERR" "postgresql" "unknown dialect lists the known ones"
refused 2 "password in a URL" "password" sync prepare --source "postgresql://postgres:hunter2@127.0.0.1:$PG_PORT/sb_src_postgresql"
expect_not_in "$ERR$OUT" "hunter2" "a password in a URL is never echoed"
refused 2 "password in a target URL" "password" sync run --source "$S" --target "mysql://root:hunter2@127.0.0.1/x" --once
expect_not_in "$ERR$OUT" "hunter2" "a password in a target URL is never echoed"
refused 2 "no source" "--source" sync prepare
refused 2 "remove without databases" "--source" sync remove

# A wrong password for the password users: exit 1, the password never echoed.
need_engine mariadb
wrong='Wr0ng-pw;"quoted'
CUTOVER_SOURCE_PASSWORD="$wrong" refused 1 "postgresql: wrong password" "password" sync prepare --source "postgresql://$PG_TCP_USER@127.0.0.1:$PG_PORT/sb_src_postgresql"
expect_not_in "$ERR$OUT" "$wrong" "postgresql: the wrong password is never echoed"
CUTOVER_SOURCE_PASSWORD="$wrong" refused 1 "mariadb: wrong password" "password" sync status --source "mysql://$MY_TCP_USER@127.0.0.1:$MY_PORT/sb_src_mariadb" --target "$(db_url mariadb sb_dst_mariadb)"
expect_not_in "$ERR$OUT" "$wrong" "mariadb: the wrong password is never echoed"

# --- privileges -------------------------------------------------------------------------------
# MariaDB: the fixture runs with binary logging on and log_bin_trust_function_creators off; its
# password user has no global privilege, only ALL on its own database.
trust=$(mariadb -N -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "SELECT @@log_bin, @@log_bin_trust_function_creators")
if [ "$trust" = "$(printf '1\t0')" ]; then
  fresh_db mariadb sb_priv
  mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "GRANT ALL ON sb_priv.* TO '$MY_TCP_USER'@'127.0.0.1'" || fail "grant"
  P="mysql://$MY_TCP_USER@127.0.0.1:$MY_PORT/sb_priv"
  CUTOVER_DB_PASSWORD="$MY_TCP_PASSWORD" run 0 schema create "$P" --version "$V"
  before=$(objects mariadb sb_priv)
  CUTOVER_SOURCE_PASSWORD="$MY_TCP_PASSWORD" refused 1 "mariadb: no SUPER with binary logging" "log_bin_trust_function_creators" sync prepare --source "$P"
  expect_in "$ERR" "SUPER" "mariadb: the error names SUPER as the other way"
  expect_not_in "$ERR$OUT" "$MY_TCP_PASSWORD" "mariadb: password never echoed"
  unchanged mariadb sb_priv "$before" "mariadb: a prepare refused for want of SUPER"
else
  fail "the MariaDB fixture should have binary logging on and log_bin_trust_function_creators off, has: $trust"
fi

# PostgreSQL: a user that does not own the tables.
fresh_db postgresql sb_priv
P_OWNER=$(db_url postgresql sb_priv)
run 0 schema create "$P_OWNER" --version "$V"
psql -X -q "$PG_SOCKET_URL" -c "GRANT CONNECT ON DATABASE sb_priv TO $PG_TCP_USER" >/dev/null
sql postgresql sb_priv "GRANT USAGE, CREATE ON SCHEMA public TO $PG_TCP_USER; GRANT SELECT ON ALL TABLES IN SCHEMA public TO $PG_TCP_USER" >/dev/null
before=$(objects postgresql sb_priv)
CUTOVER_SOURCE_PASSWORD="$PG_TCP_PASSWORD" refused 1 "postgresql: not the owner" "owner" sync prepare --source "postgresql://$PG_TCP_USER@127.0.0.1:$PG_PORT/sb_priv"
expect_not_in "$ERR$OUT" "$PG_TCP_PASSWORD" "postgresql: password never echoed"
unchanged postgresql sb_priv "$before" "postgresql: a prepare refused to a non-owner"

finish
