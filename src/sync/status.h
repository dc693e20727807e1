// sync status: where a sync stands, read from both sides: the source's capture and journal
// (backlog and lag per table, on the source's clock) and the target's stored position and
// copy state; with the reverse sync armed (sync/reverse.h) the same for new -> old.
// Read-only on both databases.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sync/config.h"
#include "sync/copy.h"

namespace cutover::sync {

struct TableStatus {
  std::string table;
  std::int64_t backlog = 0;       ///< journal entries not yet applied
  std::int64_t lag_ms = 0;        ///< age of the oldest entry not yet applied; 0 when none
  std::int64_t applied_rows = 0;  ///< keys applied (written or removed) since the first run
  std::int64_t rows_per_s = 0;    ///< of the last batch that touched the table
  bool copied = false;            ///< a copy into this target loaded the table completely (reverse:
                                  ///< compared equal when armed)
};

struct SyncStatus {
  bool captured = false;  ///< the source has a complete capture
  std::string journal_id;
  CopyState copy = CopyState::none;
  bool applied_once = false;  ///< the target holds a position for this journal
  std::int64_t backlog = 0;
  std::int64_t lag_ms = 0;
  std::int64_t high = 0;
  std::int64_t open_gaps = 0;
  std::int64_t applied_rows = 0;
  std::int64_t rows_per_s = 0;        ///< of the last batch
  std::int64_t since_update_ms = -1;  ///< since the last batch committed; -1 never
  std::vector<TableStatus> tables;
};

/// The status of `config`'s direction (for reversed(config): the reverse sync, whose copy
/// state is complete once armed: both sides were equal then, nothing was copied).
SyncStatus read_status(const SyncConfig& config);

/// The reverse sync's status for the forward `config`, or nullopt when it is not armed.
std::optional<SyncStatus> read_reverse_status(const SyncConfig& config);

}  // namespace cutover::sync
