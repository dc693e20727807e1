#!/usr/bin/env bash
# needs: sqlite
# config convert over a customised IS 5.8 home (tests/confconv/is58-custom, modelled on
# reference wso2-schemas.md §4.2) against its stock pack (is58-stock): the deployment.toml
# parses (Python's tomllib, and toml++ through inspect --home) with the expected keys, names and
# units; every customised value is in the TOML or the report; secrets are never in the report;
# an existing file is never replaced without --force; a bad XML file writes nothing.
. "$(dirname "$0")/lib.sh"
FIX="$(cd "$(dirname "$0")/../confconv" && pwd)"

out="$WORK/deployment.toml"
run 0 config convert --home "$FIX/is58-custom" --baseline "$FIX/is58-stock" -o "$out" --json
report=$OUT
[ -f "$out" ] || fail "no deployment.toml written"
for s in primary-ks-S3cret internal-ks-S3cret registry-ks-S3cret admin-S3cret tls-ks-S3cret \
         regdb-S3cret identitydb-S3cret consentdb-S3cret; do
  expect_not_in "$report$ERR" "$s" "report"
done

# The TOML, read by Python's tomllib: expected keys, values, names and units.
python3 - "$out" <<'PY' || fail "deployment.toml does not hold the expected settings"
import sys, tomllib
t = tomllib.load(open(sys.argv[1], 'rb'))
def want(path, value):
    node = t
    for k in path:
        node = node[k]
    assert node == value, (path, node, value)
def absent(path):
    node = t
    for k in path[:-1]:
        node = node.get(k, {})
    assert path[-1] not in node, ("should be left at the default", path, node.get(path[-1]))
want(['server', 'hostname'], 'is.example.com')
want(['server', 'offset'], 1)
want(['server', 'default_cache_timeout'], '1h')
want(['keystore', 'primary', 'file_name'], 'example-primary.jks')  # file_name, not name
want(['keystore', 'primary', 'password'], 'primary-ks-S3cret')
want(['keystore', 'primary', 'alias'], 'primary')
want(['keystore', 'internal', 'file_name'], 'internal.p12')
want(['keystore', 'internal', 'type'], 'PKCS12')
want(['keystore', 'tls', 'file_name'], 'example-tls.jks')
want(['keystore', 'tls', 'password'], 'tls-ks-S3cret')
absent(['truststore', 'file_name'])
want(['super_admin', 'username'], 'root-admin')
want(['super_admin', 'password'], 'admin-S3cret')
absent(['super_admin', 'create_admin_account'])
want(['user_store', 'type'], 'database')
want(['user_store', 'properties', 'PasswordDigest'], 'SHA-256')
want(['user_store', 'properties', 'MaxUserNameListLength'], '500')
want(['realm_manager', 'data_source'], 'WSO2IdentityDB')
want(['session', 'timeout', 'idle_session_timeout'], '30m')
absent(['session', 'timeout', 'remember_me_session_timeout'])  # 20160 minutes = "14d"
want(['session_data', 'cleanup', 'clean_expired_session_data_in_chunks_of'], 50000)
want(['oauth', 'token_validation', 'app_access_token_validity'], '2h')
want(['oauth', 'token_validation', 'user_access_token_validity'], '2h')
want(['oauth', 'token_validation', 'refresh_token_validity'], '1410m')  # 84600 s, not 1d
absent(['oauth', 'token_validation', 'authorization_code_validity'])
want(['oauth', 'oidc', 'id_token', 'issuer'], 'https://is.example.com/oauth2/token')
for v in ('versioning_properties', 'versioning_comments', 'versioning_tags', 'versioning_ratings'):
    want(['static_configuration', v, 'enable'], True)
want(['governance_data', 'cache_id'], 'regadmin@jdbc:mysql://db.example.com:3306/WSO2IS_REG_DB')
want(['transport', 'https', 'properties', 'proxyPort'], 443)
want(['transport', 'https', 'properties', 'maxThreads'], '500')
want(['transport', 'https', 'sslHostConfig', 'properties', 'protocols'], 'TLSv1,TLSv1.1,TLSv1.2')
want(['clustering', 'membership_scheme'], 'wka')
want(['clustering', 'domain'], 'is.example.cluster')
want(['clustering', 'members'], ['10.0.0.5:4000', '10.0.0.6:4000'])
absent(['clustering', 'local_member_port'])
idb = t['database']['identity_db']
assert idb['type'] == 'mysql' and 'WSO2IS_IDENTITY_DB' in idb['url'], idb
assert idb['password'] == 'identitydb-S3cret' and idb['driver'] == 'com.mysql.jdbc.Driver', idb
assert idb['pool_options'] == {'maxActive': 80, 'defaultAutoCommit': False}, idb
assert 'validationQuery' not in idb  # SELECT 1 is what type mysql infers
assert 'WSO2IS_REG_DB' in t['database']['shared_db']['url']
ds = {d['id']: d for d in t['datasource']}
assert sorted(ds) == ['WSO2ConsentDS', 'WSO2UserDS'], ds
assert ds['WSO2UserDS']['password'] == '$secret{Datasources.WSO2_USER_DS.Password}'
assert ds['WSO2ConsentDS']['pool_options']['removeAbandoned'] is True
PY

