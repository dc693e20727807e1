#!/usr/bin/env bash
# needs: jdk
# secrets reencrypt over a generated IS 5.8-style home (carbon.xml with KeyStore and
# InternalKeyStore, keystores made by keytool) with secondary userstores for the super tenant
# and two tenants, in both cipher forms: afterwards every password decrypts to the same
# plaintext with the internal keystore (in cutover and in openssl); a rerun is a no-op; a dry
# run, a wrong target password and one bad value leave every file as it was; kill -9 during a
# run leaves each file either old or new; the plaintexts never appear in any output.
. "$(dirname "$0")/lib.sh"
TOOLS="$(dirname "$0")/tools"

for t in keytool openssl python3; do
  command -v "$t" >/dev/null || { echo "skipped: $t not installed (scripts/deps.sh)"; exit 77; }
done

home="$WORK/wso2is-5.8.0"
sec="$home/repository/resources/security"
mkdir -p "$sec" "$home/repository/conf" "$home/repository/deployment/server/userstores" \
  "$home/repository/tenants/1/userstores" "$home/repository/tenants/2/userstores"
keytool -genkeypair -keystore "$sec/wso2carbon.jks" -storetype JKS -keyalg RSA -keysize 2048 \
  -alias wso2carbon -storepass wso2carbon -keypass wso2carbon -dname CN=primary \
  >/dev/null 2>&1 || fail "keytool primary"
keytool -genkeypair -keystore "$sec/internal.p12" -storetype PKCS12 -keyalg RSA -keysize 2048 \
  -alias internal -storepass internalpw -keypass internalpw -dname CN=internal \
  >/dev/null 2>&1 || fail "keytool internal"
keytool -exportcert -rfc -keystore "$sec/wso2carbon.jks" -alias wso2carbon -storepass wso2carbon \
  -file "$WORK/primary.pem" >/dev/null 2>&1
openssl pkcs12 -in "$sec/internal.p12" -nocerts -nodes -passin pass:internalpw \
  -out "$WORK/internal.key.pem" 2>/dev/null || fail "openssl internal key"
cat > "$home/repository/conf/carbon.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1"?>
<Server xmlns="http://wso2.org/projects/carbon/carbon.xml">
    <Name>WSO2 Identity Server</Name>
    <Version>5.8.0</Version>
    <Security>
        <KeyStore>
            <Location>${carbon.home}/repository/resources/security/wso2carbon.jks</Location>
            <Type>JKS</Type>
            <Password>wso2carbon</Password>
            <KeyAlias>wso2carbon</KeyAlias>
            <KeyPassword>wso2carbon</KeyPassword>
        </KeyStore>
        <InternalKeyStore>
            <Location>${carbon.home}/repository/resources/security/internal.p12</Location>
            <Type>PKCS12</Type>
            <Password>internalpw</Password>
            <KeyAlias>internal</KeyAlias>
            <KeyPassword>internalpw</KeyPassword>
        </InternalKeyStore>
    </Security>
</Server>
XML

legacy() {  # legacy PLAINTEXT: base64 RSA PKCS#1 v1.5 for the primary key (IS <= 5.4)
  printf '%s' "$1" | openssl pkeyutl -encrypt -certin -inkey "$WORK/primary.pem" \
    -pkeyopt rsa_padding_mode:pkcs1 | base64 -w0
}
oaep() {  # oaep PLAINTEXT: the self-contained form for the primary key (IS 5.5-5.9)
  printf '%s' "$1" | openssl pkeyutl -encrypt -certin -inkey "$WORK/primary.pem" \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1 \
    -out "$WORK/raw.bin"
  python3 "$TOOLS/self_contained.py" "$WORK/raw.bin" "$WORK/primary.pem"
}
jdbc_store() {  # jdbc_store FILE DOMAIN VALUE
  cat > "$1" <<XML
<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<UserStoreManager class="org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager">
    <Property name="url">jdbc:mysql://db:3306/$2</Property>
    <Property name="userName">wso2</Property>
    <Property encrypted="true" name="password">$3</Property>
    <Property name="driverName">com.mysql.jdbc.Driver</Property>
    <Property name="Disabled">false</Property>
    <Property name="DomainName">$2</Property>
</UserStoreManager>
XML
}
ldap_store() {  # ldap_store FILE DOMAIN VALUE
  cat > "$1" <<XML
<UserStoreManager class="org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager">
  <Property name="ConnectionURL">ldap://ldap:389</Property>
  <Property name="ConnectionName">uid=admin,ou=system</Property>
  <Property name="ConnectionPassword" encrypted="true">
      $3
  </Property>
  <Property name="DomainName">$2</Property>
</UserStoreManager>
XML
}
us="repository/deployment/server/userstores"
declare -A want
want["$us/wso2_com.xml"]='jdbc-Super-S3cret'
want["$us/ldap_example_org.xml"]='ldap-Super-S3cret'
want["repository/tenants/1/userstores/t1_com.xml"]='tenant1-S3cret'
want["repository/tenants/2/userstores/t2_com.xml"]='tenant2-S3cret'
jdbc_store "$home/$us/wso2_com.xml" wso2.com "$(legacy 'jdbc-Super-S3cret')"
ldap_store "$home/$us/ldap_example_org.xml" ldap.example.org "$(oaep 'ldap-Super-S3cret')"
jdbc_store "$home/repository/tenants/1/userstores/t1_com.xml" t1.com "$(oaep 'tenant1-S3cret')"
ldap_store "$home/repository/tenants/2/userstores/t2_com.xml" t2.com "$(legacy 'tenant2-S3cret')"
snapshot() { (cd "$home" && find repository -type f -name '*.xml' -path '*userstores*' | sort | xargs sha1sum); }
before=$(snapshot)

