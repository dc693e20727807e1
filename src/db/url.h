// db::ConnectionSpec and URL parsing: turns "sqlite:path", "postgresql://user@host:port/db",
// "mysql://..." / "mariadb://...", "odbc:<connection string>" into a spec a backend opens.
// A password never travels in a URL given on the command line: parse_url refuses it for
// UrlOrigin::argv. Specs hold the password as a Secret; redacted() is what may be printed.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/secret.h"

namespace cutover::db {

/// Where a URL came from: the command line (passwords refused) or a config file (allowed).
enum class UrlOrigin { argv, config_file };

struct ConnectionSpec {
  std::string scheme;  ///< backend key: "sqlite", "postgresql", "mysql", "odbc"
  std::string user;
  Secret password;
  std::string host;  ///< host name, IP, or a unix socket directory/path (starts with '/')
  int port = 0;      ///< 0: the client's default
  std::string database;
  std::string path;                           ///< sqlite file
  std::string odbc;                           ///< ODBC connection string without any password
  std::map<std::string, std::string> params;  ///< query parameters, passed to the client

  /// The URL with any password replaced by "***": safe for logs, errors and reports.
  std::string redacted() const;
};

/// Parses a connection URL. Throws a usage error for an unknown scheme (listing the known ones,
/// with a "did you mean"), a malformed URL, or a password inside a URL from argv.
ConnectionSpec parse_url(std::string_view url, UrlOrigin origin);

/// The schemes parse_url accepts, as users write them ("sqlite:", "postgresql://", ...).
const std::vector<std::string>& known_url_forms();

/// Decodes %XX escapes (used for socket directories in the host part).
std::string percent_decode(std::string_view s);

}  // namespace cutover::db
