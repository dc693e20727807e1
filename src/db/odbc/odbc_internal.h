// Shared by the ODBC backend's files only: handle owners, parameter binding and result reading
// (odbc_statement.cpp), and the Connection class, whose members are defined in
// odbc_connection.cpp (session, statements, transactions), odbc_bulk.cpp (bulk_insert) and
// odbc_catalog.cpp (introspection through the catalog functions).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <sql.h>
#include <sqlext.h>

#include "db/connection.h"
#include "db/dialect.h"
#include "db/odbc/odbc_errors.h"
#include "db/table_def.h"
#include "db/value.h"

namespace cutover::db {

using WideText = std::vector<SQLWCHAR>;

/// ODBC passes integer attribute values in the pointer argument.
inline SQLPOINTER attr_value(SQLULEN v) {
  return reinterpret_cast<SQLPOINTER>(v);  // NOLINT(performance-no-int-to-ptr): ODBC's API
}

/// Owns a statement handle; freeing it closes any cursor and never throws. With a session,
/// errors are classified with what it knows and its query timeout applies.
class OdbcStatement {
 public:
  explicit OdbcStatement(SQLHDBC dbc, const OdbcSession* session = nullptr) : session_(session) {
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc, &h_))) {
      throw odbc_failure(SQL_HANDLE_DBC, dbc, OdbcPhase::statement, "allocating a statement", {},
                         session);
    }
    if (session != nullptr && session->query_timeout_s > 0) {
      auto seconds = static_cast<SQLULEN>(session->query_timeout_s);
      SQLRETURN rc = SQLSetStmtAttr(h_, SQL_ATTR_QUERY_TIMEOUT, attr_value(seconds), 0);
      if (!SQL_SUCCEEDED(rc)) {
        // The destructor does not run for a constructor that throws: free the handle here.
        Error e = odbc_failure(SQL_HANDLE_STMT, h_, OdbcPhase::statement,
                               "setting the query timeout", {}, session_);
        SQLFreeHandle(SQL_HANDLE_STMT, h_);
        throw e;  // NOLINT(misc-throw-by-value-catch-by-reference): built before the handle is
                  // freed
      }
    }
  }

  OdbcStatement(const OdbcStatement&) = delete;
  OdbcStatement& operator=(const OdbcStatement&) = delete;
  OdbcStatement(OdbcStatement&&) = delete;
  OdbcStatement& operator=(OdbcStatement&&) = delete;

  ~OdbcStatement() { SQLFreeHandle(SQL_HANDLE_STMT, h_); }

  SQLHSTMT get() const { return h_; }

  void check(SQLRETURN rc, std::string_view what) const {
    if (!SQL_SUCCEEDED(rc)) {
      throw odbc_failure(SQL_HANDLE_STMT, h_, OdbcPhase::statement, what, {}, session_);
    }
  }

 private:
  const OdbcSession* session_;
  SQLHSTMT h_ = SQL_NULL_HSTMT;
};

/// The statement handle executing now, shared by a connection and its cancellers (which may
/// outlive it); the mutex keeps SQLCancel off a handle being freed.
struct OdbcRunning {
  std::mutex mutex;
  SQLHSTMT stmt = SQL_NULL_HSTMT;
};

/// Buffers of bound parameters; they must stay put until SQLExecute returns.
struct OdbcParamBuffer {
  std::int64_t i = 0;
  double d = 0;
  WideText text;
  SQLLEN ind = 0;
};

/// Binds params[order[k]] to marker k + 1, through `buffers` (resized to order.size()).
void odbc_bind_params(const OdbcStatement& st, std::span<const Value> params,
                      const std::vector<std::size_t>& order, std::vector<OdbcParamBuffer>& buffers);

/// A reader over the result of an executed statement, which it takes over. `bit_is_bool`:
/// SQL_BIT columns are booleans (PostgreSQL) rather than small integers or bits (MySQL, where
/// the native backend reads them as numbers too).
std::unique_ptr<RowReader> odbc_row_reader(std::unique_ptr<OdbcStatement> st, bool bit_is_bool);

/// A statement already through SQLPrepareW, run with SQLExecute. `order` maps markers to
/// parameters ($n dialects); without it marker k takes parameter k. `shown` names it in errors;
/// `bit_is_bool` as for odbc_row_reader.
std::unique_ptr<PreparedStatement> odbc_prepared(std::unique_ptr<OdbcStatement> st,
                                                 std::optional<std::vector<std::size_t>> order,
                                                 std::string shown, bool bit_is_bool);

