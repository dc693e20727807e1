#!/usr/bin/env bash
# mariadb_start.sh STATE_DIR -- start a throwaway MariaDB 10.11 server for cutover's CI and tests.
#
# Not a general tool: it exists so ctest fixtures and CI jobs can get a private, disposable
# MariaDB that is stopped again with mariadb_stop.sh STATE_DIR.
#
# Input:
#   STATE_DIR   directory for the state file (created if missing). One server per STATE_DIR.
# What it does:
#   - makes a short base directory /tmp/co.my.XXXXXX (unix socket paths are limited to 107 bytes)
#     with its own my.cnf (always passed first, as --defaults-file), data/, s/ (socket directory,
#     mode 1777), mariadbd.pid and mariadbd.log;
#   - initialises with mariadb-install-db --auth-root-authentication-method=socket --skip-test-db;
#     when run as root the server runs as OS user mysql (user=mysql in [mariadbd]);
#   - closer to production than a bare install: binary logging on (ROW format), so creating
#     triggers or functions needs SUPER or log_bin_trust_function_creators, as on a real
#     server; the server time zone is +05:30, not UTC; the password user has no global
#     privileges (tests grant it what it needs per database, as a DBA grants a WSO2 user);
#   - listens on 127.0.0.1 at a random free port; skip-name-resolve;
#     explicit_defaults_for_timestamp=ON; small, non-durable InnoDB settings (test speed only);
#     CO_SERVER_MEMORY=bench sizes InnoDB as a production server is (2 GiB buffer pool, 512 MiB
#     redo log): bench/servers.sh sets it, so a 1M-row table is not read through a 128 MiB pool
#     with O_DIRECT;
#   - starts mariadbd directly (not mariadbd-safe), fully detached (new session, stdin /dev/null,
#     output to a log) so a caller whose stdout is a pipe (ctest) is not held open; polls
#     mariadb-admin ping for up to 60 s; on failure prints the log tail, cleans up, exits non-zero;
#   - creates cutover_pw@'127.0.0.1' and cutover_pw@'localhost' with password cutover-test-pw and
#     no privileges (GRANT ALL ON db.* per test database).
# How tests log in:
#   - over the socket as MariaDB user MY_SOCKET_USER with no password (unix_socket auth: the OS
#     user must be the same, i.e. OS root logs in as `root` when this ran as root; when it ran as
#     a non-root user, that user's name is MY_SOCKET_USER);
#   - over TCP 127.0.0.1:MY_PORT as MY_TCP_USER / MY_TCP_PASSWORD (the only password account, so
#     wrong-password tests use it; socket logins accept any password).
# Output: STATE_DIR/mariadb.env, KEY='value' lines (source it with `. STATE_DIR/mariadb.env`):
#   MY_SOCKET, MY_PORT, MY_PID, MY_BASE, MY_DATA, MY_CNF, MY_LOG, MY_SOCKET_USER,
#   MY_TCP_HOST (127.0.0.1), MY_TCP_USER (cutover_pw), MY_TCP_PASSWORD (cutover-test-pw)
# Exit status 0 when the server answers and mariadb.env is written.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || die "usage: $0 STATE_DIR"
state_dir=$1
mkdir -p "$state_dir"
state_dir=$(cd "$state_dir" && pwd)
env_file=$state_dir/mariadb.env

find_bin() { # first of the given names on PATH or in /usr/sbin
  local n
  for n in "$@"; do
    if command -v "$n" >/dev/null 2>&1; then command -v "$n"; return 0; fi
    if [ -x "/usr/sbin/$n" ]; then echo "/usr/sbin/$n"; return 0; fi
  done
  return 1
}
mariadbd=$(find_bin mariadbd mysqld) || die "mariadbd not found (install mariadb-server, see scripts/deps.sh)"
install_db=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
admin=$(find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found"
client=$(find_bin mariadb mysql) || die "mariadb client not found"

tcp_user=cutover_pw
tcp_password=cutover-test-pw

# A previous run's state: refuse if that server is still alive, otherwise clean it up.
if [ -f "$env_file" ]; then
  old_pid=$(sed -n "s/^MY_PID='\(.*\)'$/\1/p" "$env_file")
  if pid_is "$old_pid" mariadbd; then
    die "a server from $env_file is still running (pid $old_pid); run mariadb_stop.sh $state_dir first"
  fi
  note "removing stale state $env_file"
  bash "$here/mariadb_stop.sh" "$state_dir" || true
fi

if [ "$(id -u)" -eq 0 ]; then
  os_user=mysql
  id "$os_user" >/dev/null 2>&1 || die "running as root but OS user '$os_user' does not exist (install mariadb-server)"
  socket_user=root
else
  os_user=$(id -un)
  socket_user=$os_user
fi

base=$(mktemp -d /tmp/co.my.XXXXXX)
data=$base/data
sock_dir=$base/s
sock=$sock_dir/mariadb.sock
cnf=$base/my.cnf
pidfile=$base/mariadbd.pid
log=$base/mariadbd.log
pid=""
cleanup_on_error() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    if pid_is "$pid" mariadbd; then
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null || true
    fi
    safe_rm_base "$base"
  fi
}
trap cleanup_on_error EXIT

