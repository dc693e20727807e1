#!/usr/bin/env bash
# needs: postgres mariadb
# The throwaway servers are set up like production ones, not like a bare install, so that the
# rest of the suite meets what operators' servers do: MariaDB with binary logging on (creating
# a trigger then needs SUPER or log_bin_trust_function_creators, which a WSO2 database user
# does not have), password users without global privileges, and server time zones and (on
# PostgreSQL) a collation other than UTC and C. Guards tests/servers/*_start.sh against drift.
. "$(dirname "$0")/lib.sh"

load_env mariadb.env
my_root() { mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -N -e "$1" 2>&1; }
[ "$(my_root 'SELECT @@log_bin, @@binlog_format')" = "$(printf '1\tROW')" ] ||
  fail "mariadb: binary logging is not on in ROW format"
[ "$(my_root 'SELECT @@global.time_zone')" = "+05:30" ] || fail "mariadb: server time zone is not +05:30"
my_root "DROP DATABASE IF EXISTS e2e_prod; CREATE DATABASE e2e_prod;
GRANT ALL ON e2e_prod.* TO '$MY_TCP_USER'@'127.0.0.1';
CREATE TABLE e2e_prod.T (ID INT PRIMARY KEY)" >/dev/null
grants=$(my_root "SHOW GRANTS FOR '$MY_TCP_USER'@'127.0.0.1'")
expect_not_in "$grants" "ON *.*  TO" "mariadb: password user has no global privileges"
expect_not_in "$grants" "ALL PRIVILEGES ON *.*" "mariadb: password user has no global privileges"
# What the coming 'sync prepare' must cope with: a WSO2 user cannot create a trigger here.
out=$(MYSQL_PWD="$MY_TCP_PASSWORD" mariadb -h 127.0.0.1 -P "$MY_PORT" -u "$MY_TCP_USER" e2e_prod \
  -e "CREATE TRIGGER T_AI AFTER INSERT ON T FOR EACH ROW SET @x = 1" 2>&1)
expect_in "$out" "1419" "mariadb: trigger creation without SUPER is refused while binlog is on"
my_root "CREATE TRIGGER e2e_prod.T_AI AFTER INSERT ON e2e_prod.T FOR EACH ROW SET @x = 1" >/dev/null
[ "$(my_root "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA='e2e_prod'")" = 1 ] ||
  fail "mariadb: a SUPER user can create the trigger"
my_root "DROP DATABASE e2e_prod" >/dev/null

load_env pg.env
pg() { psql -X -A -t -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -c "$1" 2>&1; }
[ "$(pg 'SHOW timezone')" = "Asia/Kolkata" ] || fail "postgresql: server time zone is not Asia/Kolkata"
pg "DROP DATABASE IF EXISTS e2e_prod" >/dev/null
pg "CREATE DATABASE e2e_prod" >/dev/null
[ "$(pg "SELECT datlocprovider::text || ':' || daticulocale FROM pg_database WHERE datname = 'e2e_prod'")" = "i:en-US" ] ||
  fail "postgresql: new databases do not use the ICU collation en-US"
order=$(psql -X -A -t -q -h "$PG_HOST" -p "$PG_PORT" -U postgres -d e2e_prod \
  -c "SELECT string_agg(v, ',' ORDER BY v) FROM (VALUES ('b'), ('B'), ('a'), ('A')) t(v)")
[ "$order" = "a,A,b,B" ] || fail "postgresql: collation orders '$order', expected a,A,b,B"

pg "DROP DATABASE e2e_prod" >/dev/null
finish
