// secrets keystore: a Java keystore (JKS, as wso2carbon.jks) or PKCS12 (wso2carbon.p12) read
// into memory with its integrity check verified: entries by alias, certificates as DER, and the
// private keys still protected until asked for with the key password. The type is detected
// from the bytes. A Keystore is an immutable value; thread-safe to share once built.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"

using EVP_PKEY = struct evp_pkey_st;

namespace cutover::secrets {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const;
};

using PrivateKey = std::unique_ptr<EVP_PKEY, PkeyFree>;

enum class KeystoreType { jks, pkcs12 };

const char* to_string(KeystoreType type);

/// How a private key is kept inside the store until it is recovered.
enum class KeyProtection {
  none,       ///< trusted certificate entry: no key
  sun_jks,    ///< JKS: Sun's KeyProtector (XOR with a SHA-1 keystream), DER EncryptedPrivateKeyInfo
  pkcs8_pbe,  ///< PKCS12 shrouded key bag: DER X509_SIG (PKCS#8 encrypted)
  pkcs8_plain,  ///< PKCS12 key bag: DER PKCS8_PRIV_KEY_INFO
};

struct KeystoreEntry {
  std::string alias;
  KeyProtection protection = KeyProtection::none;
  std::string protected_key;           ///< DER, as stored (never plaintext for JKS / shrouded)
  std::vector<std::string> chain_der;  ///< leaf first; one certificate for trusted entries
};

/// Largest keystore file read: WSO2's stores are a few KiB; anything near this is not one.
inline constexpr std::size_t kMaxKeystoreBytes = std::size_t{16} * 1024 * 1024;

class Keystore {
 public:
  /// Reads and verifies `file`. Throws: io (cannot read), config (not a keystore, truncated,
  /// malformed; JCEKS and others are named as unsupported), auth (integrity check failed:
  /// wrong store password or a modified file). Messages name the file, never a password.
  static Keystore open(const std::filesystem::path& file, const Secret& store_password);
  /// The same over bytes already read; `name` stands for the file in messages.
  static Keystore parse(std::string_view bytes, const Secret& store_password, std::string name);

  KeystoreType type() const { return type_; }

  const std::string& name() const { return name_; }

  const std::vector<KeystoreEntry>& entries() const { return entries_; }

  /// The entry under `alias` (JKS aliases are case-insensitive, as Java lower-cases them);
  /// with an empty alias the only key entry. Throws config naming the aliases present.
  const KeystoreEntry& entry(std::string_view alias) const;

  /// Recovers the private key of `alias`. Throws auth "wrong key password" when the key's own
  /// check fails (JKS digest, PKCS#8 decryption), config when the entry has no key.
  PrivateKey private_key(std::string_view alias, const Secret& key_password) const;

 private:
  KeystoreType type_ = KeystoreType::jks;
  std::string name_;
  std::vector<KeystoreEntry> entries_;
};

/// Upper-case hex digest of a DER certificate; `digest` is "SHA-1" or "SHA-256" (the `tpd`
/// values WSO2 writes). Throws config for another digest name.
std::string thumbprint(std::string_view cert_der, std::string_view digest = "SHA-1");

/// Java's char[] of a UTF-8 password, big-endian (what JKS hashes). Invalid UTF-8 throws config.
std::string utf16be(std::string_view s);

}  // namespace cutover::secrets
