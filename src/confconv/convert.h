// confconv convert: an IS 5.8-or-older home's XML configuration (carbon.xml, user-mgt.xml,
// identity.xml, registry.xml, axis2.xml, catalina-server.xml, master-datasources.xml,
// log4j.properties) to the deployment.toml of IS 5.9+, by the mapping of reference
// wso2-schemas.md §4.1: a TOML key for every mapped setting whose value differs from the new
// version's default, in the new key names and units; and a report of every other value that
// was customised, so nothing is dropped silently. Passwords go into the TOML as written
// (encrypted stays encrypted) and never into the report. Engine: never prints, never writes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cutover::confconv {

struct ConvertOptions {
  std::filesystem::path home;
  /// An unmodified pack of the same old version: only values that differ from it are
  /// customised. Without one, every value the mapping does not take is reported.
  std::optional<std::filesystem::path> baseline;
  std::string target_version = "5.9.0";
};

/// One old setting that became a TOML key.
struct Mapped {
  std::string file;  ///< relative to repository/conf
  std::string path;
  std::string toml_key;
};

/// One customised value with no TOML key.
struct Unmapped {
  std::string file;
  std::string path;
  std::string value;  ///< empty when `secret`
  bool secret = false;
  std::string why;
  std::vector<std::string> log4j2;  ///< the log4j2.properties lines it becomes, for log4j
};

struct ConvertResult {
  std::string toml;  ///< the deployment.toml text (parses with toml++)
  std::vector<Mapped> mapped;
  std::vector<Unmapped> unmapped;
  std::vector<std::string> files_read;
  std::vector<std::string> notes;  ///< decisions an operator should know (datasource roles)
};

/// Throws config for an unreadable home, a file that does not parse, or a target version
/// outside 5.9.0-7.x.
ConvertResult convert(const ConvertOptions& options);

}  // namespace cutover::confconv
