#include "secrets/keystore.h"

#include <array>
#include <cctype>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "core/echo.h"
#include "core/error.h"
#include "secrets/jks.h"

namespace cutover::secrets {

void PkeyFree::operator()(EVP_PKEY* k) const {
  EVP_PKEY_free(k);
}

const char* to_string(KeystoreType type) {
  return type == KeystoreType::jks ? "JKS" : "PKCS12";
}

namespace {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};

using P12Ptr = std::unique_ptr<PKCS12, Free<PKCS12, PKCS12_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509, X509_free>>;
using P8Ptr =
    std::unique_ptr<PKCS8_PRIV_KEY_INFO, Free<PKCS8_PRIV_KEY_INFO, PKCS8_PRIV_KEY_INFO_free>>;

void free_p7_stack(STACK_OF(PKCS7) * s) {
  sk_PKCS7_pop_free(s, PKCS7_free);
}

void free_bag_stack(STACK_OF(PKCS12_SAFEBAG) * s) {
  sk_PKCS12_SAFEBAG_pop_free(s, PKCS12_SAFEBAG_free);
}

[[noreturn]] void bad_p12(const std::string& name, std::string_view what) {
  ERR_clear_error();
  throw Error(ErrorKind::config,
              fmt::format("keystore {} is not a valid PKCS12 file: {}", echo(name), what),
              "check the file is the keystore (not truncated or a copy in another format)");
}

template <typename T, int (*I2D)(const T*, unsigned char**)>
std::string to_der(const T* v) {
  int len = I2D(v, nullptr);
  if (len <= 0) {
    throw Error(ErrorKind::internal, "DER encoding failed in OpenSSL");
  }
  std::string out(static_cast<std::size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  I2D(v, &p);
  return out;
}

std::string local_key_id(const PKCS12_SAFEBAG* bag) {
  const ASN1_TYPE* t = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
  if (t == nullptr || t->type != V_ASN1_OCTET_STRING) {
    return {};
  }
  const ASN1_OCTET_STRING* s = t->value.octet_string;
  return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
          static_cast<std::size_t>(ASN1_STRING_length(s))};
}

std::string friendly_name(PKCS12_SAFEBAG* bag) {
  char* n = PKCS12_get_friendlyname(bag);
  if (n == nullptr) {
    return {};
  }
  std::string out(n);
  OPENSSL_free(n);
  return out;
}

struct Bag {
  std::string alias;
  std::string key_id;
  KeyProtection protection = KeyProtection::none;
  std::string der;  // the key as stored, or the certificate
};

void collect_bags(const STACK_OF(PKCS12_SAFEBAG) * bags, std::vector<Bag>& keys,
                  std::vector<Bag>& certs, int depth, const std::string& name) {
  if (depth > 2) {
    bad_p12(name, "safe contents nested too deep");
  }
  for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
    PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
    Bag b{friendly_name(bag), local_key_id(bag), KeyProtection::none, {}};
    switch (PKCS12_SAFEBAG_get_nid(bag)) {
      case NID_keyBag:
        b.protection = KeyProtection::pkcs8_plain;
        b.der =
            to_der<PKCS8_PRIV_KEY_INFO, i2d_PKCS8_PRIV_KEY_INFO>(PKCS12_SAFEBAG_get0_p8inf(bag));
        keys.push_back(std::move(b));
        break;
      case NID_pkcs8ShroudedKeyBag:
        b.protection = KeyProtection::pkcs8_pbe;
        b.der = to_der<X509_SIG, i2d_X509_SIG>(PKCS12_SAFEBAG_get0_pkcs8(bag));
        keys.push_back(std::move(b));
        break;
      case NID_certBag: {
        X509Ptr cert(PKCS12_SAFEBAG_get1_cert(bag));
        if (!cert) {
          bad_p12(name, "a certificate bag holds no X.509 certificate");
        }
        b.der = to_der<X509, i2d_X509>(cert.get());
        certs.push_back(std::move(b));
        break;
      }
      case NID_safeContentsBag:
        collect_bags(PKCS12_SAFEBAG_get0_safes(bag), keys, certs, depth + 1, name);
        break;
      default:
        break;  // CRLs and secret bags carry nothing we use
    }
  }
}

