// schema::match_version: which product version a live schema is, by comparing the live tables
// with every catalogued version. Pure function over table shapes, so it is tested without a
// database as well as against real ones.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "db/table_def.h"
#include "schema/catalogue.h"
#include "schema/live_tables.h"

namespace cutover::schema {

/// How one table differs from a catalogued version.
struct TableDiff {
  std::string table;
  bool missing = false;     ///< the version has the table, the database does not
  bool unexpected = false;  ///< the database has the table, the version does not
  std::vector<std::string> missing_columns;
  std::vector<std::string> extra_columns;  ///< catalogued in another version, not this one
};

struct VersionMatch {
  /// Versions whose columns match best, oldest first (several: the catalogue cannot tell
  /// them apart by columns). Empty when no catalogued table exists.
  std::vector<std::string> versions;
  /// Of `versions`, those whose keys, indexes, types and nullability also match best.
  std::vector<std::string> narrowed;
  int column_differences = 0;                ///< 0: an exact match on columns
  std::vector<TableDiff> differences;        ///< against versions.front(); empty for an exact match
  std::vector<std::string> unknown_columns;  ///< "TABLE.COLUMN" in no catalogued version
  int tables_found = 0;                      ///< catalogued tables present in the database

  /// "5.8.0", or "5.8.0-5.9.0" for a range of identical versions.
  std::string label() const;
};

/// `live` maps upper-case table names to their introspected shape (catalogued tables only).
/// `dialect` picks the engine-specific catalogue entries ("mysql", "postgresql", ...).
VersionMatch match_version(const Product& product, const LiveTables& live,
                           std::string_view dialect);

/// Tables version `version` (an index into product.versions()) has and `live` lacks, in
/// catalogue order. Only tables of a WSO2 database (identity, shared) of which `live` holds
/// some table count: a deployment may keep the other database elsewhere.
std::vector<std::string> missing_tables(const Product& product, const LiveTables& live,
                                        std::string_view dialect, int version);

}  // namespace cutover::schema
