#include "schema/fill_values.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include "core/error.h"

namespace cutover::schema {

namespace {

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
    throw Error(ErrorKind::internal, "OpenSSL digest failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{len} * 2);
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xf];
  }
  return hex;
}

}  // namespace

Rng::Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index)
    : state_(mix(mix(seed ^ 0x9e3779b97f4a7c15ULL) ^ mix(stream + 0x632be59bd9b4e019ULL)) ^
             mix(index + 0x2545f4914f6cdd1dULL)) {}

std::uint64_t Rng::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix(state_);
}

std::string uuid4(Rng& rng) {
  std::uint64_t hi = rng.next();
  std::uint64_t lo = rng.next();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff,
                     hi & 0xffff, lo >> 48, lo & 0xffffffffffffULL);
}

std::string md5_hex(std::string_view data) {
  return digest_hex(EVP_md5(), data);
}

std::string sha256_hex(std::string_view data) {
  return digest_hex(EVP_sha256(), data);
}

std::string hash_json(std::string_view token) {
  return fmt::format(R"({{"algorithm":"SHA-256","hash":"{}"}})", sha256_hex(token));
}

std::string consumer_key(Rng& rng) {
  // Base64 with '/' -> '_' and '+' -> 'f', as WSO2's OAuthUtil rewrites its random keys.
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789f_";
  std::string out;
  out.reserve(28);
  std::uint64_t bits = 0;
  int have = 0;
  while (out.size() < 28) {
    if (have < 6) {
      bits = rng.next();
      have = 64;
    }
    out += kAlphabet[bits & 63];
    bits >>= 6;
    have -= 6;
  }
  return out;
}

}  // namespace cutover::schema
