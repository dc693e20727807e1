#!/usr/bin/env bash
# Benchmark: `cutover registry disable-versioning` over a versioned registry (IS 5.8.0 shared
# database, `schema fill`) holding about ROWS association rows (REG_RESOURCE_PROPERTY, _TAG,
# _COMMENT, _RATING together), on PostgreSQL and MariaDB (servers started for the run,
# bench/servers.sh), beside the seed's own script for that database run as it is on a copy of
# the same data. The seed (../shared/seeds/004_*.txt, or SEED=path) is read at run time, never
# copied. cutover is timed with its backup tables (the default) and with --no-backup, which
# is what the seed's script does.
# Each run is stopped after CAP seconds (default 900) and reported as "> CAP".
# Usage: bench/registry_cleanup.sh [ROWS] [CAP]   (default 1,000,000 association rows, 900 s);
# ENGINES="mariadb" (or "postgresql") runs one engine only.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
cap=${2:-900}
stopped=()
seed=${SEED:-$(ls ../shared/seeds/004_*.txt /work/shared/seeds/004_*.txt 2>/dev/null | head -1 || true)}
[ -f "$seed" ] || { echo "no seed 004_*.txt: set SEED=path" >&2; exit 2; }
# shellcheck source=bench/servers.sh
. bench/servers.sh
# shellcheck source=bench/sync_lib.sh
. bench/sync_lib.sh
links="SELECT (SELECT COUNT(*) FROM REG_RESOURCE_PROPERTY) + (SELECT COUNT(*) FROM REG_RESOURCE_TAG) + (SELECT COUNT(*) FROM REG_RESOURCE_COMMENT) + (SELECT COUNT(*) FROM REG_RESOURCE_RATING)"
xml() {
  printf '<wso2registry><staticConfiguration><versioningProperties>true</versioningProperties><versioningComments>true</versioningComments><versioningTags>true</versioningTags><versioningRatings>true</versioningRatings></staticConfiguration></wso2registry>\n' >"$state/registry.xml"
}
count() {  # ENGINE DB
  if [ "$1" = postgresql ]; then pg "$2" -At -c "$links"; else my "$2" -N -e "$links"; fi
}
fresh() {  # ENGINE DB
  if [ "$1" = postgresql ]; then fresh_pg "$2"; echo "$(pg_url "$2")"; else fresh_my "$2"; echo "$(my_url "$2")"; fi
}
clone() {  # ENGINE FROM TO
  if [ "$1" = postgresql ]; then
    pg postgres -c "DROP DATABASE IF EXISTS $3" -c "CREATE DATABASE $3 TEMPLATE $2" >/dev/null
  else
    fresh_my "$3"
    mariadb-dump -S "$MY_SOCKET" -u "$my_user" "$2" | my "$3"
  fi
}

machine
echo "registry disable-versioning: about $rows association rows (IS 5.8.0 shared database); seed $(basename "$seed")"
printf '  %-11s %12s %-28s %9s %12s\n' engine links run seconds "links/s"
for engine in ${ENGINES:-postgresql mariadb}; do
  # Fill rows per association row, from a small fill. The ratio is not constant (a run on
  # 2026-11-30 with a 2,000-row probe overshot by far), so the links filled are counted and
  # printed beside the times.
  url=$(fresh $engine brc_probe)
  "$cutover" schema create "$url" --version 5.8.0 --database shared >/dev/null
  "$cutover" schema fill "$url" --rows 20000 >/dev/null
  per=$(count $engine brc_probe)
  fill=$((rows * 20000 / per))
  log "$engine: $per links per 20000 fill rows; filling $fill"
  url=$(fresh $engine brc_a)
  "$cutover" schema create "$url" --version 5.8.0 --database shared >/dev/null
  "$cutover" schema fill "$url" --rows "$fill" >/dev/null
  n=$(count $engine brc_a)
  clone $engine brc_a brc_b
  clone $engine brc_a brc_c
  for run in backup no-backup seed; do
    case $run in
      backup) db=brc_a; xml; cmd=("$cutover" registry disable-versioning "$(if [ $engine = postgresql ]; then pg_url $db; else my_url $db; fi)" --registry-xml "$state/registry.xml") ;;
      no-backup) db=brc_b; xml; cmd=("$cutover" registry disable-versioning "$(if [ $engine = postgresql ]; then pg_url $db; else my_url $db; fi)" --registry-xml "$state/registry.xml" --no-backup) ;;
      seed)
        db=brc_c
        "$py" tests/e2e/tools/seed_script.py "$seed" "$([ $engine = postgresql ] && echo PostgreSQL || echo MySQL)" >"$state/seed.sql"
        if [ $engine = postgresql ]; then
          cmd=(psql -X -q -v ON_ERROR_STOP=1 "$(pg_url $db)" -f "$state/seed.sql")
        else
          cmd=(sh -c "mariadb -S '$MY_SOCKET' -u '$my_user' $db <'$state/seed.sql'")
        fi ;;
    esac
    t0=$(now)
    rc=0
    timeout "$cap" "${cmd[@]}" >/dev/null || rc=$?
    t1=$(now)
    secs=$("$py" -c "print($t1 - $t0)")
    label="cutover ($run)"
    [ $run = seed ] && label="seed script, as it is"
    if [ "$rc" = 124 ]; then
      # timeout stopped the client only: the server would go on running the statement (and
      # take a core from every later measurement).
      if [ $engine = postgresql ]; then
        pg postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db'" >/dev/null
      else
        for id in $(my "$db" -N -e "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$db' AND ID <> CONNECTION_ID()"); do
          my "$db" -e "KILL $id" 2>/dev/null || true
        done
      fi
      printf '  %-11s %12s %-28s %9s %12s\n' $engine "$n" "$label" "> $cap" "< $((n / cap))"
      stopped+=("$engine $run")
      continue
    fi
    [ "$rc" = 0 ] || { echo "failed ($rc): ${cmd[*]}" >&2; exit 1; }
    printf '  %-11s %12s %-28s %9.2f %12.0f\n' $engine "$n" "$label" "$secs" "$("$py" -c "print($n / $secs)")"
  done
  if [ $engine = postgresql ] && [ ${#stopped[@]} -eq 0 ]; then
    "$py" tests/e2e/tools/dbcompare.py "$(pg_url brc_b)" "$(pg_url brc_c)" REG_PROPERTY,REG_RESOURCE_PROPERTY,REG_TAG,REG_RESOURCE_TAG,REG_COMMENT,REG_RESOURCE_COMMENT,REG_RATING,REG_RESOURCE_RATING >/dev/null ||
      echo "  warning: cutover and the seed's script left different registries" >&2
  fi
done
