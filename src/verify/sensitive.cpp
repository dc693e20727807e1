#include "verify/sensitive.h"

#include <array>

#include <fmt/format.h>

#include "core/echo.h"
#include "db/table_def.h"

namespace cutover::verify {

namespace {

/// Longest value text shown; enough to recognise a value, short enough for a terminal.
constexpr std::size_t kShownLimit = 160;

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

bool holds_secret(std::string_view column) {
  std::string c = db::to_upper(column);
  static constexpr std::array<std::string_view, 5> kExact = {
      "ACCESS_TOKEN", "REFRESH_TOKEN", "AUTHORIZATION_CODE", "TOKEN_BINDING_VALUE",
      "SESSION_OBJECT"};
  for (std::string_view e : kExact) {
    if (c == e) {
      return true;
    }
  }
  static constexpr std::array<std::string_view, 3> kInside = {"SECRET", "PASSWORD", "SALT"};
  for (std::string_view part : kInside) {
    if (c.find(part) != std::string::npos) {
      return true;
    }
  }
  return ends_with(c, "_HASH") || ends_with(c, "_TOKEN");
}

std::optional<std::string> shown_value(const db::Value& v, Kind k, bool secret) {
  if (v.is_null()) {
    return std::nullopt;
  }
  std::string text;
  append_canonical(v, k, text);
  if (secret) {
    return fmt::format("#{:08x}", row_hash(text) >> 32U);
  }
  return echo(text, kShownLimit);
}

}  // namespace cutover::verify
