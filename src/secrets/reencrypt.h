// secrets reencrypt: moves the encrypted="true" properties of a product home's secondary
// userstore files (repository/deployment/server/userstores/*.xml and
// repository/tenants/<id>/userstores/*.xml) from one keystore's key to another's, as WSO2's
// separate org.wso2.is.password.reencrypt tool does, without a server. Every new value is
// decrypted again and compared before any file is written; files are replaced atomically after
// a backup; values already in the target form are left alone, so a rerun is a no-op. Plaintext
// stays in memory. Engine: never prints, never reads argv.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"
#include "wso2conf/keystore_config.h"

namespace cutover::secrets {

/// A keystore ready to open: path, passwords and alias (empty: its only key).
struct KeySource {
  std::string role;  ///< "primary", "internal", or "given" for --*-keystore
  std::filesystem::path file;
  std::optional<Secret> store_password;
  std::optional<Secret> key_password;  ///< nullopt: the store password
  std::string alias;
  std::string source;  ///< where the settings came from, for messages
};

/// The keystore `role` ("primary" or "internal") as the home configures it: deployment.toml
/// when present, else carbon.xml. Throws config naming the file when the role is not
/// configured there (5.8's carbon.xml often has no InternalKeyStore).
KeySource configured_keystore(const std::filesystem::path& home, std::string_view role);

struct ReencryptOptions {
  std::filesystem::path home;
  KeySource from;
  KeySource to;
  bool dry_run = false;
};

struct PropertyResult {
  std::string file;      ///< relative to the home
  std::string property;  ///< the Property's name attribute
  std::string was;       ///< "pkcs1" or "self-contained"
  bool changed = false;  ///< false: already encrypted for the target key in the target form
};

struct ReencryptReport {
  std::string from_thumbprint;  ///< SHA-1 of the source key's certificate
  std::string to_thumbprint;
  std::vector<std::string> files;  ///< every userstore file read, relative to the home
  std::vector<PropertyResult> properties;
  std::vector<std::string> written;  ///< files replaced (none on a dry run)
  std::vector<std::string> backups;  ///< backup copies of the replaced files
};

/// Throws config / auth for bad keystores or values (nothing written when any value fails),
/// io when a file cannot be written (files written before it stay replaced, each whole).
ReencryptReport reencrypt_userstores(const ReencryptOptions& options);

}  // namespace cutover::secrets