std::vector<KeystoreEntry> parse_pkcs12(std::string_view bytes, const Secret& pw,
                                        const std::string& name) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  P12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(bytes.size())));
  if (!p12) {
    bad_p12(name, "the DER structure does not parse (truncated or damaged)");
  }
  if (p != reinterpret_cast<const unsigned char*>(bytes.data()) + bytes.size()) {
    bad_p12(name, "bytes after the end of the PKCS12 structure");
  }
  const char* pass = pw.reveal().c_str();
  int pass_len = static_cast<int>(pw.reveal().size());
  // The MAC is the store's integrity check (Java always writes one); a file without one is
  // still read, its encrypted bags then check the password themselves.
  if (PKCS12_mac_present(p12.get()) == 1 && PKCS12_verify_mac(p12.get(), pass, pass_len) != 1) {
    ERR_clear_error();
    throw Error(ErrorKind::auth,
                fmt::format("keystore {}: integrity check failed: wrong store password, or the "
                            "file was modified",
                            echo(name)),
                "set CUTOVER_KEYSTORE_PASSWORD (or --password-file) to the store password");
  }
  std::unique_ptr<STACK_OF(PKCS7), decltype(&free_p7_stack)> safes(
      PKCS12_unpack_authsafes(p12.get()), free_p7_stack);
  if (!safes) {
    bad_p12(name, "no authenticated safe");
  }
  std::vector<Bag> keys;
  std::vector<Bag> certs;
  for (int i = 0; i < sk_PKCS7_num(safes.get()); ++i) {
    PKCS7* p7 = sk_PKCS7_value(safes.get(), i);
    STACK_OF(PKCS12_SAFEBAG)* raw = nullptr;
    if (PKCS7_type_is_data(p7)) {
      raw = PKCS12_unpack_p7data(p7);
    } else if (PKCS7_type_is_encrypted(p7)) {
      raw = PKCS12_unpack_p7encdata(p7, pass, pass_len);
      if (raw == nullptr) {
        ERR_clear_error();
        throw Error(ErrorKind::auth,
                    fmt::format("keystore {}: cannot decrypt its certificates: wrong store "
                                "password",
                                echo(name)),
                    "set CUTOVER_KEYSTORE_PASSWORD (or --password-file) to the store password");
      }
    } else {
      continue;  // public-key-protected safes: not written by keytool or OpenSSL by default
    }
    std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), decltype(&free_bag_stack)> bags(raw, free_bag_stack);
    if (!bags) {
      bad_p12(name, "a safe does not decode");
    }
    collect_bags(bags.get(), keys, certs, 0, name);
  }
  std::vector<KeystoreEntry> out;
  std::vector<bool> used(certs.size(), false);
  for (Bag& k : keys) {
    KeystoreEntry e;
    e.alias = k.alias;
    e.protection = k.protection;
    e.protected_key = std::move(k.der);
    for (std::size_t c = 0; c < certs.size(); ++c) {
      if (!k.key_id.empty() && certs[c].key_id == k.key_id) {
        e.chain_der.push_back(certs[c].der);
        used[c] = true;
      }
    }
    if (e.alias.empty() && !e.chain_der.empty()) {
      // A chain implies certificates. push_back, not `= "1"`: GCC 12 raises a false
      // -Wrestrict on the inlined assignment (GCC bug 105329).
      e.alias.push_back('1');
    }
    out.push_back(std::move(e));
  }
  for (std::size_t c = 0; c < certs.size(); ++c) {
    if (!used[c]) {
      KeystoreEntry e;
      e.alias = certs[c].alias;
      e.chain_der.push_back(std::move(certs[c].der));
      out.push_back(std::move(e));
    }
  }
  return out;
}

bool same_alias(std::string_view a, std::string_view b) {
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

}  // namespace

Keystore Keystore::open(const std::filesystem::path& file, const Secret& store_password) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error(ErrorKind::config, fmt::format("keystore {} is not a file", echo(file.string())),
                "give the path of the .jks or .p12 file");
  }
  auto size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxKeystoreBytes) {
    throw Error(ErrorKind::config,
                fmt::format("keystore {} is larger than {} bytes: not a keystore",
                            echo(file.string()), kMaxKeystoreBytes));
  }
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    throw Error(ErrorKind::io, fmt::format("cannot read keystore {}", echo(file.string())));
  }
  return parse(bytes, store_password, file.string());
}

Keystore Keystore::parse(std::string_view bytes, const Secret& store_password, std::string name) {
  Keystore ks;
  ks.name_ = std::move(name);
  if (bytes.size() > kMaxKeystoreBytes) {
    throw Error(ErrorKind::config, fmt::format("keystore {} is too large", echo(ks.name_)));
  }
  if (bytes.size() >= 4 && static_cast<unsigned char>(bytes[0]) == 0xFE &&
      static_cast<unsigned char>(bytes[1]) == 0xED) {
    ks.type_ = KeystoreType::jks;
    ks.entries_ = jks::parse(bytes, store_password, ks.name_);
  } else if (bytes.size() >= 4 && static_cast<unsigned char>(bytes[0]) == 0xCE) {
    ks.entries_ = jks::parse(bytes, store_password, ks.name_);  // names JCEKS as unsupported
  } else if (!bytes.empty() && bytes[0] == 0x30) {
    ks.type_ = KeystoreType::pkcs12;
    ks.entries_ = parse_pkcs12(bytes, store_password, ks.name_);
  } else {
    throw Error(ErrorKind::config,
                fmt::format("{} is neither a JKS nor a PKCS12 keystore", echo(ks.name_)),
                "give the path of the .jks or .p12 file");
  }
  return ks;
}