chmod 755 "$base"
mkdir -m 1777 "$sock_dir"
mkdir -m 750 "$data"
mkdir -m 750 "$base/binlog"
: >"$log"
if [ "$os_user" != "$(id -un)" ]; then
  chown "$os_user" "$base" "$data" "$base/binlog" "$log"
fi

write_cnf() {
  local port=$1 user_line=""
  if [ "$(id -u)" -eq 0 ]; then user_line="user = $os_user"; fi
  # Written as root is fine (mariadbd reads it before dropping privileges); it must not be
  # world-writable or MariaDB ignores it.
  cat >"$cnf" <<EOF
# cutover test server (tests/servers/mariadb_start.sh); not for real data.
[client]
socket = $sock
port = $port

[mariadbd]
$user_line
datadir = $data
socket = $sock
pid-file = $pidfile
log-error = $log
port = $port
bind-address = 127.0.0.1
skip-name-resolve
default-time-zone = '+05:30'
explicit_defaults_for_timestamp = ON
server-id = 1
log-bin = $base/binlog/mariadb-bin
binlog_format = ROW
performance_schema = OFF
innodb_buffer_pool_size = $pool
innodb_log_file_size = $redo
innodb_flush_log_at_trx_commit = 2
innodb_doublewrite = 0
sync_binlog = 0
max_connections = 200
EOF
  chmod 644 "$cnf"
}

pool=128M redo=32M
if [ "${CO_SERVER_MEMORY:-}" = bench ]; then pool=2G redo=512M; fi
port=$(pick_free_port) || die "no free TCP port found on 127.0.0.1"
write_cnf "$port"

installlog=$base/install-db.log
install_args=(--defaults-file="$cnf" --skip-test-db --auth-root-authentication-method=socket
  --auth-root-socket-user="$socket_user")
if [ "$(id -u)" -eq 0 ]; then install_args+=(--user="$os_user"); fi
if ! (cd /tmp && "$install_db" "${install_args[@]}" </dev/null >"$installlog" 2>&1); then
  echo "---- mariadb-install-db output ----" >&2
  tail -n 15 "$installlog" >&2 || true
  echo "---- server log ($log) ----" >&2
  tail -n 30 "$log" >&2 || true
  die "mariadb-install-db failed"
fi

ping_server() {
  "$admin" --defaults-file="$cnf" --connect-timeout=2 --silent ping >/dev/null 2>&1
}

# The port may be taken between the check and the bind: retry with another one.
for attempt in 1 2 3 4 5; do
  # Direct mariadbd in its own session: with no job control in this script the background
  # child is not a group leader, so setsid does not fork and $! is mariadbd itself.
  (cd /tmp && exec setsid "$mariadbd" --defaults-file="$cnf" </dev/null >>"$log" 2>&1) &
  launcher=$!
  up=0
  for _ in $(seq 1 600); do
    if ping_server; then up=1; break; fi
    if ! kill -0 "$launcher" 2>/dev/null; then break; fi # exited early: look at the log
    sleep 0.1
  done
  if [ "$up" -eq 1 ]; then break; fi
  if [ -f "$pidfile" ]; then pid=$(cat "$pidfile"); else pid=$launcher; fi
  if pid_is "$pid" mariadbd; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 20 || kill -KILL "$pid" 2>/dev/null || true
  fi
  pid=""
  if grep -q "Can't start server: Bind on TCP/IP port\|Address already in use" "$log" \
    && [ "$attempt" -lt 5 ]; then
    port=$(pick_free_port) || die "no free TCP port found on 127.0.0.1"
    note "port was taken, retrying on $port"
    write_cnf "$port"
    continue
  fi
  echo "---- server log ($log) ----" >&2
  tail -n 40 "$log" >&2 || true
  die "MariaDB failed to start or did not answer within 60 s"
done

for _ in $(seq 1 100); do [ -s "$pidfile" ] && break; sleep 0.1; done
pid=$(cat "$pidfile" 2>/dev/null || true)
pid_is "$pid" mariadbd || die "pid file $pidfile names '$pid', which is not a running mariadbd"

sql="CREATE USER '$tcp_user'@'127.0.0.1' IDENTIFIED BY '$tcp_password';
CREATE USER '$tcp_user'@'localhost' IDENTIFIED BY '$tcp_password';
"
if ! "$client" --defaults-file="$cnf" --connect-timeout=10 -u "$socket_user" -e "$sql" </dev/null; then
  tail -n 20 "$log" >&2 || true
  die "could not create user $tcp_user"
fi

write_env "$env_file" \
  MY_SOCKET "$sock" \
  MY_PORT "$port" \
  MY_PID "$pid" \
  MY_BASE "$base" \
  MY_DATA "$data" \
  MY_CNF "$cnf" \
  MY_LOG "$log" \
  MY_SOCKET_USER "$socket_user" \
  MY_TCP_HOST 127.0.0.1 \
  MY_TCP_USER "$tcp_user" \
  MY_TCP_PASSWORD "$tcp_password"

trap - EXIT
note "MariaDB pid $pid on port $port, socket $sock; state in $env_file"
