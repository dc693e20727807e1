// plan::read_home: what a product home directory says about a deployment. Reads
// repository/conf through the wso2conf readers (deployment.toml, or the older
// master-datasources.xml / registry.xml), and the custom components in
// repository/components/{dropins,lib}. Reads only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "wso2conf/datasource.h"
#include "wso2conf/registry_versioning.h"

namespace cutover::plan {

/// A jar in repository/components/dropins or lib, from its META-INF/MANIFEST.MF.
struct Component {
  std::string file;           ///< path relative to the home
  std::string location;       ///< dropins or lib
  std::string symbolic_name;  ///< Bundle-SymbolicName without directives; empty: not a bundle
  std::string version;        ///< Bundle-Version (or Implementation-Version)
  std::vector<std::string> imports;  ///< Import-Package names, without version ranges
  std::string problem;               ///< set when the jar could not be read
};

struct HomeReport {
  std::string home;
  std::string config_source;  ///< repository/conf/deployment.toml or the XML files read
  std::vector<wso2conf::Datasource> databases;
  std::optional<wso2conf::RegistryVersioning> registry;
  /// The flags as each file sets them (nullopt: the file is absent or sets none), for the
  /// registry cleanup, which must change the file that holds them: deployment.toml (5.9+, from
  /// which the server renders registry.xml at start) and registry.xml.
  std::optional<wso2conf::RegistryVersioning> registry_toml;
  std::optional<wso2conf::RegistryVersioning> registry_xml;
  /// The id in `databases` of the database the registry lives in: the datasource registry.xml's
  /// currentDBConfig names, else shared_db (deployment.toml) or WSO2_CARBON_DB (5.8 and older,
  /// WSO2's defaults); empty when none of them is configured.
  std::string registry_database;
  std::vector<Component> components;
  std::vector<std::string> warnings;  ///< things read but not understood
};

/// Throws a config error when `home` is not a product home (no repository/conf).
HomeReport read_home(const std::string& home);

/// Parses a MANIFEST.MF text (72-byte lines continued after one space).
Component parse_manifest(const std::string& text);

}  // namespace cutover::plan
