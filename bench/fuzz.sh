#!/usr/bin/env bash
# Fuzzes the parsers of operator-supplied files with libFuzzer (ASan + UBSan): the JKS reader,
# the PKCS12 reader, the ciphertext decoder (base64, self-contained JSON, RSA with a fixed test
# key) and the WSO2 XML readers. Builds build-fuzz/ with clang (kept apart from the GCC build),
# makes the seed corpora (keytool and openssl keystores with the password "fuzzpass", openssl
# ciphertexts, the XML of tests/confconv/), then runs each target for SECONDS with
# -rss_limit_mb=512 and -malloc_limit_mb=256 (a single allocation above 256 MiB counts as a
# crash: nothing here is allowed to size a buffer from an untrusted length).
# Usage: bench/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 120 s, all four targets)
# Prints per target: executions, corpus size, and "no crash" or the crash files. Exit 1 when a
# target crashed. Corpora grow in build-fuzz/fuzz/corpus/<target>/ across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-120}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_jks fuzz_pkcs12 fuzz_cipher fuzz_xml)

if ! command -v clang++-14 >/dev/null; then
  echo "installing clang-14 (libFuzzer)" >&2
  apt-get install -y clang-14 >/dev/null
fi
for t in keytool openssl python3; do
  command -v "$t" >/dev/null || { echo "bench/fuzz.sh needs $t (scripts/deps.sh)" >&2; exit 2; }
done

build=build-fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCUTOVER_FUZZ=ON -DCUTOVER_BUILD_TESTS=OFF \
    $(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) >/dev/null
fi
ninja -C "$build" -j2 "${targets[@]}" >/dev/null

