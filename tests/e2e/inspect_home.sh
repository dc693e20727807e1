#!/usr/bin/env bash
# needs: sqlite
# inspect --home reads a product home as WSO2 lays it out: databases from deployment.toml (or
# master-datasources.xml for 5.8), registry versioning from registry.xml, and custom components
# with the Bundle-SymbolicName and version from each jar's manifest. Passwords never shown.
. "$(dirname "$0")/lib.sh"

# An IS 5.9-style home with deployment.toml.
home="$WORK/wso2is-5.9.0"
mkdir -p "$home/repository/conf" "$home/repository/components/dropins" "$home/repository/components/lib"
cat > "$home/repository/conf/deployment.toml" <<'TOML'
[server]
hostname = "localhost"

[database.identity_db]
type = "postgre"
url = "jdbc:postgresql://db.internal:5432/WSO2_IDENTITY_DB"
username = "wso2"
password = "s3cret-identity"

[database.shared_db]
type = "mysql"
url = "jdbc:mysql://db2.internal:3306/WSO2_SHARED_DB?useSSL=false"
username = "wso2"
password = "s3cret-shared"

[[datasource]]
id = "WSO2_CONSENT_DB"
url = "jdbc:h2:./repository/database/WSO2IS_CONSENT_DB"
username = "wso2carbon"
password = "wso2carbon"
TOML
cat > "$home/repository/conf/registry.xml" <<'XML'
<wso2registry>
  <staticConfiguration>
    <versioningProperties>true</versioningProperties>
    <versioningComments>true</versioningComments>
    <versioningTags>false</versioningTags>
    <versioningRatings>true</versioningRatings>
  </staticConfiguration>
</wso2registry>
XML
python3 - "$home/repository/components/dropins/custom-authenticator-1.2.3.jar" <<'PY'
import sys, zipfile
mf = ("Manifest-Version: 1.0\r\n"
      "Bundle-SymbolicName: org.example.identity.custom.authenticator;singleton:=true\r\n"
      "Bundle-Version: 1.2.3\r\n"
      "Import-Package: org.wso2.carbon.identity.application.authentication.framewo\r\n"
      " rk;version=\"[5.14.0,6.0.0)\",org.apache.commons.logging\r\n\r\n")
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("META-INF/MANIFEST.MF", mf)
    z.writestr("org/example/A.class", b"\xca\xfe\xba\xbe")
PY
echo "not a zip" > "$home/repository/components/lib/broken.jar"

run 0 inspect --home "$home"
expect_in "$OUT" "postgresql://USER@db.internal:5432/WSO2_IDENTITY_DB" "identity_db URL"
expect_in "$OUT" "mysql://USER@db2.internal:3306/WSO2_SHARED_DB" "shared_db URL"
expect_in "$OUT" "H2 is embedded" "H2 datasource explained"
expect_in "$OUT" "versioning ON" "registry versioning on"
expect_in "$OUT" "org.example.identity.custom.authenticator 1.2.3" "component manifest"
expect_in "$OUT" "broken.jar: not a readable jar" "broken jar reported"
expect_not_in "$OUT" "s3cret" "passwords never printed"

run 0 inspect --home "$home" --json
expect_in "$(json_get "$OUT" 'j["home"]["registry_versioning"]["tags"]')" "False" "tags flag"
expect_in "$(json_get "$OUT" 'j["home"]["components"][0]["imports"]')" "org.wso2.carbon.identity.application.authentication.framework" "imports"
expect_not_in "$OUT" "s3cret" "passwords never in JSON"

# An IS 5.8-style home: XML datasources, and inspect of the database in the same run.
old="$WORK/wso2is-5.8.0"
mkdir -p "$old/repository/conf/datasources"
cat > "$old/repository/conf/datasources/master-datasources.xml" <<'XML'
<datasources-configuration>
  <datasources>
    <datasource>
      <name>WSO2_IDENTITY_DS</name>
      <jndiConfig><name>jdbc/WSO2IdentityDS</name></jndiConfig>
      <definition type="RDBMS">
        <configuration>
          <url>jdbc:mysql://mysql.internal:3306/WSO2IS_IDENTITY_DB?autoReconnect=true</url>
          <username>wso2</username>
          <password>xml-s3cret</password>
          <driverClassName>com.mysql.jdbc.Driver</driverClassName>
        </configuration>
      </definition>
    </datasource>
  </datasources>
</datasources-configuration>
XML
run 0 schema create "sqlite:$WORK/is.db" --version 5.8.0
run 0 inspect "sqlite:$WORK/is.db" --home "$old"
expect_in "$OUT" "WSO2_IDENTITY_DS" "XML datasource"
expect_in "$OUT" "mysql://USER@mysql.internal:3306/WSO2IS_IDENTITY_DB" "XML datasource URL"
expect_in "$OUT" "5.8.0" "database inspected too"
expect_not_in "$OUT" "xml-s3cret" "XML password never printed"

# Not a product home; malformed TOML.
run 2 inspect --home "$WORK"
expect_in "$ERR" "not a WSO2 product home" "not a home"
echo "[database.identity_db" > "$home/repository/conf/deployment.toml"
run 2 inspect --home "$home"
one_line_error "$ERR" "malformed deployment.toml"
expect_in "$ERR" "deployment.toml" "malformed TOML names the file"
finish
