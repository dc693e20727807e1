// schema::fill: realistic, deterministic data for the catalogued tables of a live database
// (value shapes from wso2-schemas.md §3). Used by the demo, the tests and the benchmarks.
// Writes everything in one transaction through each engine's bulk path; refuses a database
// whose catalogued tables already hold rows.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db/connection.h"

namespace cutover::schema {

struct FillOptions {
  /// Access-token rows; every other table is sized from it (scopes ~2x, codes 1/4, ...).
  std::int64_t rows = 1000;
  /// Same seed, same rows, on every engine and platform.
  std::uint64_t seed = 1;
  std::string product = "is";
  /// Product version of the schema; empty: detect it from the live tables.
  std::string version;
  /// Newest TIME_CREATED ("YYYY-MM-DD HH:MM:SS" UTC). Fixed by default so a seed always gives
  /// the same rows; tokens spread over the 30 days before it.
  std::string base_time = "2026-11-01 00:00:00";
};

struct FillResult {
  std::string version;
  std::vector<std::pair<std::string, std::int64_t>> rows;  ///< per table, in load order
  std::int64_t total_rows = 0;
};

FillResult fill(db::Connection& conn, const FillOptions& options);

}  // namespace cutover::schema
