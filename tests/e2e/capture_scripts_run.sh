#!/usr/bin/env bash
# needs: postgres mariadb
# The printed capture scripts (the golden files, which the golden test holds equal to
# install_script / remove_script) run as a DBA runs them, with sqlite3, psql and the mariadb
# client: the triggers journal inserts, updates (both keys when the key moves) and deletes,
# also on a hostile table name; the applier's flag skips journaling; the removal script leaves
# the catalogue exactly as it was before the install.
. "$(dirname "$0")/lib.sh"
load_env pg.env
load_env mariadb.env
GOLDEN="$(cd "$(dirname "$0")/../golden" && pwd)"

# Journal rows as "TABLE|OP|K1|K2|K3|K4", sorted: the engines write an UPDATE's two keys in
# different orders, and the order within one statement carries no meaning.
expected='IDN_AUTH_SESSION_STORE|I|s1|web|5|op
IDN_IDENTITY_USER_DATA|I|1|u|k|
IDN_IDENTITY_USER_DATA|U|1|u|k2|
IDN_IDENTITY_USER_DATA|U|1|u|k|
IDN_OAUTH2_ACCESS_TOKEN|D|t2|||
IDN_OAUTH2_ACCESS_TOKEN|I|t1|||
IDN_OAUTH2_ACCESS_TOKEN|U|t1|||
IDN_OAUTH2_ACCESS_TOKEN|U|t1|||
IDN_OAUTH2_ACCESS_TOKEN|U|t2|||
we"ird;name$$|D|b|||
we"ird;name$$|I|a|||
we"ird;name$$|U|a|||
we"ird;name$$|U|b|||'

# The hostile table and key column, quoted: the name holds a double quote, so the quoting
# differs between the engines.
hostile() {
  if [ "$1" = '"' ]; then
    H='"we""ird;name$$"' K='"k""1"'
  else
    # shellcheck disable=SC2016 # backticks quote MariaDB identifiers here, not commands
    H='`we"ird;name$$`' K='`k"1`'
  fi
}

# tables Q: the captured tables, identifiers quoted with the character Q.
tables() {
  local q=$1
  hostile "$q"
  cat <<SQL
CREATE TABLE ${q}IDN_OAUTH2_ACCESS_TOKEN${q} (${q}TOKEN_ID${q} VARCHAR(255) PRIMARY KEY, V INTEGER);
CREATE TABLE ${q}IDN_IDENTITY_USER_DATA${q} (${q}TENANT_ID${q} INTEGER, ${q}USER_NAME${q} VARCHAR(255), ${q}DATA_KEY${q} VARCHAR(255), V INTEGER, PRIMARY KEY (${q}TENANT_ID${q}, ${q}USER_NAME${q}, ${q}DATA_KEY${q}));
CREATE TABLE ${q}IDN_AUTH_SESSION_STORE${q} (${q}SESSION_ID${q} VARCHAR(100), ${q}SESSION_TYPE${q} VARCHAR(100), ${q}TIME_CREATED${q} BIGINT, ${q}OPERATION${q} VARCHAR(10), V INTEGER, PRIMARY KEY (${q}SESSION_ID${q}, ${q}SESSION_TYPE${q}, ${q}TIME_CREATED${q}, ${q}OPERATION${q}));
CREATE TABLE $H ($K VARCHAR(10) PRIMARY KEY, V INTEGER);
SQL
}

# writes Q: the IS's writes that the journal must show as $expected.
writes() {
  local q=$1
  hostile "$q"
  cat <<SQL
INSERT INTO ${q}IDN_OAUTH2_ACCESS_TOKEN${q} VALUES ('t1', 1);
UPDATE ${q}IDN_OAUTH2_ACCESS_TOKEN${q} SET V = 2 WHERE ${q}TOKEN_ID${q} = 't1';
UPDATE ${q}IDN_OAUTH2_ACCESS_TOKEN${q} SET ${q}TOKEN_ID${q} = 't2' WHERE ${q}TOKEN_ID${q} = 't1';
DELETE FROM ${q}IDN_OAUTH2_ACCESS_TOKEN${q} WHERE ${q}TOKEN_ID${q} = 't2';
INSERT INTO ${q}IDN_IDENTITY_USER_DATA${q} VALUES (1, 'u', 'k', 1);
UPDATE ${q}IDN_IDENTITY_USER_DATA${q} SET ${q}DATA_KEY${q} = 'k2';
INSERT INTO ${q}IDN_AUTH_SESSION_STORE${q} VALUES ('s1', 'web', 5, 'op', 1);
INSERT INTO $H VALUES ('a', 1);
UPDATE $H SET $K = 'b';
DELETE FROM $H;
SQL
}

# An applier's write in the applier's session, which must not be journaled.
applier_write() {
  echo "INSERT INTO ${1}IDN_OAUTH2_ACCESS_TOKEN${1} VALUES ('applied', 1);"
}

# check ENGINE JOURNAL STAMPS BEFORE AFTER: journal rows, CREATED_MS within a minute of now
# (STAMPS holds "ok" per row), and the catalogue unchanged by install plus remove.
check() {
  local engine=$1 journal=$2 stamps=$3 before=$4 after=$5
  if [ "$(printf '%s\n' "$journal" | sort)" != "$expected" ]; then
    fail "$engine: journal differs; got:
$(printf '%s\n' "$journal" | sort)"
  fi
  if [ "$(printf '%s\n' "$stamps" | sort -u)" != "ok" ]; then
    fail "$engine: CREATED_MS not the epoch milliseconds of now: $stamps"
  fi
  if [ "$before" != "$after" ]; then
    fail "$engine: remove left the catalogue changed; before:
$before
after:
$after"
  fi
}

