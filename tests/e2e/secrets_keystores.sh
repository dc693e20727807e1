#!/usr/bin/env bash
# needs: jdk
# secrets decrypt/encrypt over real keystores made by keytool (JKS and PKCS12, RSA 2048 and
# 4096): values encrypted by openssl and by the JDK's own Cipher (PKCS#1 v1.5 and the
# self-contained OAEP form, as WSO2's CryptoUtil writes it) decrypt; ours decrypt in openssl and
# in Java; a wrong store or key password, a truncated and a tampered keystore each give a
# one-line error; the plaintext never appears in output other than decrypt's stdout.
. "$(dirname "$0")/lib.sh"
TOOLS="$(dirname "$0")/tools"

for t in keytool java openssl python3; do
  command -v "$t" >/dev/null || { echo "skipped: $t not installed (scripts/deps.sh)"; exit 77; }
done

ks="$WORK/ks"
mkdir -p "$ks"
gen() {  # gen FILE TYPE BITS ALIAS STOREPASS KEYPASS
  keytool -genkeypair -keystore "$1" -storetype "$2" -keyalg RSA -keysize "$3" -alias "$4" \
    -storepass "$5" -keypass "$6" -dname "CN=$4, O=cutover test" -validity 30 >/dev/null 2>&1 ||
    fail "keytool could not create $1"
}
gen "$ks/wso2carbon.jks" JKS 2048 wso2carbon wso2carbon wso2carbon
gen "$ks/internal.jks" JKS 4096 internal 'störe-pässword' 'störe-pässword'
gen "$ks/otherkey.jks" JKS 2048 other storepw keypw-differs
gen "$ks/wso2carbon.p12" PKCS12 2048 wso2carbon p12pass p12pass
gen "$ks/big.p12" PKCS12 4096 big p12pass p12pass

# The certificate and private key of each store, for openssl.
pem() {  # pem STORE TYPE ALIAS PASS -> STORE.cert.pem, STORE.key.pem
  local p12=$1 pass=$4
  if [ "$2" = JKS ]; then  # openssl reads PKCS12 only: one keytool run converts
    p12="$1.export.p12"
    pass=exportpw
    keytool -importkeystore -srckeystore "$1" -srcstoretype JKS -srcstorepass "$4" \
      -srcalias "$3" -srckeypass "$4" -destkeystore "$p12" -deststoretype PKCS12 \
      -deststorepass "$pass" -destkeypass "$pass" >/dev/null 2>&1 || fail "export key of $1"
  fi
  openssl pkcs12 -in "$p12" -nokeys -clcerts -passin "pass:$pass" 2>/dev/null |
    openssl x509 -out "$1.cert.pem" || fail "openssl cert of $1"
  openssl pkcs12 -in "$p12" -nocerts -nodes -passin "pass:$pass" -out "$1.key.pem" 2>/dev/null ||
    fail "openssl key of $1"
}
pem "$ks/wso2carbon.jks" JKS wso2carbon wso2carbon
pem "$ks/internal.jks" JKS internal 'störe-pässword'
pem "$ks/wso2carbon.p12" PKCS12 wso2carbon p12pass
pem "$ks/big.p12" PKCS12 big p12pass

plain='Pl41n-Userstore-P4ss!'

# decrypt_with STORE STOREPASS VALUE [ARGS...]: runs cutover secrets decrypt, value on stdin.
decrypt_with() {
  local store=$1 pass=$2 value=$3
  shift 3
  OUT=$(printf '%s' "$value" | CUTOVER_KEYSTORE_PASSWORD="$pass" "$CUTOVER" secrets decrypt \
    --keystore "$store" "$@" 2>"$WORK/stderr")
  RC=$?
  ERR=$(cat "$WORK/stderr")
}
encrypt_with() {
  local store=$1 pass=$2
  shift 2
  OUT=$(printf '%s' "$plain" | CUTOVER_KEYSTORE_PASSWORD="$pass" "$CUTOVER" secrets encrypt \
    --keystore "$store" "$@" 2>"$WORK/stderr")
  RC=$?
  ERR=$(cat "$WORK/stderr")
}

# Self-contained form around a raw RSA ciphertext file, as Gson writes it.
self_contained() {  # self_contained RAWFILE CERTPEM
  python3 "$TOOLS/self_contained.py" "$1" "$2"
}

