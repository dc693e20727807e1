#!/usr/bin/env bash
# needs: postgres mariadb
# The sync under concurrent IS-like writes (DESIGN §3.3): `sync run` polls in the background
# while several writers issue, revoke and delete tokens and move user data, some holding their
# transaction open 1-3 s so later, shorter ones commit first, some rolling back. Nothing
# stalls (status shows the lag bounded and the position moving), the backlog drains, SIGINT
# stops run cleanly (exit 130), and the target equals the source by the independent comparator.
# Sources: PostgreSQL (xid snapshots), MariaDB (gaps by age) and SQLite (one writer).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0
TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_OAUTH2_TOKEN_BINDING,IDN_OAUTH2_AUTHZ_CODE_SCOPE,IDN_AUTH_SESSION_STORE
WORKLOAD="$(dirname "$0")/tools/workload.py"
# A long transaction holds its journal entries back up to 3 s; the loop polls every 100 ms.
# Anything near this bound means the apply waited for something it should not have.
MAX_LAG=12

# status_json SRC TGT: the status as JSON in $OUT (fails the check when status fails).
status_json() { run 0 sync status --source "$1" --target "$2" --json; }

for pair in "postgresql mariadb" "mariadb postgresql" "sqlite postgresql"; do
  read -r s t <<<"$pair"
  what="concurrent $s -> $t"
  src="sc_src_$s"
  dst="sc_dst_${s}_$t"
  fresh_db "$s" "$src"
  fresh_db "$t" "$dst"
  S=$(db_url "$s" "$src")
  T=$(db_url "$t" "$dst")
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows 2000
  run 0 sync prepare --source "$S"
  run 0 sync copy --source "$S" --target "$T" --jobs 2

  "$CUTOVER" sync run --source "$S" --target "$T" --interval 100 >"$WORK/run.out" 2>"$WORK/run.err" &
  runpid=$!
  # SQLite has one writer: fewer threads, so the applier's prune still gets the lock in time.
  threads=6
  [ "$s" = sqlite ] && threads=3
  "$PY" "$WORKLOAD" "$S" load --seconds 12 --threads "$threads" --long-pct 15 --rollback-pct 15 \
    --seed 7 >"$WORK/wl.out" 2>"$WORK/wl.err" &
  wlpid=$!

  # While the writers write: the lag stays bounded and the applied position moves.
  highs=()
  sleep 2
  for _ in 1 2 3 4 5; do
    kill -0 "$runpid" 2>/dev/null || { fail "$what: sync run died under load: $(cat "$WORK/run.err")"; break; }
    status_json "$S" "$T"
    lag=$(json_get "$OUT" 'j["lag_seconds"]')
    highs+=("$(json_get "$OUT" 'j["high"]')")
    if ! python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) <= $MAX_LAG else 1)" "$lag"; then
      fail "$what: lag ${lag}s under load exceeds ${MAX_LAG}s (stalled?): $OUT"
    fi
    sleep 2
  done
  [ "${highs[0]}" != "${highs[-1]}" ] || fail "$what: the applied position did not move under load: ${highs[*]}"

  wait "$wlpid" || fail "$what: the workload failed: $(cat "$WORK/wl.err")"
  counts=$(cat "$WORK/wl.out")
  echo "$what: workload $counts"
  for k in commits rollbacks long; do
    [ "$(json_get "$counts" "j[\"$k\"] > 0")" = True ] || fail "$what: the workload had no $k: $counts"
  done

  # Drain: the backlog reaches 0 within a bounded time.
  drained=0
  for _ in $(seq 1 60); do
    status_json "$S" "$T"
    if [ "$(json_get "$OUT" 'j["backlog"]')" = 0 ]; then
      drained=1
      break
    fi
    sleep 1
  done
  [ $drained = 1 ] || fail "$what: backlog not drained 60 s after the writers stopped: $OUT"

  kill -INT "$runpid"
  wait "$runpid"
  rc=$?
  [ "$rc" = 130 ] || fail "$what: sync run exited $rc after SIGINT, expected 130: $(tail -5 "$WORK/run.err")"
  grep -q "interrupted" "$WORK/run.err" || fail "$what: run did not say it was interrupted: $(tail -3 "$WORK/run.err")"
  retries=$(grep -c "retrying after" "$WORK/run.err")
  [ "$retries" = 0 ] || echo "$what: run retried $retries time(s): $(grep -m3 'retrying after' "$WORK/run.err")"
  same_data "$S" "$T" "$TABLES" "$what"

  # After the clean stop the stored position is exact: a new run finds nothing to do.
  run 0 sync run --source "$S" --target "$T" --once
  same_data "$S" "$T" "$TABLES" "$what (after a second run)"
done
finish
