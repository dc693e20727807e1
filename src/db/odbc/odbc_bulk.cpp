// bulk_insert for the ODBC backend: prepared multi-row INSERTs with '?' markers.
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "db/odbc/odbc_internal.h"

namespace cutover::db {

namespace {

// Rows per multi-row INSERT in bulk_insert (fewer when the placeholder limit says so).
constexpr std::size_t kBulkRows = 500;

}  // namespace

std::int64_t OdbcConnection::bulk_insert(std::string_view table,
                                         const std::vector<std::string>& columns, RowSource& rows) {
  // Multi-row INSERTs with '?' markers (ODBC's, whatever the dialect), one prepared statement
  // per batch size, so a batch is one round trip. Oracle has no multi-row VALUES: one row.
  std::size_t width = std::max<std::size_t>(columns.size(), 1);
  std::size_t per_batch =
      dialect_.name() == "oracle"
          ? 1
          : std::clamp<std::size_t>(caps_.max_placeholders / width, 1, kBulkRows);
  std::optional<Transaction> tx;
  if (autocommit()) {
    tx.emplace(*this);
  }
  std::string what = fmt::format("bulk inserting into {}", table);
  std::unique_ptr<OdbcStatement> full;  // prepared on first use for per_batch rows
  std::vector<Value> batch;
  std::int64_t n = 0;
  Row row;
  while (rows.next(row)) {
    if (row.size() != columns.size()) {
      throw Error(ErrorKind::internal,
                  fmt::format("bulk insert into {}: row has {} values for {} columns", table,
                              row.size(), columns.size()));
    }
    batch.insert(batch.end(), row.begin(), row.end());
    ++n;
    if (batch.size() == per_batch * columns.size()) {
      if (!full) {
        full = prepare_insert(table, columns, per_batch, what);
      }
      execute_batch(*full, batch, what);
      batch.clear();
    }
  }
  if (!batch.empty()) {
    execute_batch(*prepare_insert(table, columns, batch.size() / width, what), batch, what);
  }
  if (tx) {
    tx->commit();
  }
  return n;
}

std::unique_ptr<OdbcStatement> OdbcConnection::prepare_insert(
    std::string_view table, const std::vector<std::string>& columns, std::size_t rows,
    std::string_view what) {
  std::string tuple;
  std::string sql = fmt::format("INSERT INTO {} (", dialect_.stored_ident(table));
  for (std::size_t i = 0; i < columns.size(); ++i) {
    sql += (i ? ", " : "") + dialect_.stored_ident(columns[i]);
    tuple += i ? ", ?" : "(?";
  }
  sql += ") VALUES ";
  for (std::size_t r = 0; r < rows; ++r) {
    sql += (r ? ", " : "") + tuple + ")";
  }
  auto st = std::make_unique<OdbcStatement>(h_->dbc, &session_);
  WideText text = odbc_widen(sql);
  st->check(SQLPrepareW(st->get(), text.data(), SQL_NTS), what);
  return st;
}

void OdbcConnection::execute_batch(OdbcStatement& st, const std::vector<Value>& values,
                                   std::string_view what) {
  std::vector<std::size_t> order(values.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::vector<OdbcParamBuffer> buffers;
  odbc_bind_params(st, values, order, buffers);
  st.check(SQLExecute(st.get()), what);
}

}  // namespace cutover::db
