#include "sync/apply.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "capture/capture.h"
#include "core/cancel.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "schema/transform.h"
#include "sync/copy.h"
#include "sync/job_lock.h"
#include "sync/position.h"

namespace cutover::sync {

namespace {

using Clock = std::chrono::steady_clock;

/// Rows per multi-row upsert statement at most: big enough to amortise the round trip, small
/// enough that the statement text and its parameters stay modest.
constexpr std::size_t kRowsPerStatement = 500;

/// One captured table as the apply moves it: key and common columns on both sides.
struct TablePlan {
  std::string name;                      ///< as the journal names it (source stored name)
  std::vector<std::string> source_key;   ///< journal K1..Kn, source stored names
  std::vector<std::string> target_key;   ///< the same columns, target stored names
  std::vector<std::string> source_cols;  ///< columns read from the source
  std::vector<std::string> target_cols;  ///< where they go on the target (same order)
  std::string target_table;              ///< target stored name
  /// Prepared multi-row upserts by row count (a full chunk and the batch's remainder).
  std::map<int, std::unique_ptr<db::PreparedStatement>> upserts;
  std::unique_ptr<db::PreparedStatement> remove;
  std::size_t order = 0;  ///< position in the parents-first order
  /// The version transform bound to both live tables; none when the versions are equal.
  std::optional<schema::TableTransform> xform;
};

/// One key of one table, as text from the journal (nullopt = NULL key part).
using KeyText = std::vector<std::optional<std::string>>;

struct Entry {
  std::int64_t seq = 0;
  std::string table;
  KeyText key;
  std::int64_t created_ms = 0;
};

/// The key text of a row read from the source, in the journal's form.
KeyText key_of(const db::Row& row, std::size_t n) {
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

std::string describe_key(const TablePlan& t, const KeyText& k) {
  std::string out;
  for (std::size_t i = 0; i < k.size(); ++i) {
    out += fmt::format("{}{}={}", i ? ", " : "", t.source_key[i], k[i] ? *k[i] : "NULL");
  }
  return out;
}

class Applier {
 public:
  Applier(const SyncConfig& config, const ApplyOptions& options,
          const std::function<void(const BatchReport&)>& on_batch)
      : config_(config), options_(options), on_batch_(on_batch) {}

  ApplyResult run() {
    auto started = Clock::now();
    auto failing_since = Clock::time_point();
    std::chrono::milliseconds backoff(200);
    // Shape: connect (reading the stored position, which also settles a commit whose outcome
    // was unknown, §3.6), then batches until drained or stopped. A lost server is waited for
    // with growing pauses; any error that is not about reaching a server ends the run.
    while (true) {
      throw_if_cancelled();
      if (stopped()) {
        break;
      }
      try {
        if (!source_) {
          connect();
        }
        std::int64_t consumed = batch();
        failing_since = Clock::time_point();
        backoff = std::chrono::milliseconds(200);
        if (consumed == 0) {
          if (options_.once) {
            break;
          }
          pause(std::chrono::milliseconds(config_.interval_ms));
        }
      } catch (const Error& e) {
        bool transient =
            e.retryable() || e.kind() == ErrorKind::in_doubt || e.kind() == ErrorKind::connection;
        if (!transient) {
          throw;
        }
        auto now = Clock::now();
        if (failing_since == Clock::time_point()) {
          failing_since = now;
        }
        if (now - failing_since > std::chrono::seconds(options_.max_outage_s)) {
          throw;
        }
        BatchReport r;
        r.retry = e.one_line();
        report(r);
        disconnect();
        pause(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
      }
    }
    result_.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result_;
  }

 private:
  void report(const BatchReport& r) {
    if (on_batch_) {
      on_batch_(r);
    }
  }

  bool stopped() const { return options_.stop && options_.stop(); }

  void pause(std::chrono::milliseconds d) const {
    auto until = Clock::now() + d;
    while (Clock::now() < until && !stopped()) {
      throw_if_cancelled();
      std::this_thread::sleep_for(
          std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
    }
  }

  void disconnect() {
    for (auto& [name, t] : tables_) {
      t.upserts.clear();
      t.remove.reset();
    }
    tables_.clear();
    idps_.reset();
    source_.reset();
    target_.reset();
  }

  void connect() {
    source_ = db::open(config_.source);
    target_ = db::open(config_.target);
    std::optional<capture::CaptureInfo> info = capture::read_capture(*source_);
    if (!info || !info->complete) {
      throw Error(ErrorKind::config, "the source has no complete change capture",
                  "run 'cutover sync prepare' on the source first");
    }
    journal_id_ = info->journal_id;
    if (copy_state(*target_, journal_id_) == CopyState::in_progress) {
      throw Error(ErrorKind::config, "a copy into this target has not finished",
                  "run 'cutover sync copy' again to finish it, then 'sync run'");
    }
    for (const std::string& s : capture::applier_session_setup(*target_)) {
      target_->execute(s);
    }
    // The prune must not take gap locks that would hold up the IS's journal inserts.
    if (source_->dialect().name() == "mysql") {
      source_->execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
      // Gaps end with the transactions that could hold them (DESIGN §3.3) when InnoDB shows
      // its open transactions (PROCESS privilege); otherwise by age.
      try {
        innodb_trx_horizon(false);
        innodb_horizon_ = true;
      } catch (const Error& e) {
        if (e.kind() == ErrorKind::connection) {
          throw;
        }
        innodb_horizon_ = false;
      }
    }
    // The version transform; before any write, both schemas are checked against the versions
    // and every table is bound (a column the chain cannot produce stops here).
    const schema::Product& product = schema::product(config_.product);
    std::string from = config_.from_version;
    std::string to = config_.to_version.empty() ? from : config_.to_version;
    xform_.reset();
    std::vector<std::string> names;
    for (const capture::CapturedTable& ct : info->tables) {
      names.push_back(ct.name);
    }
    if (!from.empty() && from != to) {
      xform_.emplace(schema::Transform::make(product, from, to));
      schema::check_schema_version(*source_, product, from, names, "source");
      schema::check_schema_version(*target_, product, to, names, "target");
    } else if (!from.empty()) {
      // One version: the identity is right only when the target really is that version. A
      // target of another version (no --to given) is refused here, not written column by
      // column with whatever the two shapes share.
      schema::check_schema_version(*target_, product, to, names, "target");
    }
    plan_tables(*info);
    ensure_progress_table(*target_);
    // The stored position is the truth: after a lost connection or an in-doubt commit this
    // read tells whether the last batch committed.
    std::optional<Position> p = load_position(*target_, journal_id_);
    if (!p && config_.reverse) {
      // The reverse position is stored when cutover arms it (sync/gate.h); without it the
      // capture on the new database is not ours to apply (a dumped copy, another sync).
      throw Error(ErrorKind::config, "the reverse sync is not armed for these databases",
                  "run 'cutover sync cutover' first; it arms the reverse sync when ready");
    }
    position_ = p ? *p : Position{journal_id_, 0, {}};
  }

  void plan_tables(const capture::CaptureInfo& info) {
    std::map<std::string, std::vector<std::string>> refs;
    for (const capture::CapturedTable& ct : info.tables) {
      std::optional<db::TableDef> s = source_->describe_table(ct.name);
      std::optional<db::TableDef> t = target_->describe_table(ct.name);
      if (!s) {
        throw Error(ErrorKind::config, fmt::format("the source has no table {}", ct.name),
                    "the table was dropped after prepare: run 'sync remove' and prepare again");
      }
      if (!t) {
        throw Error(ErrorKind::config, fmt::format("the target has no table {}", ct.name),
                    "run 'cutover sync copy', or create the target schema first");
      }
      TablePlan p;
      p.name = ct.name;
      p.source_key = ct.key;
      p.target_table = t->name;
      for (const std::string& k : ct.key) {
        const db::Column* c = t->find_column(k);
        if (!c) {
          throw Error(ErrorKind::config,
                      fmt::format("target table {} has no key column {}", t->name, k));
        }
        p.target_key.push_back(c->name);
      }
      if (xform_) {
        // Another version: the declared transform maps the columns (key columns first).
        p.xform = xform_->bind(*s, *t, p.source_key);
        p.source_cols = p.xform->source_columns();
        p.target_cols = p.xform->target_columns();
      } else {
        // One version: the columns both sides have.
        for (const db::Column& c : s->columns) {
          if (const db::Column* tc = t->find_column(c.name)) {
            p.source_cols.push_back(c.name);
            p.target_cols.push_back(tc->name);
          }
        }
        // Key columns first in the source read, so a row's key is its first columns.
        std::vector<std::string> cols = p.source_key;
        std::vector<std::string> tcols = p.target_key;
        for (std::size_t i = 0; i < p.source_cols.size(); ++i) {
          bool is_key = std::any_of(p.source_key.begin(), p.source_key.end(), [&](const auto& k) {
            return db::same_ident(k, p.source_cols[i]);
          });
          if (!is_key) {
            cols.push_back(p.source_cols[i]);
            tcols.push_back(p.target_cols[i]);
          }
        }
        p.source_cols = cols;
        p.target_cols = tcols;
      }
      const db::Dialect& td = target_->dialect();
      std::string where;
      for (std::size_t i = 0; i < p.target_key.size(); ++i) {
        where += fmt::format("{}{} = {}", i ? " AND " : "", td.stored_ident(p.target_key[i]),
                             td.placeholder(static_cast<int>(i + 1)));
      }
      p.remove = target_->prepare(
          fmt::format("DELETE FROM {} WHERE {}", td.stored_ident(p.target_table), where));
      tables_.emplace(ct.name, std::move(p));
      refs.emplace(ct.name, std::vector<std::string>());
      for (const db::ForeignKey& fk : s->foreign_keys) {
        refs[ct.name].push_back(fk.ref_table);
      }
    }
    // Parents first: a table comes after every captured table it references.
    std::size_t order = 0;
    std::set<std::string> placed;
    while (placed.size() < tables_.size()) {
      bool progress = false;
      for (auto& entry : tables_) {
        const std::string& name = entry.first;
        TablePlan& plan = entry.second;
        if (placed.count(name)) {
          continue;
        }
        bool ready = std::all_of(refs[name].begin(), refs[name].end(), [&](const auto& r) {
          return db::same_ident(r, name) ||
                 std::none_of(tables_.begin(), tables_.end(), [&](const auto& t) {
                   return !placed.count(t.first) && db::same_ident(t.first, r);
                 });
        });
        if (ready) {
          plan.order = order++;
          placed.insert(name);
          progress = true;
        }
      }
      if (!progress) {  // a reference cycle: keep the listed order for the rest
        for (auto& [name, plan] : tables_) {
          if (placed.insert(name).second) {
            plan.order = order++;
          }
        }
      }
    }
  }

  /// Reads journal entries after the position (plus the open gaps) in the current source
  /// transaction, updating the gap list; returns them in journal order.
  std::vector<Entry> read_entries(Position& next, std::int64_t now_ms, std::int64_t xmin,
                                  std::int64_t xmax) {
    const db::Dialect& d = source_->dialect();
    std::vector<Entry> entries;
    std::string cols = "SEQ, TABLE_NAME, K1, K2, K3, K4, CREATED_MS";
    auto read = [&](std::unique_ptr<db::RowReader> r) {
      while (r->next()) {
        Entry e;
        e.seq = r->get(0).as_int();
        e.table = r->get(1).to_text();
        for (std::size_t i = 0; i < capture::kMaxKeyColumns; ++i) {
          db::Value v = r->get(2 + i);
          e.key.push_back(v.is_null() ? std::nullopt : std::optional<std::string>(v.to_text()));
        }
        e.created_ms = r->get(6).as_int();
        entries.push_back(std::move(e));
      }
    };
    // Gaps first: values that were missing and may have committed since.
    std::set<std::int64_t> found;
    if (!next.gaps.empty()) {
      std::string in;
      for (const Gap& g : next.gaps) {
        in += fmt::format("{}{}", in.empty() ? "" : ", ", g.seq);
      }
      read(source_->query(
          fmt::format("SELECT {} FROM {} WHERE SEQ IN ({})", cols, capture::kJournal, in)));
      for (const Entry& e : entries) {
        found.insert(e.seq);
      }
    }
    std::size_t before = entries.size();
    std::vector<db::Value> after = {db::Value(next.high)};
    read(source_->query(fmt::format("SELECT {} FROM {} WHERE SEQ > {} ORDER BY SEQ {}", cols,
                                    capture::kJournal, d.placeholder(1), limit(config_.batch_size)),
                        after));
    // Gaps that stay open: still missing and possibly still coming.
    std::vector<Gap> gaps;
    for (const Gap& g : next.gaps) {
      if (found.count(g.seq) || dead(g, now_ms, xmin)) {
        continue;
      }
      gaps.push_back(g);
    }
    // New gaps: values skipped between the old high and the entries read now.
    std::int64_t expect = next.high + 1;
    for (std::size_t i = before; i < entries.size(); ++i) {
      for (; expect < entries[i].seq; ++expect) {
        Gap g{expect, now_ms, xmax};
        if (!dead(g, now_ms, xmin)) {
          gaps.push_back(g);
        }
      }
      expect = entries[i].seq + 1;
      next.high = entries[i].seq;
    }
    std::sort(gaps.begin(), gaps.end(), [](const Gap& a, const Gap& b) { return a.seq < b.seq; });
    next.gaps = std::move(gaps);
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
    return entries;
  }

  /// One journal feeds one target: a prune by another applier (another target, or a target
  /// restored from an older dump) past this position has deleted entries it still needs.
  void check_not_pruned_past(const Position& p) {
    std::int64_t pruned = capture::pruned_through(*source_);
    if (pruned > p.low_water()) {
      throw Error(ErrorKind::config,
                  fmt::format("the journal was pruned up to {}, past this target's position {}",
                              pruned, p.low_water()),
                  "another 'sync run' applies this journal to another target; one journal feeds "
                  "one target: run 'sync copy' into this one again, or stop the other run");
    }
  }

  /// True when a missing journal value can no longer appear (DESIGN §3.3).
  bool dead(const Gap& g, std::int64_t now_ms, std::int64_t xmin) const {
    std::string d = source_->dialect().name();
    if (d == "postgresql") {
      // Every transaction that could hold the value has ended (its bound is the next xid,
      // read after the value was found missing; see batch()).
      return g.xmax > 0 && xmin >= g.xmax;
    }
    if (d == "sqlite") {
      // One writer: a value below a committed one was never committed.
      return true;
    }
    if (g.xmax > 0) {
      // MySQL/MariaDB with InnoDB's transaction list: as on PostgreSQL, every read-write
      // transaction open when the value was found missing has ended (xmin was read before
      // this batch's snapshot, so a value committed by them is visible in it).
      return xmin >= g.xmax;
    }
    return now_ms - g.first_seen_ms > std::int64_t{config_.max_transaction_age_s} * 1000;
  }

  std::string limit(int n) const { return fmt::format("LIMIT {}", n); }

  /// Gaps judged by transaction ids whose bound is read after the batch's snapshot.
  bool bounded_later() const {
    return source_->dialect().name() == "postgresql" || innodb_horizon_;
  }

  /// MySQL/MariaDB: the smallest id of an open read-write InnoDB transaction (INT64_MAX when
  /// none), or with `upper` one past the largest. Read-only transactions show id 0 (MariaDB)
  /// or an id at or above 2^48 (MySQL); they hold no journal value and are left out.
  std::int64_t innodb_trx_horizon(bool upper) {
    std::string sql = fmt::format(
        "SELECT {} FROM information_schema.INNODB_TRX WHERE trx_id > 0 AND trx_id < "
        "281474976710656",
        upper ? "COALESCE(MAX(trx_id), 0) + 1" : "COALESCE(MIN(trx_id), 9223372036854775807)");
    return source_->query_value(sql).value_or(0).as_int();
  }

  /// Current rows of `keys` in the source snapshot, by key text.
  std::map<KeyText, db::Row> read_rows(const TablePlan& t, const std::vector<KeyText>& keys) {
    const db::Dialect& d = source_->dialect();
    std::map<KeyText, db::Row> rows;
    std::string cols;
    for (const std::string& c : t.source_cols) {
      cols += fmt::format("{}{}", cols.empty() ? "" : ", ", d.stored_ident(c));
    }
    std::size_t n = t.source_key.size();
    std::size_t per = std::max<std::size_t>(
        1, std::min<std::size_t>(500, source_->capabilities().max_placeholders / n));
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
      std::unique_ptr<db::RowReader> r = source_->query(
          fmt::format("SELECT {} FROM {} WHERE {}", cols, d.stored_ident(t.name), where), params);
      while (r->next()) {
        db::Row row = r->row();
        rows.emplace(key_of(row, n), std::move(row));
      }
    }
    return rows;
  }

  /// Source rows made target rows by the table's version transform (none: unchanged). Runs
  /// after the reads, so a tenant missing from the LOCAL IdP map can be looked up again.
  void transform_rows(const TablePlan& t, std::map<KeyText, db::Row>& rows) {
    if (!t.xform) {
      return;
    }
    if (t.xform->needs_local_idps() && !idps_) {
      idps_.emplace(target_.get(), source_.get(), true);
    }
    db::Row out;
    for (auto& [key, row] : rows) {
      t.xform->apply(row, out, idps_ ? &*idps_ : nullptr);
      std::swap(row, out);
    }
  }

  /// One batch; returns the journal entries it consumed (0: nothing new).
  std::int64_t batch() {
    auto batch_start = Clock::now();
    Position next = position_;
    std::vector<Entry> entries;
    // table -> keys in first-occurrence order, and which of them exist now.
    std::map<std::string, std::vector<KeyText>> keys;
    std::map<std::string, std::set<KeyText>> seen;
    std::map<std::string, std::map<KeyText, db::Row>> rows;
    std::int64_t now_ms = 0;
    // MySQL/MariaDB: the oldest open writer, read BEFORE the snapshot: a writer older than
    // it ended before the snapshot began, so what it committed is visible there.
    std::int64_t my_xmin = innodb_horizon_ ? innodb_trx_horizon(false) : 0;
    auto snapshot_at = Clock::now();
    {
      // 1. One source snapshot for the journal and the rows, so a child row read here never
      //    references a parent row this snapshot does not have.
      db::TxOptions ro;
      ro.read_only = true;
      ro.consistent_snapshot = true;
      db::Transaction tx(*source_, ro);
      snapshot_at = Clock::now();
      now_ms = source_now_ms(*source_);
      std::int64_t xmin = 0;
      std::int64_t xmax = 0;
      if (source_->dialect().name() == "postgresql") {
        std::unique_ptr<db::RowReader> r = source_->query(
            "SELECT txid_snapshot_xmin(txid_current_snapshot()), "
            "txid_snapshot_xmax(txid_current_snapshot())");
        r->next();
        xmin = r->get(0).as_int();
        xmax = r->get(1).as_int();
      } else if (innodb_horizon_) {
        xmin = my_xmin;
      }
      check_not_pruned_past(position_);
      std::size_t gaps_before = next.gaps.size();
      std::int64_t high_before = next.high;
      // PostgreSQL: a snapshot's xmax is one past the latest COMPLETED xid, so a writer
      // still open can have an xid at or above it; a gap bounded by it would be declared
      // dead while that writer runs, and its rows lost. New gaps get their bound after
      // this transaction (below): 0 here, which is never dead.
      entries = read_entries(next, now_ms, xmin, bounded_later() ? 0 : xmax);
      // A gap still waiting for its bound (from the copy) is work to store.
      bool unbounded =
          std::any_of(next.gaps.begin(), next.gaps.end(), [](const Gap& g) { return g.xmax == 0; });
      if (entries.empty() && next.gaps.size() == gaps_before && next.high == high_before &&
          !(unbounded && bounded_later())) {
        tx.commit();
        return 0;
      }
      for (const Entry& e : entries) {
        auto it = tables_.find(e.table);
        if (it == tables_.end()) {
          throw Error(
              ErrorKind::config,
              fmt::format("the journal names table {}, which the capture does not list", e.table),
              "the capture metadata was edited: run 'sync remove' and prepare again");
        }
        KeyText k(e.key.begin(),
                  e.key.begin() + static_cast<std::ptrdiff_t>(it->second.source_key.size()));
        // First occurrence keeps its place; the set makes the check O(log n), not a scan.
        if (seen[e.table].insert(k).second) {
          keys[e.table].push_back(std::move(k));
        }
      }
      for (auto& [table, list] : keys) {
        rows[table] = read_rows(tables_.at(table), list);
        transform_rows(tables_.at(table), rows[table]);
      }
      tx.commit();
    }
    if (bounded_later()) {
      // The bound, read after the snapshot: above the id of every writer that held a value
      // the snapshot did not show. PostgreSQL: the next xid (one xid per batch that found a
      // new gap). MySQL/MariaDB: one past the largest open InnoDB writer; INNODB_TRX is a
      // cache refreshed at most every 100 ms, so it is read only once a fresh copy must
      // postdate the snapshot (a stale one could miss a writer, and its rows be lost).
      std::int64_t bound = 0;
      for (Gap& g : next.gaps) {
        if (g.xmax == 0) {
          if (bound == 0) {
            if (source_->dialect().name() == "postgresql") {
              bound = source_->query_value("SELECT txid_current()").value_or(0).as_int();
            } else {
              std::this_thread::sleep_until(snapshot_at + std::chrono::milliseconds(250));
              bound = innodb_trx_horizon(true);
            }
          }
          g.xmax = bound;
        }
      }
    }

    // 2. One target transaction: deletes children first, upserts parents first, each table's
    //    keys in journal order (CON_APP_KEY: the old token leaves its unique value before the
    //    new one takes it), then the position.
    std::vector<TablePlan*> order;
    order.reserve(keys.size());
    for (auto& [table, list] : keys) {
      order.push_back(&tables_.at(table));
    }
    std::sort(order.begin(), order.end(),
              [](const TablePlan* a, const TablePlan* b) { return a->order < b->order; });
    BatchReport rep;
    rep.entries = static_cast<std::int64_t>(entries.size());
    fit_gaps(next);
    try {
      write_target(order, keys, rows, entries, next, now_ms, batch_start, rep, false);
    } catch (const Error& e) {
      // A constraint error inside a multi-row statement cannot say which row: the whole
      // transaction rolled back, so write the batch again row by row, which names the key.
      // A violation that persists is reported, never retried silently (DESIGN §3.2).
      if (e.kind() != ErrorKind::constraint) {
        throw;
      }
      rep.upserted = 0;
      rep.deleted = 0;
      write_target(order, keys, rows, entries, next, now_ms, batch_start, rep, true);
    }
    position_ = next;

    // 3. Prune what is applied. A failure here loses nothing: the next batch prunes again.
    prune();

    rep.high = position_.high;
    rep.open_gaps = static_cast<std::int64_t>(position_.gaps.size());
    result_.batches++;
    result_.entries += rep.entries;
    result_.upserted += rep.upserted;
    result_.deleted += rep.deleted;
    report(rep);
    // Gap bookkeeping alone (a gap expired) counts as progress so the loop goes on.
    return std::max<std::int64_t>(rep.entries, 1);
  }

  /// The target half of a batch, in one transaction: deletes children first, upserts parents
  /// first, each table's keys in journal order, then the position. `row_by_row` runs one
  /// statement per row (slower; names the row of an error).
  void write_target(const std::vector<TablePlan*>& order,
                    std::map<std::string, std::vector<KeyText>>& keys,
                    std::map<std::string, std::map<KeyText, db::Row>>& rows,
                    const std::vector<Entry>& entries, const Position& next, std::int64_t now_ms,
                    Clock::time_point batch_start, BatchReport& rep, bool row_by_row) {
    db::Transaction tx(*target_);
    for (const std::string& s : capture::applier_transaction_begin(*target_)) {
      target_->execute(s);
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      TablePlan& t = **it;
      const std::map<KeyText, db::Row>& present = rows[t.name];
      for (const KeyText& k : keys[t.name]) {
        if (present.count(k) == 0) {
          rep.deleted += delete_key(t, k);
        }
      }
    }
    std::map<std::string, std::int64_t> per_table;
    for (TablePlan* tp : order) {
      TablePlan& t = *tp;
      const std::map<KeyText, db::Row>& present = rows[t.name];
      per_table[t.name] = static_cast<std::int64_t>(keys[t.name].size());
      std::vector<const db::Row*> batch_rows;
      for (const KeyText& k : keys[t.name]) {
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
          e.add_context(fmt::format("applying {} ({})", t.name, describe_key(t, k)));
          throw;
        }
        ++rep.upserted;
      }
      rep.upserted += upsert_many(t, batch_rows);
    }
    std::int64_t oldest = 0;
    for (const Entry& e : entries) {
      oldest = oldest == 0 ? e.created_ms : std::min(oldest, e.created_ms);
    }
    store_position(*target_, next, position_);
    const db::Dialect& td = target_->dialect();
    double secs = std::chrono::duration<double>(Clock::now() - batch_start).count();
    auto rate = static_cast<std::int64_t>(static_cast<double>(rep.upserted + rep.deleted) /
                                          std::max(secs, 0.001));
    std::vector<db::Value> stats = {db::Value(rep.upserted + rep.deleted), db::Value(oldest),
                                    db::Value(now_ms), db::Value(rate), db::Value(journal_id_)};
    target_->execute(
        fmt::format("UPDATE {} SET APPLIED_ROWS = APPLIED_ROWS + {}, LAST_ENTRY_MS = {}, "
                    "UPDATED_MS = {}, RATE_RPS = {} WHERE JOURNAL_ID = {}",
                    kProgressTable, td.placeholder(1), td.placeholder(2), td.placeholder(3),
                    td.placeholder(4), td.placeholder(5)),
        stats);
    for (const auto& [table, n] : per_table) {
      add_table_progress(*target_, journal_id_, table, n,
                         static_cast<std::int64_t>(static_cast<double>(n) / std::max(secs, 0.001)),
                         now_ms);
    }
    for (const std::string& s : capture::applier_transaction_end(*target_)) {
      target_->execute(s);
    }
    tx.commit();
    rep.lag_ms = oldest > 0 ? now_ms - oldest : 0;
  }

  /// The prepared upsert of `rows` rows for table t (kept per size for the connection's life).
  db::PreparedStatement& upsert_statement(TablePlan& t, int n) {
    std::unique_ptr<db::PreparedStatement>& st = t.upserts[n];
    if (!st) {
      st = target_->prepare(
          target_->dialect().upsert_rows(t.target_table, t.target_cols, t.target_key, n));
    }
    return *st;
  }

  /// Upserts `rows` in order, as many per statement as the engine's placeholders allow.
  std::int64_t upsert_many(TablePlan& t, const std::vector<const db::Row*>& rows) {
    std::size_t ncols = t.target_cols.size();
    std::size_t per = std::clamp<std::size_t>(
        target_->capabilities().max_placeholders / std::max<std::size_t>(ncols, 1), 1,
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

  std::int64_t delete_key(TablePlan& t, const KeyText& k) {
    bool has_null = std::any_of(k.begin(), k.end(), [](const auto& p) { return !p; });
    if (!has_null) {
      std::vector<db::Value> params;
      for (const auto& p : k) {
        params.emplace_back(*p);
      }
      return t.remove->execute(params);
    }
    const db::Dialect& td = target_->dialect();
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
    return target_->execute(
        fmt::format("DELETE FROM {} WHERE {}", td.stored_ident(t.target_table), where), params);
  }

  void prune() {
    std::int64_t upto = position_.low_water();
    if (upto <= pruned_) {
      return;
    }
    const db::Dialect& d = source_->dialect();
    std::vector<db::Value> p = {db::Value(upto)};
    // SQLite hands out max(SEQ)+1: the newest entry stays so no value is handed out twice.
    std::string keep_newest =
        d.name() == "sqlite"
            ? fmt::format(" AND SEQ < (SELECT MAX(SEQ) FROM {})", capture::kJournal)
            : "";
    db::Transaction tx(*source_);
    source_->execute(fmt::format("DELETE FROM {} WHERE SEQ <= {}{}", capture::kJournal,
                                 d.placeholder(1), keep_newest),
                     p);
    capture::set_pruned_through(*source_, upto);
    tx.commit();
    pruned_ = upto;
  }

  const SyncConfig& config_;
  const ApplyOptions& options_;
  const std::function<void(const BatchReport&)>& on_batch_;
  std::unique_ptr<db::Connection> source_;
  std::unique_ptr<db::Connection> target_;
  std::string journal_id_;
  std::map<std::string, TablePlan> tables_;
  std::optional<schema::Transform> xform_;  ///< none: one version on both sides
  std::optional<schema::LocalIdps> idps_;   ///< read on first need
  Position position_;
  std::int64_t pruned_ = 0;
  bool innodb_horizon_ = false;  ///< MySQL gaps end with InnoDB's open transactions
  ApplyResult result_;
};

}  // namespace

ApplyResult run_apply(const SyncConfig& config, const ApplyOptions& options,
                      const std::function<void(const BatchReport&)>& on_batch) {
  JobLock lock(config.target, "run");
  Applier a(config, options, on_batch);
  return a.run();
}

}  // namespace cutover::sync
