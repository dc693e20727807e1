// The one text form values take on their way out of every backend, native or through ODBC, so
// the same row reads the same whichever way it was fetched (DESIGN §4): timestamps as UTC wall
// clock "YYYY-MM-DD HH:MM:SS[.f]" with the fraction trimmed, booleans as "true"/"false",
// binary as bytes. Sessions are put in the matching state by Dialect::session_setup.
#pragma once

#include <string>
#include <string_view>

#include "db/value.h"

namespace cutover::db {

/// A timestamp as the server printed it, in the canonical form: trailing zeros of the
/// fraction (and a bare '.') dropped, a UTC offset ("+00", "+00:00", "Z") dropped. Text that
/// is not a timestamp comes back unchanged.
std::string canonical_timestamp(std::string_view text);

/// A boolean cell: "true" or "false".
Value bool_value(bool b);

}  // namespace cutover::db
