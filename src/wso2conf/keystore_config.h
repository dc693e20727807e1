// wso2conf keystore configuration: where a product home keeps a keystore and how it is opened,
// as carbon.xml (Security/KeyStore, Security/InternalKeyStore) or deployment.toml
// ([keystore.primary], [keystore.internal]) configure it. The password is kept only in a
// Secret. Plain data.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/secret.h"

namespace cutover::wso2conf {

struct KeystoreConfig {
  std::string source;          ///< the file and element or table it came from
  std::filesystem::path file;  ///< absolute when the home was known (${carbon.home} resolved)
  std::string type;            ///< JKS or PKCS12, as configured
  std::string alias;
  std::optional<Secret> password;      ///< nullopt when absent or protected
  std::optional<Secret> key_password;  ///< nullopt: the store password
  /// The configured password is a secure-vault reference ($secret{...}, svns:secretAlias),
  /// so it must come from the environment or a file instead.
  bool password_protected = false;
};

}  // namespace cutover::wso2conf
