// plan::inspect: what an operator has. Engine and server version, which product version the
// schema is, row counts and sizes of the catalogued tables, tokens eligible for cleanup, and
// (given the product home directory) databases from its configuration, registry versioning
// and custom components. Reads only; never changes the database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cleanup/token_selection.h"
#include "db/connection.h"
#include "plan/home.h"
#include "schema/fingerprint.h"

namespace cutover::plan {

struct TableStats {
  std::string name;
  std::int64_t rows = 0;
  std::optional<std::int64_t> bytes;  ///< nullopt where the engine cannot tell
  bool bytes_estimated = false;       ///< from engine statistics, possibly stale
};

/// Tokens the pre-migration cleanup would remove, as WSO2's cleanup procedure selects them
/// (cleanup/token_selection.h: the same selection `cleanup tokens` deletes).
using CleanupEstimate = cleanup::TokenEstimate;

struct InspectOptions {
  std::string product = "is";
  /// Tokens whose validity ended less than this long ago are kept (WSO2's default: 2 hours).
  int safe_period_hours = 2;
  /// The moment eligibility is judged at, "YYYY-MM-DD HH:MM:SS" UTC; empty: now.
  std::string now_utc;
};

struct InspectReport {
  std::string target;   ///< redacted URL
  std::string backend;  ///< sqlite, postgresql, mysql, odbc
  std::string dialect;
  std::string server_version;
  std::string product_title;
  schema::VersionMatch match;
  /// The same match per WSO2 database ("identity", "shared") when the database holds tables of
  /// both: deployments split them, and a mix of versions must show rather than average out.
  std::vector<std::pair<std::string, schema::VersionMatch>> by_database;
  std::vector<TableStats> tables;          ///< largest first
  std::optional<CleanupEstimate> cleanup;  ///< when the token table exists
  std::optional<HomeReport> home;
};

/// Inspects the database behind `conn`. Throws a config error when it holds none of the
/// product's tables (naming how many tables it does hold).
InspectReport inspect(db::Connection& conn, const std::string& target,
                      const InspectOptions& options);

}  // namespace cutover::plan
