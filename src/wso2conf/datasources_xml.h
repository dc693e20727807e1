// wso2conf master-datasources.xml: the datasources of an IS 5.8-or-older
// repository/conf/datasources/master-datasources.xml. Reads only; thread-safe.
#pragma once

#include <filesystem>
#include <vector>

#include "wso2conf/datasource.h"

namespace cutover::wso2conf {

/// Every <datasource>, in file order; a secure-vault or encrypted password marks it protected.
/// Throws a config error naming the byte offset when the XML does not parse.
std::vector<Datasource> read_datasources_xml(const std::filesystem::path& file);

}  // namespace cutover::wso2conf
