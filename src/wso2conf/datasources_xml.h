// wso2conf master-datasources.xml: the datasources of an IS 5.8-or-older
// repository/conf/datasources/master-datasources.xml. Reads only; thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/secret.h"
#include "wso2conf/datasource.h"

namespace cutover::wso2conf {

/// Every <datasource>, in file order; a secure-vault or encrypted password marks it protected.
/// Throws a config error naming the byte offset when the XML does not parse.
std::vector<Datasource> read_datasources_xml(const std::filesystem::path& file);

/// One <datasource> as written, for converting it to deployment.toml.
struct DatasourceDefinition {
  std::string name;  ///< <name>
  std::string jndi;  ///< <jndiConfig><name>
  std::string url;
  std::string username;
  std::string driver;
  std::optional<Secret> password;  ///< the text as written (an encrypted value stays so)
  std::string vault_alias;         ///< svns:secretAlias, when the vault holds the password
  /// Every other child of <configuration> (maxActive, validationQuery, ...), in file order.
  std::vector<std::pair<std::string, std::string>> options;
};

/// Throws as read_datasources_xml.
std::vector<DatasourceDefinition> read_datasource_definitions(const std::filesystem::path& file);

}  // namespace cutover::wso2conf
