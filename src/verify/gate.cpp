#include "verify/gate.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "capture/capture.h"
#include "core/cancel.h"
#include "core/error.h"
#include "db/registry.h"
#include "sync/reverse.h"
#include "sync/status.h"
#include "verify/live.h"
#include "verify/verify.h"

namespace cutover::verify {

namespace {

using Clock = std::chrono::steady_clock;

/// Each re-check waits at least this long for the sync to apply what the journal holds.
constexpr int kRecheckWaitMs = 5'000;

/// The forward (and armed reverse) status until both are caught up or `until` passes;
/// returns the reasons it is not caught up (empty: caught up).
std::vector<std::string> wait_caught_up(const sync::SyncConfig& config, bool reverse_armed,
                                        Clock::time_point until, const GateOptions& options,
                                        GateResult& result) {
  while (true) {
    std::vector<std::string> why;
    sync::SyncStatus st = sync::read_status(config);
    result.backlog = st.backlog;
    result.open_gaps = st.open_gaps;
    result.lag_ms = st.lag_ms;
    result.tables.clear();
    for (const sync::TableStatus& ts : st.tables) {
      TableCheck tc;
      tc.table = ts.table;
      tc.backlog = ts.backlog;
      result.tables.push_back(tc);
    }
    if (st.copy == sync::CopyState::in_progress) {
      why.emplace_back("the copy into the target has not finished: run 'cutover sync copy' again");
    } else if (!st.applied_once) {
      why.emplace_back(
          "the journal was never applied to the target: run 'cutover sync run' (after 'sync "
          "copy' or your own dump)");
    } else if (st.backlog > 0) {
      std::string per;
      for (const sync::TableStatus& ts : st.tables) {
        if (ts.backlog > 0) {
          per += fmt::format("{}{} {}", per.empty() ? "" : ", ", ts.table, ts.backlog);
        }
      }
      why.push_back(fmt::format(
          "backlog: {} journal entries not applied yet, lag {:.1f} s{}{}; is 'cutover sync run' "
          "running?",
          st.backlog, static_cast<double>(st.lag_ms) / 1000.0,
          st.open_gaps > 0 ? fmt::format(", {} open gaps in the journal", st.open_gaps) : "",
          per.empty() ? "" : " (" + per + ")"));
    }
    if (reverse_armed) {
      sync::SyncStatus rs = sync::read_status(sync::reversed(config));
      result.reverse_backlog = rs.backlog;
      if (rs.backlog > 0) {
        why.push_back(
            fmt::format("reverse backlog: {} journal entries of the new database not applied to "
                        "the old one (lag {:.1f} s); is 'cutover sync run --reverse' running?",
                        rs.backlog, static_cast<double>(rs.lag_ms) / 1000.0));
      }
    }
    if (why.empty() || Clock::now() >= until) {
      return why;
    }
    throw_if_cancelled();
    std::this_thread::sleep_for(std::chrono::milliseconds(options.poll_ms));
  }
}

/// "COL=value, COL=value" of a listed row, as verify shows it (secrets hashed, echoed safely).
std::string describe(const RowDiff& d) {
  std::string out;
  for (const auto& [col, value] : d.key) {
    out += fmt::format("{}{}={}", out.empty() ? "" : ", ", col, value ? *value : "NULL");
  }
  if (d.kind == DiffKind::differing) {
    std::string cols;
    for (const ColumnDiff& c : d.columns) {
      cols += (cols.empty() ? "" : ", ") + c.column;
    }
    if (!cols.empty()) {
      out += ": " + cols;
    } else if (!d.note.empty()) {
      out += ": " + d.note;
    }
  }
  return out;
}

std::string examples(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& e : list) {
    out += (out.empty() ? "" : "; ") + e;
  }
  return out;
}

}  // namespace

