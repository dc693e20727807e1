// Maps SQLite result codes to cutover::Error, once for the whole backend, deciding the
// ErrorTraits where SQLite's behaviour is known.
#pragma once

#include <string_view>

#include "core/error.h"

struct sqlite3;

namespace cutover::db {

/// Builds the error for result code `rc` on handle `db` (may be null) while doing `what`.
/// `deadline_hit`: the connection's statement deadline stopped the step, so SQLITE_INTERRUPT
/// is a statement timeout rather than a Canceller's interrupt.
Error sqlite_error(sqlite3* db, int rc, std::string_view what, bool deadline_hit = false);

}  // namespace cutover::db
