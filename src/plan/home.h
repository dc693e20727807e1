// plan::read_home: what a product home directory says about a deployment. Reads
// repository/conf (deployment.toml, or the older master-datasources.xml / registry.xml), and
// the custom components in repository/components/{dropins,lib}. Reads only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/url.h"

namespace cutover::plan {

/// One database the configuration names.
struct HomeDatabase {
  std::string id;        ///< identity_db, shared_db, or the datasource name / id
  std::string jdbc_url;  ///< as configured, without any password
  std::string engine;    ///< postgresql, mysql, h2, oracle, mssql, db2, or unknown
  std::string user;
  bool password_set = false;  ///< never the password itself
  /// The URL to give cutover (without password), when cutover can open it directly.
  std::optional<std::string> cutover_url;
  std::string note;  ///< why not, or what to do
  /// Ready to open, with the configured password (never printed), when cutover can open it.
  std::optional<db::ConnectionSpec> spec;
  /// The configured password is a secure-vault reference or encrypted, so unusable here.
  bool password_protected = false;
};

/// registry.xml staticConfiguration / deployment.toml [static_configuration].
struct RegistryVersioning {
  std::string source;  ///< the file the flags came from
  std::optional<bool> properties;
  std::optional<bool> comments;
  std::optional<bool> tags;
  std::optional<bool> ratings;

  bool any_on() const {
    return properties.value_or(false) || comments.value_or(false) || tags.value_or(false) ||
           ratings.value_or(false);
  }
};

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
  std::vector<HomeDatabase> databases;
  std::optional<RegistryVersioning> registry;
  std::vector<Component> components;
  std::vector<std::string> warnings;  ///< things read but not understood
};

/// Throws a config error when `home` is not a product home (no repository/conf).
HomeReport read_home(const std::string& home);

/// JDBC URL to engine name and, where cutover can open it, a cutover URL (no password).
HomeDatabase describe_jdbc(std::string id, const std::string& jdbc_url);

/// The JDBC URL with every password in it (userinfo, Oracle user/password@, password= and pwd=
/// parameters in any case) replaced by "***".
std::string redact_jdbc(const std::string& url);

/// Fills d.user, the password and d.spec from the configured credentials.
void set_credentials(HomeDatabase& d, const std::string& user,
                     const std::optional<std::string>& password, bool encrypted);

/// Parses a MANIFEST.MF text (72-byte lines continued after one space).
Component parse_manifest(const std::string& text);

}  // namespace cutover::plan
