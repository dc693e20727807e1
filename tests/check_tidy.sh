#!/usr/bin/env bash
# clang-tidy (.clang-tidy, all checks as errors) over every source file under src/, using the
# build's compile_commands.json. Usage: tests/check_tidy.sh BUILD_DIR
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
tidy=$(command -v clang-tidy-14 || command -v clang-tidy) || { echo "clang-tidy not installed" >&2; exit 1; }
git ls-files 'src/*.cpp' 2>/dev/null | grep -v '_test\.cpp$' |
  xargs -P "$(nproc)" -n 4 "$tidy" -p "$build" --quiet 2>/dev/null | grep -E "(warning|error):" | sort -u > "$build/tidy.txt"
if [ -s "$build/tidy.txt" ]; then
  cat "$build/tidy.txt"
  exit 1
fi
echo "clang-tidy: clean"
