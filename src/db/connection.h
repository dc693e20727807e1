// db::Connection: the narrow interface every backend implements (SQLite, PostgreSQL, MariaDB,
// ODBC). One connection is used by one thread at a time. Statements use the placeholders of
// the connection's dialect (Dialect::placeholder). Errors are cutover::Error with SQLSTATE /
// native code filled in by the backend's <b>_errors.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "db/table_def.h"
#include "db/tx_options.h"
#include "db/value.h"

namespace cutover {
class Error;
}  // namespace cutover

namespace cutover::db {

class Dialect;

/// How a backend opens a database.
struct OpenOptions {
  bool create = false;         ///< SQLite: create the file when missing (schema create)
  bool read_only = false;      ///< the caller only reads (inspect): no write access needed
  int connect_timeout_s = 10;  ///< server backends: give up connecting after this long
  /// Longest a statement may run, 0 = no limit (default: migrations run long DDL and checksum
  /// queries, and a limit stops a hung statement but also a slow legitimate one). A timeout is
  /// ErrorKind::timeout with statement_timeout(), not retryable. SQLite measures each step of
  /// a statement (engine time, not the caller's time between rows); ODBC rounds up to seconds.
  int statement_timeout_ms = 0;
  /// Longest a statement waits for a lock, 0 = no limit. Default 10 s: long enough for row
  /// locks held by short transactions, short enough that DDL queued behind a long transaction
  /// does not stall every later writer for long (PostgreSQL queues them behind it). A lock
  /// timeout is ErrorKind::timeout with lock_not_available(), retryable. MariaDB rounds up to
  /// whole seconds (innodb_lock_wait_timeout, lock_wait_timeout); SQLite is busy_timeout.
  int lock_timeout_ms = 10000;
};

/// Stops the statement running on one connection, from another thread (Ctrl-C, a watchdog).
/// cancel() is safe to call from any thread at any time, also after the connection is gone;
/// it never throws and returns false when the request could not be sent. The cancelled
/// statement fails with ErrorKind::interrupted. A cancel that reaches the server just after
/// the statement finished may stop the next one instead (every engine's cancel has this race).
class Canceller {
 public:
  virtual ~Canceller() = default;
  virtual bool cancel() = 0;
};

/// What an engine can do; engines branch on these, never on the backend's name.
struct Capabilities {
  bool transactional_ddl = false;    ///< DDL inside a transaction rolls back with it
  bool copy_protocol = false;        ///< bulk_insert streams through COPY
  bool table_sizes = false;          ///< table_size_bytes() answers
  bool sizes_are_estimates = false;  ///< sizes come from engine statistics (InnoDB)
  bool copy_out = false;  ///< bulk_read streams through COPY; copy_out_raw / copy_in_raw work
  std::size_t max_placeholders = 999;  ///< per statement
  /// export_snapshot() works and TxOptions::snapshot_id imports it, so parallel readers see
  /// one instant (PostgreSQL). Elsewhere each reader needs its own consistent_snapshot.
  bool shared_snapshot = false;
};

/// Forward-only cursor over a result set. Must be finished or destroyed before the next
/// statement runs on the same connection (MariaDB and libpq stream results; through ODBC,
/// whether rows stream depends on the driver's settings).
class RowReader {
 public:
  virtual ~RowReader() = default;
  /// Advances to the next row; false at the end.
  virtual bool next() = 0;
  virtual std::size_t column_count() const = 0;
  virtual std::string column_name(std::size_t i) const = 0;
  /// Value of column i of the current row (timestamps as text, binary as bytes).
  virtual Value get(std::size_t i) const = 0;

  Row row() const;
};

/// A row source for bulk_insert: fills `row` and returns true, or returns false at the end.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual bool next(Row& row) = 0;
};

/// A statement parsed once and run many times. Valid while the connection that made it lives;
/// a reader from query() reads through the statement, so it must be finished or destroyed
/// before the next execution and before the statement itself.
class PreparedStatement {
 public:
  virtual ~PreparedStatement() = default;
  /// Runs the statement with `params`; returns rows matched, as Connection::execute does.
  virtual std::int64_t execute(std::span<const Value> params = {}) = 0;
  virtual std::unique_ptr<RowReader> query(std::span<const Value> params = {}) = 0;
};

/// Raw chunks of a COPY stream in the engine's own format, passed on without decoding.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  /// Points `chunk` at the next piece (valid until the next call); false at the end.
  virtual bool next(std::string_view& chunk) = 0;
};

class Connection {
 public:
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virtual ~Connection() = default;

  virtual const Dialect& dialect() const = 0;
  virtual const Capabilities& capabilities() const = 0;
  /// Short backend name: "sqlite", "postgresql", "mysql", "odbc".
  virtual std::string backend() const = 0;
  /// Engine name and version as the server reports it, e.g. "PostgreSQL 15.8".
  virtual std::string server_version() = 0;

