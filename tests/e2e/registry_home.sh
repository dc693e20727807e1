#!/usr/bin/env bash
# needs: postgres mariadb
# registry disable-versioning --home IS_HOME with no database URL: the registry's database and
# its password come from the home's configuration, as inspect --home reads it. An IS 5.8 home
# on MariaDB (master-datasources.xml; registry.xml's currentDBConfig names the datasource; the
# flags in registry.xml) and an IS 5.9 home on PostgreSQL ([database.shared_db]; the flags only
# in deployment.toml as WSO2's misspelt [registory.static_configuration] switch, which is the
# file changed, every other byte kept). Then: a 5.9 home whose deployment.toml sets no flags is
# refused (WSO2's default is off), and an unknown --datasource is a usage error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/sync_lib.sh"
need_engine postgresql
need_engine mariadb

# The links' paths: every link without one is a versioned link still to rewrite.
unpathed() { sql "$1" "$2" "SELECT COUNT(*) FROM REG_RESOURCE_PROPERTY WHERE REG_PATH_ID IS NULL" | tail -1 | tr -d ' '; }

# --- IS 5.8 home, MariaDB -------------------------------------------------------------------
db=rvh_mariadb
fresh_db mariadb "$db"
mariadb -S "$MY_SOCKET" -u "${MY_SOCKET_USER:-root}" -e "GRANT ALL ON $db.* TO '$MY_TCP_USER'@'127.0.0.1'" ||
  fail "cannot grant $db"
run 0 schema create "$(db_url mariadb "$db")" --version 5.8.0 --database shared
run 0 schema fill "$(db_url mariadb "$db")" --rows 600
[ "$(unpathed mariadb "$db")" -gt 0 ] || fail "mariadb: the fill should hold versioned links"
old="$WORK/wso2is-5.8.0"
mkdir -p "$old/repository/conf/datasources"
cat >"$old/repository/conf/datasources/master-datasources.xml" <<XML
<datasources-configuration xmlns:svns="http://org.wso2.securevault/configuration">
  <datasources>
    <datasource>
      <name>WSO2_UM_DB</name>
      <jndiConfig><name>jdbc/WSO2UMDB</name></jndiConfig>
      <definition type="RDBMS"><configuration>
        <url>jdbc:mysql://127.0.0.1:1/nowhere</url><username>x</username><password>x</password>
      </configuration></definition>
    </datasource>
    <datasource>
      <name>WSO2_CARBON_DB</name>
      <jndiConfig><name>jdbc/WSO2CarbonDB</name></jndiConfig>
      <definition type="RDBMS"><configuration>
        <url>jdbc:mysql://127.0.0.1:$MY_PORT/$db?useSSL=false</url>
        <username>$MY_TCP_USER</username>
        <password>$MY_TCP_PASSWORD</password>
      </configuration></definition>
    </datasource>
  </datasources>
</datasources-configuration>
XML
reg='<?xml version="1.0" encoding="ISO-8859-1"?>
<wso2registry>
    <currentDBConfig>wso2registry</currentDBConfig>
    <dbConfig name="wso2registry"><dataSource>jdbc/WSO2CarbonDB</dataSource></dbConfig>
    <staticConfiguration>
        <versioningProperties>@</versioningProperties>
        <versioningComments>@</versioningComments>
        <versioningTags>@</versioningTags>
        <versioningRatings>@</versioningRatings>
    </staticConfiguration>
</wso2registry>'
printf '%s\n' "$reg" | sed 's/@/true/' >"$old/repository/conf/registry.xml"
printf '%s\n' "$reg" | sed 's/@/false/' >"$WORK/registry.want"
run 0 registry disable-versioning --home "$old" --json
[ "$(json_get "$OUT" 'j["changed"]')" = True ] || fail "mariadb home: nothing changed: $OUT"
expect_in "$(json_get "$OUT" 'j["target"]')" "$db" "mariadb home: the datasource registry.xml names"
expect_not_in "$OUT$ERR" "$MY_TCP_PASSWORD" "mariadb home: the configured password is never printed"
[ "$(unpathed mariadb "$db")" = 0 ] || fail "mariadb home: versioned links remain"
cmp -s "$old/repository/conf/registry.xml" "$WORK/registry.want" ||
  fail "mariadb home: registry.xml: $(diff "$WORK/registry.want" "$old/repository/conf/registry.xml" | head -5)"