# The same file through toml++: inspect --home reads the databases from it.
newhome="$WORK/wso2is-5.9.0"
mkdir -p "$newhome/repository/conf"
cp "$out" "$newhome/repository/conf/deployment.toml"
run 0 inspect --home "$newhome" --json
expect_in "$OUT" "WSO2IS_IDENTITY_DB" "inspect reads the converted identity_db"
expect_in "$OUT" "WSO2ConsentDS" "inspect reads the converted [[datasource]]"

# The report: exactly the customised values without a key, secrets hidden, log4j2 lines.
python3 - "$report" <<'PY' || fail "report does not list the customised values without a key"
import json, sys
r = json.loads(sys.argv[1])
un = {(u['file'], u['path']): u for u in r['unmapped']}
want = {
    ('carbon.xml', 'Server/Security/RegistryKeyStore/Password'),
    ('carbon.xml', 'Server/Security/XSSPreventionConfig/Enabled'),
    ('identity/identity.xml', 'Server/OAuth/EnableOAuthCache'),
    ('log4j.properties', 'log4j.logger.org.wso2.carbon.identity'),
    ('log4j.properties', 'log4j.logger.org.wso2.carbon.identity.oauth'),
}
assert set(un) == want, sorted(set(un) ^ want)
assert un[('carbon.xml', 'Server/Security/RegistryKeyStore/Password')]['secret'] is True
assert 'value' not in un[('carbon.xml', 'Server/Security/RegistryKeyStore/Password')]
assert un[('identity/identity.xml', 'Server/OAuth/EnableOAuthCache')]['value'] == 'false'
l = un[('log4j.properties', 'log4j.logger.org.wso2.carbon.identity.oauth')]['log4j2']
assert 'logger.org_wso2_carbon_identity_oauth.name = org.wso2.carbon.identity.oauth' in l, l
assert 'logger.org_wso2_carbon_identity_oauth.level = DEBUG' in l, l
mapped = {(m['file'], m['path']) for m in r['mapped']}
for p in [('carbon.xml', 'Server/HostName'), ('carbon.xml', 'Server/Ports/Offset'),
          ('user-mgt.xml', 'UserManager/Realm/UserStoreManager/@class'),
          ('tomcat/catalina-server.xml', "Server/Service[@name='Catalina']/Connector[@port='9443']/@proxyPort")]:
    assert p in mapped, p
PY

# Human report: secrets hidden, the log4j2 lines shown.
rm -f "$WORK/h.toml"
run 0 config convert --home "$FIX/is58-custom" --baseline "$FIX/is58-stock" -o "$WORK/h.toml"
expect_in "$OUT" "(secret, not shown)" "human report hides secrets"
expect_in "$OUT" "log4j2: logger.org_wso2_carbon_identity.level = DEBUG" "human report log4j2"
expect_not_in "$OUT" "registry-ks-S3cret" "human report"

# Never over an existing file without --force; with --force, replaced whole.
echo "keep me" > "$WORK/existing.toml"
run 2 config convert --home "$FIX/is58-custom" -o "$WORK/existing.toml"
one_line_error "$ERR" "existing output"
[ "$(cat "$WORK/existing.toml")" = "keep me" ] || fail "existing file was changed"
run 0 config convert --home "$FIX/is58-custom" -o "$WORK/existing.toml" --force
python3 -c 'import sys,tomllib; tomllib.load(open(sys.argv[1],"rb"))' "$WORK/existing.toml" ||
  fail "--force output does not parse"
# Without a baseline every value the mapping does not take is reported, saying why.
expect_in "$OUT" "no --baseline" "report without a baseline"
[ -z "$(find "$WORK" -name '.*.tmp-*')" ] || fail "temporary files left behind"

# A file that does not parse: a one-line error naming it, nothing written.
cp -r "$FIX/is58-custom" "$WORK/broken"
echo "<Server><HostName>x</Server>" > "$WORK/broken/repository/conf/carbon.xml"
run 2 config convert --home "$WORK/broken" -o "$WORK/broken.toml"
one_line_error "$ERR" "broken carbon.xml"
expect_in "$ERR" "carbon.xml" "names the file"
[ ! -e "$WORK/broken.toml" ] || fail "output written for a broken home"

finish
