// Maps MariaDB / MySQL client and server error numbers to cutover::Error, once for the whole
// backend. The mapping itself (mysql_error_from_code) needs no connection, so it is unit-testable.
#pragma once

#include <string_view>

#include "core/error.h"

struct st_mysql;

namespace cutover::db {

/// What the connection was doing when the error happened; decides in_doubt and auth hints.
enum class MysqlPhase { connect, statement, commit };

/// The error for native code `code` (mysql_errno) with `sqlstate` and the client's `message`,
/// raised while doing `what`.
Error mysql_error_from_code(unsigned int code, std::string_view sqlstate, std::string_view message,
                            MysqlPhase phase, std::string_view what);

/// The error currently recorded on `conn` (mysql_errno / mysql_sqlstate / mysql_error).
Error mysql_failure(st_mysql* conn, MysqlPhase phase, std::string_view what);

}  // namespace cutover::db
