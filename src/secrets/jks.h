// secrets jks: Sun's JKS container, read strictly (there is no C++ library for it): magic
// 0xFEEDFEED, version 1 or 2, entries with every length bounded by the bytes left, and the
// trailing SHA-1 over password-as-UTF-16BE + "Mighty Aphrodite" + data verified. Also the
// KeyProtector that guards its private keys. Pure functions over bytes; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"
#include "secrets/keystore.h"

namespace cutover::secrets::jks {

inline constexpr unsigned kMagic = 0xFEEDFEEDU;
inline constexpr unsigned kJceksMagic = 0xCECECECEU;

/// Parses and verifies a JKS file; `name` names it in errors. Throws as Keystore::open.
std::vector<KeystoreEntry> parse(std::string_view bytes, const Secret& store_password,
                                 const std::string& name);

/// Undoes Sun's KeyProtector over a DER EncryptedPrivateKeyInfo (OID 1.3.6.1.4.1.42.2.17.1.1):
/// salt(20) | key XOR SHA-1 keystream | SHA-1(password | key). Returns the PKCS#8 DER.
/// Throws auth when the check digest does not match (wrong key password), config when the
/// structure is not that.
std::string recover_key(std::string_view encrypted_private_key_info, const Secret& key_password,
                        const std::string& name);

}  // namespace cutover::secrets::jks
