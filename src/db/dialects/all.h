// The seven dialect singletons. Only db/dialect.cpp and the backends that pair with one
// (ODBC borrows any of them) refer to these directly.
#pragma once

namespace cutover::db {

class Dialect;

const Dialect& sqlite_dialect();
const Dialect& postgres_dialect();
const Dialect& mysql_dialect();
const Dialect& oracle_dialect();
const Dialect& mssql_dialect();
const Dialect& db2_dialect();
const Dialect& h2_dialect();

}  // namespace cutover::db

#include <string>
#include <string_view>
#include <vector>

#include "db/tx_options.h"

namespace cutover::db {

/// "ISOLATION LEVEL REPEATABLE READ" and so on; empty for Isolation::engine_default.
std::string isolation_sql(Isolation level);
/// The isolation a transaction with these options runs at: a snapshot needs at least
/// REPEATABLE READ (throws on an explicit READ COMMITTED).
Isolation snapshot_isolation(const TxOptions& o);

/// INSERT ... ON CONFLICT (key) DO UPDATE SET c = <excluded>.c (SQLite, PostgreSQL).
std::string sqlite_on_conflict_upsert(const Dialect& d, std::string_view table,
                                      const std::vector<std::string>& columns,
                                      const std::vector<std::string>& key,
                                      std::string_view excluded, int rows);
/// stored_ident for engines that fold bare names to upper case (Oracle, DB2, H2): bare when
/// the stored name is already upper case, quoted otherwise.
std::string upper_folding_stored_ident(const Dialect& d, std::string_view stored);
/// SELECT ... WHERE (k1, k2) > (?, ?) ORDER BY k1, k2 LIMIT n (engines with row values).
std::string row_value_keyset_page(const Dialect& d, std::string_view table,
                                  const std::vector<std::string>& columns,
                                  const std::vector<std::string>& key, int limit, bool first);

}  // namespace cutover::db
