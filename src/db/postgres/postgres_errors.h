// Maps libpq failures (SQLSTATE from the result, or connection status) to cutover::Error.
#pragma once

#include <string_view>

#include "core/error.h"

struct pg_conn;
struct pg_result;

namespace cutover::db {

/// Error for a failed result (may be null when the connection itself failed).
Error postgres_error(pg_conn* conn, const pg_result* res, std::string_view what);

/// Error for a failed connection attempt.
Error postgres_connect_error(pg_conn* conn, std::string_view target);

}  // namespace cutover::db
