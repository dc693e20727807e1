// verify gate: `cutover sync cutover`, the check before traffic moves to the new deployment.
// Waits until the forward backlog (and, once armed, the reverse one) is applied (open journal
// gaps do not hold it up: a value still missing belongs to a transaction still open, whose rows
// the source does not show either; the sync applies it when it commits), verifies the synced
// tables (verify/verify.h: every row and column, through the version transform), re-checks each
// difference after the sync caught up again (verify/live.h: the old IS may still be writing),
// then arms the reverse sync (sync/reverse.h). Engines never print: the result says what was
// found. Opens its own connections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sync/config.h"

namespace cutover::verify {

struct GateOptions {
  /// Longest wait for the backlog to reach zero, ms. The re-checks of differing keys wait
  /// until the same deadline, but at least kRecheckWaitMs each.
  int timeout_ms = 60'000;
  /// Pause between looks at the backlog, ms.
  int poll_ms = 200;
  /// Example keys named per table and side in a reason.
  std::size_t examples = 3;
  /// Differing keys kept per table for the re-check; more are counted, not re-checked, and
  /// the gate is not ready (that many differences are not lag).
  std::size_t keep_keys = 10'000;
  /// Connections per side for the verification.
  int jobs = 2;
  /// Re-checks of the differing keys, each after the sync applied what the journal held.
  int rechecks = 3;
};

struct TableCheck {
  std::string table;  ///< source stored name
  bool compared = false;
  std::int64_t backlog = 0;  ///< forward journal entries for the table not applied
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  std::int64_t missing = 0;    ///< keys on the source but not on the target, after re-checks
  std::int64_t extra = 0;      ///< keys on the target but not on the source, after re-checks
  std::int64_t differing = 0;  ///< keys on both sides whose rows differ, after re-checks
  std::vector<std::string> missing_examples;  ///< "COL=value, ..." (echoed safely)
  std::vector<std::string> extra_examples;
  std::vector<std::string> differing_examples;  ///< "COL=value, ...: COLUMN, COLUMN"
};

struct GateResult {
  bool ready = false;
  std::vector<std::string> reasons;  ///< why not, one line each; empty when ready
  std::vector<TableCheck> tables;
  std::int64_t backlog = 0;    ///< forward entries not applied when the gate decided
  std::int64_t open_gaps = 0;  ///< transactions still open on the source: keep 'sync run' on
  std::int64_t lag_ms = 0;
  std::int64_t reverse_backlog = 0;  ///< the same for the reverse, when armed before
  std::int64_t waited_ms = 0;        ///< spent waiting for the backlog and re-checks
  bool reverse_armed = false;
  bool armed_before = false;  ///< an earlier cutover armed it; this one re-checked
  std::string reverse_journal_id;
};

/// Runs the gate for the forward `config`. Not ready is a result, not an error; throws a
/// config error when the source has no capture (nothing to gate), and connection or SQL
/// errors as they come.
GateResult run_gate(const sync::SyncConfig& config, const GateOptions& options = {});

}  // namespace cutover::verify
