// The bulk paths every backend shares: bulk_read through the streaming query (backends with
// COPY override it), the unsupported defaults of the raw COPY calls, and the raw pass-through
// between two connections that speak COPY.
#include <fmt/format.h>

#include "core/error.h"
#include "db/connection.h"
#include "db/dialect.h"

namespace cutover::db {

namespace {

// A RowReader seen as a RowSource: the rows of one streaming query, in order.
class ReaderRowSource final : public RowSource {
 public:
  explicit ReaderRowSource(std::unique_ptr<RowReader> reader) : reader_(std::move(reader)) {}

  bool next(Row& row) override {
    if (!reader_->next()) {
      return false;
    }
    std::size_t n = reader_->column_count();
    row.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      row[i] = reader_->get(i);
    }
    return true;
  }

 private:
  std::unique_ptr<RowReader> reader_;
};

std::string column_list(const Dialect& d, const std::vector<std::string>& columns) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    out += (i ? ", " : "") + d.stored_ident(columns[i]);
  }
  return out;
}

Error no_copy(const Connection& conn) {
  return Error(ErrorKind::unsupported,
               fmt::format("the {} backend has no raw COPY stream", conn.backend()),
               "check capabilities().copy_out first; use bulk_read and bulk_insert instead");
}

}  // namespace

std::unique_ptr<RowSource> Connection::bulk_read(std::string_view table,
                                                 const std::vector<std::string>& columns,
                                                 const std::vector<std::string>& order_by) {
  const Dialect& d = dialect();
  std::string sql =
      fmt::format("SELECT {} FROM {}", column_list(d, columns), d.stored_ident(table));
  if (!order_by.empty()) {
    sql += " ORDER BY " + column_list(d, order_by);
  }
  return std::make_unique<ReaderRowSource>(query(sql, {}));
}

std::unique_ptr<ChunkSource> Connection::copy_out_raw(std::string_view /*sql*/) {
  throw no_copy(*this);
}

std::int64_t Connection::copy_in_raw(std::string_view /*sql*/, ChunkSource& /*data*/) {
  throw no_copy(*this);
}

std::int64_t copy_table_raw(Connection& from, Connection& to, std::string_view table,
                            const std::vector<std::string>& columns) {
  for (Connection* c : {&from, &to}) {
    if (!c->capabilities().copy_out) {
      throw no_copy(*c);
    }
  }
  // Binary on both sides: the server neither prints nor parses a value on the way.
  std::string out_cols = column_list(from.dialect(), columns);
  std::string in_cols = column_list(to.dialect(), columns);
  std::unique_ptr<ChunkSource> data =
      from.copy_out_raw(fmt::format("COPY (SELECT {} FROM {}) TO STDOUT (FORMAT binary)", out_cols,
                                    from.dialect().stored_ident(table)));
  return to.copy_in_raw(fmt::format("COPY {} ({}) FROM STDIN (FORMAT binary)",
                                    to.dialect().stored_ident(table), in_cols),
                        *data);
}

}  // namespace cutover::db
