// db::TxOptions: how a transaction starts (isolation, read-only, snapshot). Plain value types,
// shared by Connection::begin and the dialects that spell the options in SQL.
#pragma once

#include <string>

namespace cutover::db {

/// Isolation level of a transaction; engine_default leaves the server's setting.
enum class Isolation { engine_default, read_committed, repeatable_read, serializable };

/// How Connection::begin starts a transaction. The default is a read-write transaction at the
/// engine's default isolation (SQLite: one that takes the write lock at once).
struct TxOptions {
  Isolation isolation = Isolation::engine_default;
  /// Writes fail inside the transaction; SQLite then does not take the write lock, so a
  /// reader never blocks the writer (WAL).
  bool read_only = false;
  /// The snapshot is taken at begin, not at the first read: a change another connection
  /// commits after begin() returns is not seen. Implies at least repeatable read.
  bool consistent_snapshot = false;
  /// Read the snapshot another transaction exported (Connection::export_snapshot) instead of
  /// taking a new one; needs Capabilities::shared_snapshot. Implies consistent_snapshot.
  std::string snapshot_id;
};

}  // namespace cutover::db
