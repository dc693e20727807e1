#include "core/utc_time.h"

#include <ctime>

#include <fmt/format.h>

#include "core/error.h"

namespace cutover {

std::string utc_text(std::int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::int64_t parse_utc(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  const char* end = strptime(s.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (end == nullptr || *end != '\0') {
    throw Error(ErrorKind::usage, fmt::format("invalid time '{}'", text),
                "write it as 'YYYY-MM-DD HH:MM:SS' (UTC)");
  }
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string utc_now_text(std::int64_t offset_seconds) {
  return utc_text(static_cast<std::int64_t>(std::time(nullptr)) + offset_seconds);
}

}  // namespace cutover