now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

# --- SQLite ---------------------------------------------------------------------------------
db="$WORK/capture.db"
sq() { sqlite3 -bail "$db" "$@"; }
tables '"' | sq || fail "sqlite: tables"
before=$(sq "SELECT type || ' ' || name FROM sqlite_master ORDER BY 1")
sq < "$GOLDEN/sqlite/capture_install.sql" || fail "sqlite: install script"
writes '"' | sq || fail "sqlite: writes"
# The applier marks its own write transactions with a row in CUTOVER_APPLYING.
{ echo "BEGIN; INSERT INTO CUTOVER_APPLYING VALUES (1);"; applier_write '"';
  echo "DELETE FROM CUTOVER_APPLYING; COMMIT;"; } | sq || fail "sqlite: applier write"
journal=$(sq "SELECT TABLE_NAME || '|' || OP || '|' || COALESCE(K1, '') || '|' || COALESCE(K2, '') || '|' || COALESCE(K3, '') || '|' || COALESCE(K4, '') FROM CUTOVER_JOURNAL")
stamps=$(sq "SELECT CASE WHEN abs(CREATED_MS - $(now_ms)) < 60000 THEN 'ok' ELSE CREATED_MS END FROM CUTOVER_JOURNAL")
sq < "$GOLDEN/sqlite/capture_remove.sql" || fail "sqlite: remove script"
after=$(sq "SELECT type || ' ' || name FROM sqlite_master ORDER BY 1")
check sqlite "$journal" "$stamps" "$before" "$after"

# --- PostgreSQL -----------------------------------------------------------------------------
pgdb=e2e_capture_scripts
psql -X -q -v ON_ERROR_STOP=1 "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS $pgdb" \
  -c "CREATE DATABASE $pgdb" >/dev/null || fail "psql: create database"
pg() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U postgres -d "$pgdb" "$@"; }
pg_catalogue() {
  pg -c "SELECT 'rel ' || relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE nspname = 'public'
         UNION ALL SELECT 'fn ' || proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE nspname = 'public'
         UNION ALL SELECT 'trg ' || tgname FROM pg_trigger WHERE NOT tgisinternal
         ORDER BY 1"
}
tables '"' | pg >/dev/null || fail "postgresql: tables"
before=$(pg_catalogue)
pg -f "$GOLDEN/postgresql/capture_install.sql" >/dev/null || fail "postgresql: install script"
writes '"' | pg >/dev/null || fail "postgresql: writes"
{ echo "SET cutover.applying = 'on';"; applier_write '"'; } | pg >/dev/null \
  || fail "postgresql: applier write"
journal=$(pg -c "SELECT concat_ws('|', TABLE_NAME, OP, COALESCE(K1, ''), COALESCE(K2, ''), COALESCE(K3, ''), COALESCE(K4, '')) FROM CUTOVER_JOURNAL")
stamps=$(pg -c "SELECT CASE WHEN abs(CREATED_MS - $(now_ms)) < 60000 AND TXID IS NOT NULL THEN 'ok' ELSE CREATED_MS || ' ' || COALESCE(TXID::text, 'no txid') END FROM CUTOVER_JOURNAL")
pg -f "$GOLDEN/postgresql/capture_remove.sql" >/dev/null || fail "postgresql: remove script"
after=$(pg_catalogue)
check postgresql "$journal" "$stamps" "$before" "$after"
psql -X -q "$PG_SOCKET_URL" -c "DROP DATABASE $pgdb" >/dev/null

# --- MariaDB --------------------------------------------------------------------------------
mydb=e2e_capture_scripts
my() { mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -N -B "$@"; }
my -e "DROP DATABASE IF EXISTS $mydb; CREATE DATABASE $mydb" || fail "mariadb: create database"
my_catalogue() {
  my -e "SELECT CONCAT('table ', TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$mydb'
         UNION ALL SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS
           WHERE TRIGGER_SCHEMA = '$mydb'
         UNION ALL SELECT CONCAT('routine ', ROUTINE_NAME) FROM information_schema.ROUTINES
           WHERE ROUTINE_SCHEMA = '$mydb'
         ORDER BY 1"
}
tables '`' | my "$mydb" || fail "mariadb: tables"
before=$(my_catalogue)
my "$mydb" < "$GOLDEN/mysql/capture_install.sql" || fail "mariadb: install script"
writes '`' | my "$mydb" || fail "mariadb: writes"
{ echo "SET @cutover_applying = 1;"; applier_write '`'; } | my "$mydb" || fail "mariadb: applier write"
journal=$(my "$mydb" -r -e "SELECT CONCAT_WS('|', TABLE_NAME, OP, COALESCE(K1, ''), COALESCE(K2, ''), COALESCE(K3, ''), COALESCE(K4, '')) FROM CUTOVER_JOURNAL")
stamps=$(my "$mydb" -e "SELECT CASE WHEN ABS(CREATED_MS - $(now_ms)) < 60000 THEN 'ok' ELSE CREATED_MS END FROM CUTOVER_JOURNAL")
my "$mydb" < "$GOLDEN/mysql/capture_remove.sql" || fail "mariadb: remove script"
after=$(my_catalogue)
check mariadb "$journal" "$stamps" "$before" "$after"
my -e "DROP DATABASE $mydb"

finish
