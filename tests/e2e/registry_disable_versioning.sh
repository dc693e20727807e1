#!/usr/bin/env bash
# needs: postgres mariadb
# registry disable-versioning on SQLite, PostgreSQL and MariaDB over a versioned registry
# (IS 5.8.0: several versions per resource, history rows, two tenants): every remaining link
# carries its current version's path and name, links of older versions and the values only
# they held are gone, nothing else changed; counts per table equal the dry run's; the printed
# script has the same effect as the built-in path, and so does the seed's own script (read
# from the seed file at run time, when present); registry.xml keeps every byte but four
# values; a second run is refused, and with --force changes nothing; the backup restores
# the registry exactly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
# lib.sh's json_get through Debian's python: a pyenv shim takes seconds to start, and this
# script reads many values.
json_get() { "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }
SEED_SCRIPT="$(dirname "$0")/tools/seed_script.py"
SEED=""
for d in "${CUTOVER_SEED_DIR:-}" "$(dirname "$0")/../../../shared/seeds" /work/shared/seeds; do
  [ -n "$d" ] && [ -f "$d/004_1bc79da6433d45ad.txt" ] && SEED="$d/004_1bc79da6433d45ad.txt" && break
done
LINKS="REG_RESOURCE_PROPERTY REG_RESOURCE_TAG REG_RESOURCE_COMMENT REG_RESOURCE_RATING"
ALL=REG_PATH,REG_RESOURCE,REG_RESOURCE_HISTORY,REG_CONTENT,REG_CONTENT_HISTORY,REG_PROPERTY,REG_RESOURCE_PROPERTY,REG_TAG,REG_RESOURCE_TAG,REG_COMMENT,REG_RESOURCE_COMMENT,REG_RATING,REG_RESOURCE_RATING
UNTOUCHED=REG_PATH,REG_RESOURCE,REG_RESOURCE_HISTORY,REG_CONTENT,REG_CONTENT_HISTORY

# registry.xml as a server ships it, flags spelled three ways, a commented-out copy of a flag
# and CRLF line ends: only the four values may change.
xml_template() {
  printf '%s\r\n' '<?xml version="1.0" encoding="ISO-8859-1"?>' \
    '<!-- <staticConfiguration><versioningProperties>true</versioningProperties></staticConfiguration> -->' \
    '<wso2registry>' '    <currentDBConfig>wso2registry</currentDBConfig>' \
    '    <readOnly>false</readOnly>' '    <registryRoot>/</registryRoot>' \
    '    <dbConfig name="wso2registry"><dataSource>jdbc/WSO2CarbonDB</dataSource></dbConfig>' \
    '    <staticConfiguration>' '        <versioningProperties>@1@</versioningProperties>' \
    '        <versioningComments>@2@</versioningComments>' '        <versioningTags>@3@</versioningTags>' \
    '        <!-- <versioningRatings>true</versioningRatings> -->' \
    '        <versioningRatings>@4@</versioningRatings>' '        <servicePath>/trunk/services/</servicePath>' \
    '    </staticConfiguration>' '</wso2registry>'
}
xml_template | sed -e 's/@1@/true/' -e 's/@2@/ true /' -e 's/@3@/TRUE/' -e 's/@4@/true/' >"$WORK/registry.xml.orig"
xml_template | sed -e 's/@[1-4]@/false/' >"$WORK/registry.xml.want"

# The last line: sqlite3 also prints what the PRAGMAs of sql() return.
n() { sql "$1" "$2" "$3" | tail -1 | tr -d ' '; }
run_script() {  # ENGINE DB FILE
  case "$1" in
    sqlite) sqlite3 -bail "$WORK/$2.db" <"$3" ;;
    postgresql) psql -X -q -v ON_ERROR_STOP=1 "$(db_url postgresql "$2")" -f "$3" >/dev/null ;;
    mariadb) mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" "$2" <"$3" ;;
  esac
}

# clone_db ENGINE FROM TO: TO becomes a copy of FROM (cheaper than a second create and fill).
clone_db() {
  case "$1" in
    sqlite) cp "$WORK/$2.db" "$WORK/$3.db" ;;
    postgresql) psql -X -q -v ON_ERROR_STOP=1 "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS $3" \
      -c "CREATE DATABASE $3 TEMPLATE $2" >/dev/null || fail "cannot copy $2" ;;
    mariadb) fresh_db mariadb "$3"
      mariadb-dump -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" "$2" |
        mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" "$3" || fail "cannot copy $2" ;;
  esac
}