work=$build/fuzz
seeds=$work/seeds
export CUTOVER_FUZZ_KEY_DIR=$work/key
if [ ! -d "$seeds" ]; then
  rm -rf "$work.tmp" && mkdir -p "$work.tmp"/{key,seeds/fuzz_jks,seeds/fuzz_pkcs12,seeds/fuzz_cipher,seeds/fuzz_xml}
  tmp=$work.tmp
  pw=fuzzpass
  gen() {  # gen FILE TYPE BITS ALIAS
    keytool -genkeypair -keystore "$1" -storetype "$2" -keyalg RSA -keysize "$3" -alias "$4" \
      -storepass $pw -keypass $pw -dname "CN=$4, O=cutover fuzz" -validity 30 >/dev/null 2>&1
  }
  # JKS: a key entry, and a store with a key and a trusted certificate. The harness appends
  # the integrity digest itself, so the seeds are the files without their last 20 bytes.
  gen "$tmp/a.jks" JKS 1024 key1
  cp "$tmp/a.jks" "$tmp/b.jks"
  keytool -exportcert -keystore "$tmp/a.jks" -storepass $pw -alias key1 -file "$tmp/c.der" >/dev/null 2>&1
  keytool -importcert -noprompt -keystore "$tmp/b.jks" -storepass $pw -alias trusted \
    -file "$tmp/c.der" >/dev/null 2>&1
  for f in a b; do head -c -20 "$tmp/$f.jks" >"$tmp/seeds/fuzz_jks/$f"; done
  # PKCS12: keytool's (MAC, PBES2 bags), and openssl's without a MAC, plain and encrypted bags.
  gen "$tmp/seeds/fuzz_pkcs12/keytool.p12" PKCS12 1024 key1
  openssl pkcs12 -in "$tmp/seeds/fuzz_pkcs12/keytool.p12" -passin pass:$pw -nodes \
    -out "$tmp/kc.pem" 2>/dev/null
  openssl pkcs12 -export -in "$tmp/kc.pem" -passout pass:$pw -nomac -keypbe NONE \
    -certpbe NONE -name plain -out "$tmp/seeds/fuzz_pkcs12/plain-nomac.p12"
  openssl pkcs12 -export -in "$tmp/kc.pem" -passout pass:$pw -nomac -iter 1 -name enc \
    -out "$tmp/seeds/fuzz_pkcs12/enc-nomac.p12"
  # Ciphertexts: a fixed test key for the harness, then PKCS#1 v1.5 and OAEP values for it,
  # base64 and as self-contained JSON (the harness base64-encodes inputs starting with '{').
  openssl req -x509 -newkey rsa:1024 -nodes -keyout "$tmp/key/key.pem" -subj /CN=fuzz \
    -days 3650 -outform DER -out "$tmp/key/cert.der" 2>/dev/null
  tp=$(openssl x509 -inform DER -in "$tmp/key/cert.der" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')
  printf 'Pl41n-Userstore-P4ss!' >"$tmp/plain"
  openssl pkeyutl -encrypt -certin -inkey <(openssl x509 -inform DER -in "$tmp/key/cert.der") \
    -in "$tmp/plain" -pkeyopt rsa_padding_mode:pkcs1 | base64 -w0 >"$tmp/seeds/fuzz_cipher/pkcs1"
  openssl pkeyutl -encrypt -certin -inkey <(openssl x509 -inform DER -in "$tmp/key/cert.der") \
    -in "$tmp/plain" -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 |
    base64 -w0 >"$tmp/oaep"
  printf '{"c":"%s","t":"RSA/ECB/OAEPwithSHA1andMGF1Padding","tp":"%s","tpd":"SHA-1"}' \
    "$(sed 's/=/\\u003d/g' "$tmp/oaep")" "$tp" >"$tmp/seeds/fuzz_cipher/oaep.json"
  base64 -w0 "$tmp/seeds/fuzz_cipher/oaep.json" >"$tmp/seeds/fuzz_cipher/oaep.b64"
  # Regression: fields of another type once escaped as nlohmann's type_error.
  printf '{"c":"AAAA","t":1,"tp":[],"tpd":null}' >"$tmp/seeds/fuzz_cipher/field-types.json"
  # XML: the stock and customised IS 5.8 configurations of the config convert tests.
  for f in tests/confconv/*/repository/conf/{carbon.xml,registry.xml,user-mgt.xml,identity/identity.xml,tomcat/catalina-server.xml,datasources/master-datasources.xml}; do
    cp "$f" "$tmp/seeds/fuzz_xml/$(echo "$f" | cut -d/ -f3)-$(basename "$f")"
  done
  rm -f "$tmp"/*.jks "$tmp"/*.der "$tmp"/*.pem "$tmp/plain" "$tmp/oaep"
  mkdir -p "$work" && mv "$tmp/seeds" "$tmp/key" "$work/" && rm -rf "$tmp"
fi

crashed=0
for t in "${targets[@]}"; do
  corpus=$work/corpus/$t
  artifacts=$work/crashes/$t/
  rm -rf "$artifacts" && mkdir -p "$corpus" "$artifacts"
  log=$work/$t.log
  # -timeout 25: PKCS12 key derivation with a mutated iteration count is slow but bounded.
  dict=()
  [ ! -f "bench/fuzz/${t#fuzz_}.dict" ] || dict=(-dict="bench/fuzz/${t#fuzz_}.dict")
  set +e
  "$build/bench/fuzz/$t" "$corpus" "$seeds/$t" "${dict[@]}" -max_total_time="$secs" \
    -rss_limit_mb=512 -malloc_limit_mb=256 -timeout=25 -print_final_stats=1 \
    -artifact_prefix="$artifacts" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  files=$(find "$corpus" -type f | wc -l)
  found=$(find "$artifacts" -type f | sort | tr '\n' ' ')
  if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
    result="no crash"
  else
    result="CRASH (exit $rc): ${found:-see $log}"
    crashed=1
  fi
  printf '%-12s %8s s  %12s execs  corpus %5s files  %s\n' "$t" "$secs" "${execs:-?}" "$files" \
    "$result"
done
exit $crashed
