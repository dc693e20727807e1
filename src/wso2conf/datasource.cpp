#include "wso2conf/datasource.h"

#include <fmt/format.h>

#include "db/table_def.h"

namespace cutover::wso2conf {

namespace {

std::string after(const std::string& s, std::string_view prefix) {
  return s.substr(prefix.size());
}

// "host:port/db?params" -> host, port, db (params dropped: JDBC options mean nothing to us).
void split_host_db(std::string rest, std::string& host, std::string& port, std::string& db) {
  if (std::size_t q = rest.find_first_of("?;"); q != std::string::npos) {
    rest = rest.substr(0, q);
  }
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (std::size_t at = authority.rfind('@'); at != std::string::npos) {
    authority = authority.substr(at + 1);  // user:password@ is never part of the host
  }
  db = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (std::size_t comma = authority.find(','); comma != std::string::npos) {
    authority = authority.substr(0, comma);  // first host of a failover list
  }
  std::size_t colon = authority.rfind(':');
  host = authority.substr(0, colon);
  port = colon == std::string::npos ? "" : authority.substr(colon + 1);
}

}  // namespace

std::string redact_jdbc(const std::string& url) {
  std::string out = url;
  // user:password@host (MySQL, PostgreSQL) and Oracle's thin user/password@host.
  if (std::size_t at = out.find('@'); at != std::string::npos) {
    std::size_t start = out.rfind("//", at);
    start = start == std::string::npos ? out.rfind(':', at) : start + 1;
    std::size_t sep = out.find_first_of(":/", start + 1);
    if (start != std::string::npos && sep != std::string::npos && sep < at) {
      out = out.substr(0, sep + 1) + "***" + out.substr(at);
    }
  }
  // ?password=x&..., ;password=x;... in any letter case, and pwd=.
  std::string lower = db::to_lower(out);
  for (const char* key : {"password=", "pwd="}) {
    std::size_t pos = 0;
    while ((pos = lower.find(key, pos)) != std::string::npos) {
      std::size_t value = pos + std::string(key).size();
      std::size_t end = out.find_first_of("&;", value);
      end = end == std::string::npos ? out.size() : end;
      out = out.substr(0, value) + "***" + out.substr(end);
      lower = db::to_lower(out);
      pos = value + 3;
    }
  }
  return out;
}

Datasource describe_jdbc(std::string id, const std::string& jdbc_url) {
  Datasource d;
  d.id = std::move(id);
  d.jdbc_url = redact_jdbc(jdbc_url);
  std::string host;
  std::string port;
  std::string database;
  const std::string& u = jdbc_url;
  if (u.rfind("jdbc:postgresql://", 0) == 0) {
    d.engine = "postgresql";
    split_host_db(after(u, "jdbc:postgresql://"), host, port, database);
    d.cutover_url =
        fmt::format("postgresql://USER@{}{}/{}", host, port.empty() ? "" : ":" + port, database);
  } else if (u.rfind("jdbc:mysql://", 0) == 0 || u.rfind("jdbc:mariadb://", 0) == 0) {
    d.engine = "mysql";
    split_host_db(u.substr(u.find("//") + 2), host, port, database);
    d.cutover_url =
        fmt::format("mysql://USER@{}{}/{}", host, port.empty() ? "" : ":" + port, database);
  } else if (u.rfind("jdbc:h2:", 0) == 0) {
    d.engine = "h2";
    d.note =
        "H2 is embedded in the Java server and has no ODBC driver: export it, or migrate "
        "after moving it to PostgreSQL or MySQL";
  } else if (u.rfind("jdbc:oracle:", 0) == 0) {
    d.engine = "oracle";
    d.note = "open it through ODBC (odbc:Driver={Oracle ...};DBQ=...), or --print-sql oracle";
  } else if (u.rfind("jdbc:sqlserver://", 0) == 0) {
    d.engine = "mssql";
    d.note =
        "open it through ODBC (odbc:Driver={ODBC Driver 18 for SQL Server};...), or "
        "--print-sql mssql";
  } else if (u.rfind("jdbc:db2://", 0) == 0) {
    d.engine = "db2";
    d.note = "open it through ODBC (odbc:Driver={IBM DB2 ODBC DRIVER};...), or --print-sql db2";
  } else {
    d.engine = "unknown";
    d.note = u.empty() ? "no URL configured" : "not a JDBC URL cutover recognises";
  }
  if (d.cutover_url) {
    d.note = "set the password in CUTOVER_DB_PASSWORD or --password-file";
  }
  return d;
}

void set_credentials(Datasource& d, const std::string& user,
                     const std::optional<std::string>& password, bool encrypted) {
  d.user = user;
  d.password_set = password.has_value();
  // deployment.toml refers to secure-vault secrets as $secret{alias}.
  d.password_protected = encrypted || (password && password->find("$secret{") != std::string::npos);
  if (!d.cutover_url) {
    return;
  }
  db::ConnectionSpec spec = db::parse_url(*d.cutover_url, db::UrlOrigin::config_file);
  spec.user = user;  // set directly: a user name may hold characters a URL would need escaped
  if (password && !d.password_protected) {
    spec.password = Secret(*password);
  }
  d.spec = spec;
}

}  // namespace cutover::wso2conf
