// core utc_time: the one text form of a moment cutover reads and writes, "YYYY-MM-DD HH:MM:SS"
// in UTC (fill's TIME_CREATED values, inspect's cleanup cut-off, --base-time and --now).
// Pure functions over the C library's UTC conversions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cutover {

/// "YYYY-MM-DD HH:MM:SS" for seconds since the epoch (UTC).
std::string utc_text(std::int64_t epoch_seconds);

/// Seconds since the epoch for "YYYY-MM-DD HH:MM:SS" (UTC); throws a usage error if malformed.
std::int64_t parse_utc(std::string_view text);

/// The current UTC time as "YYYY-MM-DD HH:MM:SS", shifted by `offset_seconds`.
std::string utc_now_text(std::int64_t offset_seconds = 0);

}  // namespace cutover
