#include "secrets/cipher.h"

#include <array>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "core/echo.h"
#include "core/error.h"

namespace cutover::secrets {

const char* to_string(CipherForm form) {
  return form == CipherForm::pkcs1 ? "pkcs1" : "self-contained";
}

namespace {

// Longest stored value accepted: a 16384-bit RSA ciphertext in the JSON, twice base64.
constexpr std::size_t kMaxValueBytes = 16384;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

[[noreturn]] void bad_value(std::string_view what) {
  throw Error(ErrorKind::config, fmt::format("the encrypted value is not valid: {}", what),
              "give the value exactly as it stands in the file (base64)");
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string upper(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

enum class Padding { pkcs1, oaep_sha1 };

Padding padding_for(std::string_view t) {
  if (iequals(t, "RSA") || iequals(t, "RSA/ECB/PKCS1Padding")) {
    return Padding::pkcs1;
  }
  if (iequals(t, kOaepTransformation)) {
    return Padding::oaep_sha1;
  }
  throw Error(ErrorKind::unsupported,
              fmt::format("cipher transformation '{}' is not supported", echo(t, 60)),
              "cutover reads RSA PKCS#1 v1.5 and RSA/ECB/OAEPwithSHA1andMGF1Padding; AES-GCM "
              "values (IS 5.11+) are not handled");
}

using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

bool set_padding(EVP_PKEY_CTX* ctx, Padding p) {
  if (p == Padding::pkcs1) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
      return false;
    }
    // OpenSSL 3.2+ answers a failed PKCS#1 v1.5 check with random bytes (implicit
    // rejection); we need the failure to name a wrong key. Older versions lack the switch.
    EVP_PKEY_CTX_ctrl_str(ctx, "rsa_pkcs1_implicit_rejection", "0");
    ERR_clear_error();
    return true;
  }
  return EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(ctx, EVP_sha1()) > 0 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, EVP_sha1()) > 0;
}

std::string json_escape_gson(std::string_view s) {
  // Gson escapes HTML-significant characters by default; base64 only has '='.
  std::string out;
  for (char c : s) {
    switch (c) {
      case '=':
        out += "\\u003d";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        out += c;
    }
  }
  return out;
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16U) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8U) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += kAlphabet[(v >> 6U) & 63U];
    out += kAlphabet[v & 63U];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16U;
    if (i + 1 < bytes.size()) {
      v |= static_cast<unsigned char>(bytes[i + 1]) << 8U;
    }
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string clean;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    clean += c;
  }
  if (clean.empty() || clean.size() % 4 != 0) {
    bad_value("its base64 length is not a multiple of 4");
  }
  std::string out;
  out.reserve(clean.size() / 4 * 3);
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    unsigned v = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = clean[i + k];
      unsigned d = 0;
      if (c == '=' && i + 4 == clean.size() && k >= 2) {
        ++pad;
      } else {
        std::size_t pos = kAlphabet.find(c);
        if (pos == std::string_view::npos || pad > 0) {
          bad_value("it holds a character outside base64");
        }
        d = static_cast<unsigned>(pos);
      }
      v = (v << 6U) | d;
    }
    out += static_cast<char>((v >> 16U) & 0xFFU);
    if (pad < 2) {
      out += static_cast<char>((v >> 8U) & 0xFFU);
    }
    if (pad < 1) {
      out += static_cast<char>(v & 0xFFU);
    }
  }
  return out;
}

CipherInfo inspect_ciphertext(std::string_view base64_value) {
  if (base64_value.size() > kMaxValueBytes) {
    bad_value(fmt::format("longer than {} bytes", kMaxValueBytes));
  }
  std::string bytes = base64_decode(base64_value);
  CipherInfo info;
  // Decryptors in WSO2 tell the forms apart by trying to parse JSON; RSA ciphertext bytes
  // start with '{' (0x7B) by chance once in 256 values, so a JSON object without `c` is only
  // treated as legacy when it does not parse at all.
  if (!bytes.empty() && bytes[0] == '{') {
    nlohmann::json j = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (j.is_object()) {
      if (!j.contains("c") || !j["c"].is_string()) {
        bad_value("a self-contained value without its ciphertext field c");
      }
      // json::value() throws nlohmann's type_error for a field of another type (found by
      // bench/fuzz.sh): check each type first so a damaged value is our config error.
      for (const char* field : {"t", "tp", "tpd"}) {
        if (j.contains(field) && !j[field].is_string()) {
          bad_value(fmt::format("its field {} is not a string", field));
        }
      }
      info.form = CipherForm::self_contained;
      info.raw = base64_decode(j["c"].get<std::string>());
      info.transformation = j.value("t", std::string(kOaepTransformation));
      info.thumbprint = upper(j.value("tp", std::string()));
      info.thumbprint_digest = j.value("tpd", std::string("SHA-1"));
      padding_for(info.transformation);
      return info;
    }
  }
  info.form = CipherForm::pkcs1;
  info.transformation = "RSA";
  info.raw = std::move(bytes);
  return info;
}

