// wso2conf deployment.toml: the databases and registry versioning flags of an IS 5.9+
// repository/conf/deployment.toml. Reads only; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "wso2conf/datasource.h"
#include "wso2conf/keystore_config.h"
#include "wso2conf/registry_versioning.h"

namespace cutover::wso2conf {

struct DeploymentToml {
  /// [database.<id>] tables, then [[datasource]] entries, in file order.
  std::vector<Datasource> databases;
  /// [static_configuration] versioning_*.enable flags, and [registory.static_configuration]
  /// enable (WSO2's spelling) for those not set one by one; nullopt when the file sets none.
  std::optional<RegistryVersioning> registry;
  /// [keystore.primary] and [keystore.internal] (which defaults to the primary, as WSO2's
  /// $ref does); file relative to the product home (repository/resources/security/NAME).
  /// 5.9's `name` is read when `file_name` is absent.
  std::optional<KeystoreConfig> primary_keystore;
  std::optional<KeystoreConfig> internal_keystore;
  /// [keystore] userstore_password_encryption, when set.
  std::optional<std::string> userstore_password_encryption;
};

/// Throws a config error when the file is not a regular file or not valid TOML (naming the
/// line), an io error when it cannot be read.
DeploymentToml read_deployment_toml(const std::filesystem::path& file);

}  // namespace cutover::wso2conf