run 2 registry disable-versioning --home "$old"
expect_in "$ERR" "already off" "mariadb home: a second run is refused"
run 2 registry disable-versioning --home "$old" --datasource WSO2_NOPE --force
expect_in "$ERR" "WSO2_CARBON_DB" "unknown --datasource lists the configured ones"

# --- IS 5.9 home, PostgreSQL, flags in deployment.toml only ---------------------------------
db=rvh_postgresql
psql -X -q -v ON_ERROR_STOP=1 "$PG_SOCKET_URL" -c "DROP DATABASE IF EXISTS $db" \
  -c "CREATE DATABASE $db OWNER $PG_TCP_USER" >/dev/null || fail "cannot create $db"
tcp="postgresql://$PG_TCP_USER@127.0.0.1:$PG_PORT/$db"
CUTOVER_DB_PASSWORD="$PG_TCP_PASSWORD" run 0 schema create "$tcp" --version 5.8.0 --database shared
CUTOVER_DB_PASSWORD="$PG_TCP_PASSWORD" run 0 schema fill "$tcp" --rows 600
[ "$(unpathed postgresql "$db")" -gt 0 ] || fail "postgresql: the fill should hold versioned links"
new="$WORK/wso2is-5.9.0"
mkdir -p "$new/repository/conf"
toml() {  # the deployment.toml with the switch set to $1
  printf '%s\r\n' '# versioning: see [registory.static_configuration] enable = true below' \
    '[server]' 'hostname = "localhost"' '' '[database.identity_db]' \
    'url = "jdbc:postgresql://127.0.0.1:1/nowhere"' 'username = "x"' 'password = "x"' '' \
    '[database.shared_db]' "url = \"jdbc:postgresql://127.0.0.1:$PG_PORT/$db\"" \
    "username = \"$PG_TCP_USER\"" "password = \"$PG_TCP_PASSWORD\"" '' \
    '[registory.static_configuration]' "enable = $1   # sic" '' '[other]' 'enable = true'
}
toml true >"$new/repository/conf/deployment.toml"
toml false >"$WORK/toml.want"
# registry.xml as a 5.9 server may leave it: no staticConfiguration flags.
printf '%s\n' '<wso2registry><currentDBConfig>wso2registry</currentDBConfig></wso2registry>' \
  >"$new/repository/conf/registry.xml"
cp "$new/repository/conf/registry.xml" "$WORK/registry59.orig"
run 0 registry disable-versioning --home "$new" --json
[ "$(json_get "$OUT" 'j["changed"]')" = True ] || fail "postgresql home: nothing changed: $OUT"
expect_in "$(json_get "$OUT" 'j["target"]')" "$db" "postgresql home: shared_db"
expect_in "$(json_get "$OUT" 'j["files_changed"]')" "deployment.toml" "postgresql home: files changed"
expect_not_in "$OUT$ERR" "$PG_TCP_PASSWORD" "postgresql home: the configured password is never printed"
[ "$(unpathed postgresql "$db")" = 0 ] || fail "postgresql home: versioned links remain"
cmp -s "$new/repository/conf/deployment.toml" "$WORK/toml.want" ||
  fail "postgresql home: deployment.toml: $(diff "$WORK/toml.want" "$new/repository/conf/deployment.toml" | head -5)"
cmp -s "$new/repository/conf/registry.xml" "$WORK/registry59.orig" || fail "postgresql home: registry.xml changed"
ls "$new/repository/conf" | grep -qv '^\(deployment.toml\|registry.xml\)$' && fail "leftover files: $(ls "$new/repository/conf")"
run 2 registry disable-versioning --home "$new"
expect_in "$ERR" "already off" "postgresql home: a second run is refused"

# A 5.9 deployment.toml without any flag: WSO2's default, versioning off.
toml true | grep -v '^\[registory\|^enable = true   # sic' >"$new/repository/conf/deployment.toml"
run 2 registry disable-versioning --home "$new"
expect_in "$ERR" "already off" "5.9 home without flags"
finish
