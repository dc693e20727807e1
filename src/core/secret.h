// core::Secret: a password that cannot be printed by accident. It has no stream operator and
// no implicit conversion; reveal() is the one way out and is called only where the value is
// handed to a client library. Copyable value type.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cutover {

class Secret {
 public:
  Secret() = default;

  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }

  const std::string& reveal() const { return value_; }

 private:
  std::string value_;
};

/// Where a password for one connection comes from, in order: the password file when one is
/// given (first line, trailing newline removed), else the named environment variable. nullopt
/// when neither is set.
/// Throws a config error (bad input, exit 2) naming the file, never its contents, when the file
/// cannot be read: missing, unreadable or a directory alike.
std::optional<Secret> password_from(std::string_view env_var, std::string_view password_file);

}  // namespace cutover
