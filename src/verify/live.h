// verify live: differences that are changes in flight. While `sync run` applies, a row the old
// IS changed after verify read it differs on the target until the applier has applied that
// change. Such keys are looked at again once the sync has applied everything the source's
// journal held at that moment (AWS DMS's re-validation), a few times; what still differs then
// is reported. Without a sync set up between the two databases (no complete capture on the
// source, or no position for it on the target) nothing is in flight: differences stand as found.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "db/connection.h"
#include "sync/config.h"
#include "verify/verify.h"

namespace cutover::verify {

struct LiveOptions {
  int rechecks = 3;      ///< rounds of re-checks at most
  int wait_ms = 60'000;  ///< longest wait for the sync before each round
  int poll_ms = 200;
  /// The reverse sync's journal on the target, when armed: waited for as well (the gate).
  std::optional<std::string> reverse_journal_id;
};

struct LiveOutcome {
  bool live = false;           ///< a sync is set up between the two: differences re-checked
  int rounds = 0;              ///< re-check rounds done
  bool caught_up = true;       ///< false: the sync did not apply the journal in time
  std::int64_t in_flight = 0;  ///< differences gone on a re-check (changes in flight)
};

/// The forward journal's id when `source` has a complete capture whose position `target`
/// stores (`sync copy` or `sync run` has been there), else nullopt.
std::optional<std::string> sync_journal(db::Connection& source, db::Connection& target);

/// The highest journal value in `journal_side` now (0 when empty).
std::int64_t journal_mark(db::Connection& journal_side);

/// Waits until the position `position_side` stores for `journal_id` reached `mark` (values
/// still missing below it belong to open transactions, whose rows the source does not show
/// either). False when `until` passed first.
bool wait_applied(db::Connection& position_side, const std::string& journal_id, std::int64_t mark,
                  std::chrono::steady_clock::time_point until, int poll_ms);

/// Re-checks the kept differing keys of `result` (run_verify's, same config and options) on
/// both sides after the sync caught up, up to live.rechecks rounds, until none is left;
/// updates the counts, listed rows and keys in place. Does nothing when no sync is set up.
LiveOutcome settle(const sync::SyncConfig& config, const VerifyOptions& options,
                   const LiveOptions& live, VerifyResult& result);

}  // namespace cutover::verify
