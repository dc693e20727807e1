#!/usr/bin/env bash
# The main job on the embedded default (SQLite), from a fresh Debian 12 machine: install,
# build, create a WSO2 IS 5.8.0 identity + registry schema, fill it with realistic data, and
# inspect it. Later issues extend this into the full zero-downtime migration demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
cutover=build/src/cutover
demo=${DEMO_DIR:-demo}
mkdir -p "$demo"
rm -f "$demo/is-5.8.0.db" "$demo/is-5.8.0.db-wal" "$demo/is-5.8.0.db-shm"

echo "== cutover schema create: the old deployment's tables (IS 5.8.0)"
"$cutover" schema create "sqlite:$demo/is-5.8.0.db" --product is --version 5.8.0
echo
echo "== cutover schema fill: 50,000 access tokens and everything around them"
"$cutover" schema fill "sqlite:$demo/is-5.8.0.db" --rows 50000 --seed 1 \
  --base-time "$(date -u "+%Y-%m-%d %H:%M:%S")"
echo
echo "== cutover inspect: what an operator has before migrating"
"$cutover" inspect "sqlite:$demo/is-5.8.0.db"
