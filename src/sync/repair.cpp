#include "sync/repair.h"

#include <algorithm>

#include <fmt/format.h>

#include "capture/capture.h"
#include "core/cancel.h"
#include "core/echo.h"
#include "core/error.h"
#include "db/registry.h"
#include "sync/apply_rows.h"
#include "sync/copy.h"

namespace cutover::sync {

RepairResult repair_keys(const SyncConfig& config, const std::vector<RepairKeys>& tables,
                         const RepairOptions& options) {
  if (options.dry_run && !options.print_sql) {
    throw Error(ErrorKind::internal, "a dry-run repair needs somewhere to print its SQL");
  }
  // The source is only read; opened read-only, so SQLite refuses a write outright, and every
  // read below runs in a READ ONLY transaction on the servers.
  db::OpenOptions ro_open;
  ro_open.read_only = true;
  std::unique_ptr<db::Connection> source = db::open(config.source, ro_open);
  std::unique_ptr<db::Connection> target =
      db::open(config.target, options.dry_run ? ro_open : db::OpenOptions());
  // A copy still loading this target would collide with the rows written here.
  std::optional<capture::CaptureInfo> info = capture::read_capture(*source);
  if (info && copy_state(*target, info->journal_id) == CopyState::in_progress) {
    throw Error(ErrorKind::config, "a copy into this target has not finished",
                "run 'cutover sync copy' again to finish it, then repair");
  }

  // Each table's key as the sync takes it (sync/tables.h): the primary key, else the first
  // unique key.
  RepairResult result;
  std::vector<capture::CapturedTable> plan;
  for (const RepairKeys& t : tables) {
    std::optional<db::TableDef> def = source->describe_table(t.table);
    if (!def) {
      throw Error(ErrorKind::config, fmt::format("the source has no table {}", echo(t.table, 64)),
                  "repair names the tables verify compared");
    }
    std::vector<std::string> key = def->primary_key;
    if (key.empty() && !def->unique_keys.empty()) {
      key = def->unique_keys.front().columns;
    }
    if (key.empty()) {
      throw Error(ErrorKind::config,
                  fmt::format("table {} has neither a primary key nor a unique key", def->name),
                  "rows cannot be matched between source and target without one");
    }
    for (const db::Row& k : t.keys) {
      if (k.size() != key.size()) {
        throw Error(ErrorKind::config,
                    fmt::format("a key of {} has {} values; its key has {} columns", def->name,
                                k.size(), key.size()),
                    "pass the key columns in key order (primary key, else first unique key)");
      }
    }
    plan.push_back({def->name, key, {}});
    bool listed = std::any_of(result.tables.begin(), result.tables.end(),
                              [&](const RepairTableResult& r) { return r.table == def->name; });
    if (!listed) {
      result.tables.push_back({def->name, 0, 0, 0});
    }
  }
  RowApplier rows(config, *source, *target, options.dry_run ? options.print_sql : SqlPrinter());
  rows.plan(plan);

  // The keys in the apply's table order, so that across batches a parent is written before
  // its children. (A parent deleted in an earlier batch than its children needs the foreign
  // key's ON DELETE CASCADE, which WSO2's schemas declare; elsewhere the delete fails naming
  // the key, and nothing of that batch is written.)
  std::vector<std::pair<std::string, const db::Row*>> work;
  for (const std::string& name : rows.parents_first()) {
    for (std::size_t i = 0; i < tables.size(); ++i) {
      if (plan[i].name != name) {
        continue;
      }
      for (const db::Row& k : tables[i].keys) {
        work.emplace_back(name, &k);
      }
    }
  }

  // Shape: batches of at most batch_size keys; per batch one source snapshot for the rows,
  // then one target transaction.
  auto per_batch = static_cast<std::size_t>(std::max(config.batch_size, 1));
  for (std::size_t start = 0; start < work.size(); start += per_batch) {
    throw_if_cancelled();
    KeyBatch batch;
    for (std::size_t i = start; i < std::min(work.size(), start + per_batch); ++i) {
      batch.add(work[i].first, key_text(*work[i].second, work[i].second->size()));
    }
    {
      db::TxOptions snapshot;
      snapshot.read_only = true;
      snapshot.consistent_snapshot = true;
      db::Transaction tx(*source, snapshot);
      rows.read(batch);
      tx.commit();
    }
    WriteCounts written = rows.write(batch);
    result.upserted += written.upserted;
    result.deleted += written.deleted;
    ++result.batches;
    for (RepairTableResult& r : result.tables) {
      auto keys = batch.keys.find(r.table);
      if (keys == batch.keys.end()) {
        continue;
      }
      auto present = static_cast<std::int64_t>(batch.rows[r.table].size());
      r.keys += static_cast<std::int64_t>(keys->second.size());
      r.present += present;
      r.absent += static_cast<std::int64_t>(keys->second.size()) - present;
    }
  }
  return result;
}

RepairResult repair_keys(const SyncConfig& config, std::string_view table,
                         const std::vector<db::Row>& keys, const RepairOptions& options) {
  return repair_keys(config, {RepairKeys{std::string(table), keys}}, options);
}

}  // namespace cutover::sync
