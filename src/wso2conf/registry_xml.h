// wso2conf registry.xml: the registry versioning flags (staticConfiguration) of
// repository/conf/registry.xml, which is what a running server reads. Reads only; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "wso2conf/registry_versioning.h"

namespace cutover::wso2conf {

struct RegistryXml {
  std::optional<RegistryVersioning> versioning;  ///< nullopt: no staticConfiguration
  /// The JNDI name of the datasource the registry itself lives in (the dbConfig that
  /// currentDBConfig names, e.g. jdbc/WSO2CarbonDB); empty when the file does not say.
  std::string datasource_jndi;
  std::string problem;  ///< set when the file does not parse (a warning, not an error)
};

RegistryXml read_registry_xml(const std::filesystem::path& file);

}  // namespace cutover::wso2conf
