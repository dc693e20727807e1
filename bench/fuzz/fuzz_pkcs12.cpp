// Fuzzes the PKCS12 keystore reader (Keystore::parse -> parse_pkcs12 over OpenSSL) with a fixed
// store password, then recovers each key entry with it. Seeds without a MAC and with plain bags
// (bench/fuzz.sh) let mutations reach the bag walk; seeds from keytool cover the MAC and PBE
// paths.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/secret.h"
#include "secrets/keystore.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const cutover::Secret pw{std::string("fuzzpass")};
  try {
    auto ks = cutover::secrets::Keystore::parse({reinterpret_cast<const char*>(data), size}, pw,
                                                "fuzz.p12");
    for (const auto& e : ks.entries()) {
      for (const auto& c : e.chain_der) {
        (void)cutover::secrets::thumbprint(c);
      }
      if (e.protection != cutover::secrets::KeyProtection::none) {
        try {
          (void)ks.private_key(e.alias, pw);
        } catch (const cutover::Error&) {
        }
      }
    }
  } catch (const cutover::Error&) {
    // Rejected with our one-line error; anything else escaping aborts as a crash.
  }
  return 0;
}