/// Owns the environment and connection handles; the destructor disconnects and never throws.
struct OdbcHandles {
  SQLHENV env = SQL_NULL_HENV;
  SQLHDBC dbc = SQL_NULL_HDBC;
  bool connected = false;

  OdbcHandles() = default;
  OdbcHandles(const OdbcHandles&) = delete;
  OdbcHandles& operator=(const OdbcHandles&) = delete;
  OdbcHandles(OdbcHandles&&) = delete;
  OdbcHandles& operator=(OdbcHandles&&) = delete;

  ~OdbcHandles() {
    if (connected) {
      SQLDisconnect(dbc);
    }
    if (dbc != SQL_NULL_HDBC) {
      SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    }
    if (env != SQL_NULL_HENV) {
      SQLFreeHandle(SQL_HANDLE_ENV, env);
    }
  }
};

class OdbcConnection final : public Connection {
 public:
  OdbcConnection(std::unique_ptr<OdbcHandles> h, const Dialect& dialect, std::string version);

  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;
  OdbcConnection(OdbcConnection&&) = delete;
  OdbcConnection& operator=(OdbcConnection&&) = delete;

  ~OdbcConnection() override;

  const Dialect& dialect() const override { return dialect_; }

  const Capabilities& capabilities() const override { return caps_; }

  std::string backend() const override { return "odbc"; }

  std::string server_version() override { return version_; }

  std::int64_t execute(std::string_view sql, std::span<const Value> params) override;

  std::unique_ptr<RowReader> query(std::string_view sql, std::span<const Value> params) override;

  void begin(const TxOptions& options = {}) override;  // NOLINT(google-default-arguments)

  void commit() override;

  void rollback() override;

  std::string export_snapshot() override;

  std::int64_t bulk_insert(std::string_view table, const std::vector<std::string>& columns,
                           RowSource& rows) override;

  std::unique_ptr<PreparedStatement> prepare(std::string_view sql) override;

  std::vector<std::string> list_tables() override;

  std::optional<TableDef> describe_table(std::string_view wanted) override;

  std::optional<std::int64_t> table_size_bytes(std::string_view table) override;

  std::unique_ptr<Canceller> canceller() override;

  /// Puts the session in the state the dialect assumes (as the native backends do), applies
  /// the timeouts of `options`, and remembers which catalog / schema it works in, so catalog
  /// functions look there.
  void prepare_session(const OpenOptions& options);

 private:
  // odbc_bulk.cpp
  std::unique_ptr<OdbcStatement> prepare_insert(std::string_view table,
                                                const std::vector<std::string>& columns,
                                                std::size_t rows, std::string_view what);
  void execute_batch(OdbcStatement& st, const std::vector<Value>& values, std::string_view what);

  // odbc_connection.cpp
  void run(OdbcStatement& st, std::string_view sql, std::span<const Value> params);
  bool autocommit() const;

  // PostgreSQL booleans arrive as SQL_BIT (BoolsAsChar=0); MySQL's BIT and TINYINT do too.
  bool bit_is_bool() const { return dialect_.name() == "postgresql"; }

  void set_autocommit(bool on, std::string_view what);

  // odbc_catalog.cpp
  std::string escape(std::string_view s) const;
  template <typename Call>
  std::unique_ptr<RowReader> catalog_query(std::string_view what, Call call);
  void read_columns(TableDef& t);
  void read_generated(TableDef& t);
  void fix_nullable(TableDef& t);
  std::string read_primary_key(TableDef& t);
  void read_indexes(TableDef& t, const std::string& pk_name);
  void read_foreign_keys(TableDef& t);

  std::unique_ptr<OdbcHandles> h_;
  const Dialect& dialect_;
  std::string version_;
  Capabilities caps_;
  std::string escape_;   // SQL_SEARCH_PATTERN_ESCAPE, empty when the driver has none
  std::string catalog_;  // where catalog functions look; empty: anywhere
  std::string schema_;
  OdbcSession session_;
  std::shared_ptr<OdbcRunning> running_ = std::make_shared<OdbcRunning>();
};

}  // namespace cutover::db
