#include "db/connection.h"

#include <cstdio>

#include <fmt/format.h>

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

std::string Connection::export_snapshot() {
  throw Error(ErrorKind::unsupported,
              fmt::format("the {} backend cannot share a snapshot between connections", backend()),
              "give each reader its own consistent snapshot instead");
}

Error already_in_transaction() {
  return Error(ErrorKind::internal, "begin() called while a transaction is already open");
}

void Connection::start_transaction(const std::vector<std::string>& statements) {
  try {
    for (const std::string& s : statements) {
      execute(s, {});
    }
  } catch (const Error&) {
    rollback();
    throw;
  }
}

Transaction::Transaction(Connection& conn, const TxOptions& options) : conn_(conn) {
  conn_.begin(options);
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
  try {
    conn_.commit();
  } catch (const Error& e) {
    // In doubt: the server may have committed, so rolling back would only hide that; the
    // caller must find out. Any other failure: the destructor rolls back (a no-op when the
    // backend already did), so the connection never stays inside the transaction.
    open_ = !e.poisons_connection();
    throw;
  }
  open_ = false;
}

}  // namespace cutover::db
