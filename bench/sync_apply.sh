#!/usr/bin/env bash
# shellcheck disable=SC2154  # timed and timed_sh set their variables with printf -v
# Benchmark: `cutover sync run` PostgreSQL -> PostgreSQL on N access tokens with their scopes.
#   1. prepare and copy (peak RSS of `sync copy`);
#   2. apply throughput: CHANGES token revocations (one UPDATE each row, as the IS revokes)
#      committed on the source, then `sync run --once` timed: changed rows/s, peak RSS;
#   3. lag under a steady source load: bench/sync_writer.py issues, scopes and revokes tokens
#      at 2,000 writes/s (autocommit, two processes) for LAG_SECONDS while `sync run` follows;
#      lag sampled from `sync status --json` every 0.2 s and from the batch lines `sync run`
#      prints on stderr (at most one a second); p50 / p99 / max.
# Works on a copy of the shared source (CREATE DATABASE ... TEMPLATE), so it can follow
# bench/sync_copy.sh on the same servers. LAG_SECONDS=0 skips step 3.
# Usage: bench/sync_apply.sh [ROWS] [CHANGES] [LAG_SECONDS]   (default 1,000,000 200,000 60)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
changes=${2:-200000}
lag_seconds=${3:-60}
[ "$changes" -le "$rows" ] || changes=$rows
# shellcheck source=bench/servers.sh
. bench/servers.sh
# shellcheck source=bench/sync_lib.sh
. bench/sync_lib.sh
make_sources "$rows" pg
S=$(pg_url apply_src)
T=$(pg_url apply_dst)
pg postgres -c "DROP DATABASE IF EXISTS apply_src" -c "CREATE DATABASE apply_src TEMPLATE src_$rows"
fresh_pg apply_dst

echo "cutover sync run benchmark: PostgreSQL -> PostgreSQL, $rows access tokens (IS $bench_version)"
echo "command: bench/sync_apply.sh $rows $changes $lag_seconds"
machine
"$cutover" sync prepare --source "$S" "${bench_versions[@]}" --tables "$bench_tables" >/dev/null
timed copy_s "$cutover" sync copy --source "$S" --target "$T" "${bench_versions[@]}" --tables "$bench_tables"
copied=$(grep -o 'copied [0-9,]* rows' "$state/out")

pg apply_src -c "UPDATE IDN_OAUTH2_ACCESS_TOKEN SET TOKEN_STATE = 'REVOKED', TOKEN_STATE_ID = TOKEN_ID
  WHERE TOKEN_ID IN (SELECT TOKEN_ID FROM IDN_OAUTH2_ACCESS_TOKEN ORDER BY TOKEN_ID LIMIT $changes)"
timed run_s "$cutover" sync run --source "$S" --target "$T" "${bench_versions[@]}" --tables "$bench_tables" --once
applied=$(tail -1 "$state/out")
entries=$(echo "$applied" | sed -n 's/^applied \([0-9,]*\) journal entries.*/\1/p' | tr -d ,)
state_sql="SELECT count(*) FILTER (WHERE TOKEN_STATE = 'REVOKED'), count(*) FROM IDN_OAUTH2_ACCESS_TOKEN"
[ "$(pg apply_src -At -c "$state_sql")" = "$(pg apply_dst -At -c "$state_sql")" ] ||
  { echo "the target differs from the source after run --once" >&2; exit 1; }

printf '\n%-52s %10s %12s %8s\n' step seconds "rows/s" RSS_MiB
printf '%-52s %10s %12s %8s\n' "sync copy ($copied)" "$copy_s" "-" "$copy_s_rss"
printf '%-52s %10s %12s %8s\n' "sync run --once ($entries changed rows)" "$run_s" \
  "$(echo "$entries / $run_s" | bc)" "$run_s_rss"
echo "  ($applied)"

if [ "$lag_seconds" -gt 0 ]; then
  "$cutover" sync run --source "$S" --target "$T" "${bench_versions[@]}" --tables "$bench_tables" \
    >"$state/run.out" 2>"$state/run.err" &
  run_pid=$!
  sleep 1
  $py bench/sync_writer.py pg "$S" --rate 2000 --seconds "$lag_seconds" --procs 2 --tag lag \
    --out "$state/writes" >"$state/writer.out" &
  writer_pid=$!
  : >"$state/lag"
  while kill -0 "$writer_pid" 2>/dev/null; do
    "$cutover" sync status --source "$S" --target "$T" --json 2>>"$state/status.err" |
      $py -c 'import json, sys; print(json.load(sys.stdin)["lag_seconds"])' >>"$state/lag" || true
    sleep 0.2
  done
  wait "$writer_pid"
  sleep 2
  kill -INT "$run_pid"
  wait "$run_pid" || true
  pct() {  # pct FILE: "p50 p99 max (n samples)" of one number per line
    sort -g "$1" | awk '{ a[NR] = $1 } END { if (NR == 0) { print "no samples"; exit }
      printf "p50 %.2f s, p99 %.2f s, max %.2f s (%d samples)", a[int(NR * 0.5) + (NR * 0.5 > int(NR * 0.5))], a[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))], a[NR], NR }'
  }
  sed -n 's/.*, lag \([0-9.]*\) s,.*/\1/p' "$state/run.err" >"$state/batch_lag"
  echo
  echo "lag under a steady source load for $lag_seconds s: $(cat "$state/writer.out")"
  echo "  sync status --json every 0.2 s: $(pct "$state/lag")"
  echo "  sync run batch lines:           $(pct "$state/batch_lag")"
  # Whatever the stopped run left is drained, then both sides must hold the same rows.
  "$cutover" sync run --source "$S" --target "$T" "${bench_versions[@]}" --tables "$bench_tables" --once >/dev/null 2>&1
  check_sql="SELECT count(*), md5(string_agg(TOKEN_ID || TOKEN_STATE || TOKEN_STATE_ID, ',' ORDER BY TOKEN_ID)) FROM IDN_OAUTH2_ACCESS_TOKEN"
  scope_sql="SELECT count(*), md5(string_agg(TOKEN_ID || TOKEN_SCOPE, ',' ORDER BY TOKEN_ID, TOKEN_SCOPE)) FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE"
  if [ "$(pg apply_src -At -c "$check_sql" -c "$scope_sql")" = "$(pg apply_dst -At -c "$check_sql" -c "$scope_sql")" ]; then
    echo "  after a final run --once the target equals the source (tokens and scopes)"
  else
    echo "  AFTER A FINAL run --once THE TARGET DIFFERS FROM THE SOURCE:"
    pg apply_src -At -c "$check_sql" -c "$scope_sql" | sed 's/^/    source /'
    pg apply_dst -At -c "$check_sql" -c "$scope_sql" | sed 's/^/    target /'
    # Which rows: keys whose state differs (a lost journal entry, see README "Sync").
    key_sql="SELECT TOKEN_ID || ' ' || TOKEN_STATE FROM IDN_OAUTH2_ACCESS_TOKEN WHERE TOKEN_ID LIKE 'lag-%' UNION ALL SELECT TOKEN_ID || ' scope ' || TOKEN_SCOPE FROM IDN_OAUTH2_ACCESS_TOKEN_SCOPE WHERE TOKEN_ID LIKE 'lag-%'"
    diff <(pg apply_src -At -c "$key_sql" | sort) <(pg apply_dst -At -c "$key_sql" | sort) |
      grep '^[<>]' | sed 's/^</    source:/; s/^>/    target:/' | head -20 || true
  fi
fi
"$cutover" sync remove --source "$S" >/dev/null
pg postgres -c "DROP DATABASE apply_src" -c "DROP DATABASE apply_dst"
