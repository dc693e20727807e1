#!/usr/bin/env bash
# needs: postgres mariadb
# Crash safety of the sync (DESIGN §3.2, §3.6) under IS-like write load:
#  1. kill -9 of `sync run` at random moments, 24 cycles over three source engines, then a
#     drain with `run --once`: nothing lost, nothing duplicated (the comparator compares
#     multisets, so a duplicate shows);
#  2. kill -9 of `sync copy --jobs 3` mid-copy (MariaDB -> PostgreSQL, writes going on),
#     three times, then the copy finished (it resumes from its chunk checkpoints with the
#     first snapshot's position) and run: equal;
#  3. the run's server connections killed on the server side (pg_terminate_backend, MariaDB
#     KILL CONNECTION) while it runs: run reconnects by itself and the result is equal. The
#     shared test servers are never stopped (other tests use them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0
TABLES=IDN_OAUTH_CONSUMER_APPS,IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_OAUTH2_ACCESS_TOKEN_SCOPE,IDN_OAUTH2_AUTHORIZATION_CODE,IDN_OAUTH2_TOKEN_BINDING,IDN_OAUTH2_AUTHZ_CODE_SCOPE,IDN_AUTH_SESSION_STORE
WORKLOAD="$(dirname "$0")/tools/workload.py"
# A different sequence of moments each run; the seed is printed, and SEED=N replays its
# sequence (the kills still land wherever the timing puts the work).
seed=${SEED:-$$}
RANDOM=$seed
echo "random seed $seed (SEED=$seed replays it)"

# random_sleep MIN_MS MAX_MS
random_sleep() {
  local ms=$(($1 + RANDOM % ($2 - $1)))
  sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
}

# setup ENGINE_S ENGINE_T TAG ROWS: fresh source (filled, captured) and target; sets S and T.
setup() {
  local src="sk_src_$3" dst="sk_dst_$3"
  fresh_db "$1" "$src"
  fresh_db "$2" "$dst"
  S=$(db_url "$1" "$src")
  T=$(db_url "$2" "$dst")
  SRC_DB=$src
  DST_DB=$dst
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows "$4"
  run 0 sync prepare --source "$S"
}

# workload SECONDS THREADS SEED [ARGS...]: IS-like writes on $S in the background ($wlpid).
workload() {
  local secs=$1 threads=$2 seed=$3
  shift 3
  "$PY" "$WORKLOAD" "$S" load --seconds "$secs" --threads "$threads" --long-pct 10 \
    --rollback-pct 10 --seed "$seed" "$@" >"$WORK/wl.out" 2>"$WORK/wl.err" &
  wlpid=$!
}

end_workload() {
  wait "$wlpid" || fail "$1: the workload failed: $(cat "$WORK/wl.err")"
  echo "$1: workload $(cat "$WORK/wl.out")"
}

# --- 1. kill -9 of run --------------------------------------------------------------------
# Kills per engine pair: 8 here (24 in all); bench/sync_crash.sh runs 34 (102 in all).
kills=${CUTOVER_CRASH_KILLS:-8}
cycles=0
for pair in "postgresql mariadb" "mariadb postgresql" "sqlite postgresql"; do
  read -r s t <<<"$pair"
  what="kill -9 of run, $s -> $t"
  setup "$s" "$t" "run_$s" 2000
  run 0 sync copy --source "$S" --target "$T" --jobs 2
  # The writers outlast the kills (each cycle lasts 0.1-1.5 s).
  workload $((kills + 1)) 4 11
  for ((k = 0; k < kills; k++)); do
    "$CUTOVER" sync run --source "$S" --target "$T" --interval 50 >/dev/null 2>"$WORK/run.err" &
    pid=$!
    random_sleep 100 1500
    if ! kill -0 "$pid" 2>/dev/null; then
      fail "$what: run ended by itself before the kill: $(tail -3 "$WORK/run.err")"
    fi
    kill -9 "$pid"
    wait "$pid" 2>/dev/null
    cycles=$((cycles + 1))
  done
  end_workload "$what"
  run 0 sync run --source "$S" --target "$T" --once
  same_data "$S" "$T" "$TABLES" "$what"
  run 0 sync status --source "$S" --target "$T" --json
  [ "$(json_get "$OUT" 'j["backlog"]')" = 0 ] || fail "$what: backlog after the drain: $OUT"
done
[ $cycles -ge $((kills * 3)) ] && [ $cycles -ge 20 ] || fail "only $cycles kill -9 cycles of run"

