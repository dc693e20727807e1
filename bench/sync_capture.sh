#!/usr/bin/env bash
# shellcheck disable=SC2154  # timed and timed_sh set their variables with printf -v
# Benchmark: what capture costs the source's writers, on PostgreSQL and MariaDB, with N access
# tokens already in the tables (IS 5.11.0 schema, every index).
#   1. Overhead: the same writes without and with the capture triggers (sync prepare / sync
#      remove between runs, alternating), median of RUNS each:
#      - batched: one transaction of multi-row INSERTs (WRITES tokens, 500 a statement, and a
#        scope each), one UPDATE revoking them all, one DELETE of them (cascading to the scopes);
#      - single-row: the same rows, one autocommit statement each (insert token, insert scope,
#        revoke, delete), WRITES/4 tokens.
#      Run by the engines' own clients (psql -f, mariadb <) from a file, so the client adds
#      next to nothing. Reports the +% time with triggers.
#   2. Prepare under load: bench/sync_writer.py writes at 2,000 writes/s (autocommit, two
#      processes) for 20 s; `sync prepare` runs 8 s in. The writers' longest wait during
#      prepare against the longest before it.
# PostgreSQL works on a copy of the shared source (CREATE DATABASE ... TEMPLATE); MariaDB on the
# shared source itself, whose rows the workload leaves as it found them.
# Usage: bench/sync_capture.sh [ROWS] [WRITES] [RUNS]   (default 1,000,000 20,000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
writes=${2:-20000}
runs=${3:-3}
# shellcheck source=bench/servers.sh
. bench/servers.sh
# shellcheck source=bench/sync_lib.sh
. bench/sync_lib.sh
make_sources "$rows"
pg postgres -c "DROP DATABASE IF EXISTS cap_src" -c "CREATE DATABASE cap_src TEMPLATE src_$rows" 2>/dev/null
my_db=src_$rows
"$cutover" sync remove --source "$(my_url "$my_db")" >/dev/null  # left by an interrupted run

# workload KIND N APP_ID: the SQL text (the same on both engines).
workload() {
  local kind=$1 n=$2 app=$3
  $py - "$kind" "$n" "$app" <<'PY'
import sys
kind, n, app = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cols = ("TOKEN_ID, ACCESS_TOKEN, REFRESH_TOKEN, CONSUMER_KEY_ID, AUTHZ_USER, TENANT_ID,"
        " USER_DOMAIN, USER_TYPE, GRANT_TYPE, VALIDITY_PERIOD, REFRESH_TOKEN_VALIDITY_PERIOD,"
        " TOKEN_SCOPE_HASH, TOKEN_STATE, TOKEN_STATE_ID, SUBJECT_IDENTIFIER, ACCESS_TOKEN_HASH,"
        " REFRESH_TOKEN_HASH")
def token(i):
    k = f"cap-{i}"
    return (f"('{k}', 'a{k}', 'r{k}', {app}, 'u{k}', -1234, 'PRIMARY', 'APPLICATION_USER',"
            f" 'authorization_code', 3600000, 86400000, 'bench', 'ACTIVE', 'NONE', 'u{k}',"
            f" 'h{k}', 'g{k}')")
ins_t = f"INSERT INTO IDN_OAUTH2_ACCESS_TOKEN ({cols}) VALUES "
ins_s = "INSERT INTO IDN_OAUTH2_ACCESS_TOKEN_SCOPE (TOKEN_ID, TOKEN_SCOPE, TENANT_ID) VALUES "
revoke = "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = TOKEN_ID"
delete = "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN"
out = []
if kind == "batched":
    out.append("BEGIN;")
    for s in range(0, n, 500):
        r = range(s, min(n, s + 500))
        out.append(ins_t + ", ".join(token(i) for i in r) + ";")
        out.append(ins_s + ", ".join(f"('cap-{i}', 'openid', -1234)" for i in r) + ";")
    out.append(f"{revoke} WHERE TOKEN_ID LIKE 'cap-%';")
    out.append(f"{delete} WHERE TOKEN_ID LIKE 'cap-%';")
    out.append("COMMIT;")
else:
    for i in range(n):
        out.append(f"{ins_t}{token(i)};")
        out.append(f"{ins_s}('cap-{i}', 'openid', -1234);")
        out.append(f"{revoke} WHERE TOKEN_ID = 'cap-{i}';")
        out.append(f"{delete} WHERE TOKEN_ID = 'cap-{i}';")
print("\n".join(out))
PY
}

declare -A secs
echo "cutover capture overhead benchmark: $rows access tokens in the tables (IS $bench_version)," \
  "median of $runs runs"
