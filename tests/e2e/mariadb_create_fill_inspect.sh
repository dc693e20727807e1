#!/usr/bin/env bash
# needs: mariadb
# The binary against a real MariaDB: every catalogued version created (latin1 tables, as WSO2
# requires), filled and named by inspect; password user over TCP; wrong password and
# unreachable server are one-line errors with exit 1.
. "$(dirname "$0")/lib.sh"
load_env mariadb.env
admin() { mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "$1" || fail "mariadb: $1"; }
sock() { echo "mysql://${MY_SOCKET_USER:-root}@localhost/$1?socket=$MY_SOCKET"; }

for v in 5.7.0 5.8.0 5.9.0 5.10.0 5.11.0 6.0.0 6.1.0 7.0.0 7.1.0 7.2.0 7.3.0; do
  db="e2e_$(echo "$v" | tr . _)"
  # utf8mb4 is the server default: WSO2's index widths only fit because tables are latin1.
  admin "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4"
  run 0 schema create "$(sock "$db")" --product is --version "$v"
  run 0 schema fill "$(sock "$db")" --rows 500
  run 0 inspect "$(sock "$db")" --json
  narrowed=$(json_get "$OUT" '" ".join(j["product"]["narrowed"])')
  expect_in " $narrowed " " $v " "mariadb: inspect names $v"
  cs=$(mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -N -e "SELECT CCSA.CHARACTER_SET_NAME FROM information_schema.TABLES T JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY CCSA ON CCSA.COLLATION_NAME = T.TABLE_COLLATION WHERE T.TABLE_SCHEMA='$db' AND T.TABLE_NAME='IDN_OAUTH2_ACCESS_TOKEN'")
  [ "$cs" = "latin1" ] || fail "$v: token table character set is '$cs', not latin1"
  admin "DROP DATABASE $db"
done

admin "DROP DATABASE IF EXISTS e2e_pw; CREATE DATABASE e2e_pw; GRANT ALL ON e2e_pw.* TO '$MY_TCP_USER'@'127.0.0.1'"
tcp="mariadb://$MY_TCP_USER@127.0.0.1:$MY_PORT/e2e_pw"
CUTOVER_DB_PASSWORD="$MY_TCP_PASSWORD" run 0 schema create "$tcp" --version 5.9.0
CUTOVER_DB_PASSWORD="$MY_TCP_PASSWORD" run 0 schema fill "$tcp" --rows 20000
CUTOVER_DB_PASSWORD="$MY_TCP_PASSWORD" run 0 inspect "$tcp"
expect_in "$OUT" "MariaDB" "server version"
expect_in "$OUT" "20,000" "inspect counts rows"

CUTOVER_DB_PASSWORD="not-the-password" run 1 inspect "$tcp"
one_line_error "$ERR" "wrong password"
expect_not_in "$ERR" "not-the-password" "wrong password never echoed"

start=$(date +%s)
run 1 inspect "mysql://u@127.0.0.1:1/x"
one_line_error "$ERR" "unreachable"
[ $(( $(date +%s) - start )) -lt 15 ] || fail "unreachable server took too long"

run 2 inspect "$(sock mysql)"
expect_in "$ERR" "no WSO2 Identity Server tables" "database without IS tables"
admin "DROP DATABASE e2e_pw"
finish
