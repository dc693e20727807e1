// ODBC backend on unixODBC: a connection that borrows the dialect of whatever database the
// driver reaches (PostgreSQL, MySQL/MariaDB, SQLite, Oracle, SQL Server, DB2, H2), chosen from
// SQL_DBMS_NAME. One environment and one connection handle per Connection; not thread-safe.
// All text goes through the wide (UTF-16) entry points. Whether a result streams or is
// buffered whole is the driver's choice (psqlodbc: UseDeclareFetch=1; MariaDB: NO_CACHE=1).
#pragma once

#include <memory>

#include "db/connection.h"
#include "db/url.h"

namespace cutover::db {

/// Connects with spec.odbc (a connection string without password) plus PWD={spec.password}
/// when one is set. An unknown DBMS is ErrorKind::unsupported.
std::unique_ptr<Connection> open_odbc(const ConnectionSpec& spec, const OpenOptions& options);

}  // namespace cutover::db
