#!/usr/bin/env bash
# needs: postgres mariadb
# One `sync run` and one `sync copy` per target at a time: while a run is working on a target,
# a second run against it is refused with exit 2 and a one-line error naming the job (after
# waiting briefly, as a killed holder's session may linger); once the first has stopped, a run
# works again and the target equals the source. SQLite's lock is a file beside the database,
# removed when released; a copy is refused while that file is locked by another process.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"

V=5.11.0

for e in sqlite postgresql mariadb; do
  src="oj_src_$e"
  dst="oj_dst_$e"
  fresh_db "$e" "$src"
  fresh_db "$e" "$dst"
  S=$(db_url "$e" "$src")
  T=$(db_url "$e" "$dst")
  run 0 schema create "$S" --version "$V"
  run 0 schema fill "$S" --rows 200
  run 0 sync prepare --source "$S"
  run 0 sync copy --source "$S" --target "$T"

  # The first run polls until stopped; wait until it holds its lock (seen from outside).
  "$CUTOVER" sync run --source "$S" --target "$T" >"$WORK/run_$e.out" 2>"$WORK/run_$e.err" &
  first=$!
  held=no
  for _ in $(seq 1 100); do
    case "$e" in
      sqlite) [ -e "$WORK/$dst.db.cutover-run.lock" ] && held=yes ;;
      postgresql) [ "$(sql "$e" "$dst" "SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()")" = 1 ] && held=yes ;;
      mariadb) [ "$(sql "$e" "$dst" "SELECT IS_USED_LOCK(CONCAT('cutover_run_', MD5(DATABASE()))) IS NOT NULL")" = 1 ] && held=yes ;;
    esac
    [ $held = yes ] && break
    sleep 0.1
  done
  [ $held = yes ] || fail "$e: the first run never took its lock"
  sql "$e" "$src" "UPDATE IDN_IDENTITY_USER_DATA SET DATA_VALUE = 'seen'" >/dev/null
  kill -0 "$first" 2>/dev/null || fail "$e: the first run ended early: $(cat "$WORK/run_$e.err")"

  started=$(date +%s)
  run 2 sync run --source "$S" --target "$T" --once
  one_line_error "$ERR" "$e: second run"
  expect_in "$ERR" "another 'cutover sync run' is working on the target" "$e: second run"
  expect_in "$ERR" "hint:" "$e: second run"
  [ $(($(date +%s) - started)) -lt 30 ] || fail "$e: the refused run waited too long"

  # Ctrl-C stops the first run (exit 130); then a run works again.
  kill -INT "$first"
  wait "$first"
  rc=$?
  [ "$rc" = 130 ] || fail "$e: the first run exited $rc after Ctrl-C, expected 130: $(cat "$WORK/run_$e.err")"
  sql "$e" "$src" "DELETE FROM IDN_AUTH_SESSION_STORE" >/dev/null
  run 0 sync run --source "$S" --target "$T" --once
  same_data "$S" "$T" IDN_IDENTITY_USER_DATA,IDN_OAUTH2_ACCESS_TOKEN,IDN_AUTH_SESSION_STORE "$e"
done

# SQLite: the lock file is gone after the jobs ended; a copy waits for a held one, then refuses.
ls "$WORK"/*.cutover-*.lock >/dev/null 2>&1 && fail "sqlite: a lock file was left behind: $(ls "$WORK"/*.lock)"
fresh_db sqlite oj_copy
run 0 schema create "sqlite:$WORK/oj_copy_src.db" --version "$V"
run 0 sync prepare --source "sqlite:$WORK/oj_copy_src.db"
flock "$WORK/oj_copy.db.cutover-copy.lock" sleep 30 &
holder=$!
sleep 0.3
run 2 sync copy --source "sqlite:$WORK/oj_copy_src.db" --target "sqlite:$WORK/oj_copy.db"
expect_in "$ERR" "another 'cutover sync copy' is working on the target" "sqlite: copy while locked"
[ -e "$WORK/oj_copy.db" ] && fail "sqlite: the refused copy created the target file"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

finish