Secret decrypt(std::string_view base64_value, EVP_PKEY* key, std::string_view cert_der) {
  CipherInfo info = inspect_ciphertext(base64_value);
  if (!info.thumbprint.empty()) {
    std::string ours = thumbprint(cert_der, info.thumbprint_digest);
    if (ours != info.thumbprint) {
      throw Error(ErrorKind::config,
                  fmt::format("the value was encrypted for the certificate with {} thumbprint "
                              "{}, not this key's {}",
                              echo(info.thumbprint_digest, 20), echo(info.thumbprint, 130), ours),
                  "use the keystore (or --alias) whose certificate has that thumbprint");
    }
  }
  Padding pad = padding_for(info.transformation);
  CtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr), EVP_PKEY_CTX_free);
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 || !set_padding(ctx.get(), pad) ||
      EVP_PKEY_decrypt(ctx.get(), nullptr, &len,
                       reinterpret_cast<const unsigned char*>(info.raw.data()),
                       info.raw.size()) <= 0) {
    ERR_clear_error();
    throw Error(ErrorKind::config, "the key is not an RSA key that can decrypt this value",
                "WSO2's keystores hold RSA keys; name the right entry with --alias");
  }
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                       reinterpret_cast<const unsigned char*>(info.raw.data()),
                       info.raw.size()) <= 0) {
    ERR_clear_error();
    OPENSSL_cleanse(out.data(), out.size());
    throw Error(ErrorKind::auth,
                fmt::format("the value does not decrypt with this key ({} padding check failed)",
                            pad == Padding::pkcs1 ? "PKCS#1 v1.5" : "OAEP"),
                "it was encrypted for another key: use that keystore or --alias");
  }
  out.resize(len);
  return Secret(std::move(out));
}

std::string encrypt(const Secret& plaintext, std::string_view cert_der, CipherForm form) {
  const auto* p = reinterpret_cast<const unsigned char*>(cert_der.data());
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(cert_der.size())));
  EVP_PKEY* pub = cert ? X509_get0_pubkey(cert.get()) : nullptr;
  if (pub == nullptr || EVP_PKEY_get_base_id(pub) != EVP_PKEY_RSA) {
    ERR_clear_error();
    throw Error(ErrorKind::config, "the target certificate holds no RSA public key",
                "WSO2's keystores hold RSA keys; name the right entry with --alias");
  }
  Padding pad = form == CipherForm::pkcs1 ? Padding::pkcs1 : Padding::oaep_sha1;
  CtxPtr ctx(EVP_PKEY_CTX_new(pub, nullptr), EVP_PKEY_CTX_free);
  const auto* in = reinterpret_cast<const unsigned char*>(plaintext.reveal().data());
  std::size_t len = 0;
  if (!ctx || EVP_PKEY_encrypt_init(ctx.get()) <= 0 || !set_padding(ctx.get(), pad) ||
      EVP_PKEY_encrypt(ctx.get(), nullptr, &len, in, plaintext.reveal().size()) <= 0) {
    ERR_clear_error();
    throw Error(ErrorKind::internal, "RSA encryption could not start in OpenSSL");
  }
  std::string raw(len, '\0');
  if (EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char*>(raw.data()), &len, in,
                       plaintext.reveal().size()) <= 0) {
    ERR_clear_error();
    throw Error(ErrorKind::config, "the value is too long for one RSA block of this key",
                "WSO2 encrypts passwords in one RSA block too: a shorter value is needed");
  }
  raw.resize(len);
  if (form == CipherForm::pkcs1) {
    return base64_encode(raw);
  }
  std::string json = fmt::format(R"({{"c":"{}","t":"{}","tp":"{}","tpd":"SHA-1"}})",
                                 json_escape_gson(base64_encode(raw)), kOaepTransformation,
                                 thumbprint(cert_der, "SHA-1"));
  return base64_encode(json);
}

}  // namespace cutover::secrets