GateResult run_gate(const sync::SyncConfig& config, const GateOptions& options) {
  auto started = Clock::now();
  auto deadline = started + std::chrono::milliseconds(options.timeout_ms);
  GateResult result;
  std::optional<capture::CaptureInfo> forward;
  {
    db::OpenOptions ro;
    ro.read_only = true;
    std::unique_ptr<db::Connection> source = db::open(config.source, ro);
    std::unique_ptr<db::Connection> target = db::open(config.target, ro);
    forward = capture::read_capture(*source);
    if (!forward || !forward->complete) {
      throw Error(ErrorKind::config, "the source has no complete change capture",
                  "run 'cutover sync prepare', 'sync copy' and 'sync run' first");
    }
    if (std::optional<std::string> rev = sync::armed_reverse_journal(*source, *target)) {
      result.armed_before = true;
      result.reverse_armed = true;
      result.reverse_journal_id = *rev;
    }
  }

  // 1. Wait until what the journal(s) hold is applied.
  result.reasons = wait_caught_up(config, result.reverse_armed, deadline, options, result);
  if (!result.reasons.empty()) {
    result.waited_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return result;
  }

  // 2. Verify the captured tables: every row and column, through the version transform.
  sync::SyncConfig vc = config;
  vc.tables.clear();
  for (const capture::CapturedTable& ct : forward->tables) {
    vc.tables.push_back(ct.name);
  }
  VerifyOptions vo;
  vo.jobs = options.jobs;
  vo.kept_keys = options.keep_keys;
  vo.listed_rows = std::max<std::size_t>(options.examples, 1);
  VerifyResult vr = run_verify(vc, vo);

  // 3. A difference may be a change made during the comparison (the old IS still writes):
  //    once the sync applied everything the journal held after it, each such key is looked
  //    at again on both sides; what still differs is real.
  LiveOptions lo;
  lo.rechecks = options.rechecks;
  lo.poll_ms = options.poll_ms;
  lo.wait_ms = static_cast<int>(std::max<std::int64_t>(
      kRecheckWaitMs,
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()));
  if (result.reverse_armed) {
    lo.reverse_journal_id = result.reverse_journal_id;
  }
  LiveOutcome live = settle(vc, vo, lo, vr);
  result.waited_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();

  // 4. The verdict, table by table.
  std::vector<TableCheck> waiting = std::move(result.tables);
  result.tables.clear();
  for (const TableVerify& tv : vr.tables) {
    TableCheck c;
    c.table = tv.table;
    c.compared = !tv.target_table_missing;
    for (const TableCheck& w : waiting) {
      if (w.table == tv.table) {
        c.backlog = w.backlog;
      }
    }
    c.source_rows = tv.source_rows;
    c.target_rows = tv.target_rows;
    c.missing = tv.missing;
    c.extra = tv.extra;
    c.differing = tv.differing;
    for (const RowDiff& d : tv.rows) {
      std::vector<std::string>& list = d.kind == DiffKind::missing ? c.missing_examples
                                       : d.kind == DiffKind::extra ? c.extra_examples
                                                                   : c.differing_examples;
      if (list.size() < options.examples) {
        list.push_back(describe(d));
      }
    }
    if (tv.target_table_missing) {
      result.reasons.push_back(fmt::format("{}: the target has no such table", tv.table));
    } else if (!tv.equal()) {
      std::string what;
      auto add = [&](std::int64_t n, const char* text, const std::vector<std::string>& ex) {
        if (n > 0) {
          what += fmt::format("{}{} {}{}", what.empty() ? "" : ", ", n, text,
                              ex.empty() ? "" : " (" + examples(ex) + ")");
        }
      };
      add(c.missing, "missing on the target", c.missing_examples);
      add(c.extra, "on the target only", c.extra_examples);
      add(c.differing, "with other values on the target", c.differing_examples);
      result.reasons.push_back(fmt::format(
          "{}: {}; {} rows on the source, {} on the target{}", tv.table, what, c.source_rows,
          c.target_rows, tv.keys_complete ? "" : " (too many to re-check: not changes in flight)"));
    }
    result.tables.push_back(std::move(c));
  }
  if (!live.caught_up && !result.reasons.empty()) {
    result.reasons.emplace_back(
        "the sync did not catch up in time to re-check these rows: they may be changes in "
        "flight; run the gate again once 'sync status' shows no backlog");
  }
  if (!result.reasons.empty()) {
    return result;
  }

  // 5. Equal: arm the way back before traffic moves.
  sync::ArmResult armed = sync::arm_reverse(config);
  result.reverse_armed = true;
  result.reverse_journal_id = armed.journal_id;
  result.ready = true;
  return result;
}

}  // namespace cutover::verify
