// cleanup registry: turns a registry written with versioning on into one that works with
// versioning off (seed 004, "Disabling versioning in the registry configuration";
// wso2-migration-tooling.md §4). The association tables REG_RESOURCE_PROPERTY, _TAG, _COMMENT
// and _RATING get the path and name of their resource's current version; links of older
// versions go, and then the property, tag, comment and rating rows nothing links to. Same
// steps and meaning as WSO2's per-database scripts, written set-based (joins and anti-joins,
// never NOT IN), in one transaction, after a backup of every row it deletes or rewrites.
// Never prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "db/connection.h"
#include "db/dialect.h"

namespace cutover::cleanup {

/// One kind of registry metadata: its association table and value table.
struct RegistryKindCounts {
  std::string links;           ///< association table, live name
  std::string values;          ///< value table, live name
  std::int64_t rewritten = 0;  ///< links that now carry path and name
  std::int64_t dropped = 0;    ///< links of versions that are no longer current
  std::int64_t orphans = 0;    ///< value rows no link referred to any more
};

struct RegistryOptions {
  /// Count what would change, inside a transaction that is rolled back; no backup.
  bool dry_run = false;
  /// Copy every row the run deletes or rewrites into CUTOVER_BAK_<table> first (default on).
  bool backup = true;
  /// When set, those rows go into this new file instead of tables (registry_backup_file.h);
  /// it is complete on disk before the transaction commits. Refused when it exists.
  std::string backup_file;
};

struct RegistryResult {
  std::vector<RegistryKindCounts> kinds;   ///< property, tag, comment, rating
  std::vector<std::string> backup_tables;  ///< the backup tables written (names as created)
  std::int64_t backup_file_rows = 0;       ///< rows written to options.backup_file
  bool changed = false;                    ///< false: nothing to do (a second run)
};

/// Runs the cleanup on `conn`. Throws a config error when the registry tables are missing or
/// not shaped as versioned links (no REG_VERSION / REG_PATH_ID / REG_RESOURCE_NAME).
RegistryResult disable_versioning(db::Connection& conn, const RegistryOptions& options);

/// Puts back the rows the backup tables hold (links as they were, deleted values) in one
/// transaction, then empties the backup tables. Returns rows restored per table. Throws a
/// config error when there is no backup.
std::vector<std::pair<std::string, std::int64_t>> restore_registry_backup(db::Connection& conn);

/// The same from a --backup-file file, in one transaction; the file stays. Throws a config
/// error when the file is incomplete, not a backup, or names tables or columns this registry
/// does not have.
std::vector<std::pair<std::string, std::int64_t>> restore_registry_backup_file(
    db::Connection& conn, const std::string& path);

/// The script an operator runs by hand for `dialect` (h2, db2, mssql, mysql, oracle,
/// postgresql, sqlite): the same statements in the same order, WSO2's table names, DB2's and
/// Oracle's "/" separators. No backup statements (a header says to take one).
std::string disable_versioning_script(const db::Dialect& dialect);

/// The names of the backup tables for each registry table.
std::string backup_table_name(const std::string& table);

}  // namespace cutover::cleanup
