// core utf8: appending one Unicode code point to a UTF-8 string (the ODBC driver's UTF-16
// messages, Java-properties \uXXXX escapes). Pure function.
#pragma once

#include <string>

namespace cutover {

/// Appends `c` encoded as UTF-8; the caller passes a valid code point (replacement character
/// for anything it could not decode).
void append_utf8(std::string& out, char32_t c);

}  // namespace cutover
