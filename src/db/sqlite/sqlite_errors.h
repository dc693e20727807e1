// Maps SQLite result codes to cutover::Error, once for the whole backend.
#pragma once

#include <string_view>

#include "core/error.h"

struct sqlite3;

namespace cutover::db {

/// Builds the error for result code `rc` on handle `db` (may be null) while doing `what`.
Error sqlite_error(sqlite3* db, int rc, std::string_view what);

}  // namespace cutover::db
