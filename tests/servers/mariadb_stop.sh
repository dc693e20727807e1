#!/usr/bin/env bash
# mariadb_stop.sh STATE_DIR -- stop the throwaway MariaDB started by mariadb_start.sh STATE_DIR.
#
# For cutover's CI and ctest fixtures only, not a general tool.
#
# Input:  STATE_DIR/mariadb.env as written by mariadb_start.sh (MY_PID, MY_BASE).
# Action: SIGTERM to MY_PID (mariadbd's normal clean shutdown, no login needed); SIGKILL if it is
#         still alive after 30 s. Only signals MY_PID while /proc says it is `mariadbd`; never kills
#         by name. Then removes MY_BASE and STATE_DIR/mariadb.env.
# Idempotent: no mariadb.env, or a server that is already gone, is success (exit 0).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"

[ $# -eq 1 ] || die "usage: $0 STATE_DIR"
env_file=$1/mariadb.env
[ -f "$env_file" ] || exit 0

MY_PID="" MY_BASE=""
# shellcheck disable=SC1090
. "$env_file"

if pid_is "$MY_PID" mariadbd; then
  kill -TERM "$MY_PID" 2>/dev/null || true
  if ! wait_gone "$MY_PID" 30 && pid_is "$MY_PID" mariadbd; then
    note "mariadbd $MY_PID did not stop after SIGTERM, sending SIGKILL"
    kill -KILL "$MY_PID" 2>/dev/null || true
    wait_gone "$MY_PID" 10 || die "mariadbd $MY_PID is still alive"
  fi
fi

safe_rm_base "$MY_BASE"
rm -f "$env_file"
