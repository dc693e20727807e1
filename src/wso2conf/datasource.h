// wso2conf datasource: one database a WSO2 configuration names, and the mapping of its JDBC URL
// to an engine and, where cutover can open it, a cutover URL. Passwords are kept only inside
// a db::ConnectionSpec (a Secret), never in text. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "db/url.h"

namespace cutover::wso2conf {

/// One database the configuration names.
struct Datasource {
  std::string id;        ///< identity_db, shared_db, or the datasource name / id
  std::string jndi;      ///< master-datasources.xml jndiConfig/name (jdbc/WSO2CarbonDB), if any
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

/// JDBC URL to engine name and, where cutover can open it, a cutover URL (no password).
Datasource describe_jdbc(std::string id, const std::string& jdbc_url);

/// The JDBC URL with every password in it (userinfo, Oracle user/password@, password= and pwd=
/// parameters in any case) replaced by "***".
std::string redact_jdbc(const std::string& url);

/// Fills d.user, the password and d.spec from the configured credentials.
void set_credentials(Datasource& d, const std::string& user,
                     const std::optional<std::string>& password, bool encrypted);

}  // namespace cutover::wso2conf