# --- 2. kill -9 of copy -------------------------------------------------------------------
for pair in "mariadb postgresql"; do
  read -r s t <<<"$pair"
  what="kill -9 of copy, $s -> $t"
  setup "$s" "$t" "copy_$s" 20000
  workload 30 2 12 --rate 40
  killed=0
  for _ in 1 2 3; do
    "$CUTOVER" sync copy --source "$S" --target "$T" --jobs 3 >/dev/null 2>"$WORK/copy.err" &
    pid=$!
    random_sleep 300 1500
    if kill -9 "$pid" 2>/dev/null; then
      killed=$((killed + 1))
    fi
    wait "$pid" 2>/dev/null
  done
  [ $killed -ge 1 ] || fail "$what: every copy finished before its kill: use more rows"
  echo "$what: $killed of 3 copies killed mid-way"
  run 0 sync copy --source "$S" --target "$T" --jobs 3
  kill "$wlpid" 2>/dev/null  # enough writes happened around the kills
  wait "$wlpid" 2>/dev/null
  run 0 sync run --source "$S" --target "$T" --once
  same_data "$S" "$T" "$TABLES" "$what ($killed copies killed)"
done

# --- 3. the run's connections killed on the server side -----------------------------------
# kill_backends ENGINE DB EXCLUDE_IDS_FILE: ends every connection of cutover to database DB.
kill_backends() {
  case "$1" in
    postgresql)
      sql postgresql "$2" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$2' AND application_name = 'cutover' AND pid <> pg_backend_pid()" ;;
    mariadb)
      local ids n=0 id
      ids=$(mariadb -N -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$2' AND ID <> CONNECTION_ID()")
      for id in $ids; do
        if [ -n "$3" ] && grep -qx "$id" "$3" 2>/dev/null; then
          continue  # a writer of the workload, not the run
        fi
        mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "KILL CONNECTION $id" 2>/dev/null && n=$((n + 1))
      done
      echo "$n" ;;
  esac
}

for pair in "postgresql mariadb" "mariadb postgresql"; do
  read -r s t <<<"$pair"
  what="connections killed, $s -> $t"
  setup "$s" "$t" "conn_$s" 2000
  run 0 sync copy --source "$S" --target "$T" --jobs 2
  "$CUTOVER" sync run --source "$S" --target "$T" --interval 100 >"$WORK/run.out" 2>"$WORK/run.err" &
  runpid=$!
  rm -f "$WORK/wl.ids"
  workload 7 3 13 --ids-file "$WORK/wl.ids"
  # Only once every writer has named its connection may the source side be killed.
  for _ in $(seq 1 50); do
    [ -s "$WORK/wl.ids" ] && break
    sleep 0.1
  done
  [ -s "$WORK/wl.ids" ] || fail "$what: the workload never wrote its connection ids"
  sleep 1
  for side in source target; do
    for _ in 1 2; do
      # The run may be between a lost connection and its reconnect: look again a few times.
      for _ in 1 2 3 4 5 6 7 8 9 10; do
        if [ $side = source ]; then
          n=$(kill_backends "$s" "$SRC_DB" "$WORK/wl.ids")
        else
          n=$(kill_backends "$t" "$DST_DB" "")
        fi
        [ "${n:-0}" -ge 1 ] && break
        sleep 0.3
      done
      [ "${n:-0}" -ge 1 ] || fail "$what: found no $side connection of run to kill"
      sleep 1
      kill -0 "$runpid" 2>/dev/null || fail "$what: run ended when its $side connection was killed: $(tail -3 "$WORK/run.err")"
    done
  done
  end_workload "$what"
  grep -q "retrying after" "$WORK/run.err" || fail "$what: run never noticed a lost connection: $(tail -3 "$WORK/run.err")"
  drained=0
  for _ in $(seq 1 60); do
    run 0 sync status --source "$S" --target "$T" --json
    if [ "$(json_get "$OUT" 'j["backlog"]')" = 0 ]; then
      drained=1
      break
    fi
    sleep 1
  done
  [ $drained = 1 ] || fail "$what: backlog not drained after reconnecting: $OUT; run: $(tail -3 "$WORK/run.err")"
  kill -INT "$runpid"
  wait "$runpid"
  rc=$?
  [ "$rc" = 130 ] || fail "$what: run exited $rc after SIGINT, expected 130: $(tail -3 "$WORK/run.err")"
  same_data "$S" "$T" "$TABLES" "$what"
done
finish
