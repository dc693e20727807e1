#include "verify/live.h"

#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "capture/capture.h"
#include "core/cancel.h"
#include "db/registry.h"
#include "schema/catalogue.h"
#include "schema/transform.h"
#include "sync/position.h"
#include "sync/tables.h"
#include "verify/diff.h"
#include "verify/side.h"
#include "verify/table_plan.h"

namespace cutover::verify {

namespace {

using Clock = std::chrono::steady_clock;

/// Looks at each kept differing key of `tv` again, on both sides now: a key equal now is
/// dropped, one that still differs is recorded afresh (perhaps as another kind). Differences
/// counted but not kept (keys_complete false) stay counted.
void recheck(SideReader& source, SideReader& target, const TablePlan& plan, TableVerify& tv,
             const VerifyOptions& options) {
  std::vector<DiffKey> keys;
  keys.swap(tv.keys);
  for (const DiffKey& k : keys) {
    std::int64_t& n = k.kind == DiffKind::missing ? tv.missing
                      : k.kind == DiffKind::extra ? tv.extra
                                                  : tv.differing;
    --n;
  }
  tv.rows.clear();
  Recorder rec(tv, plan, options);
  for (const DiffKey& k : keys) {
    throw_if_cancelled();
    rec.compare_rows(source.rows_at(k.key), target.rows_at(k.key));
  }
}

std::int64_t differences(const VerifyResult& r) {
  std::int64_t n = 0;
  for (const TableVerify& t : r.tables) {
    n += t.missing + t.extra + t.differing;
  }
  return n;
}

}  // namespace

std::optional<std::string> sync_journal(db::Connection& source, db::Connection& target) {
  std::optional<capture::CaptureInfo> info = capture::read_capture(source);
  if (!info || !info->complete) {
    return std::nullopt;
  }
  if (!sync::load_position(target, info->journal_id)) {
    return std::nullopt;
  }
  return info->journal_id;
}

std::int64_t journal_mark(db::Connection& journal_side) {
  db::Value v = journal_side.query_value(fmt::format("SELECT MAX(SEQ) FROM {}", capture::kJournal))
                    .value_or(db::Value());
  return v.is_null() ? 0 : v.as_int();
}

bool wait_applied(db::Connection& position_side, const std::string& journal_id, std::int64_t mark,
                  Clock::time_point until, int poll_ms) {
  while (true) {
    std::optional<sync::Position> p = sync::load_position(position_side, journal_id);
    if (p && p->high >= mark) {
      return true;
    }
    if (Clock::now() >= until) {
      return false;
    }
    throw_if_cancelled();
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
}

LiveOutcome settle(const sync::SyncConfig& config, const VerifyOptions& options,
                   const LiveOptions& live, VerifyResult& result) {
  LiveOutcome out;
  db::OpenOptions ro;
  ro.read_only = true;
  std::unique_ptr<db::Connection> source = db::open(config.source, ro);
  std::unique_ptr<db::Connection> target = db::open(config.target, ro);
  std::optional<std::string> journal = sync_journal(*source, *target);
  if (!journal) {
    return out;
  }
  out.live = true;
  if (result.equal()) {
    return out;
  }
  std::int64_t before = differences(result);

  // The plans of the differing tables, made once, as run_verify made them.
  const schema::Product& product = schema::product(config.product);
  schema::Transform xform =
      schema::Transform::make(product, result.from_version, result.to_version);
  std::vector<sync::SyncTable> tables = sync::resolve_tables(*source, config);
  std::map<std::string, TablePlan> plans;
  for (const sync::SyncTable& st : tables) {
    for (const TableVerify& tv : result.tables) {
      if (tv.table != st.name || tv.equal() || tv.target_table_missing) {
        continue;
      }
      if (std::optional<db::TableDef> tdef = target->describe_table(st.def.name)) {
        plans.emplace(st.name, plan_table(*source, *target, st, *tdef, &xform));
      }
    }
  }
  std::optional<schema::LocalIdps> idps;
  for (const auto& [name, plan] : plans) {
    if (!idps && plan.xform && plan.xform->needs_local_idps()) {
      idps.emplace(target.get(), source.get(), false);
    }
  }

  for (int round = 0; round < live.rechecks && !result.equal(); ++round) {
    auto until = Clock::now() + std::chrono::milliseconds(live.wait_ms);
    if (!wait_applied(*target, *journal, journal_mark(*source), until, live.poll_ms)) {
      out.caught_up = false;
      break;
    }
    if (live.reverse_journal_id && !wait_applied(*source, *live.reverse_journal_id,
                                                 journal_mark(*target), until, live.poll_ms)) {
      out.caught_up = false;
      break;
    }
    ++out.rounds;
    for (TableVerify& tv : result.tables) {
      auto p = plans.find(tv.table);
      if (tv.equal() || p == plans.end()) {
        continue;
      }
      SideReader s(*source, p->second, true, idps ? &*idps : nullptr);
      SideReader t(*target, p->second, false, nullptr);
      recheck(s, t, p->second, tv, options);
    }
  }
  out.in_flight = before - differences(result);
  return out;
}

}  // namespace cutover::verify
