// sync tables: the configured table names resolved against the live source: stored names,
// the key that identifies a row (primary key, else the first unique key), ordered so that
// referenced tables come first. Pure reads on the caller's connection.
#pragma once

#include <string>
#include <vector>

#include "capture/capture.h"
#include "db/connection.h"
#include "db/table_def.h"
#include "sync/config.h"

namespace cutover::sync {

struct SyncTable {
  std::string name;              ///< as configured / catalogued ("IDN_OAUTH2_ACCESS_TOKEN")
  db::TableDef def;              ///< the live source table (stored names)
  std::vector<std::string> key;  ///< stored names of the identifying columns
};

/// Resolves config.tables (or default_tables) on `source`. Throws a config error naming the
/// table for a name that is not catalogued, a table the source lacks, or one with neither a
/// primary nor a unique key; referenced tables come before the tables that reference them.
std::vector<SyncTable> resolve_tables(db::Connection& source, const SyncConfig& config);

/// The capture's view of the tables.
std::vector<capture::CapturedTable> captured_tables(const std::vector<SyncTable>& tables);

}  // namespace cutover::sync
