# shellcheck shell=bash
# Shared helpers for the throwaway test servers in tests/servers/ (sourced, not run).
#
# Used only by pg_start.sh, pg_stop.sh, mariadb_start.sh, mariadb_stop.sh and odbc_setup.sh,
# which start and stop private PostgreSQL/MariaDB instances for CI and ctest. Not a general tool.
# Nothing here kills processes by name: every stop is by a recorded pid, after checking that the
# pid still belongs to the expected program.

# die MESSAGE...: print to stderr and exit non-zero.
die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# note MESSAGE...: progress line on stderr (stdout stays clean for callers that capture it).
note() {
  echo "$(basename "$0"): $*" >&2
}

# port_is_free PORT: true when nothing listens on 127.0.0.1:PORT and it can be bound.
port_is_free() {
  local port=$1 py
  py=$(command -v python3 || true)
  if [ -n "$py" ]; then
    "$py" - "$port" <<'EOF' 2>/dev/null
import socket, sys
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", port))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
    return $?
  fi
  # Fallback without python3: free when a connect is refused. Run in a subshell so the
  # /dev/tcp descriptor never leaks into the caller.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# pick_free_port: print a free TCP port on 127.0.0.1, chosen at random below the kernel's
# ephemeral range (32768+) so outgoing connections do not grab it between check and bind.
pick_free_port() {
  local i port
  for i in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    if port_is_free "$port"; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# urlencode STRING: percent-encode everything but RFC 3986 unreserved characters.
urlencode() {
  local s=$1 out="" c i
  local LC_ALL=C
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

# as_user USER CMD...: run CMD as USER (runuser when root and USER differs), from /tmp so the
# server user never needs access to the caller's working directory.
as_user() {
  local user=$1
  shift
  if [ "$(id -u)" -eq 0 ] && [ "$user" != "root" ]; then
    (cd /tmp && runuser -u "$user" -- "$@")
  else
    (cd /tmp && "$@")
  fi
}

# pid_is PID NAME: true when PID is alive and its command name is NAME (guards against a pid
# that was reused by an unrelated process after the server exited).
pid_is() {
  local pid=$1 name=$2 comm
  case $pid in '' | *[!0-9]*) return 1 ;; esac
  [ -r "/proc/$pid/comm" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [ "$comm" = "$name" ]
}

# wait_gone PID SECONDS: wait until PID has exited; true if it did within SECONDS.
wait_gone() {
  local pid=$1 secs=$2 i
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    # A zombie counts as gone (it is only waiting for its parent to reap it).
    if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = "Z" ]; then return 0; fi
    sleep 0.1
  done
  ! kill -0 "$pid" 2>/dev/null
}

# write_env FILE KEY VALUE [KEY VALUE ...]: write KEY='VALUE' lines, one per variable, readable
# by `. FILE` in a shell and by a trivial KEY=VALUE parser (strip the single quotes).
write_env() {
  local file=$1 tmp
  shift
  tmp="$file.tmp.$$"
  : >"$tmp"
  while [ $# -ge 2 ]; do
    case $2 in *"'"* | *$'\n'*) rm -f "$tmp"; die "value for $1 contains a quote or newline" ;; esac
    printf "%s='%s'\n" "$1" "$2" >>"$tmp"
    shift 2
  done
  mv -f "$tmp" "$file"
}

# safe_rm_base DIR: remove a server base directory, but only one this tooling created.
safe_rm_base() {
  local dir=$1
  case $dir in
    /tmp/co.pg.* | /tmp/co.my.*) rm -rf -- "$dir" ;;
    '') ;;
    *) note "refusing to remove unexpected directory '$dir'" ;;
  esac
}
