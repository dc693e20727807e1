// Fuzzes the ciphertext decoder (secrets/cipher.cpp): base64, the self-contained JSON
// {c, t, tp, tpd} and RSA decryption with a fixed test key, so the thumbprint check and both
// padding paths run. An input starting with '{' is JSON and is base64-encoded first (base64
// never starts with '{'), so mutations work on the JSON structure directly. The key and
// certificate come from $CUTOVER_FUZZ_KEY_DIR/{key.pem,cert.der}, written by bench/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/error.h"
#include "secrets/cipher.h"

namespace {

cutover::secrets::PrivateKey g_key;
std::string g_cert;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  const char* dir = std::getenv("CUTOVER_FUZZ_KEY_DIR");
  if (dir == nullptr) {
    std::fprintf(stderr, "fuzz_cipher: set CUTOVER_FUZZ_KEY_DIR (bench/fuzz.sh does)\n");
    std::exit(2);
  }
  std::string d(dir);
  FILE* f = std::fopen((d + "/key.pem").c_str(), "r");
  if (f != nullptr) {
    g_key.reset(PEM_read_PrivateKey(f, nullptr, nullptr, nullptr));
    std::fclose(f);
  }
  std::ifstream in(d + "/cert.der", std::ios::binary);
  g_cert.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!g_key || g_cert.empty()) {
    std::fprintf(stderr, "fuzz_cipher: no key.pem/cert.der in %s\n", dir);
    std::exit(2);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string value(reinterpret_cast<const char*>(data), size);
  if (!value.empty() && value[0] == '{') {
    value = cutover::secrets::base64_encode(value);
  }
  try {
    (void)cutover::secrets::inspect_ciphertext(value);
    (void)cutover::secrets::decrypt(value, g_key.get(), g_cert);
  } catch (const cutover::Error&) {
    // Rejected with our one-line error; anything else escaping aborts as a crash.
  }
  return 0;
}
