# shellcheck shell=bash
# Helpers for the sync e2e scripts (sourced after lib.sh): fresh databases on each engine, SQL
# through each engine's own client, catalogue listings, and the independent comparator.
# Engines: sqlite, postgresql, mariadb. Server env files are loaded on first use.

COMPARE="$(dirname "${BASH_SOURCE[0]}")/dbcompare.py"
# Debian's python3 has the drivers (python3-psycopg2, python3-pymysql); a pyenv one may not.
PY=/usr/bin/python3

_pg_loaded=0
_my_loaded=0
need_engine() {
  case "$1" in
    postgresql) [ $_pg_loaded = 1 ] || { load_env pg.env; _pg_loaded=1; } ;;
    mariadb) [ $_my_loaded = 1 ] || { load_env mariadb.env; _my_loaded=1; } ;;
  esac
}

# db_url ENGINE NAME: the URL cutover and the comparator use for database NAME.
db_url() {
  need_engine "$1"
  case "$1" in
    sqlite) echo "sqlite:$WORK/$2.db" ;;
    postgresql) echo "postgresql://postgres@$(printf '%s' "$PG_HOST" | sed 's|/|%2F|g'):$PG_PORT/$2" ;;
    mariadb) echo "mysql://${MY_SOCKET_USER:-root}@localhost/$2?socket=$MY_SOCKET" ;;
  esac
}

# fresh_db ENGINE NAME: an empty database (dropped first when it exists).
fresh_db() {
  need_engine "$1"
  case "$1" in
    sqlite) rm -f "$WORK/$2.db" ;;
    postgresql)
      psql -X -q -v ON_ERROR_STOP=1 "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS $2" -c "CREATE DATABASE $2" >/dev/null ||
        fail "cannot create postgresql database $2" ;;
    mariadb)
      mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "DROP DATABASE IF EXISTS $2; CREATE DATABASE $2" ||
        fail "cannot create mariadb database $2" ;;
  esac
}

# sql ENGINE NAME STATEMENTS: runs SQL in database NAME with the engine's own client.
sql() {
  need_engine "$1"
  case "$1" in
    sqlite) sqlite3 -bail "$WORK/$2.db" "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; $3" ;;
    postgresql) psql -X -q -A -t -v ON_ERROR_STOP=1 "$(db_url postgresql "$2")" -c "$3" ;;
    mariadb) mariadb -N -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" "$2" -e "$3" ;;
  esac
}

# objects ENGINE NAME: every table, index, sequence, trigger and function of the database,
# one per line, sorted (to prove remove leaves nothing behind).
objects() {
  case "$1" in
    sqlite) sql sqlite "$2" "SELECT type || ':' || name FROM sqlite_master ORDER BY 1" ;;
    postgresql) sql postgresql "$2" "SELECT 'c:' || relkind::text || ':' || relname FROM pg_class WHERE relnamespace = 'public'::regnamespace UNION ALL SELECT 'f:' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace UNION ALL SELECT 't:' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1" ;;
    mariadb) sql mariadb "$2" "SELECT CONCAT('t:', TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() UNION ALL SELECT CONCAT('g:', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() UNION ALL SELECT CONCAT('r:', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1" ;;
  esac
}

# same_data URL_A URL_B TABLES WHAT: the comparator finds the tables equal.
same_data() {
  local out
  if ! out=$("$PY" "$COMPARE" "$1" "$2" "$3" 2>&1); then
    fail "$4: source and target differ: $out"
  fi
}
