// sync reverse: the way back after the switch (DESIGN §3.5). Arming installs the same change
// capture on the NEW database (its own journal) and stores a position for that journal on the
// OLD database, at the journal's beginning: both sides are equal when it is armed, so there
// is no copy in reverse. `sync run --reverse` then applies new -> old with reversed(config).
// Functions open their own connections, or run on the caller's, from one thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/connection.h"
#include "sync/config.h"

namespace cutover::sync {

/// The reverse journal's id when the reverse sync is armed between `old_db` (forward source)
/// and `new_db` (forward target): `new_db` has a complete capture of its own (not a dumped
/// copy of the forward one) and `old_db` holds a position for it. Read-only.
std::optional<std::string> armed_reverse_journal(db::Connection& old_db, db::Connection& new_db);

struct ArmResult {
  std::string journal_id;           ///< the reverse journal on the new database
  bool already = false;             ///< it was armed before this call; nothing changed
  std::vector<std::string> tables;  ///< captured on the new database (stored names)
};

/// Arms the reverse sync for the forward `config` (source = old, target = new), capturing on
/// the new database the tables the forward capture lists. Idempotent: an armed pair is left as
/// it is; an arming a crash interrupted is finished. A copy of the forward capture that came
/// to the new database through the operator's own dump is removed first (its triggers would
/// journal into a journal nobody applies). Throws a config error when the old database has no
/// complete forward capture.
ArmResult arm_reverse(const SyncConfig& config);

}  // namespace cutover::sync
