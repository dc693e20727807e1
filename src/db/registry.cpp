#include "db/registry.h"

#include <fmt/format.h>

#include "core/echo.h"
#include "core/error.h"
#include "db/sqlite/sqlite_connection.h"
#if CUTOVER_HAVE_postgres
#include "db/postgres/postgres_connection.h"
#endif
#if CUTOVER_HAVE_mysql
#include "db/mysql/mysql_connection.h"
#endif
#if CUTOVER_HAVE_odbc
#include "db/odbc/odbc_connection.h"
#endif

namespace cutover::db {

namespace {

using Opener = std::unique_ptr<Connection> (*)(const ConnectionSpec&, const OpenOptions&);

struct Backend {
  const char* scheme;
  Opener open;
};

const std::vector<Backend>& backends() {
  static const std::vector<Backend> kTable = {
    {"sqlite", &open_sqlite},
#if CUTOVER_HAVE_postgres
    {"postgresql", &open_postgres},
#endif
#if CUTOVER_HAVE_mysql
    {"mysql", &open_mysql},
#endif
#if CUTOVER_HAVE_odbc
    {"odbc", &open_odbc},
#endif
  };
  return kTable;
}

}  // namespace

std::vector<std::string> compiled_backends() {
  std::vector<std::string> out;
  for (const Backend& b : backends()) {
    out.emplace_back(b.scheme);
  }
  return out;
}

std::unique_ptr<Connection> open(const ConnectionSpec& spec, const OpenOptions& options) {
  for (const Backend& b : backends()) {
    if (spec.scheme == b.scheme) {
      try {
        return b.open(spec, options);
      } catch (Error& e) {
        e.add_context(fmt::format("opening {}", echo(spec.redacted())));
        throw;
      }
    }
  }
  throw Error(ErrorKind::unsupported,
              fmt::format("this cutover was built without the {} backend", spec.scheme),
              fmt::format("backends in this build: {}", fmt::join(compiled_backends(), ", ")));
}

}  // namespace cutover::db
