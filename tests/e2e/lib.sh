# shellcheck shell=bash
# Shared helpers for tests/e2e/*.sh: run the real binary, check exit codes and output.
# CUTOVER is the binary (set by CTest); CUTOVER_TEST_STATE holds the server env files.
set -u

: "${CUTOVER:?CUTOVER must point at the cutover binary}"
WORK=$(mktemp -d /tmp/co.e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run EXPECTED_RC ARGS...: runs cutover, keeps stdout in $OUT and stderr in $ERR.
run() {
  local want=$1
  shift
  OUT=$("$CUTOVER" "$@" 2>"$WORK/stderr")
  RC=$?
  ERR=$(cat "$WORK/stderr")
  if [ "$RC" != "$want" ]; then
    fail "cutover $* exited $RC, expected $want; stderr: $ERR"
  fi
}

# expect_in TEXT NEEDLE WHAT: TEXT contains NEEDLE.
expect_in() {
  case "$1" in
    *"$2"*) ;;
    *) fail "$3: expected to find '$2' in: $1" ;;
  esac
}

expect_not_in() {
  case "$1" in
    *"$2"*) fail "$3: did not expect '$2' in: $1" ;;
    *) ;;
  esac
}

# one_line TEXT WHAT: an error is one line plus at most one hint line.
one_line_error() {
  local lines
  lines=$(printf '%s\n' "$1" | grep -c .)
  if [ "$lines" -gt 2 ]; then
    fail "$2: expected a one-line error and a hint, got $lines lines: $1"
  fi
  expect_in "$1" "cutover: error:" "$2"
}

# json_get JSON EXPR: evaluates a python expression over the parsed JSON (as `j`).
json_get() {
  python3 -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

load_env() {
  # shellcheck disable=SC1090
  . "$CUTOVER_TEST_STATE/$1" || { echo "FAIL: no $1: the server fixture did not start" >&2; exit 1; }
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  echo "all checks passed"
  exit 0
}
