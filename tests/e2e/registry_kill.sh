#!/usr/bin/env bash
# needs: postgres
# registry disable-versioning killed (-9) at several moments of its run on PostgreSQL, on a
# registry large enough that the kills land while its transaction is open (one of them for
# certain: another session holds the last table the cleanup writes): each time the
# database equals either its state before (the transaction never committed) or, after a
# rerun, the state an uninterrupted run leaves (dbcompare.py, backup tables included), and
# registry.xml is either the old file or the new one, never a mix; the rerun finishes both.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
json_get() { "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
REG=REG_PATH,REG_RESOURCE,REG_RESOURCE_HISTORY,REG_CONTENT,REG_CONTENT_HISTORY,REG_PROPERTY,REG_RESOURCE_PROPERTY,REG_TAG,REG_RESOURCE_TAG,REG_COMMENT,REG_RESOURCE_COMMENT,REG_RATING,REG_RESOURCE_RATING
ROWS=${CUTOVER_REGISTRY_KILL_ROWS:-30000}

printf '<wso2registry>\n  <staticConfiguration>\n    <versioningProperties>true</versioningProperties>\n    <versioningComments>true</versioningComments>\n    <versioningTags>true</versioningTags>\n    <versioningRatings>true</versioningRatings>\n  </staticConfiguration>\n</wso2registry>\n' >"$WORK/old.xml"
sed 's/true/false/' "$WORK/old.xml" >"$WORK/new.xml"

clone() {  # FROM TO
  psql -X -q -v ON_ERROR_STOP=1 "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS $2" \
    -c "CREATE DATABASE $2 TEMPLATE $1" >/dev/null || fail "cannot copy $1 to $2"
}
# Seconds since the epoch with fractions.
now_s() { date +%s.%N; }

fresh_db postgresql rk_before
run 0 schema create "$(db_url postgresql rk_before)" --version 5.8.0 --database shared
run 0 schema fill "$(db_url postgresql rk_before)" --rows "$ROWS"

# The after state: an uninterrupted run on a copy, timed.
clone rk_before rk_after
cp "$WORK/old.xml" "$WORK/registry.xml"
t0=$(now_s)
run 0 registry disable-versioning "$(db_url postgresql rk_after)" --registry-xml "$WORK/registry.xml" --json
took=$("$PY" -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$(now_s)")
[ "$(json_get "$OUT" 'j["changed"]')" = True ] || fail "the uninterrupted run changed nothing"
ALL="$REG,$(json_get "$OUT" '",".join(j["backup_tables"])')"
echo "uninterrupted run: ${took}s over $ROWS fill rows"

# Kill moments: fractions of the time between the transaction opening and the end of an
# uninterrupted run.
landed_mid=0
for frac in 0.2 0.5 0.8; do
  clone rk_before rk_victim
  V=$(db_url postgresql rk_victim)
  cp "$WORK/old.xml" "$WORK/registry.xml"
  locker=
  if [ "$frac" = 0.5 ]; then
    # This kill lands mid-transaction for certain, however fast the machine: another session
    # holds REG_RESOURCE_RATING (the last table the cleanup writes) in SHARE mode, so the run
    # waits there with everything before it written and uncommitted.
    psql -X -q "$V" -c "BEGIN; LOCK TABLE reg_resource_rating IN SHARE MODE; SELECT pg_sleep(60); COMMIT;" >/dev/null 2>&1 &
    locker=$!
    for _ in $(seq 400); do
      # pg_class is per database: ask the victim's.
      [ "$(sql postgresql rk_victim "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'reg_resource_rating' AND l.mode = 'ShareLock' AND l.granted")" -gt 0 ] && break
      sleep 0.02
    done
  fi
  "$CUTOVER" registry disable-versioning "$V" --registry-xml "$WORK/registry.xml" >/dev/null 2>&1 &
  pid=$!
  # Wait until the run has a transaction open on the victim database, then the fraction.
  for _ in $(seq 400); do
    if [ -n "$locker" ]; then
      open=$(sql postgresql postgres "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = 'rk_victim' AND wait_event_type = 'Lock' AND backend_xid IS NOT NULL")
    else
      open=$(sql postgresql postgres "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = 'rk_victim' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()")
    fi
    [ "$open" -gt 0 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  [ -n "$locker" ] || sleep "$("$PY" -c "print(max(0.0, float('$took') * $frac - 0.1))")"
  if kill -9 "$pid" 2>/dev/null; then
    alive=1
  else
    alive=0
  fi
  wait "$pid" 2>/dev/null
  if [ -n "$locker" ]; then
    sql postgresql postgres "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'rk_victim' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()" >/dev/null
    wait "$locker" 2>/dev/null
  fi
  # The server ends the killed session's statement, then its transaction rolls back.
  for _ in $(seq 600); do
    [ "$(sql postgresql postgres "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = 'rk_victim' AND pid <> pg_backend_pid()")" = 0 ] && break
    sleep 0.05
  done
  cmp -s "$WORK/registry.xml" "$WORK/old.xml" || cmp -s "$WORK/registry.xml" "$WORK/new.xml" ||
    fail "kill at $frac: registry.xml is neither the old nor the new file"
  if "$PY" "$COMPARE" "$V" "$(db_url postgresql rk_before)" "$REG" >/dev/null 2>&1; then
    [ "$alive" = 1 ] && landed_mid=$((landed_mid + 1))
    cmp -s "$WORK/registry.xml" "$WORK/old.xml" || fail "kill at $frac: database as before but registry.xml rewritten"
  elif ! "$PY" "$COMPARE" "$V" "$(db_url postgresql rk_after)" "$ALL" >"$WORK/cmp" 2>&1; then
    fail "kill at $frac: the database is neither as before nor as after: $(head -5 "$WORK/cmp")"
  fi
  # The rerun finishes: the after state and the new registry.xml.
  if cmp -s "$WORK/registry.xml" "$WORK/old.xml"; then
    run 0 registry disable-versioning "$V" --registry-xml "$WORK/registry.xml"
  fi
  cmp -s "$WORK/registry.xml" "$WORK/new.xml" || fail "kill at $frac: registry.xml not rewritten by the rerun"
  same_data "$V" "$(db_url postgresql rk_after)" "$ALL" "kill at $frac: after the rerun vs an uninterrupted run"
done
# At least one kill must have hit an open transaction, or the test proved nothing.
echo "kills that landed while the transaction was open: $landed_mid of 3"
[ "$landed_mid" -ge 1 ] || fail "no kill landed while the transaction was open (run took ${took}s); raise CUTOVER_REGISTRY_KILL_ROWS"
finish
