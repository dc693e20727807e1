// sync apply: the `sync run` loop (DESIGN §3.2, §3.3, §3.6). Read a batch of journal entries
// after the stored position inside one source snapshot, read the current source rows of their
// keys in that same snapshot, transform them, and in one target transaction delete the keys
// that are gone, upsert the rows that exist and store the new position; then prune the journal
// on the source. Idempotent, so a crash anywhere is repaired by running again. Engines never
// print: each batch is reported through the callback.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sync/config.h"

namespace cutover::sync {

struct ApplyOptions {
  /// Drain the journal and return instead of polling forever.
  bool once = false;
  /// Give up after the servers were unreachable (or failing) this long without a break.
  int max_outage_s = 600;
  /// Asked between batches and while idle: true ends the run normally (what is applied stays
  /// applied), so an embedding program can stop it without the process-wide Ctrl-C flag.
  std::function<bool()> stop;
};

struct BatchReport {
  std::int64_t entries = 0;   ///< journal entries consumed
  std::int64_t upserted = 0;  ///< target rows written
  std::int64_t deleted = 0;   ///< target rows removed
  std::int64_t open_gaps = 0;
  std::int64_t lag_ms = 0;  ///< source clock now minus the oldest entry of the batch
  std::int64_t high = 0;    ///< highest journal value applied
  std::string retry;        ///< non-empty: the batch failed with this and will be retried
};

struct ApplyResult {
  std::int64_t batches = 0;
  std::int64_t entries = 0;
  std::int64_t upserted = 0;
  std::int64_t deleted = 0;
  double seconds = 0;
};

/// Runs the apply until the journal is drained (options.once) or Ctrl-C (ErrorKind::interrupted,
/// thrown between batches, with everything applied so far committed).
ApplyResult run_apply(const SyncConfig& config, const ApplyOptions& options,
                      const std::function<void(const BatchReport&)>& on_batch = {});

}  // namespace cutover::sync