# Indexes left named CUTOVER_TMP_* (the temporary ones of the orphan step must all be gone).
tmp_indexes() {  # ENGINE DB
  case "$1" in
    sqlite) n "$1" "$2" "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND upper(name) LIKE 'CUTOVER_TMP%'" ;;
    postgresql) n "$1" "$2" "SELECT COUNT(*) FROM pg_indexes WHERE upper(indexname) LIKE 'CUTOVER_TMP%'" ;;
    mariadb) n "$1" "$2" "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND upper(index_name) LIKE 'CUTOVER_TMP%'" ;;
  esac
}

# Per engine three copies of one registry: a (the built-in path), b (pristine, then the seed's
# script), c (pristine, then the printed script).
for e in sqlite postgresql mariadb; do
  fresh_db "$e" "rv_${e}_a"
  run 0 schema create "$(db_url "$e" "rv_${e}_a")" --version 5.8.0 --database shared
  run 0 schema fill "$(db_url "$e" "rv_${e}_a")" --rows 1500
  clone_db "$e" "rv_${e}_a" "rv_${e}_b"
  clone_db "$e" "rv_${e}_a" "rv_${e}_c"
  A=$(db_url "$e" "rv_${e}_a")
  B=$(db_url "$e" "rv_${e}_b")
  C=$(db_url "$e" "rv_${e}_c")
  cp "$WORK/registry.xml.orig" "$WORK/registry.xml"
  declare -A before current
  for l in $LINKS; do
    before[$l]=$(n "$e" "rv_${e}_a" "SELECT COUNT(*) FROM $l")
    current[$l]=$(n "$e" "rv_${e}_a" "SELECT COUNT(*) FROM $l l JOIN REG_RESOURCE r ON r.REG_VERSION = l.REG_VERSION AND r.REG_TENANT_ID = l.REG_TENANT_ID")
    if [ "$l" = REG_RESOURCE_PROPERTY ] && { [ "${current[$l]}" -le 0 ] || [ "${current[$l]}" -ge "${before[$l]}" ]; }; then
      fail "$e: the fill should hold property links of current and older versions (${current[$l]} of ${before[$l]})"
    fi
  done

  # A temporary index a killed run left (where DDL commits at once, as on Oracle): the dry
  # run lets it be and uses it, the run drops it. Not on MariaDB, where cutover makes none.
  left=0
  if [ "$e" != mariadb ]; then
    left=1
    n "$e" "rv_${e}_a" "CREATE INDEX CUTOVER_TMP_TAG_FK ON REG_RESOURCE_TAG (REG_TAG_ID, REG_TENANT_ID)" >/dev/null
    [ "$(tmp_indexes "$e" "rv_${e}_a")" = 1 ] || fail "$e: the test could not make a left-over temporary index"
  fi

  # Dry run: counts, and nothing changes.
  run 0 registry disable-versioning "$A" --registry-xml "$WORK/registry.xml" --dry-run --json
  dry=$(json_get "$OUT" 'j["tables"]')
  cmp -s "$WORK/registry.xml" "$WORK/registry.xml.orig" || fail "$e: the dry run changed registry.xml"
  same_data "$A" "$C" "$ALL" "$e: the dry run changed the database"
  [ "$(tmp_indexes "$e" "rv_${e}_a")" = "$left" ] || fail "$e: the dry run dropped or added a temporary index"

  run 0 registry disable-versioning "$A" --registry-xml "$WORK/registry.xml" --json
  [ "$(json_get "$OUT" 'j["tables"]')" = "$dry" ] || fail "$e: counts differ from the dry run: $dry vs $(json_get "$OUT" 'j["tables"]')"
  [ "$(json_get "$OUT" 'j["changed"]')" = True ] || fail "$e: the run says it changed nothing"
  cmp -s "$WORK/registry.xml" "$WORK/registry.xml.want" ||
    fail "$e: registry.xml is not the original with four values set to false: $(diff "$WORK/registry.xml.want" "$WORK/registry.xml" | head -5)"
  for l in $LINKS; do
    rw=$(json_get "$OUT" "[t for t in j['tables'] if t['links'].upper() == '$l'][0]['rewritten']")
    dr=$(json_get "$OUT" "[t for t in j['tables'] if t['links'].upper() == '$l'][0]['dropped']")
    [ "$rw" = "${current[$l]}" ] || fail "$e: $l: $rw links rewritten, ${current[$l]} belong to current versions"
    [ $((rw + dr)) = "${before[$l]}" ] || fail "$e: $l: rewritten $rw + dropped $dr != ${before[$l]} links before"
    [ "$(n "$e" "rv_${e}_a" "SELECT COUNT(*) FROM $l WHERE REG_PATH_ID IS NULL")" = 0 ] || fail "$e: $l: links without a path remain"
    bad=$(n "$e" "rv_${e}_a" "SELECT COUNT(*) FROM $l l LEFT JOIN REG_RESOURCE r ON r.REG_VERSION = l.REG_VERSION AND r.REG_TENANT_ID = l.REG_TENANT_ID AND r.REG_PATH_ID = l.REG_PATH_ID AND (r.REG_NAME = l.REG_RESOURCE_NAME OR (r.REG_NAME IS NULL AND l.REG_RESOURCE_NAME IS NULL)) WHERE r.REG_VERSION IS NULL")
    [ "$bad" = 0 ] || fail "$e: $l: $bad links do not carry their current version's path and name"
  done
  for pair in REG_PROPERTY:REG_RESOURCE_PROPERTY:REG_PROPERTY_ID REG_TAG:REG_RESOURCE_TAG:REG_TAG_ID REG_COMMENT:REG_RESOURCE_COMMENT:REG_COMMENT_ID REG_RATING:REG_RESOURCE_RATING:REG_RATING_ID; do
    IFS=: read -r v l col <<<"$pair"
    orphans=$(n "$e" "rv_${e}_a" "SELECT COUNT(*) FROM $v v WHERE NOT EXISTS (SELECT 1 FROM $l l WHERE l.$col = v.REG_ID)")
    [ "$orphans" = 0 ] || fail "$e: $v: $orphans rows no link refers to"
  done
  same_data "$A" "$C" "$UNTOUCHED" "$e: tables the cleanup must not touch"
  [ "$(tmp_indexes "$e" "rv_${e}_a")" = 0 ] || fail "$e: the run left a temporary index"

  # The printed script does the same as the built-in path.
  run 0 registry disable-versioning --print-sql "$([ "$e" = mariadb ] && echo mysql || echo "$e")"
  printf '%s\n' "$OUT" >"$WORK/printed.sql"
  run_script "$e" "rv_${e}_c" "$WORK/printed.sql" || fail "$e: the printed script failed"
  same_data "$A" "$C" "$ALL" "$e: printed script vs built-in path"
  [ "$(tmp_indexes "$e" "rv_${e}_c")" = 0 ] || fail "$e: the printed script left a temporary index"

  # A second run is refused (the flags are off now); forced, it changes nothing.
  run 2 registry disable-versioning "$A" --registry-xml "$WORK/registry.xml"
  expect_in "$ERR" "already off" "$e: second run refused"
  run 0 registry disable-versioning "$A" --registry-xml "$WORK/registry.xml" --force --json
  [ "$(json_get "$OUT" 'j["changed"]')" = False ] || fail "$e: forced second run changed something"
  [ "$(json_get "$OUT" 'sum(t["rewritten"] + t["dropped"] + t["orphans_deleted"] for t in j["tables"])')" = 0 ] ||
    fail "$e: forced second run counts rows"
  cmp -s "$WORK/registry.xml" "$WORK/registry.xml.want" || fail "$e: forced run changed registry.xml"
  same_data "$A" "$C" "$ALL" "$e: forced second run changed the database"

  # The backup holds every link as it was; restore puts the registry back exactly.
  bak=$(n "$e" "rv_${e}_a" "SELECT COUNT(*) FROM CUTOVER_BAK_REG_RESOURCE_PROPERTY")
  [ "$bak" = "${before[REG_RESOURCE_PROPERTY]}" ] || fail "$e: backup holds $bak property links, ${before[REG_RESOURCE_PROPERTY]} were changed"
  run 0 registry restore "$A"
  same_data "$A" "$B" "$ALL" "$e: restored registry vs the original"
  [ "$(n "$e" "rv_${e}_a" "SELECT COUNT(*) FROM CUTOVER_BAK_REG_PROPERTY")" = 0 ] || fail "$e: backup not emptied"

  # The backup in a file instead: the tables get nothing, the file restores the registry
  # exactly; an existing file is never overwritten, and a cut-short one restores nothing.
  cp "$WORK/registry.xml.orig" "$WORK/registry_f.xml"
  echo keep >"$WORK/taken.jsonl"
  run 2 registry disable-versioning "$A" --registry-xml "$WORK/registry_f.xml" --backup-file "$WORK/taken.jsonl"
  expect_in "$ERR" "already exists" "$e: an existing backup file"
  [ "$(cat "$WORK/taken.jsonl")" = keep ] || fail "$e: the existing file was changed"
  same_data "$A" "$B" "$ALL" "$e: a refused backup file changed the database"
  cmp -s "$WORK/registry_f.xml" "$WORK/registry.xml.orig" || fail "$e: a refused run changed registry.xml"
  run 0 registry disable-versioning "$A" --registry-xml "$WORK/registry_f.xml" --backup-file "$WORK/bak_$e.jsonl" --json
  [ "$(json_get "$OUT" 'j["backup_file_rows"]')" -gt "${before[REG_RESOURCE_PROPERTY]}" ] ||
    fail "$e: the file holds $(json_get "$OUT" 'j["backup_file_rows"]') rows, fewer than the property links changed"
  [ "$(json_get "$OUT" 'j["backup_tables"]')" = "[]" ] || fail "$e: backup tables named with --backup-file"
  [ "$(n "$e" "rv_${e}_a" "SELECT COUNT(*) FROM CUTOVER_BAK_REG_RESOURCE_PROPERTY")" = 0 ] || fail "$e: --backup-file filled the tables"
  same_data "$A" "$C" "$ALL" "$e: the run with a backup file vs the printed script"
  [ "$(stat -c %a "$WORK/bak_$e.jsonl")" = 600 ] || fail "$e: the backup file is readable by others"
  ls -a "$WORK" | grep -q '\.tmp-' && fail "$e: a temporary file was left: $(ls -a "$WORK")"
  head -n -1 "$WORK/bak_$e.jsonl" >"$WORK/cut.jsonl"
  run 2 registry restore "$A" --backup-file "$WORK/cut.jsonl"
  expect_in "$ERR" "end line" "$e: a cut-short file"
  same_data "$A" "$C" "$ALL" "$e: a refused restore changed the database"
  run 0 registry restore "$A" --backup-file "$WORK/bak_$e.jsonl"
  same_data "$A" "$B" "$ALL" "$e: registry restored from the file vs the original"

  # The seed's own script, where the seed has one for this engine, ends where ours did.
  tab=""
  [ "$e" = postgresql ] && tab=PostgreSQL
  [ "$e" = mariadb ] && tab=MySQL
  if [ -n "$SEED" ] && [ -n "$tab" ]; then
    "$PY" "$SEED_SCRIPT" "$SEED" "$tab" >"$WORK/seed.sql" || fail "no $tab script in $SEED"
    run_script "$e" "rv_${e}_b" "$WORK/seed.sql" || fail "$e: the seed's script failed"
    same_data "$B" "$C" "$ALL" "$e: seed script vs built-in path"
  fi
  unset before current
