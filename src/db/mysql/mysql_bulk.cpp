// bulk_insert for the MySQL backend: multi-row INSERTs of client-side literals.
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "db/dialect.h"
#include "db/mysql/mysql_internal.h"

namespace cutover::db {

namespace {

// bulk_insert batches: well under the smallest max_allowed_packet still met in practice (4 MB
// in MySQL 5.7), and few enough rows that one failed batch is cheap to report.
constexpr std::size_t kBatchBytes = std::size_t{1} << 20;
constexpr std::size_t kBatchRows = 1000;

}  // namespace

std::int64_t MysqlConnection::bulk_insert(std::string_view table,
                                          const std::vector<std::string>& columns,
                                          RowSource& rows) {
  // Multi-row INSERTs, each under kBatchBytes of SQL text or kBatchRows rows.
  const Dialect& d = dialect();
  std::string head = fmt::format("INSERT INTO {} (", d.stored_ident(table));
  for (std::size_t i = 0; i < columns.size(); ++i) {
    head += (i ? ", " : "") + d.stored_ident(columns[i]);
  }
  head += ") VALUES ";
  std::string shown = head + "(...)";
  std::optional<Transaction> tx;
  if (!in_transaction()) {
    tx.emplace(*this);
  }
  std::string sql = head;
  std::string tuple;
  std::size_t batch = 0;
  std::int64_t n = 0;
  Row row;
  while (rows.next(row)) {
    if (row.size() != columns.size()) {
      throw Error(ErrorKind::internal,
                  fmt::format("bulk insert into {}: row has {} values for {} columns", table,
                              row.size(), columns.size()));
    }
    tuple = "(";
    for (std::size_t i = 0; i < row.size(); ++i) {
      tuple += i ? ", " : "";
      mysql_append_literal(conn_, tuple, row[i]);
    }
    tuple += ')';
    if (batch > 0 && (sql.size() + tuple.size() + 2 > kBatchBytes || batch >= kBatchRows)) {
      run(sql, shown);
      sql = head;
      batch = 0;
    }
    sql += batch > 0 ? ", " : "";
    sql += tuple;
    ++batch;
    ++n;
  }
  if (batch > 0) {
    run(sql, shown);
  }
  if (tx) {
    tx->commit();
  }
  return n;
}

}  // namespace cutover::db
