#include "sync/apply_rows.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "db/dialect.h"
#include "schema/catalogue.h"

namespace cutover::sync {

namespace {

/// Rows per multi-row upsert statement at most: big enough to amortise the round trip, small
/// enough that the statement text and its parameters stay modest.
constexpr std::size_t kRowsPerStatement = 500;

}  // namespace

KeyText key_text(const db::Row& row, std::size_t n) {
  KeyText k;
  for (std::size_t i = 0; i < n; ++i) {
    if (row[i].is_null()) {
      k.emplace_back(std::nullopt);
    } else {
      k.emplace_back(row[i].to_text());
    }
  }
  return k;
}

void KeyBatch::add(const std::string& table, KeyText key) {
  // First occurrence keeps its place; the set makes the check O(log n), not a scan.
  if (seen_[table].insert(key).second) {
    keys[table].push_back(std::move(key));
  }
}

/// One table as the apply moves it: key and common columns on both sides.
struct RowApplier::TablePlan {
  std::string name;                      ///< source stored name (the journal's)
  std::vector<std::string> source_key;   ///< source stored names
  std::vector<std::string> target_key;   ///< the same columns, target stored names
  std::vector<std::string> source_cols;  ///< columns read from the source, key first
  std::vector<std::string> target_cols;  ///< where they go on the target (same order)
  std::string target_table;              ///< target stored name
  /// Prepared multi-row upserts by row count (a full chunk and the batch's remainder).
  std::map<int, std::unique_ptr<db::PreparedStatement>> upserts;
  std::unique_ptr<db::PreparedStatement> remove;
  /// Deletes of the rows of planned child tables whose source foreign key to this table says
  /// ON DELETE CASCADE, each bound to this table's key values in key order: run before this
  /// table's own delete (see write_once).
  std::vector<std::unique_ptr<db::PreparedStatement>> cascades;
  std::size_t order = 0;  ///< position in the parents-first order
  /// The version transform bound to both live tables; none when the versions are equal.
  std::optional<schema::TableTransform> xform;
};

/// Where the target's statements go, chosen once: the connection, or for a dry run the
/// printer, each statement with its values written in (db::Dialect::with_literals).
class RowApplier::Statements {
 public:
  Statements(db::Connection& target, SqlPrinter print) : target_(target), print_(std::move(print)) {
    // The statements mean what they say only in the session state cutover's connections set
    // up (MySQL: UTC for TIMESTAMP text, strict mode): printed first, so a client running the
    // script gets the same rows.
    if (print_) {
      for (const std::string& s : target_.dialect().session_setup()) {
        print_(s);
      }
    }
  }

  std::unique_ptr<db::PreparedStatement> prepare(const std::string& sql) {
    if (!print_) {
      return target_.prepare(sql);
    }
    return std::make_unique<Printed>(*this, sql);
  }

  /// Runs `sql`; returns the rows it matched (printed: 1, the row it is meant for).
  std::int64_t execute(const std::string& sql, std::span<const db::Value> params = {}) {
    if (!print_) {
      return target_.execute(sql, params);
    }
    print_(
        target_.dialect().with_literals(sql, std::vector<db::Value>(params.begin(), params.end())));
    return 1;
  }

  /// The target transaction, or BEGIN and COMMIT printed.
  class Tx {
   public:
    explicit Tx(Statements& s) : s_(s) {
      if (s_.print_) {
        s_.print_("BEGIN");
      } else {
        tx_.emplace(s_.target_);
      }
    }

    void commit() {
      if (tx_) {
        tx_->commit();
      } else {
        s_.print_("COMMIT");
      }
    }

   private:
    Statements& s_;
    std::optional<db::Transaction> tx_;
  };

 private:
  class Printed : public db::PreparedStatement {
   public:
    Printed(Statements& s, std::string sql) : s_(s), sql_(std::move(sql)) {}

    std::int64_t execute(std::span<const db::Value> params) override {
      return s_.execute(sql_, params);
    }

    std::unique_ptr<db::RowReader> query(std::span<const db::Value> /*params*/) override {
      throw Error(ErrorKind::internal, "a dry run reads nothing from a printed statement");
    }

   private:
    Statements& s_;
    std::string sql_;
  };