const KeystoreEntry& Keystore::entry(std::string_view alias) const {
  const KeystoreEntry* found = nullptr;
  std::vector<std::string> names;
  for (const KeystoreEntry& e : entries_) {
    names.push_back(echo(e.alias, 40));
    if (alias.empty() ? e.protection != KeyProtection::none : same_alias(e.alias, alias)) {
      if (found != nullptr && alias.empty()) {
        throw Error(ErrorKind::config, fmt::format("keystore {} holds several keys", echo(name_)),
                    "name one with --alias");
      }
      found = &e;
      if (!alias.empty()) {
        break;
      }
    }
  }
  if (found == nullptr) {
    throw Error(ErrorKind::config,
                alias.empty()
                    ? fmt::format("keystore {} holds no private key", echo(name_))
                    : fmt::format("keystore {} has no entry '{}'", echo(name_), echo(alias, 40)),
                fmt::format("aliases: {}",
                            names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "))));
  }
  return *found;
}

PrivateKey Keystore::private_key(std::string_view alias, const Secret& key_password) const {
  const KeystoreEntry& e = entry(alias);
  std::string der;
  switch (e.protection) {
    case KeyProtection::none:
      throw Error(ErrorKind::config,
                  fmt::format("entry '{}' of keystore {} is a certificate without a private key",
                              echo(e.alias, 40), echo(name_)),
                  "name the key entry with --alias");
    case KeyProtection::sun_jks:
      der = jks::recover_key(e.protected_key, key_password, name_);
      break;
    case KeyProtection::pkcs8_plain:
      der = e.protected_key;
      break;
    case KeyProtection::pkcs8_pbe: {
      const auto* p = reinterpret_cast<const unsigned char*>(e.protected_key.data());
      std::unique_ptr<X509_SIG, decltype(&X509_SIG_free)> sig(
          d2i_X509_SIG(nullptr, &p, static_cast<long>(e.protected_key.size())), X509_SIG_free);
      P8Ptr p8(sig ? PKCS8_decrypt(sig.get(), key_password.reveal().c_str(),
                                   static_cast<int>(key_password.reveal().size()))
                   : nullptr);
      if (!p8) {
        ERR_clear_error();
        throw Error(ErrorKind::auth,
                    fmt::format("keystore {}: cannot recover the private key: wrong key password",
                                echo(name_)),
                    "set CUTOVER_KEY_PASSWORD (it defaults to the store password)");
      }
      der = to_der<PKCS8_PRIV_KEY_INFO, i2d_PKCS8_PRIV_KEY_INFO>(p8.get());
      break;
    }
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  P8Ptr p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(der.size())));
  OPENSSL_cleanse(der.data(), der.size());
  PrivateKey key(p8 ? EVP_PKCS82PKEY(p8.get()) : nullptr);
  if (!key) {
    ERR_clear_error();
    throw Error(ErrorKind::config,
                fmt::format("keystore {}: the private key of '{}' does not decode", echo(name_),
                            echo(e.alias, 40)));
  }
  return key;
}

std::string thumbprint(std::string_view cert_der, std::string_view digest) {
  const EVP_MD* md = nullptr;
  if (digest == "SHA-1" || digest == "SHA1") {
    md = EVP_sha1();
  } else if (digest == "SHA-256" || digest == "SHA256") {
    md = EVP_sha256();
  } else {
    throw Error(ErrorKind::config, fmt::format("unknown thumbprint digest '{}'", echo(digest, 40)),
                "WSO2 writes SHA-1 (or SHA-256)");
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned len = 0;
  if (EVP_Digest(cert_der.data(), cert_der.size(), out.data(), &len, md, nullptr) != 1) {
    throw Error(ErrorKind::internal, "digest failed in OpenSSL");
  }
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += fmt::format("{:02X}", out[i]);
  }
  return hex;
}

std::string utf16be(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  auto bad = [] {
    throw Error(ErrorKind::config, "a keystore password is not valid UTF-8",
                "write the password file in UTF-8");
  };
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    char32_t cp = 0;
    int extra = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0U) == 0xC0) {
      cp = c & 0x1FU;
      extra = 1;
    } else if ((c & 0xF0U) == 0xE0) {
      cp = c & 0x0FU;
      extra = 2;
    } else if ((c & 0xF8U) == 0xF0) {
      cp = c & 0x07U;
      extra = 3;
    } else {
      bad();
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) {
      bad();  // a sequence cut off by the end
    }
    for (int k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0U) != 0x80) {
        bad();
      }
      cp = (cp << 6U) | (cc & 0x3FU);
    }
    i += static_cast<std::size_t>(extra) + 1;
    auto put = [&out](unsigned u) {
      out += static_cast<char>((u >> 8U) & 0xFFU);
      out += static_cast<char>(u & 0xFFU);
    };
    if (cp >= 0x10000) {
      unsigned v = static_cast<unsigned>(cp) - 0x10000U;
      put(0xD800U + (v >> 10U));
      put(0xDC00U + (v & 0x3FFU));
    } else {
      put(static_cast<unsigned>(cp));
    }
  }
  return out;
}

}  // namespace cutover::secrets
