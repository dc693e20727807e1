// wso2conf carbon.xml: the keystore settings of an IS 5.8-or-older repository/conf/carbon.xml
// (Security/KeyStore, InternalKeyStore, UserStorePasswordEncryption). Reads only; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "wso2conf/keystore_config.h"

namespace cutover::wso2conf {

struct CarbonXml {
  std::optional<KeystoreConfig> primary;   ///< Security/KeyStore
  std::optional<KeystoreConfig> internal;  ///< Security/InternalKeyStore (kernel 4.4.35+)
  std::optional<std::string> userstore_password_encryption;
};

/// `home` replaces ${carbon.home} in locations; a relative location is taken from `home`.
/// Throws a config error naming the byte offset when the XML does not parse.
CarbonXml read_carbon_xml(const std::filesystem::path& file, const std::filesystem::path& home);

}  // namespace cutover::wso2conf
