#!/usr/bin/env bash
# pg_start.sh STATE_DIR -- start a throwaway PostgreSQL 15 server for cutover's CI and tests.
#
# Not a general tool: it exists so ctest fixtures and CI jobs can get a private, disposable
# PostgreSQL that is stopped again with pg_stop.sh STATE_DIR.
#
# Input:
#   STATE_DIR   directory for the state file (created if missing). One server per STATE_DIR.
#   PG_BIN      optional, default /usr/lib/postgresql/15/bin.
# What it does:
#   - makes a short base directory /tmp/co.pg.XXXXXX (unix socket paths are limited to 107 bytes)
#     holding data/ (the cluster), s/ (socket directory, mode 1777) and server.log;
#   - runs initdb/postgres as the `postgres` OS user when run as root (initdb and pg_ctl refuse
#     root), otherwise as the current user;
#   - superuser `postgres`; auth: `trust` on the unix socket, `scram-sha-256` on 127.0.0.1 TCP;
#     creates role cutover_pw (LOGIN CREATEDB, password cutover-test-pw) for TCP and
#     wrong-password tests;
#   - closer to production than a bare initdb: databases default to the ICU collation en-US
#     (not C: 'a' < 'B' < 'b'), and the server time zone is Asia/Kolkata (+05:30, not UTC), so
#     tests show that cutover's sessions do not depend on either;
#   - listens on 127.0.0.1 at a random free port; fsync etc. off (test speed only);
#     CO_SERVER_MEMORY=bench: shared_buffers 1 GiB, maintenance_work_mem 256 MiB, as a
#     production server has (bench/servers.sh sets it);
#   - starts the server fully detached (new session, stdin /dev/null, output to server.log) so a
#     caller whose stdout is a pipe (ctest) is not held open; waits up to 60 s for readiness and
#     on failure prints the log tail, cleans up and exits non-zero.
# Output: STATE_DIR/pg.env, KEY='value' lines (source it with `. STATE_DIR/pg.env`):
#   PG_HOST          socket directory (libpq host=)
#   PG_PORT          TCP port, also part of the socket file name s/.s.PGSQL.<port>
#   PG_PID           postmaster pid (from postmaster.pid)
#   PG_DATA          data directory
#   PG_BASE          the /tmp/co.pg.* base directory (removed by pg_stop.sh)
#   PG_LOG           server log
#   PG_OS_USER       OS user that owns and runs the cluster
#   PG_SOCKET_URL    postgresql://postgres@%2Ftmp%2Fco.pg.XXXXXX%2Fs:PORT/postgres (trust auth)
#   PG_TCP_HOST      127.0.0.1
#   PG_TCP_USER      cutover_pw
#   PG_TCP_PASSWORD  cutover-test-pw
#   PG_TCP_URL       postgresql://cutover_pw:cutover-test-pw@127.0.0.1:PORT/postgres
# Exit status 0 when the server accepts connections and pg.env is written.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || die "usage: $0 STATE_DIR"
state_dir=$1
mkdir -p "$state_dir"
state_dir=$(cd "$state_dir" && pwd)
env_file=$state_dir/pg.env

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
for b in initdb pg_ctl postgres pg_isready psql; do
  if [ ! -x "$PG_BIN/$b" ] && ! { [ "$b" = psql ] && command -v psql >/dev/null; }; then
    die "$PG_BIN/$b not found (install postgresql-15, see scripts/deps.sh)"
  fi
done
psql_bin=$PG_BIN/psql
[ -x "$psql_bin" ] || psql_bin=$(command -v psql)

tcp_user=cutover_pw
tcp_password=cutover-test-pw

# A previous run's state: refuse if that server is still alive, otherwise clean it up.
if [ -f "$env_file" ]; then
  old_pid=$(sed -n "s/^PG_PID='\(.*\)'$/\1/p" "$env_file")
  if pid_is "$old_pid" postgres; then
    die "a server from $env_file is still running (pid $old_pid); run pg_stop.sh $state_dir first"
  fi
  note "removing stale state $env_file"
  bash "$here/pg_stop.sh" "$state_dir" || true
fi

if [ "$(id -u)" -eq 0 ]; then
  os_user=postgres
  id "$os_user" >/dev/null 2>&1 || die "running as root but OS user '$os_user' does not exist"
else
  os_user=$(id -un)
fi

base=$(mktemp -d /tmp/co.pg.XXXXXX)
data=$base/data
sock=$base/s
log=$base/server.log
started=0
cleanup_on_error() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    if [ "$started" -eq 1 ] && [ -f "$data/postmaster.pid" ]; then
      as_user "$os_user" "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
    fi
    safe_rm_base "$base"
  fi
}
trap cleanup_on_error EXIT