  /// Runs one statement; returns the number of rows it matched (an UPDATE that sets a value to
  /// what it already was still counts), 0 when not applicable.
  virtual std::int64_t execute(std::string_view sql, std::span<const Value> params = {}) = 0;
  /// Runs a query and returns a streaming reader.
  virtual std::unique_ptr<RowReader> query(std::string_view sql,
                                           std::span<const Value> params = {}) = 0;

  /// Starts a transaction; see TxOptions for what each option guarantees.
  virtual void begin(const TxOptions& options = {}) = 0;  // NOLINT(google-default-arguments)
  /// Commits. A failed commit never leaves the transaction open: the backend rolls it back and
  /// throws the server's error, or throws ErrorKind::in_doubt when the connection was lost and
  /// nobody can tell whether the server committed.
  virtual void commit() = 0;
  /// Rolls back; does nothing when no transaction is open.
  virtual void rollback() = 0;
  /// Inside a transaction begun with consistent_snapshot: an id other connections pass as
  /// TxOptions::snapshot_id to read the same snapshot, valid while this transaction stays
  /// open. Throws ErrorKind::unsupported unless capabilities().shared_snapshot.
  virtual std::string export_snapshot();

  /// Inserts every row of `rows` into `table` (columns in that order) through the engine's
  /// bulk path, inside the caller's transaction if one is open. Returns rows inserted. Table
  /// and column names are stored names, as list_tables / describe_table report them.
  virtual std::int64_t bulk_insert(std::string_view table, const std::vector<std::string>& columns,
                                   RowSource& rows) = 0;

  /// Parses `sql` once for repeated execution (server-side where the backend can).
  virtual std::unique_ptr<PreparedStatement> prepare(std::string_view sql) = 0;
  /// Streams every row of `table` (stored names, columns in that order, sorted by `order_by`
  /// when given) as Values ready for bulk_insert on any connection. COPY where
  /// capabilities().copy_out says so, otherwise the streaming query. Same reader rules.
  virtual std::unique_ptr<RowSource> bulk_read(std::string_view table,
                                               const std::vector<std::string>& columns,
                                               const std::vector<std::string>& order_by = {});
  /// Runs `sql`, a COPY ... TO STDOUT, and hands back its data undecoded. Only when
  /// capabilities().copy_out; throws ErrorKind::unsupported otherwise.
  virtual std::unique_ptr<ChunkSource> copy_out_raw(std::string_view sql);
  /// Runs `sql`, a COPY ... FROM STDIN, feeding it `data` as is; returns rows loaded.
  /// Only when capabilities().copy_out; throws ErrorKind::unsupported otherwise.
  virtual std::int64_t copy_in_raw(std::string_view sql, ChunkSource& data);

  /// Names of the base tables in the connected database / schema, as the engine stores them.
  virtual std::vector<std::string> list_tables() = 0;
  /// Shape of one table, or nullopt when it does not exist. Matches the name
  /// case-insensitively.
  virtual std::optional<TableDef> describe_table(std::string_view table) = 0;
  /// Bytes used by the table and its indexes, or nullopt where the engine cannot tell.
  virtual std::optional<std::int64_t> table_size_bytes(std::string_view table) = 0;

  /// A handle another thread uses to cancel this connection's running statement.
  virtual std::unique_ptr<Canceller> canceller() = 0;

  /// Convenience: first column of the first row, or nullopt when no row.
  std::optional<Value> query_value(std::string_view sql, std::span<const Value> params = {});

 protected:
  /// For begin(): runs `statements` (Dialect::transaction_start) once the backend has left
  /// autocommit; when one fails, rolls back so no half-configured transaction stays open, and
  /// rethrows.
  void start_transaction(const std::vector<std::string>& statements);
};

/// Copies every row of `table` (stored names, columns in that order) from `from` into the
/// same-named table of `to` as raw binary COPY data, decoding no value. Both connections must
/// report capabilities().copy_out, and the columns must have the same types on both sides
/// (binary COPY does not convert). Returns rows copied.
std::int64_t copy_table_raw(Connection& from, Connection& to, std::string_view table,
                            const std::vector<std::string>& columns);

/// The error begin() throws when a transaction is already open: a bug of the caller, never
/// answered by ending the open transaction (MySQL's START TRANSACTION would commit it).
Error already_in_transaction();

/// RAII transaction: rolls back in the destructor unless committed; the destructor never throws.
/// commit() marks it closed only once the outcome is known: after success, or an in-doubt
/// error (nothing can be rolled back then); after any other failure the destructor still rolls
/// back, which is a no-op when the backend already did.
class Transaction {
 public:
  explicit Transaction(Connection& conn, const TxOptions& options = {});
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& conn_;
  bool open_ = true;
};

}  // namespace cutover::db
