// schema live tables: which of a product's catalogued tables a database holds, and their
// introspected shapes. The input of version matching (fingerprint.h), fill, inspect, and later
// sync and verify. Reads only.
#pragma once

#include <map>
#include <string>

#include "db/connection.h"
#include "db/table_def.h"
#include "schema/catalogue.h"

namespace cutover::schema {

/// Live catalogued tables keyed by upper-case table name.
using LiveTables = std::map<std::string, db::TableDef>;

/// Introspects the catalogued tables present in `conn`.
LiveTables live_catalogued_tables(db::Connection& conn, const Product& product);

/// The tables of `live` that belong to one WSO2 database (identity or shared).
LiveTables tables_of(const Product& product, const LiveTables& live, Database database);

}  // namespace cutover::schema