chmod 755 "$base"
mkdir -m 1777 "$sock"
: >"$log"
if [ "$os_user" != "$(id -un)" ]; then
  chown "$os_user" "$base" "$log"
fi

initlog=$base/initdb.log
if ! as_user "$os_user" "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
  --locale=C.UTF-8 --locale-provider=icu --icu-locale=en-US --no-instructions </dev/null >"$initlog" 2>&1; then
  tail -n 30 "$initlog" >&2
  die "initdb failed"
fi

cat >"$data/pg_hba.conf" <<'EOF'
# cutover test server (tests/servers/pg_start.sh)
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  scram-sha-256
EOF

shared_buffers=64MB maint_mem=64MB
if [ "${CO_SERVER_MEMORY:-}" = bench ]; then shared_buffers=1GB maint_mem=256MB; fi
write_conf() {
  local port=$1
  # postgresql.auto.conf is read after postgresql.conf, so these settings win.
  cat >"$data/postgresql.auto.conf" <<EOF
# cutover test server (tests/servers/pg_start.sh); not for real data.
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
unix_socket_permissions = 0777
timezone = 'Asia/Kolkata'
log_timezone = 'UTC'
password_encryption = 'scram-sha-256'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
checkpoint_timeout = '30min'
max_wal_size = '1GB'
shared_buffers = '$shared_buffers'
maintenance_work_mem = '$maint_mem'
max_connections = 100
logging_collector = off
log_destination = 'stderr'
log_line_prefix = '%m [%p] '
EOF
  if [ "$os_user" != "$(id -un)" ]; then chown "$os_user" "$data/postgresql.auto.conf"; fi
}

# The port may be taken between the check and the bind: retry with another one.
port=""
for attempt in 1 2 3 4 5; do
  port=$(pick_free_port) || die "no free TCP port found on 127.0.0.1"
  write_conf "$port"
  started=1
  # pg_ctl forks the postmaster in its own session with stdin from /dev/null and output to -l;
  # setsid and the redirections make sure nothing of ours (pipes to ctest) stays open either way.
  # -w waits until the server accepts connections (it checks postmaster.pid and the socket).
  if as_user "$os_user" setsid -w "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
    </dev/null >>"$base/pg_ctl.log" 2>&1; then
    break
  fi
  if grep -q "could not bind\|Address already in use" "$log" && [ "$attempt" -lt 5 ]; then
    note "port $port was taken, retrying"
    as_user "$os_user" "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
    : >"$log"
    continue
  fi
  echo "---- pg_ctl output ----" >&2
  tail -n 20 "$base/pg_ctl.log" >&2 || true
  echo "---- server log ($log) ----" >&2
  tail -n 40 "$log" >&2 || true
  die "PostgreSQL failed to start or was not ready within 60 s"
done

# Belt and braces: pg_ctl -w already waited, but confirm with pg_isready over the socket.
ready=0
for _ in $(seq 1 600); do
  if "$PG_BIN/pg_isready" -q -h "$sock" -p "$port" -t 2; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" -ne 1 ]; then
  tail -n 40 "$log" >&2 || true
  die "PostgreSQL is not accepting connections on $sock port $port"
fi

pid=$(head -n 1 "$data/postmaster.pid")
pid_is "$pid" postgres || die "postmaster.pid names pid '$pid', which is not a running postgres"

# The password role for TCP tests (scram-sha-256 hba line, so a wrong password really fails).
if ! "$psql_bin" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d postgres \
  >/dev/null <<EOF; then
CREATE ROLE $tcp_user LOGIN CREATEDB PASSWORD '$tcp_password';
EOF
  tail -n 20 "$log" >&2 || true
  die "could not create role $tcp_user"
fi

sock_url="postgresql://postgres@$(urlencode "$sock"):$port/postgres"
write_env "$env_file" \
  PG_HOST "$sock" \
  PG_PORT "$port" \
  PG_PID "$pid" \
  PG_DATA "$data" \
  PG_BASE "$base" \
  PG_LOG "$log" \
  PG_OS_USER "$os_user" \
  PG_SOCKET_URL "$sock_url" \
  PG_TCP_HOST 127.0.0.1 \
  PG_TCP_USER "$tcp_user" \
  PG_TCP_PASSWORD "$tcp_password" \
  PG_TCP_URL "postgresql://$tcp_user:$tcp_password@127.0.0.1:$port/postgres"

trap - EXIT
note "PostgreSQL pid $pid on port $port, socket dir $sock; state in $env_file"