echo "command: bench/sync_capture.sh $rows $writes $runs"
machine
for engine in pg my; do
  if [ $engine = pg ]; then
    url=$(pg_url cap_src)
    app=$(pg cap_src -At -c "SELECT MIN(ID) FROM IDN_OAUTH_CONSUMER_APPS")
    client="psql -X -q -v ON_ERROR_STOP=1 '$url' -f"
  else
    url=$(my_url "$my_db")
    app=$(my "$my_db" -N -e "SELECT MIN(ID) FROM IDN_OAUTH_CONSUMER_APPS")
    client="mariadb -S '$MY_SOCKET' -u '$my_user' '$my_db' <"
  fi
  workload batched "$writes" "$app" >"$state/batched.sql"
  workload single $((writes / 4)) "$app" >"$state/single.sql"
  for r in $(seq 1 "$runs"); do
    log "$engine run $r"
    for trig in plain capture; do
      [ $trig = plain ] || "$cutover" sync prepare --source "$url" "${bench_versions[@]}" --tables "$bench_tables" >/dev/null
      for kind in batched single; do
        # Dead rows of the previous run cleaned first, so each run starts alike.
        if [ $engine = pg ]; then pg cap_src -c "VACUUM IDN_OAUTH2_ACCESS_TOKEN, IDN_OAUTH2_ACCESS_TOKEN_SCOPE"; fi
        timed_sh t "$client '$state/$kind.sql'"
        log "$engine $trig $kind: $t s"
        secs[$engine.$trig.$kind]="${secs[$engine.$trig.$kind]:-} $t"
      done
      [ $trig = plain ] || "$cutover" sync remove --source "$url" >/dev/null
    done
  done
done

printf '\n%-12s %-42s %-22s %-22s %8s\n' engine writes "no capture: s per run" \
  "capture: s per run" overhead
for engine in pg my; do
  name=PostgreSQL
  [ $engine = pg ] || name=MariaDB
  for kind in batched single; do
    if [ $kind = batched ]; then
      what="batched: $writes tokens + scopes, 1 txn"
    else
      what="single-row: $((writes / 4)) tokens x 4 autocommit"
    fi
    # shellcheck disable=SC2086
    a=$(median ${secs[$engine.plain.$kind]})
    # shellcheck disable=SC2086
    b=$(median ${secs[$engine.capture.$kind]})
    printf '%-12s %-42s %-22s %-22s %7s%%\n' "$name" "$what" \
      "${secs[$engine.plain.$kind]# } (m $a)" "${secs[$engine.capture.$kind]# } (m $b)" \
      "$(echo "scale=1; 100 * ($b - $a) / $a" | bc | sed 's/^\([0-9]\)/+\1/')"
  done
done

# ---- prepare under a steady write load ----
# window FILE START END: the longest wait of writes that overlap [START, END] and of those
# that ended before START.
window() {
  awk -v s="$2" -v e="$3" '{ end = $1 + $2 / 1000 }
    end < s { if ($2 > before) before = $2 }
    end >= s && $1 <= e { if ($2 > during) during = $2; n++ }
    END { printf "longest write during prepare %.1f ms (%d writes), before %.1f ms", during, n, before }' "$1"
}
echo
echo "sync prepare under 2,000 writes/s (20 s of writes, prepare 8 s in):"
for engine in pg my; do
  if [ $engine = pg ]; then
    url=$(pg_url cap_src)
    target=(pg "$url")
    name=PostgreSQL
  else
    url=$(my_url "$my_db")
    target=(my "$MY_SOCKET" "$my_user" "$my_db")
    name=MariaDB
  fi
  $py bench/sync_writer.py "${target[@]}" --rate 2000 --seconds 20 --procs 2 --tag prep \
    --out "$state/writes" >"$state/writer.out" &
  writer=$!
  sleep 8
  p0=$(now)
  "$cutover" sync prepare --source "$url" "${bench_versions[@]}" --tables "$bench_tables" >/dev/null
  p1=$(now)
  wait "$writer"
  printf '  %-11s prepare %.2f s; %s; writer: %s\n' "$name" "$(echo "$p1 - $p0" | bc)" \
    "$(window "$state/writes" "$p0" "$p1")" "$(cat "$state/writer.out")"
  "$cutover" sync remove --source "$url" >/dev/null
  if [ $engine = pg ]; then
    pg cap_src -c "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID LIKE 'prep-%'"
  else
    my "$my_db" -e "DELETE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID LIKE 'prep-%'"
  fi
done
pg postgres -c "DROP DATABASE cap_src"