done

# --home finds repository/conf/registry.xml (the registry was restored above).
U=$(db_url sqlite rv_sqlite_a)
mkdir -p "$WORK/home/repository/conf"
cp "$WORK/registry.xml.orig" "$WORK/home/repository/conf/registry.xml"
run 0 registry disable-versioning "$U" --home "$WORK/home"
cmp -s "$WORK/home/repository/conf/registry.xml" "$WORK/registry.xml.want" || fail "--home: registry.xml not rewritten"

# Usage: no registry.xml, a missing one, a database without a registry.
run 2 registry disable-versioning "$U"
expect_in "$ERR" "--registry-xml" "registry.xml required"
run 2 registry disable-versioning "$U" --registry-xml "$WORK/nope.xml"
expect_in "$ERR" "not a file" "missing registry.xml"
fresh_db sqlite rv_empty
run 0 schema create "$(db_url sqlite rv_empty)" --version 5.8.0 --database identity
run 2 registry disable-versioning "$(db_url sqlite rv_empty)" --registry-xml "$WORK/registry.xml.orig"
expect_in "$ERR" "REG_RESOURCE" "no registry tables"
run 2 cleanup tokens "$U"
expect_in "$ERR" "IDN_OAUTH2_ACCESS_TOKEN" "cleanup tokens on the shared database"
finish
