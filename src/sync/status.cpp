#include "sync/status.h"

#include <map>

#include <fmt/format.h>

#include "capture/capture.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "sync/position.h"
#include "sync/reverse.h"

namespace cutover::sync {

SyncStatus read_status(const SyncConfig& config) {
  db::OpenOptions ro;
  ro.read_only = true;
  std::unique_ptr<db::Connection> source = db::open(config.source, ro);
  std::unique_ptr<db::Connection> target = db::open(config.target, ro);
  SyncStatus st;
  std::optional<capture::CaptureInfo> info = capture::read_capture(*source);
  if (!info || !info->complete) {
    return st;
  }
  st.captured = true;
  st.journal_id = info->journal_id;
  st.copy = copy_state(*target, info->journal_id);
  if (config.reverse && st.copy == CopyState::none && load_position(*target, info->journal_id)) {
    st.copy = CopyState::complete;  // armed at cutover with both sides equal: nothing to copy
  }
  Position pos{info->journal_id, 0, {}};
  if (std::optional<Position> p = load_position(*target, info->journal_id)) {
    pos = *p;
    st.applied_once = true;
    std::unique_ptr<db::RowReader> r = target->query(
        fmt::format("SELECT APPLIED_ROWS, UPDATED_MS, RATE_RPS FROM {} WHERE JOURNAL_ID = {}",
                    kProgressTable, target->dialect().placeholder(1)),
        std::vector<db::Value>{db::Value(info->journal_id)});
    if (r->next()) {
      st.applied_rows = r->get(0).as_int();
      std::int64_t updated = r->get(1).as_int();
      st.rows_per_s = r->get(2).as_int();
      r.reset();
      st.since_update_ms = updated > 0 ? source_now_ms(*source) - updated : -1;
    }
  }
  st.high = pos.high;
  st.open_gaps = static_cast<std::int64_t>(pos.gaps.size());
  // Not applied: everything above the high mark, plus open gaps that have appeared since.
  std::string gaps;
  for (const Gap& g : pos.gaps) {
    gaps += fmt::format("{}{}", gaps.empty() ? "" : ", ", g.seq);
  }
  std::string where = fmt::format("SEQ > {}", source->dialect().placeholder(1));
  if (!gaps.empty()) {
    where = fmt::format("({} OR SEQ IN ({}))", where, gaps);
  }
  std::int64_t now = source_now_ms(*source);
  std::map<std::string, TableStatus> per;
  for (const capture::CapturedTable& t : info->tables) {
    per[t.name].table = t.name;
  }
  std::unique_ptr<db::RowReader> r = source->query(
      fmt::format("SELECT TABLE_NAME, COUNT(*), MIN(CREATED_MS) FROM {} WHERE {} GROUP BY "
                  "TABLE_NAME",
                  capture::kJournal, where),
      std::vector<db::Value>{db::Value(pos.high)});
  while (r->next()) {
    TableStatus& t = per[r->get(0).to_text()];
    t.table = r->get(0).to_text();
    t.backlog = r->get(1).as_int();
    t.lag_ms = std::max<std::int64_t>(0, now - r->get(2).as_int());
  }
  r.reset();
  if (target->describe_table(kProgressTablesTable)) {
    std::unique_ptr<db::RowReader> pr = target->query(
        fmt::format("SELECT TABLE_NAME, APPLIED_ROWS, RATE_RPS FROM {} WHERE JOURNAL_ID = {}",
                    kProgressTablesTable, target->dialect().placeholder(1)),
        std::vector<db::Value>{db::Value(info->journal_id)});
    while (pr->next()) {
      auto it = per.find(pr->get(0).to_text());
      if (it != per.end()) {
        it->second.applied_rows = pr->get(1).as_int();
        it->second.rows_per_s = pr->get(2).as_int();
      }
    }
  }
  for (const std::string& t : copied_tables(*target, info->journal_id)) {
    auto it = per.find(t);
    if (it != per.end()) {
      it->second.copied = true;
    }
  }
  for (const capture::CapturedTable& t : info->tables) {
    TableStatus& ts = per[t.name];
    // The reverse copies nothing: its tables were compared equal when it was armed.
    ts.copied = ts.copied || (config.reverse && st.copy == CopyState::complete);
    st.backlog += ts.backlog;
    st.lag_ms = std::max(st.lag_ms, ts.lag_ms);
    st.tables.push_back(ts);
  }
  return st;
}

std::optional<SyncStatus> read_reverse_status(const SyncConfig& config) {
  {
    db::OpenOptions ro;
    ro.read_only = true;
    std::unique_ptr<db::Connection> old_db = db::open(config.source, ro);
    std::unique_ptr<db::Connection> new_db = db::open(config.target, ro);
    if (!armed_reverse_journal(*old_db, *new_db)) {
      return std::nullopt;
    }
  }
  return read_status(reversed(config));
}

}  // namespace cutover::sync
