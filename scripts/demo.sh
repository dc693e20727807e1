#!/usr/bin/env bash
# The main job on the embedded default (SQLite), from a fresh Debian 12 machine: install the
# packages and build (scripts/build.sh), then `cutover demo`: the whole blue-green migration
# in one command (create and fill an IS 5.8.0 database, prepare capture, copy into the new
# side, a simulated IS writing the old side while the sync applies, cutover, summary and a
# row-by-row equality check). Its files stay in a folder it names (./cutover-demo-<UTC time>).
# Extra arguments go to `cutover demo` (see `cutover demo --help`), e.g. --rows 50000 --seconds 30.
# The folder is made in the directory the script is run from.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
(cd "$root" && bash scripts/build.sh >/dev/null)
exec "$root/build/src/cutover" demo "$@"
