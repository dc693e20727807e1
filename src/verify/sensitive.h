// verify sensitive: the one list of columns whose values verify never shows in clear (tokens,
// codes, secrets, passwords, hashes of them, session blobs), and how a value is shown: its
// canonical text echoed safely, or a short hash of it. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "db/value.h"
#include "verify/canonical.h"

namespace cutover::verify {

/// True when `column` (any case) holds a secret or a token: ACCESS_TOKEN, REFRESH_TOKEN,
/// AUTHORIZATION_CODE, CONSUMER_SECRET, TOKEN_BINDING_VALUE, SESSION_OBJECT, any *_HASH,
/// *_TOKEN, *SECRET*, *PASSWORD*, *SALT*.
bool holds_secret(std::string_view column);

/// `v` as verify shows it: nullopt for NULL; otherwise its canonical text as kind `k`, echoed
/// safely and cut to a readable length, or, with `secret`, "#" and 8 hex digits of its hash
/// (equal values show equal hashes, so a person still sees which side changed).
std::optional<std::string> shown_value(const db::Value& v, Kind k, bool secret);

}  // namespace cutover::verify
