// sync repair: brings chosen keys of the target back to the source's current state through the
// sync's own write path (sync/apply_rows.h), for `verify --repair`: the source rows of those
// keys read in one snapshot, transformed to the target's version, and per batch in one target
// transaction the keys the source no longer has deleted and the rows it has upserted. No
// journal or position is read or stored and no capture is needed; the source is opened read
// only and never written. Engines never print: a dry run hands its statements to a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "db/value.h"
#include "sync/config.h"

namespace cutover::sync {

struct RepairOptions {
  /// Write nothing: every statement for the target goes to print_sql instead, its values
  /// rendered in full as literals of the target's dialect (the operator's own data, shown on
  /// request; connection passwords never appear in it).
  bool dry_run = false;
  /// Receives each statement of a dry run (no trailing semicolon). Required with dry_run.
  std::function<void(const std::string&)> print_sql;
};

/// The keys of one table to repair: values in the table's key order (primary key, else the
/// first unique key), as read from either side; integers may come as text.
struct RepairKeys {
  std::string table;  ///< as the catalogue or the source names it
  std::vector<db::Row> keys;
};

struct RepairTableResult {
  std::string table;      ///< source stored name
  std::int64_t keys = 0;  ///< distinct keys asked for
  /// Keys the source has: their rows written to the target (after the version transform).
  std::int64_t present = 0;
  /// Keys the source lacks: removed from the target where it had them.
  std::int64_t absent = 0;
};

struct RepairResult {
  std::vector<RepairTableResult> tables;
  std::int64_t upserted = 0;  ///< target rows written (dry run: that would be written)
  std::int64_t deleted = 0;   ///< target rows removed (dry run: DELETE statements printed)
  std::int64_t batches = 0;   ///< target transactions (config.batch_size keys each at most)
};

/// Repairs the keys of `tables` on config.target from config.source. Versions as the sync
/// takes them (from_version, to_version; empty: one version, unchecked). Keys of all tables
/// share each batch, so a parent and its children are ordered as the apply orders them
/// (parents upserted first, children deleted first). Throws config errors for a table either
/// side lacks or that has no key, a key of the wrong width, or a target a `sync copy` is still
/// loading; ErrorKind::interrupted between batches on Ctrl-C (earlier batches stay written).
RepairResult repair_keys(const SyncConfig& config, const std::vector<RepairKeys>& tables,
                         const RepairOptions& options = {});

/// The same for the keys of one table.
RepairResult repair_keys(const SyncConfig& config, std::string_view table,
                         const std::vector<db::Row>& keys, const RepairOptions& options = {});

}  // namespace cutover::sync
