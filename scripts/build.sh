#!/usr/bin/env bash
# Installs the Debian packages (scripts/deps.sh) and builds cutover into build/.
# Extra arguments go to cmake's configure step (e.g. -DCUTOVER_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build build -j "$(nproc)"