  db::Connection& target_;
  SqlPrinter print_;
};

RowApplier::RowApplier(const SyncConfig& config, db::Connection& source, db::Connection& target,
                       SqlPrinter print_sql)
    : config_(config),
      source_(source),
      target_(target),
      sql_(std::make_unique<Statements>(target, std::move(print_sql))) {
  for (const std::string& s : capture::applier_session_setup(target_)) {
    sql_->execute(s);
  }
}

RowApplier::~RowApplier() = default;

const std::vector<std::string>* RowApplier::key_columns(const std::string& table) const {
  auto it = tables_.find(table);
  return it == tables_.end() ? nullptr : &it->second->source_key;
}

std::vector<std::string> RowApplier::parents_first() const {
  std::vector<const TablePlan*> plans;
  plans.reserve(tables_.size());
  for (const auto& [name, plan] : tables_) {
    plans.push_back(plan.get());
  }
  std::sort(plans.begin(), plans.end(),
            [](const TablePlan* a, const TablePlan* b) { return a->order < b->order; });
  std::vector<std::string> out;
  out.reserve(plans.size());
  for (const TablePlan* p : plans) {
    out.push_back(p->name);
  }
  return out;
}

void RowApplier::plan(const std::vector<capture::CapturedTable>& tables) {
  // The version transform; before any write, both schemas are checked against the versions
  // and every table is bound (a column the chain cannot produce stops here).
  const schema::Product& product = schema::product(config_.product);
  std::string from = config_.from_version;
  std::string to = config_.to_version.empty() ? from : config_.to_version;
  xform_.reset();
  idps_.reset();
  tables_.clear();
  std::vector<std::string> names;
  names.reserve(tables.size());
  for (const capture::CapturedTable& ct : tables) {
    names.push_back(ct.name);
  }
  if (!from.empty() && from != to) {
    xform_.emplace(schema::Transform::make(product, from, to));
    schema::check_schema_version(source_, product, from, names, "source");
    schema::check_schema_version(target_, product, to, names, "target");
  } else if (!from.empty()) {
    // One version: the identity is right only when the target really is that version. A
    // target of another version (no --to given) is refused here, not written column by
    // column with whatever the two shapes share.
    schema::check_schema_version(target_, product, to, names, "target");
  }
  std::map<std::string, std::vector<std::string>> refs;
  std::vector<CascadeFk> cascades;
  for (const capture::CapturedTable& ct : tables) {
    std::optional<db::TableDef> s = source_.describe_table(ct.name);
    std::optional<db::TableDef> t = target_.describe_table(ct.name);
    if (!s) {
      throw Error(ErrorKind::config, fmt::format("the source has no table {}", ct.name),
                  "the table was dropped after prepare: run 'sync remove' and prepare again");
    }
    if (!t) {
      throw Error(ErrorKind::config, fmt::format("the target has no table {}", ct.name),
                  "run 'cutover sync copy', or create the target schema first");
    }
    auto p = std::make_unique<TablePlan>();
    p->name = ct.name;
    p->source_key = ct.key;
    p->target_table = t->name;
    for (const std::string& k : ct.key) {
      const db::Column* c = t->find_column(k);
      if (!c) {
        throw Error(ErrorKind::config,
                    fmt::format("target table {} has no key column {}", t->name, k));
      }
      p->target_key.push_back(c->name);
    }
    if (xform_) {
      // Another version: the declared transform maps the columns (key columns first).
      p->xform = xform_->bind(*s, *t, p->source_key);
      p->source_cols = p->xform->source_columns();
      p->target_cols = p->xform->target_columns();
    } else {
      // One version: the columns both sides have, key columns first in the source read, so a
      // row's key is its first columns.
      p->source_cols = p->source_key;
      p->target_cols = p->target_key;
      for (const db::Column& c : s->columns) {
        const db::Column* tc = t->find_column(c.name);
        bool is_key = std::any_of(p->source_key.begin(), p->source_key.end(),
                                  [&](const auto& k) { return db::same_ident(k, c.name); });
        if (tc != nullptr && !is_key) {
          p->source_cols.push_back(c.name);
          p->target_cols.push_back(tc->name);
        }
      }
    }
    const db::Dialect& td = target_.dialect();
    std::string where;
    for (std::size_t i = 0; i < p->target_key.size(); ++i) {
      where += fmt::format("{}{} = {}", i ? " AND " : "", td.stored_ident(p->target_key[i]),
                           td.placeholder(static_cast<int>(i + 1)));
    }
    p->remove = sql_->prepare(
        fmt::format("DELETE FROM {} WHERE {}", td.stored_ident(p->target_table), where));
    refs.emplace(ct.name, std::vector<std::string>());
    for (const db::ForeignKey& fk : s->foreign_keys) {
      refs[ct.name].push_back(fk.ref_table);
      // The child's columns under their target names, for the parent's cascade delete.
      if (fk.on_delete_cascade) {
        std::vector<std::string> target_cols;
        for (const std::string& c : fk.columns) {
          if (const db::Column* tc = t->find_column(c)) {
            target_cols.push_back(tc->name);
          }
        }
        if (target_cols.size() == fk.columns.size()) {
          cascades.push_back({fk, t->name, std::move(target_cols)});
        }
      }
    }
    tables_.emplace(ct.name, std::move(p));
  }
  plan_cascades(cascades);
  // Parents first: a table comes after every planned table it references.
  std::size_t order = 0;
  std::set<std::string> placed;
  while (placed.size() < tables_.size()) {
    bool progress = false;
    for (auto& [name, plan] : tables_) {
      if (placed.count(name)) {
        continue;
      }
      const std::string& self = name;
      bool ready = std::all_of(refs[name].begin(), refs[name].end(), [&](const auto& r) {
        return db::same_ident(r, self) ||
               std::none_of(tables_.begin(), tables_.end(), [&](const auto& t) {
                 return !placed.count(t.first) && db::same_ident(t.first, r);
               });
      });
      if (ready) {
        plan->order = order++;
        placed.insert(name);
        progress = true;
      }
    }
    if (!progress) {  // a reference cycle: keep the listed order for the rest
      for (auto& [name, plan] : tables_) {
        if (placed.insert(name).second) {
          plan->order = order++;
        }
      }
    }
  }
}

// A parent deleted on MySQL removes its children by cascade without firing their triggers, so
// only the parent's key is journaled (DESIGN §3.1), and the target's own cascade removes the
// children only where the target holds the parent. A copy read in several snapshots can hold
// the children of a parent it never saw (the parent's chunk read after the delete, the
// children's before it): those children must go with the parent's delete all the same. So
// the parent's delete first deletes, by the foreign key's columns, the rows of every planned
// child table whose source foreign key cascades, as the source did.
void RowApplier::plan_cascades(const std::vector<CascadeFk>& fks) {
  const db::Dialect& td = target_.dialect();
  for (const CascadeFk& c : fks) {
    auto parent = std::find_if(tables_.begin(), tables_.end(), [&](const auto& kv) {
      return db::same_ident(kv.first, c.fk.ref_table);
    });
    if (parent == tables_.end()) {
      continue;
    }
    TablePlan& pt = *parent->second;
    // Each child column by the position of its referenced column in the parent's key; a
    // foreign key to other columns than the key cannot be bound to a journaled key.
    if (c.fk.ref_columns.size() != pt.source_key.size()) {
      continue;
    }
    std::vector<std::string> by_key(pt.source_key.size());
    for (std::size_t i = 0; i < c.fk.ref_columns.size(); ++i) {
      auto k = std::find_if(
          pt.source_key.begin(), pt.source_key.end(),
          [&](const std::string& key) { return db::same_ident(key, c.fk.ref_columns[i]); });
      if (k == pt.source_key.end()) {
        by_key.clear();
        break;
      }
      by_key[static_cast<std::size_t>(k - pt.source_key.begin())] = c.target_columns[i];
    }
    if (by_key.empty()) {
      continue;
    }
    std::string where;
    for (std::size_t i = 0; i < by_key.size(); ++i) {
      where += fmt::format("{}{} = {}", i ? " AND " : "", td.stored_ident(by_key[i]),
                           td.placeholder(static_cast<int>(i + 1)));
    }
    pt.cascades.push_back(sql_->prepare(
        fmt::format("DELETE FROM {} WHERE {}", td.stored_ident(c.child_table), where)));
  }
}

void RowApplier::read(KeyBatch& batch) {
  for (auto& [table, list] : batch.keys) {
    const TablePlan& t = *tables_.at(table);
    batch.rows[table] = read_rows(t, list);
    transform_rows(t, batch.rows[table]);
  }
}

std::map<KeyText, db::Row> RowApplier::read_rows(const TablePlan& t,
                                                 const std::vector<KeyText>& keys) {
  const db::Dialect& d = source_.dialect();
  std::map<KeyText, db::Row> rows;
  std::string cols;
  for (const std::string& c : t.source_cols) {
    cols += fmt::format("{}{}", cols.empty() ? "" : ", ", d.stored_ident(c));
  }
  std::size_t n = t.source_key.size();
  std::size_t per = std::max<std::size_t>(
      1, std::min<std::size_t>(500, source_.capabilities().max_placeholders / n));
  for (std::size_t start = 0; start < keys.size(); start += per) {
    std::string where;
    std::vector<db::Value> params;
    std::string in;  // one-column keys: col IN (...), which every planner handles well
    for (std::size_t i = start; i < std::min(keys.size(), start + per); ++i) {
      if (n == 1 && keys[i][0]) {
        params.emplace_back(*keys[i][0]);
        in += fmt::format("{}{}", in.empty() ? "" : ", ",
                          d.placeholder(static_cast<int>(params.size())));
        continue;
      }
      std::string one;
      for (std::size_t k = 0; k < n; ++k) {
        std::string col = d.stored_ident(t.source_key[k]);
        if (keys[i][k]) {
          params.emplace_back(*keys[i][k]);
          one += fmt::format("{}{} = {}", k ? " AND " : "", col,
                             d.placeholder(static_cast<int>(params.size())));
        } else {
          one += fmt::format("{}{} IS NULL", k ? " AND " : "", col);
        }
      }
      where += fmt::format("{}({})", where.empty() ? "" : " OR ", one);
    }
    if (!in.empty()) {
      where += fmt::format("{}{} IN ({})", where.empty() ? "" : " OR ",
                           d.stored_ident(t.source_key[0]), in);
    }
    std::unique_ptr<db::RowReader> r = source_.query(
        fmt::format("SELECT {} FROM {} WHERE {}", cols, d.stored_ident(t.name), where), params);
    while (r->next()) {
      db::Row row = r->row();
      rows.emplace(key_text(row, n), std::move(row));
    }
  }
  return rows;
}

/// Source rows made target rows by the table's version transform (none: unchanged). Runs
/// after the reads, so a tenant missing from the LOCAL IdP map can be looked up again.
void RowApplier::transform_rows(const TablePlan& t, std::map<KeyText, db::Row>& rows) {
  if (!t.xform) {
    return;
  }
  if (t.xform->needs_local_idps() && !idps_) {
    idps_.emplace(&target_, &source_, true);
  }
  db::Row out;
  for (auto& [key, row] : rows) {
    t.xform->apply(row, out, idps_ ? &*idps_ : nullptr);
    std::swap(row, out);
  }
}

namespace {

std::string describe_key(const std::vector<std::string>& columns, const KeyText& k) {
  std::string out;
  for (std::size_t i = 0; i < k.size(); ++i) {
    out += fmt::format("{}{}={}", i ? ", " : "", columns[i], k[i] ? *k[i] : "NULL");
  }
  return out;
}

}  // namespace

WriteCounts RowApplier::write(KeyBatch& batch,
                              const std::function<void(const WriteCounts&)>& in_transaction) {
  WriteCounts counts;
  try {
    write_once(batch, in_transaction, counts, false);
  } catch (const Error& e) {
    // A constraint error inside a multi-row statement cannot say which row: the whole
    // transaction rolled back, so write the batch again row by row, which names the key.
    // A violation that persists is reported, never retried silently (DESIGN §3.2).
    if (e.kind() != ErrorKind::constraint) {
      throw;
    }
    counts = WriteCounts();
    write_once(batch, in_transaction, counts, true);
  }
  return counts;
}

/// The target half of a batch, in one transaction: deletes children first, upserts parents
/// first, each table's keys in the batch's order (CON_APP_KEY: the old token leaves its unique
/// value before the new one takes it), then the caller's part. `row_by_row` runs one statement
/// per row (slower; names the row of an error).
void RowApplier::write_once(KeyBatch& batch,
                            const std::function<void(const WriteCounts&)>& in_transaction,
                            WriteCounts& counts, bool row_by_row) {
  std::vector<TablePlan*> order;
  order.reserve(batch.keys.size());
  for (auto& [table, list] : batch.keys) {
    order.push_back(tables_.at(table).get());
  }
  std::sort(order.begin(), order.end(),
            [](const TablePlan* a, const TablePlan* b) { return a->order < b->order; });
  const std::map<KeyText, db::Row> none;
  auto present_of = [&](const TablePlan& t) -> const std::map<KeyText, db::Row>& {
    auto it = batch.rows.find(t.name);
    return it == batch.rows.end() ? none : it->second;
  };
  Statements::Tx tx(*sql_);
  for (const std::string& s : capture::applier_transaction_begin(target_)) {
    sql_->execute(s);
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TablePlan& t = **it;
    const std::map<KeyText, db::Row>& present = present_of(t);
    for (const KeyText& k : batch.keys[t.name]) {
      if (present.count(k) == 0) {
        counts.deleted += delete_key(t, k);
      }
    }
  }
  for (TablePlan* tp : order) {
    TablePlan& t = *tp;
    const std::map<KeyText, db::Row>& present = present_of(t);
    std::vector<const db::Row*> batch_rows;
    for (const KeyText& k : batch.keys[t.name]) {
      auto found = present.find(k);
      if (found == present.end()) {
        continue;
      }
      if (!row_by_row) {
        batch_rows.push_back(&found->second);
        continue;
      }
      try {
        upsert_statement(t, 1).execute(found->second);
      } catch (Error& e) {
        e.add_context(fmt::format("applying {} ({})", t.name, describe_key(t.source_key, k)));
        throw;
      }
      ++counts.upserted;
    }
    counts.upserted += upsert_many(t, batch_rows);
  }
  if (in_transaction) {
    in_transaction(counts);
  }
  for (const std::string& s : capture::applier_transaction_end(target_)) {
    sql_->execute(s);
  }
  tx.commit();
}

/// The prepared upsert of `rows` rows for table t (kept per size for the connection's life).
db::PreparedStatement& RowApplier::upsert_statement(TablePlan& t, int n) {
  std::unique_ptr<db::PreparedStatement>& st = t.upserts[n];
  if (!st) {
    st = sql_->prepare(
        target_.dialect().upsert_rows(t.target_table, t.target_cols, t.target_key, n));
  }
  return *st;
}

/// Upserts `rows` in order, as many per statement as the engine's placeholders allow.
std::int64_t RowApplier::upsert_many(TablePlan& t, const std::vector<const db::Row*>& rows) {
  std::size_t ncols = t.target_cols.size();
  std::size_t per = std::clamp<std::size_t>(
      target_.capabilities().max_placeholders / std::max<std::size_t>(ncols, 1), 1,
      kRowsPerStatement);
  std::vector<db::Value> params;
  for (std::size_t start = 0; start < rows.size(); start += per) {
    std::size_t n = std::min(per, rows.size() - start);
    params.clear();
    for (std::size_t i = start; i < start + n; ++i) {
      params.insert(params.end(), rows[i]->begin(), rows[i]->end());
    }
    upsert_statement(t, static_cast<int>(n)).execute(params);
  }
  return static_cast<std::int64_t>(rows.size());
}

std::int64_t RowApplier::delete_key(TablePlan& t, const KeyText& k) {
  bool has_null = std::any_of(k.begin(), k.end(), [](const auto& p) { return !p; });
  if (!has_null) {
    std::vector<db::Value> params;
    params.reserve(k.size());
    for (const auto& p : k) {
      params.emplace_back(*p);
    }
    for (const auto& cascade : t.cascades) {
      cascade->execute(params);
    }
    return t.remove->execute(params);
  }
  const db::Dialect& td = target_.dialect();
  std::string where;
  std::vector<db::Value> params;
  for (std::size_t i = 0; i < k.size(); ++i) {
    std::string col = td.stored_ident(t.target_key[i]);
    if (k[i]) {
      params.emplace_back(*k[i]);
      where += fmt::format("{}{} = {}", i ? " AND " : "", col,
                           td.placeholder(static_cast<int>(params.size())));
    } else {
      where += fmt::format("{}{} IS NULL", i ? " AND " : "", col);
    }
  }
  return sql_->execute(
      fmt::format("DELETE FROM {} WHERE {}", td.stored_ident(t.target_table), where), params);
}

}  // namespace cutover::sync
