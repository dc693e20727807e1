#!/usr/bin/env bash
# pg_stop.sh STATE_DIR -- stop the throwaway PostgreSQL started by pg_start.sh STATE_DIR.
#
# For cutover's CI and ctest fixtures only, not a general tool.
#
# Input:  STATE_DIR/pg.env as written by pg_start.sh (PG_PID, PG_DATA, PG_BASE, PG_OS_USER).
# Action: `pg_ctl stop -m fast` as the cluster's owner; if the postmaster (PG_PID) is still alive
#         after 30 s, SIGKILL it and its child processes (found by parent pid). Never kills by
#         name, and only kills PG_PID while /proc says it is a `postgres` process.
#         Then removes PG_BASE and STATE_DIR/pg.env.
# Idempotent: no pg.env, or a server that is already gone, is success (exit 0).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || die "usage: $0 STATE_DIR"
env_file=$1/pg.env
[ -f "$env_file" ] || exit 0

PG_PID="" PG_DATA="" PG_BASE="" PG_OS_USER=""
# shellcheck disable=SC1090
. "$env_file"
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

if pid_is "$PG_PID" postgres; then
  owner=${PG_OS_USER:-}
  if [ -z "$owner" ] && [ -d "$PG_DATA" ]; then owner=$(stat -c %U "$PG_DATA"); fi
  [ -n "$owner" ] || owner=$(id -un)
  if [ -d "$PG_DATA" ] && [ -x "$PG_BIN/pg_ctl" ]; then
    as_user "$owner" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop \
      </dev/null >/dev/null 2>&1 || true
  fi
  if ! wait_gone "$PG_PID" 5 && pid_is "$PG_PID" postgres; then
    # Backends put themselves in their own process groups, so a group kill would miss them:
    # SIGKILL the postmaster and its direct children, each by pid.
    children=$(ps -o pid= --ppid "$PG_PID" 2>/dev/null || true)
    note "postmaster $PG_PID did not stop, sending SIGKILL to it and its children"
    # shellcheck disable=SC2086
    kill -KILL "$PG_PID" $children 2>/dev/null || true
    wait_gone "$PG_PID" 10 || die "postmaster $PG_PID is still alive"
  fi
fi

safe_rm_base "$PG_BASE"
rm -f "$env_file"
