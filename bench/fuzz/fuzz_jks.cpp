// Fuzzes the JKS reader (secrets/jks.cpp) through Keystore::parse. The input is a JKS file
// without its trailing integrity digest: the harness appends the right SHA-1 for the fixed
// password, so mutations reach the entry parser instead of stopping at the digest check. Every
// key entry is then recovered (KeyProtector DER) and every certificate thumbprinted.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/secret.h"
#include "secrets/keystore.h"

namespace {

constexpr std::string_view kPassword = "fuzzpass";  // bench/fuzz.sh makes the seeds with it

std::string with_digest(std::string_view body) {
  std::string pw = cutover::secrets::utf16be(kPassword);
  std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
  unsigned len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, pw.data(), pw.size());
  EVP_DigestUpdate(ctx, "Mighty Aphrodite", 16);
  EVP_DigestUpdate(ctx, body.data(), body.size());
  EVP_DigestFinal_ex(ctx, d.data(), &len);
  EVP_MD_CTX_free(ctx);
  std::string out(body);
  out.append(reinterpret_cast<const char*>(d.data()), len);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes = with_digest({reinterpret_cast<const char*>(data), size});
  const cutover::Secret pw{std::string(kPassword)};
  try {
    auto ks = cutover::secrets::Keystore::parse(bytes, pw, "fuzz.jks");
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
    // Rejected with our one-line error: the expected outcome for most inputs. Anything else
    // escaping (std::bad_alloc, a library's exception) aborts and is reported as a crash.
  }
  return 0;
}
