#!/usr/bin/env bash
# needs: postgres
# The binary against a real PostgreSQL: every catalogued version created, filled and named by
# inspect; passwords from the environment and from a file; wrong password and unreachable
# server are one-line errors with exit 1; a database without IS tables is refused.
. "$(dirname "$0")/lib.sh"
load_env pg.env
admin() { psql -X -q -v ON_ERROR_STOP=1 "$PG_SOCKET_URL" -c "$1" >/dev/null || fail "psql: $1"; }
enc_host=$(printf '%s' "$PG_HOST" | sed 's|/|%2F|g')
sock() { echo "postgresql://postgres@$enc_host:$PG_PORT/$1"; }

for v in 5.7.0 5.8.0 5.9.0 5.10.0 5.11.0 6.0.0 6.1.0 7.0.0 7.1.0 7.2.0 7.3.0; do
  db="e2e_$(echo "$v" | tr . _)"
  admin "DROP DATABASE IF EXISTS $db"
  admin "CREATE DATABASE $db"
  run 0 schema create "$(sock "$db")" --product is --version "$v"
  run 0 schema fill "$(sock "$db")" --rows 500
  run 0 inspect "$(sock "$db")" --json
  narrowed=$(json_get "$OUT" '" ".join(j["product"]["narrowed"])')
  expect_in " $narrowed " " $v " "postgresql: inspect names $v"
  expect_in "$(json_get "$OUT" 'j["database"]["server_version"]')" "PostgreSQL 15" "server version"
  # WSO2's scripts leave identifiers unquoted: PostgreSQL stores them in lower case.
  n=$(psql -X -At -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "$db" -c "SELECT COUNT(*) FROM pg_class WHERE relname = 'idn_oauth2_access_token'")
  [ "$n" = "1" ] || fail "$v: table names are not folded to lower case"
  admin "DROP DATABASE $db"
done

admin "DROP DATABASE IF EXISTS e2e_pw"
admin "CREATE DATABASE e2e_pw OWNER $PG_TCP_USER"
tcp="postgresql://$PG_TCP_USER@127.0.0.1:$PG_PORT/e2e_pw"
CUTOVER_DB_PASSWORD="$PG_TCP_PASSWORD" run 0 schema create "$tcp" --version 7.0.0
printf '%s\n' "$PG_TCP_PASSWORD" > "$WORK/pw"
run 0 schema fill "$tcp" --rows 20000 --password-file "$WORK/pw"
expect_in "$OUT" "idn_oauth2_access_token" "fill over TCP (PostgreSQL folds names to lower case)"
CUTOVER_DB_PASSWORD="$PG_TCP_PASSWORD" run 0 inspect "$tcp"
expect_in "$OUT" "7.0.0" "inspect over TCP"
expect_in "$OUT" "20,000" "inspect counts rows"

# The database a product home configures, opened with the password from deployment.toml.
home="$WORK/home"
mkdir -p "$home/repository/conf"
cat > "$home/repository/conf/deployment.toml" <<TOML
[database.identity_db]
type = "postgre"
url = "jdbc:postgresql://127.0.0.1:$PG_PORT/e2e_pw"
username = "$PG_TCP_USER"
password = "$PG_TCP_PASSWORD"

[database.shared_db]
type = "postgre"
url = "jdbc:postgresql://127.0.0.1:$PG_PORT/e2e_pw"
username = "$PG_TCP_USER"
password = "\$secret{shared_db_password}"
TOML
run 0 inspect --home "$home" --datasource identity_db
expect_in "$OUT" "7.0.0" "inspect --datasource"
expect_not_in "$OUT" "$PG_TCP_PASSWORD" "configured password never printed"
run 2 inspect --home "$home" --datasource shared_db
expect_in "$ERR" "secure vault" "secure-vault password refused with a hint"
CUTOVER_DB_PASSWORD="$PG_TCP_PASSWORD" run 0 inspect --home "$home" --datasource shared_db
run 2 inspect --home "$home" --datasource consent_db
expect_in "$ERR" "identity_db, shared_db" "unknown datasource lists the configured ones"

CUTOVER_DB_PASSWORD="not-the-password" run 1 inspect "$tcp"
one_line_error "$ERR" "wrong password"
expect_in "$ERR" "refused the login" "wrong password"
expect_not_in "$ERR" "not-the-password" "wrong password never echoed"

start=$(date +%s)
run 1 inspect "postgresql://u@127.0.0.1:1/x"
one_line_error "$ERR" "unreachable"
expect_in "$ERR" "cannot connect" "unreachable"
[ $(( $(date +%s) - start )) -lt 15 ] || fail "unreachable server took too long"

run 2 inspect "$(sock postgres)"
expect_in "$ERR" "no WSO2 Identity Server tables" "postgres database without IS tables"

run 2 inspect "$(sock no_such_database)"
expect_in "$ERR" "does not exist" "missing database"
admin "DROP DATABASE e2e_pw"
finish
