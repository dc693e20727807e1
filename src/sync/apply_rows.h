// sync apply rows: the write path `sync run` and `verify --repair` share (DESIGN §3.2). For some
// keys of some tables: read the source's current rows in the caller's source snapshot, pass
// them through the version transform, and in one target transaction delete the keys the source
// no longer has and upsert the rows it has (children deleted first, parents upserted first,
// each table's keys in the order given). Uses the two connections it is given (owned by the
// caller, who must outlive it); one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capture/capture.h"
#include "db/connection.h"
#include "schema/transform.h"
#include "sync/config.h"

namespace cutover::sync {

/// A key's values as text in key order, nullopt for a NULL part: the journal's form, and the
/// form every key takes here, so an integer key read as text (SQLite) matches one read as a
/// number.
using KeyText = std::vector<std::optional<std::string>>;

/// The first `n` values of `row` as a key.
KeyText key_text(const db::Row& row, std::size_t n);

/// The keys of one batch per table (source stored names, as planned) and, once read, the
/// source's current rows for them.
struct KeyBatch {
  /// Per table, keys in first-occurrence order.
  std::map<std::string, std::vector<KeyText>> keys;
  /// Per table, the current source rows of those keys that exist (target columns, after the
  /// version transform), by key. Filled by RowApplier::read.
  std::map<std::string, std::map<KeyText, db::Row>> rows;

  /// Adds `key` unless the table already has it (it keeps its first place).
  void add(const std::string& table, KeyText key);

 private:
  std::map<std::string, std::set<KeyText>> seen_;
};

struct WriteCounts {
  std::int64_t upserted = 0;  ///< target rows written
  std::int64_t deleted = 0;   ///< target rows removed
};

/// Receives a statement meant for the target, its values written in as literals.
using SqlPrinter = std::function<void(const std::string&)>;

class RowApplier {
 public:
  /// Marks the target session as the applier's (our writes are not captured, DESIGN §3.5).
  /// With `print_sql`, a dry run: every statement for the target (BEGIN and COMMIT included)
  /// goes there with its values as literals of the target's dialect, and nothing is written.
  RowApplier(const SyncConfig& config, db::Connection& source, db::Connection& target,
             SqlPrinter print_sql = {});
  ~RowApplier();
  RowApplier(const RowApplier&) = delete;
  RowApplier& operator=(const RowApplier&) = delete;

  /// Binds `tables` (source stored names and their keys). Between two versions both schemas
  /// are checked against config's versions first and each table's transform bound; with one
  /// version the target is checked and the columns both sides have are moved. Throws config
  /// errors for a table either side lacks or a column the transform cannot produce.
  void plan(const std::vector<capture::CapturedTable>& tables);

  /// The key columns of a planned table (source stored names); nullptr when not planned.
  const std::vector<std::string>* key_columns(const std::string& table) const;

  /// The planned tables (source stored names), each after the planned tables it references.
  std::vector<std::string> parents_first() const;

  /// Reads the current source rows of every key of `batch` and transforms them, on the source
  /// connection as it is: call it inside the caller's snapshot transaction.
  void read(KeyBatch& batch);

  /// Writes `batch` in one target transaction. `in_transaction` runs inside it after the rows
  /// and before the commit (the apply stores its position there). A constraint error inside a
  /// multi-row statement cannot say which row: the transaction rolled back, so the batch is
  /// written again row by row (`in_transaction` again too), which names the key of an error
  /// that persists (DESIGN §3.2).
  WriteCounts write(KeyBatch& batch,
                    const std::function<void(const WriteCounts&)>& in_transaction = {});

 private:
  struct TablePlan;
  class Statements;

  /// A source foreign key that cascades deletes, with its child's target table and columns.
  struct CascadeFk {
    db::ForeignKey fk;
    std::string child_table;
    std::vector<std::string> target_columns;
  };

  void write_once(KeyBatch& batch, const std::function<void(const WriteCounts&)>& in_transaction,
                  WriteCounts& counts, bool row_by_row);
  std::map<KeyText, db::Row> read_rows(const TablePlan& t, const std::vector<KeyText>& keys);
  void transform_rows(const TablePlan& t, std::map<KeyText, db::Row>& rows);
  db::PreparedStatement& upsert_statement(TablePlan& t, int n);
  std::int64_t upsert_many(TablePlan& t, const std::vector<const db::Row*>& rows);
  std::int64_t delete_key(TablePlan& t, const KeyText& k);
  void plan_cascades(const std::vector<CascadeFk>& fks);

  const SyncConfig& config_;
  db::Connection& source_;
  db::Connection& target_;
  std::unique_ptr<Statements> sql_;  ///< runs or prints the target's statements
  std::map<std::string, std::unique_ptr<TablePlan>> tables_;
  std::optional<schema::Transform> xform_;  ///< none: one version on both sides
  std::optional<schema::LocalIdps> idps_;   ///< read on first need
};

}  // namespace cutover::sync