no_plaintext() {  # no_plaintext TEXT WHAT
  for p in "${want[@]}"; do
    expect_not_in "$1" "$p" "$2: plaintext"
  done
}

# Dry run: everything decided and verified, nothing written.
run 0 secrets reencrypt --home "$home" --dry-run
expect_in "$OUT" "4 encrypted properties, 4 re-encrypted (dry run: nothing written)" "dry run"
no_plaintext "$OUT$ERR" "dry run"
[ "$(snapshot)" = "$before" ] || fail "dry run changed a file"

# A wrong target password: nothing written.
OUT=$(CUTOVER_TARGET_KEYSTORE_PASSWORD=wrong "$CUTOVER" secrets reencrypt --home "$home" 2>"$WORK/stderr")
RC=$?
ERR=$(cat "$WORK/stderr")
[ "$RC" != 0 ] || fail "wrong target password accepted"
one_line_error "$ERR" "wrong target password"
expect_in "$ERR" "internal.p12" "wrong target password names the keystore"
[ "$(snapshot)" = "$before" ] || fail "a failed run changed a file"

# One value encrypted for another key: the run fails naming it, and nothing is written, also
# not the files before it.
cp "$home/repository/tenants/2/userstores/t2_com.xml" "$WORK/t2.keep"
openssl genrsa -out "$WORK/stray.key" 2048 2>/dev/null
printf '%s' 'stray' | openssl pkeyutl -encrypt -inkey "$WORK/stray.key" \
  -pkeyopt rsa_padding_mode:pkcs1 | base64 -w0 > "$WORK/stray.b64"
ldap_store "$home/repository/tenants/2/userstores/t2_com.xml" t2.com "$(cat "$WORK/stray.b64")"
mid=$(snapshot)
run 1 secrets reencrypt --home "$home"
one_line_error "$ERR" "value for another key"
expect_in "$ERR" "ConnectionPassword of repository/tenants/2/userstores/t2_com.xml" "names the value"
[ "$(snapshot)" = "$mid" ] || fail "a run with one bad value changed a file"
cp "$WORK/t2.keep" "$home/repository/tenants/2/userstores/t2_com.xml"

# The real run.
run 0 secrets reencrypt --home "$home" --json
no_plaintext "$OUT$ERR" "reencrypt"
[ "$(json_get "$OUT" 'len(j["written"])')" = 4 ] || fail "expected 4 files written: $OUT"
[ "$(json_get "$OUT" 'sum(1 for p in j["properties"] if p["changed"])')" = 4 ] || fail "changed: $OUT"
[ "$(json_get "$OUT" 'sorted(p["was"] for p in j["properties"])')" = "['pkcs1', 'pkcs1', 'self-contained', 'self-contained']" ] ||
  fail "forms seen: $OUT"
internal_tp=$(json_get "$OUT" 'j["to_thumbprint"]')
for f in "${!want[@]}"; do
  [ -f "$home/$f.cutover-backup" ] || fail "no backup of $f"
  value=$(python3 - "$home/$f" <<'PY'
import sys, xml.etree.ElementTree as ET
for p in ET.parse(sys.argv[1]).getroot():
    if p.get('encrypted') == 'true':
        print(p.text.strip())
PY
)
  got=$(printf '%s' "$value" | CUTOVER_KEYSTORE_PASSWORD=internalpw "$CUTOVER" secrets decrypt \
    --keystore "$sec/internal.p12" 2>&1)
  [ "$got" = "${want[$f]}" ] || fail "$f does not decrypt with the internal keystore: $got"
  json=$(printf '%s' "$value" | base64 -d)
  expect_in "$json" "\"tp\":\"$internal_tp\"" "$f thumbprint"
  got=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["c"])' "$json" | base64 -d |
    openssl pkeyutl -decrypt -inkey "$WORK/internal.key.pem" -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1)
  [ "$got" = "${want[$f]}" ] || fail "$f does not decrypt in openssl"
  # Only the value changed: the rest of the file keeps its bytes.
  diff <(grep -v 'encrypted="true"' "$home/$f.cutover-backup" | grep -v '^ *[A-Za-z0-9+/=]\{40,\} *$') \
       <(grep -v 'encrypted="true"' "$home/$f" | grep -v '^ *[A-Za-z0-9+/=]\{40,\} *$') >/dev/null ||
    fail "$f changed beyond its encrypted value"
