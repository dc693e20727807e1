// sync copy: the consistent initial copy (DESIGN §3.4). One snapshot of the source, the
// journal position recorded inside it (sync/position.h) and stored in the target once the data
// is in, so `sync run` continues exactly there. Parallel over tables and primary-key ranges,
// each engine's bulk path, indexes and foreign keys after the data, checkpointed per chunk.
// Engines never print: progress goes to the observer callback.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "db/connection.h"
#include "sync/config.h"

namespace cutover::sync {

struct CopyOptions {
  /// Copy every table of the source database, not only the synced ones and those they
  /// reference by foreign key (the seed's "dump and restore", done consistently).
  bool all_tables = false;
  /// Copy into a target table of another shape: columns on one side only are skipped
  /// (listed in the result) instead of stopping the copy before it writes.
  bool allow_column_mismatch = false;
  /// Rows per chunk: the unit of parallel work and of the checkpoint (a killed copy redoes at
  /// most one chunk per connection). Larger chunks mean longer target transactions.
  std::int64_t chunk_rows = 100'000;
  /// Stop, resumably, after this many chunks in this run; 0 = copy everything. Lets an
  /// operator copy in windows of low load (and tests interrupt a copy at a known point).
  std::int64_t max_chunks = 0;
};

/// The target table holding the copy's checkpoint (one row per table and per chunk).
inline constexpr const char* kCopyTable = "CUTOVER_COPY";

struct CopyProgress {
  std::string table;
  std::int64_t rows_done = 0;
  std::int64_t rows_total = 0;  ///< estimate; 0 when unknown
  /// The first report of every table, before any worker starts: a progress display records
  /// it without drawing, so its first line already sums all tables' totals.
  bool initial = false;
};

struct CopyTableResult {
  std::string table;
  std::int64_t rows = 0;
  bool created = false;                      ///< the target lacked it; made from the source
  std::vector<std::string> skipped_columns;  ///< "TABLE.COLUMN (source only|target only)"
};

struct CopyResult {
  std::vector<CopyTableResult> tables;
  std::int64_t rows = 0;
  double seconds = 0;
  bool resumed = false;  ///< continued a copy a kill interrupted
  bool complete = true;  ///< false when max_chunks stopped it early: run copy again
};

enum class CopyState { none, in_progress, complete };

/// Copies per `config` and `options`. Safe to kill at any point: run again, it resumes.
/// `on_progress` is called from one thread at a time, about every 0.5 s per changed table.
CopyResult copy(const SyncConfig& config, const CopyOptions& options,
                const std::function<void(const CopyProgress&)>& on_progress = {});

/// Whether a copy for the source's journal ran into this target (run refuses while one is in
/// progress: it would race the copy's own writes).
CopyState copy_state(db::Connection& target, const std::string& journal_id);

/// Source tables (stored names) a copy for this journal loaded completely into this target.
std::vector<std::string> copied_tables(db::Connection& target, const std::string& journal_id);

}  // namespace cutover::sync
