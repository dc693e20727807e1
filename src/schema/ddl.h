// schema DDL: the product's tables of one version as one dialect's statements, and creating
// them in a live database all-or-nothing.
#pragma once

#include <string>
#include <vector>

#include "db/connection.h"
#include "db/dialect.h"
#include "schema/catalogue.h"

namespace cutover::schema {

/// Which of WSO2's databases to create; WSO2 deployments usually split them.
enum class DatabaseFilter { all, identity, shared };

/// Statements creating `version` of `product` in `dialect`, referenced tables first.
std::vector<std::string> create_statements(const Product& product, int version,
                                           const db::Dialect& dialect, DatabaseFilter filter);

/// The same statements as one script: each followed by ";" and a blank line.
std::string create_script(const Product& product, int version, const db::Dialect& dialect,
                          DatabaseFilter filter);

struct CreateResult {
  int tables = 0;
  int statements = 0;
};

/// Creates the tables in `conn`. Refuses (config error, nothing changed) when any of them
/// already exists. Runs in one transaction where DDL is transactional; elsewhere drops what
/// it created when a later statement fails, so the database is left as it was.
CreateResult create_schema(db::Connection& conn, const Product& product, int version,
                           DatabaseFilter filter);

}  // namespace cutover::schema