done
after=$(snapshot)

# A rerun is a no-op.
run 0 secrets reencrypt --home "$home"
expect_in "$OUT" "4 encrypted properties, 0 re-encrypted, 0 files replaced" "rerun"
[ "$(snapshot)" = "$after" ] || fail "a rerun changed a file"

# kill -9 during a run, once it has begun replacing files: each file is either old or new, and
# a rerun finishes the job.
bulk_value=$(legacy 'bulk-S3cret')
for i in $(seq 1 150); do
  jdbc_store "$home/repository/tenants/1/userstores/bulk_$i.xml" "bulk$i.com" "$bulk_value"
done
cp "$home/repository/tenants/1/userstores/bulk_1.xml" "$WORK/bulk.old"
"$CUTOVER" secrets reencrypt --home "$home" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  [ -n "$(find "$home/repository/tenants/1/userstores" -name 'bulk_*.cutover-backup' -print -quit)" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.02
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
counts=$(python3 - "$home/repository/tenants/1/userstores" "$WORK/bulk.old" "$internal_tp" <<'PY'
import base64, glob, json, sys, xml.etree.ElementTree as ET
folder, old_file, tp = sys.argv[1:]
old = open(old_file, 'rb').read()
n_old = n_new = 0
for f in sorted(glob.glob(folder + '/bulk_*.xml')):
    b = open(f, 'rb').read()
    if b == old.replace(b'bulk1.com', ('bulk%s.com' % f.rsplit('_', 1)[1][:-4]).encode()):
        n_old += 1
        continue
    # New: parses, and its value is self-contained for the internal key.
    v = [p.text for p in ET.parse(f).getroot() if p.get('encrypted') == 'true'][0]
    assert json.loads(base64.b64decode(v))['tp'] == tp, f
    n_new += 1
print(n_old, n_new)
PY
) || fail "a file is neither old nor a complete new file after kill -9"
echo "after kill -9: old and new files: $counts"
[ "$(echo "$counts" | awk '{print $1 + $2}')" = 150 ] || fail "counted $counts of 150 files"
# A temporary file a kill leaves behind is hidden (.NAME.xml.tmp-*), never another *.xml the
# server would load.
[ "$(find "$home/repository" -name '*.xml' | grep -c -v -E '/(bulk_[0-9]+|wso2_com|ldap_example_org|t1_com|t2_com)\.xml$')" = 1 ] ||
  fail "an unexpected .xml file appeared after kill -9"
run 0 secrets reencrypt --home "$home" --json
for i in 7 77 150; do
  f="$home/repository/tenants/1/userstores/bulk_$i.xml"
  v=$(sed -n 's/.*encrypted="true" name="password">\([^<]*\)<.*/\1/p' "$f")
  got=$(printf '%s' "$v" | CUTOVER_KEYSTORE_PASSWORD=internalpw "$CUTOVER" secrets decrypt \
    --keystore "$sec/internal.p12" 2>&1)
  [ "$got" = "bulk-S3cret" ] || fail "bulk_$i after the rerun: $got"
done

# The same keystores named by a deployment.toml (IS 5.9+), which wins over carbon.xml: a rerun
# finds every value already for the internal key.
cat > "$home/repository/conf/deployment.toml" <<'TOML'
[keystore.primary]
file_name = "wso2carbon.jks"
password = "wso2carbon"

[keystore.internal]
file_name = "internal.p12"
type = "PKCS12"
alias = "internal"
password = "$secret{internal_keystore}"
TOML
run 2 secrets reencrypt --home "$home"
one_line_error "$ERR" "vault-protected target password"
expect_in "$ERR" "no password for the internal keystore" "names the missing password"
OUT=$(CUTOVER_TARGET_KEYSTORE_PASSWORD=internalpw "$CUTOVER" secrets reencrypt --home "$home" 2>&1)
expect_in "$OUT" "154 encrypted properties, 0 re-encrypted, 0 files replaced" "deployment.toml home"

finish