for spec in "wso2carbon.jks|wso2carbon" "internal.jks|störe-pässword" "wso2carbon.p12|p12pass" \
            "big.p12|p12pass"; do
  store="$ks/${spec%%|*}"
  pass="${spec#*|}"
  name=$(basename "$store")
  # openssl -> ours, PKCS#1 v1.5 (legacy form).
  printf '%s' "$plain" | openssl pkeyutl -encrypt -certin -inkey "$store.cert.pem" \
    -pkeyopt rsa_padding_mode:pkcs1 -out "$WORK/raw.bin" || fail "openssl pkcs1 encrypt"
  decrypt_with "$store" "$pass" "$(base64 -w0 "$WORK/raw.bin")"
  [ "$RC" = 0 ] && [ "$OUT" = "$plain" ] || fail "$name: openssl PKCS#1 value did not decrypt: $ERR"
  # openssl -> ours, OAEP SHA-1/MGF1 in the self-contained form.
  printf '%s' "$plain" | openssl pkeyutl -encrypt -certin -inkey "$store.cert.pem" \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1 \
    -out "$WORK/raw.bin" || fail "openssl oaep encrypt"
  decrypt_with "$store" "$pass" "$(self_contained "$WORK/raw.bin" "$store.cert.pem")"
  [ "$RC" = 0 ] && [ "$OUT" = "$plain" ] || fail "$name: openssl OAEP value did not decrypt: $ERR"
  # ours -> openssl, both forms.
  encrypt_with "$store" "$pass" --format pkcs1
  [ "$RC" = 0 ] || fail "$name: encrypt pkcs1: $ERR"
  expect_not_in "$OUT$ERR" "$plain" "$name: encrypt output"
  got=$(printf '%s' "$OUT" | base64 -d | openssl pkeyutl -decrypt -inkey "$store.key.pem" \
    -pkeyopt rsa_padding_mode:pkcs1)
  [ "$got" = "$plain" ] || fail "$name: our PKCS#1 value did not decrypt in openssl"
  encrypt_with "$store" "$pass"
  [ "$RC" = 0 ] || fail "$name: encrypt self-contained: $ERR"
  expect_not_in "$OUT$ERR" "$plain" "$name: encrypt output"
  json=$(printf '%s' "$OUT" | base64 -d)
  expect_in "$json" '"t":"RSA/ECB/OAEPwithSHA1andMGF1Padding"' "$name: self-contained t"
  expect_in "$json" '\u003d' "$name: Gson escapes '=' in c"
  tp=$(openssl x509 -in "$store.cert.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :)
  expect_in "$json" "\"tp\":\"$tp\",\"tpd\":\"SHA-1\"}" "$name: thumbprint"
  got=$(python3 -c 'import json,sys,base64; print(json.loads(sys.argv[1])["c"])' "$json" |
    base64 -d | openssl pkeyutl -decrypt -inkey "$store.key.pem" -pkeyopt rsa_padding_mode:oaep \
    -pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1)
  [ "$got" = "$plain" ] || fail "$name: our self-contained value did not decrypt in openssl"
done

# The JDK's own Cipher, as WSO2's code runs it, both ways (JKS and PKCS12).
javac -d "$WORK/java" "$TOOLS/WsoCipher.java" || fail "javac WsoCipher.java"
for spec in "wso2carbon.jks|wso2carbon|wso2carbon" "wso2carbon.p12|p12pass|wso2carbon"; do
  IFS='|' read -r file pass alias <<<"$spec"
  store="$ks/$file"
  mode=pkcs1
  while read -r value; do
    decrypt_with "$store" "$pass" "$value"
    [ "$RC" = 0 ] && [ "$OUT" = "$plain" ] || fail "$file: the JDK's $mode value did not decrypt: $ERR"
    mode=oaep
  done < <(java -cp "$WORK/java" WsoCipher encrypt "$store" "$pass" "$alias" "$plain")
  [ "$mode" = oaep ] || fail "$file: the JDK encrypted nothing"
  encrypt_with "$store" "$pass" --format pkcs1
  ours_pkcs1=$OUT
  encrypt_with "$store" "$pass" --format self-contained
  got=$(java -cp "$WORK/java" WsoCipher decrypt "$store" "$pass" "$alias" "$pass" "$ours_pkcs1" "$OUT")
  [ "$got" = "$plain"$'\n'"$plain" ] || fail "$file: our values did not decrypt in the JDK: $got"
done

# A key password that differs from the store password (JKS allows it).
printf '%s' "$plain" | openssl pkeyutl -encrypt -certin -inkey "$ks/wso2carbon.jks.cert.pem" \
  -pkeyopt rsa_padding_mode:pkcs1 -out "$WORK/raw.bin"
other_value=$(printf '%s' "$plain" | CUTOVER_KEYSTORE_PASSWORD=storepw "$CUTOVER" secrets encrypt \
  --keystore "$ks/otherkey.jks" --format pkcs1)
OUT=$(printf '%s' "$other_value" | CUTOVER_KEYSTORE_PASSWORD=storepw CUTOVER_KEY_PASSWORD=keypw-differs \
  "$CUTOVER" secrets decrypt --keystore "$ks/otherkey.jks" 2>"$WORK/stderr")
[ "$OUT" = "$plain" ] || fail "separate key password: $(cat "$WORK/stderr")"

# Errors: one line and a hint, exit non-zero, no plaintext anywhere.
value=$(base64 -w0 "$WORK/raw.bin")
check_error() {  # check_error WHAT NEEDLE
  [ "$RC" != 0 ] || fail "$1: expected failure"
  one_line_error "$ERR" "$1"
  expect_in "$ERR" "$2" "$1"
  expect_not_in "$OUT$ERR" "$plain" "$1: plaintext"
}
decrypt_with "$ks/wso2carbon.jks" wrong-password "$value"
check_error "wrong JKS store password" "integrity check failed"
decrypt_with "$ks/wso2carbon.p12" wrong-password "$value"
check_error "wrong PKCS12 store password" "integrity check failed"
OUT=$(printf '%s' "$other_value" | CUTOVER_KEYSTORE_PASSWORD=storepw "$CUTOVER" secrets decrypt \
  --keystore "$ks/otherkey.jks" 2>"$WORK/stderr")
RC=$?
ERR=$(cat "$WORK/stderr")
check_error "wrong JKS key password" "wrong key password"
decrypt_with "$ks/internal.jks" 'störe-pässword' "$value"
check_error "value for another key" "does not decrypt with this key"
decrypt_with "$ks/wso2carbon.jks" wso2carbon "not*base64"
check_error "not base64" "not valid"
decrypt_with "$ks/wso2carbon.jks" wso2carbon "$value" --alias nosuch
check_error "unknown alias" "no entry 'nosuch'"
# A self-contained value for another certificate names both thumbprints.
printf '%s' "$plain" | openssl pkeyutl -encrypt -certin -inkey "$ks/internal.jks.cert.pem" \
  -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1 -out "$WORK/i.bin"
decrypt_with "$ks/wso2carbon.jks" wso2carbon "$(self_contained "$WORK/i.bin" "$ks/internal.jks.cert.pem")"
check_error "thumbprint mismatch" "thumbprint"

# Truncated and tampered keystores: every cut and a flipped byte at several places.
for file in wso2carbon.jks wso2carbon.p12; do
  src="$ks/$file"
  pass=wso2carbon
  [ "$file" = wso2carbon.p12 ] && pass=p12pass
  size=$(stat -c %s "$src")
  for cut in 0 3 4 11 12 20 40 100 $((size / 2)) $((size - 21)) $((size - 20)) $((size - 1)); do
    head -c "$cut" "$src" > "$WORK/cut.$file"
    decrypt_with "$WORK/cut.$file" "$pass" "$value"
    [ "$RC" != 0 ] || fail "$file cut at $cut bytes was accepted"
    one_line_error "$ERR" "$file cut at $cut"
  done
  for at in 30 $((size / 3)) $((size / 2)) $((size - 10)); do
    cp "$src" "$WORK/bad.$file"
    python3 - "$WORK/bad.$file" "$at" <<'PY'
import sys
p, at = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read()); b[at] ^= 0x01; open(p, 'wb').write(b)
PY
    decrypt_with "$WORK/bad.$file" "$pass" "$value"
    [ "$RC" != 0 ] || fail "$file with byte $at flipped was accepted"
    one_line_error "$ERR" "$file tampered at $at"
    expect_not_in "$OUT" "$plain" "$file tampered at $at"
  done
done
# A JCEKS store is named, not misread.
keytool -genkeypair -keystore "$ks/x.jceks" -storetype JCEKS -keyalg RSA -keysize 2048 -alias x \
  -storepass jcekspw -keypass jcekspw -dname CN=x >/dev/null 2>&1
decrypt_with "$ks/x.jceks" jcekspw "$value"
check_error "JCEKS" "JCEKS"

# --help says which forms are handled, and that AES-GCM is not.
run 0 secrets reencrypt --help
expect_in "$OUT" "AES-GCM values (IS 5.11+, symmetric" "reencrypt --help names AES-GCM as not handled"

finish
