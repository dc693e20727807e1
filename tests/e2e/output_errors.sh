#!/usr/bin/env bash
# needs: sqlite
# Output that cannot be written (a full disk, a reader that went away while SIGPIPE is
# ignored) is a one-line I/O error with exit 1, not an internal error.
. "$(dirname "$0")/lib.sh"

[ -w /dev/full ] || { echo "no writable /dev/full" >&2; exit 1; }

check_full() {
  local what=$1
  shift
  "$CUTOVER" "$@" >/dev/full 2>"$WORK/stderr"
  RC=$?
  ERR=$(cat "$WORK/stderr")
  [ "$RC" = 1 ] || fail "$what: exited $RC, expected 1; stderr: $ERR"
  one_line_error "$ERR" "$what"
  expect_in "$ERR" "cannot write to standard output: No space left on device" "$what"
  expect_in "$ERR" "hint:" "$what"
  expect_not_in "$ERR" "internal error" "$what"
}
# Large output (fails while writing) and small output (fails only when flushed at the end).
check_full "--print-sql to a full disk" schema create --version 7.0.0 --print-sql postgresql
check_full "--help to a full disk" --help
check_full "--version to a full disk" --version
run 0 schema create "sqlite:$WORK/is.db" --version 7.0.0
check_full "inspect to a full disk" inspect "sqlite:$WORK/is.db"
check_full "inspect --json to a full disk" inspect "sqlite:$WORK/is.db" --json

# A reader that closed its end before cutover wrote, with SIGPIPE ignored (as under many
# service managers and language runtimes): EPIPE.
ERR=$(python3 - "$CUTOVER" <<'PY' 2>&1
import os, signal, subprocess, sys
r, w = os.pipe()
os.close(r)
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
p = subprocess.run([sys.argv[1], "schema", "create", "--version", "7.0.0", "--print-sql", "mysql"],
                   stdout=w, stderr=subprocess.PIPE, restore_signals=False)
sys.stdout.write(p.stderr.decode())
sys.stdout.write("rc=%d\n" % p.returncode)
PY
)
expect_in "$ERR" "rc=1" "closed pipe exit code"
expect_in "$ERR" "cannot write to standard output: Broken pipe" "closed pipe"
expect_not_in "$ERR" "internal error" "closed pipe"
finish
