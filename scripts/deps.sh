#!/usr/bin/env bash
# Installs everything cutover needs to build and test on Debian 12, idempotently.
# Usage: scripts/deps.sh            (uses sudo when not root)
# Installing server packages must not start their system services: we start our own
# throwaway servers in tests, so a policy-rc.d that refuses service starts is put in
# place for the duration of the install when the image does not already have one.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang-format clang-tidy
  libsqlite3-dev sqlite3 libpq-dev libmariadb-dev unixodbc-dev unixodbc
  odbc-postgresql odbc-mariadb
  libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libpugixml-dev
  libssl-dev libzip-dev libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-client-15 mariadb-server mariadb-client
  python3 python3-psycopg2 python3-pymysql time
  # secrets tests: keytool makes real JKS/PKCS12 stores; java runs the JDK's own Cipher
  openjdk-17-jdk-headless
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "deps: installing ${missing[*]}"
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${sudo_cmd[@]}" chmod 755 /usr/sbin/policy-rc.d
  made_policy=1
fi
cleanup() {
  if [ "$made_policy" -eq 1 ]; then "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
