#!/usr/bin/env bash
# odbc_setup.sh STATE_DIR -- a test-local unixODBC driver configuration for cutover's CI and tests.
#
# Not a general tool, and it never touches /etc: it writes driver declarations into STATE_DIR so
# tests can use DSN-less connection strings after pointing ODBCSYSINI at STATE_DIR.
#
# Input:  STATE_DIR (created if missing). Driver libraries are located with
#         `dpkg -L odbc-postgresql odbc-mariadb` (psqlodbcw.so, libmaodbc.so), falling back to
#         the usual library directories on systems without dpkg.
# Output:
#   STATE_DIR/odbcinst.ini  drivers [PostgreSQL Unicode] and [MariaDB]
#   STATE_DIR/odbc.ini      empty (no system DSNs), so nothing from /etc/odbc.ini leaks in
#   STATE_DIR/odbc.env      KEY='value' lines (source it, then export the variables):
#     ODBCSYSINI              STATE_DIR (unixODBC reads odbcinst.ini/odbc.ini from here)
#     ODBC_PG_DRIVER          PostgreSQL Unicode
#     ODBC_MY_DRIVER          MariaDB
#     ODBC_PG_DRIVER_PATH     .../psqlodbcw.so
#     ODBC_MY_DRIVER_PATH     .../libmaodbc.so
# Connection strings (with pg.env / mariadb.env from pg_start.sh / mariadb_start.sh):
#   Driver={PostgreSQL Unicode};Servername=127.0.0.1;Port=$PG_PORT;Database=postgres;
#     Username=$PG_TCP_USER;Password=$PG_TCP_PASSWORD
#   Driver={MariaDB};Server=127.0.0.1;Port=$MY_PORT;User=$MY_TCP_USER;Password=$MY_TCP_PASSWORD;
#     Database=...            (or Socket=$MY_SOCKET;User=root over the socket, when root)
# Exit status non-zero when a driver library cannot be found.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || die "usage: $0 STATE_DIR"
state_dir=$1
mkdir -p "$state_dir"
state_dir=$(cd "$state_dir" && pwd)

# find_driver PACKAGE FILE: absolute path of FILE shipped by PACKAGE.
find_driver() {
  local pkg=$1 file=$2 p d
  if command -v dpkg >/dev/null 2>&1; then
    p=$(dpkg -L "$pkg" 2>/dev/null | grep "/$file\$" | head -n 1 || true)
    if [ -n "$p" ] && [ -f "$p" ]; then echo "$p"; return 0; fi
  fi
  for d in /usr/lib/*/odbc /usr/lib/odbc /usr/lib64 /usr/lib64/odbc /usr/lib/*-linux-gnu \
    /usr/local/lib /usr/local/lib/odbc /usr/lib/*/mariadb /usr/lib64/mariadb; do
    if [ -f "$d/$file" ]; then echo "$d/$file"; return 0; fi
  done
  return 1
}

pg_driver=$(find_driver odbc-postgresql psqlodbcw.so) \
  || die "psqlodbcw.so not found (install odbc-postgresql, see scripts/deps.sh)"
my_driver=$(find_driver odbc-mariadb libmaodbc.so) \
  || die "libmaodbc.so not found (install odbc-mariadb, see scripts/deps.sh)"

pg_name="PostgreSQL Unicode"
my_name="MariaDB"

tmp=$state_dir/odbcinst.ini.tmp.$$
cat >"$tmp" <<EOF
; cutover test ODBC drivers (tests/servers/odbc_setup.sh); use with ODBCSYSINI=$state_dir
[$pg_name]
Description = PostgreSQL ODBC driver (Unicode)
Driver = $pg_driver
FileUsage = 1

[$my_name]
Description = MariaDB Connector/ODBC
Driver = $my_driver
FileUsage = 1
EOF
mv -f "$tmp" "$state_dir/odbcinst.ini"
[ -f "$state_dir/odbc.ini" ] || : >"$state_dir/odbc.ini"

write_env "$state_dir/odbc.env" \
  ODBCSYSINI "$state_dir" \
  ODBC_PG_DRIVER "$pg_name" \
  ODBC_MY_DRIVER "$my_name" \
  ODBC_PG_DRIVER_PATH "$pg_driver" \
  ODBC_MY_DRIVER_PATH "$my_driver"

note "ODBC drivers '$pg_name' ($pg_driver) and '$my_name' ($my_driver) in $state_dir/odbcinst.ini"
