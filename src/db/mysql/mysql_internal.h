// Shared by the MySQL backend's files only: the Connection class, whose members are defined
// in mysql_connection.cpp (statements, transactions), mysql_bulk.cpp (bulk_insert),
// mysql_statement.cpp (prepare) and mysql_catalog.cpp (introspection), and the literal writer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <mysql.h>

#include "db/connection.h"
#include "db/mysql/mysql_errors.h"
#include "db/table_def.h"
#include "db/url.h"
#include "db/value.h"

namespace cutover::db {

/// Appends `v` as a MySQL literal: NULL, a number, or an escaped (binary) string.
void mysql_append_literal(MYSQL* conn, std::string& out, const Value& v);

class MysqlConnection final : public Connection {
 public:
  /// `spec` and `connect_timeout_s` are kept for the Canceller's second connection.
  MysqlConnection(MYSQL* conn, ConnectionSpec spec, int connect_timeout_s);

  MysqlConnection(const MysqlConnection&) = delete;
  MysqlConnection& operator=(const MysqlConnection&) = delete;
  MysqlConnection(MysqlConnection&&) = delete;
  MysqlConnection& operator=(MysqlConnection&&) = delete;

  ~MysqlConnection() override;

  const Dialect& dialect() const override;

  const Capabilities& capabilities() const override { return caps_; }

  std::string backend() const override { return "mysql"; }

  std::string server_version() override;

  std::int64_t execute(std::string_view sql, std::span<const Value> params) override;

  std::unique_ptr<RowReader> query(std::string_view sql, std::span<const Value> params) override;

  void begin(const TxOptions& options = {}) override;  // NOLINT(google-default-arguments)

  void commit() override;

  void rollback() override;

  std::int64_t bulk_insert(std::string_view table, const std::vector<std::string>& columns,
                           RowSource& rows) override;

  std::unique_ptr<PreparedStatement> prepare(std::string_view sql) override;

  /// execute() and query() of a statement whose literals are already in place; `shown` is
  /// what an error message may quote (never the text with data in it).
  std::int64_t execute_final(const std::string& sql, std::string_view shown);
  std::unique_ptr<RowReader> query_final(const std::string& sql, std::string_view shown);

  std::vector<std::string> list_tables() override;

  std::optional<TableDef> describe_table(std::string_view wanted) override;

  std::optional<std::int64_t> table_size_bytes(std::string_view table) override;

  std::unique_ptr<Canceller> canceller() override;

  /// Applies OpenOptions' timeouts and reads what decides a lock timeout's rollback.
  void apply_timeouts(const OpenOptions& options);

 private:
  // Sends one statement; `shown` is what an error message may quote.
  void run(const std::string& sql, std::string_view shown);

  // The server knows best: DDL commits implicitly, so a flag of our own can be stale.
  bool in_transaction();

  // The stored name of a base table, preferring an exact match over a case-insensitive one.
  std::optional<std::string> resolve_table(std::string_view wanted);

  void read_columns(TableDef& t, std::span<const Value> key);

  // PRIMARY becomes the primary key, other unique indexes unique keys (MySQL makes no
  // difference between the two), the rest plain indexes (including those InnoDB adds for FKs).
  void read_indexes(TableDef& t, std::span<const Value> key);

  void read_foreign_keys(TableDef& t, std::span<const Value> key);

  MYSQL* conn_;
  ConnectionSpec spec_;
  int connect_timeout_s_;
  MysqlSession session_;
  Capabilities caps_;
  bool mariadb_ = false;
  bool in_tx_ = false;
};

}  // namespace cutover::db
