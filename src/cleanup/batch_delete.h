// cleanup batch_delete: removes the rows of one table that a condition selects, a batch at a
// time in primary-key order, each batch with its dependent rows in one short transaction, so
// a live server keeps writing meanwhile and a killed run leaves whole batches (a rerun goes
// on). Shared by the token and session cleanups. Never prints; reports through a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cleanup/token_selection.h"
#include "db/connection.h"

namespace cutover::cleanup {

struct RemovedRows {
  std::string table;  ///< live name
  std::int64_t rows = 0;
};

/// Rows that go with a parent row: those of `table` whose `column` equals part `key_part` of
/// the parent's key.
struct Child {
  std::string table;   ///< live name
  std::string column;  ///< live name
  std::size_t key_part = 0;
  /// Only once no row of the parent table with that key part is left (a session id shared by
  /// several store rows keeps its mappings until the last one goes); deleted after the parent.
  bool only_when_last = false;
};

/// One table emptied of its eligible rows.
struct BatchTarget {
  const db::TableDef* table = nullptr;
  std::vector<std::string> key;  ///< primary-key columns, live names, in index order
  /// Eligibility with placeholders numbered from the argument.
  std::function<Condition(int first_placeholder)> eligible;
  std::vector<Child> children;
  /// Token audit copy (single-column keys only): "INSERT ... WHERE key IN " and its parameters.
  std::string audit_prefix;
  std::vector<db::Value> audit_params;
};

struct BatchOptions {
  int batch = 10000;  ///< rows per transaction, at most
  int pause_ms = 0;   ///< pause between batches
  /// Each transaction's time budget: the batch shrinks to what fits in it (a large table
  /// without an index on a foreign key makes each row slow) and grows back up to `batch`,
  /// at most doubling per batch. 0: every batch is `batch` rows.
  int max_transaction_ms = 500;
};

struct BatchStats {
  std::vector<RemovedRows> removed;  ///< per table, in the order first seen
  std::int64_t audited = 0;
  int batches = 0;
  double longest_batch_s = 0;  ///< the longest single transaction
};

/// Called after each batch with parent rows removed so far and the total expected.
using Progress = std::function<void(std::int64_t done, std::int64_t total)>;

/// Runs targets one after another; `total` is only for progress.
class BatchDeleter {
 public:
  BatchDeleter(db::Connection& conn, const BatchOptions& options, BatchStats& stats,
               const Progress& progress, std::int64_t total);

  void run(const BatchTarget& t);

 private:
  std::vector<std::vector<db::Value>> select_batch(
      const BatchTarget& t, const std::optional<std::vector<db::Value>>& cursor, int n);
  void add(const std::string& table, std::int64_t n);

  db::Connection& conn_;
  const BatchOptions& o_;
  BatchStats& stats_;
  const Progress& progress_;
  std::int64_t total_ = 0;
  std::int64_t done_ = 0;
};

}  // namespace cutover::cleanup
