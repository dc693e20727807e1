#include "db/postgres/postgres_errors.h"

#include <string>

#include <fmt/format.h>
#include <libpq-fe.h>

namespace cutover::db {

namespace {

std::string first_line(const char* text) {
  std::string s = text != nullptr ? text : "";
  if (std::size_t nl = s.find('\n'); nl != std::string::npos) {
    s.resize(nl);
  }
  // libpq prefixes "ERROR:  "; the kind is printed by us.
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (s.rfind(prefix, 0) == 0) {
      s = s.substr(std::string(prefix).size());
    }
  }
  return s;
}

}  // namespace

Error postgres_error(pg_conn* conn, const pg_result* res, std::string_view what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  std::string msg = first_line(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (msg.empty()) {
    msg = first_line(PQerrorMessage(conn));
  }
  ErrorKind kind = ErrorKind::sql;
  std::string hint;
  if (PQstatus(conn) == CONNECTION_BAD || sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01") {
    kind = ErrorKind::connection;
    hint = "the connection to PostgreSQL was lost; check the server and run the command again";
  } else if (sqlstate.rfind("23", 0) == 0) {
    kind = ErrorKind::constraint;
  } else if (sqlstate.rfind("28", 0) == 0 || sqlstate == "42501") {
    kind = ErrorKind::auth;
  } else if (sqlstate == "57014") {
    kind = ErrorKind::interrupted;
  }
  return std::move(
      Error(kind, fmt::format("{}: {}", what, msg), hint).with_code(sqlstate, 0, "postgresql"));
}

Error postgres_connect_error(pg_conn* conn, std::string_view target) {
  std::string msg = first_line(PQerrorMessage(conn));
  // libpq reports every failure as text; the auth cases are recognisable and common.
  bool auth = msg.find("password authentication failed") != std::string::npos ||
              msg.find("no password supplied") != std::string::npos ||
              msg.find("authentication failed") != std::string::npos;
  bool missing_db =
      msg.find("does not exist") != std::string::npos && msg.find("database") != std::string::npos;
  if (auth) {
    return std::move(Error(ErrorKind::auth,
                           fmt::format("PostgreSQL refused the login to {}: {}", target, msg),
                           "check the user name and the password in CUTOVER_DB_PASSWORD "
                           "(CUTOVER_SOURCE_PASSWORD / CUTOVER_TARGET_PASSWORD) or --password-file")
                         .with_code("28P01", 0, "postgresql"));
  }
  if (missing_db) {
    return std::move(Error(ErrorKind::config, fmt::format("cannot connect to {}: {}", target, msg),
                           "check the database name in the URL")
                         .with_code("3D000", 0, "postgresql"));
  }
  return std::move(Error(ErrorKind::connection,
                         fmt::format("cannot connect to PostgreSQL at {}: {}", target, msg),
                         "check host and port, and that the server is running and reachable")
                       .with_code("08001", 0, "postgresql"));
}

}  // namespace cutover::db
