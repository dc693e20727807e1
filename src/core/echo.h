// core::echo: a piece of user input (argv, a configuration file, a server's reply) made safe to
// put into a message for a terminal. Control bytes, terminal escapes, bidirectional overrides
// and invalid UTF-8 are shown as visible escapes, and long text is cut in the middle with a
// count of what was left out. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cutover {

/// Bytes of one echoed piece of input kept by default: enough to recognise it.
inline constexpr std::size_t kEchoLimit = 120;

/// `text` as it may be shown: ESC, other C0/C1 controls and DEL as \xNN, bidirectional
/// formatting characters as \u{NNNN}, bytes that are not UTF-8 as \xNN. When `text` is longer
/// than `limit` bytes, its start and end are kept around " ... (N bytes left out) ... ".
std::string echo(std::string_view text, std::size_t limit = kEchoLimit);

}  // namespace cutover
