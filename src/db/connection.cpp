#include "db/connection.h"

#include <cstdio>

#include "core/error.h"

namespace cutover::db {

Row RowReader::row() const {
  Row out;
  out.reserve(column_count());
  for (std::size_t i = 0; i < column_count(); ++i) {
    out.push_back(get(i));
  }
  return out;
}

std::optional<Value> Connection::query_value(std::string_view sql, std::span<const Value> params) {
  std::unique_ptr<RowReader> reader = query(sql, params);
  if (!reader->next()) {
    return std::nullopt;
  }
  Value v = reader->get(0);
  while (reader->next()) {
  }
  return v;
}

Transaction::Transaction(Connection& conn) : conn_(conn) {
  conn_.begin();
}

Transaction::~Transaction() {
  if (!open_) {
    return;
  }
  try {
    conn_.rollback();
  } catch (const Error& e) {
    // A destructor must not throw; the connection is usually already gone in this case.
    std::fprintf(stderr, "cutover: rollback failed: %s\n", e.one_line().c_str());
  }
}

void Transaction::commit() {
  open_ = false;
  conn_.commit();
}

}  // namespace cutover::db
