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
#include "sync/apply_rows.h"
#include "sync/copy.h"
#include "sync/job_lock.h"
#include "sync/position.h"

namespace cutover::sync {

namespace {

using Clock = std::chrono::steady_clock;

struct Entry {
  std::int64_t seq = 0;
  std::string table;
  KeyText key;
  std::int64_t created_ms = 0;
};

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
    rows_.reset();  // its prepared statements go before their connection
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
    rows_ = std::make_unique<RowApplier>(config_, *source_, *target_);
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
    rows_->plan(info->tables);
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

  /// One batch; returns the journal entries it consumed (0: nothing new).
  std::int64_t batch() {
    auto batch_start = Clock::now();
    Position next = position_;
    std::vector<Entry> entries;
    // table -> keys in first-occurrence order, and the rows of those that exist now.
    KeyBatch work;
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
        const std::vector<std::string>* key = rows_->key_columns(e.table);
        if (key == nullptr) {
          throw Error(
              ErrorKind::config,
              fmt::format("the journal names table {}, which the capture does not list", e.table),
              "the capture metadata was edited: run 'sync remove' and prepare again");
        }
        work.add(e.table,
                 KeyText(e.key.begin(), e.key.begin() + static_cast<std::ptrdiff_t>(key->size())));
      }
      rows_->read(work);
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
    BatchReport rep;
    rep.entries = static_cast<std::int64_t>(entries.size());
    std::int64_t oldest = 0;
    for (const Entry& e : entries) {
      oldest = oldest == 0 ? e.created_ms : std::min(oldest, e.created_ms);
    }
    fit_gaps(next);
    WriteCounts written = rows_->write(work, [&](const WriteCounts& counts) {
      store_progress(work, next, counts, oldest, now_ms, batch_start);
    });
    rep.upserted = written.upserted;
    rep.deleted = written.deleted;
    rep.lag_ms = oldest > 0 ? now_ms - oldest : 0;
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

  /// The position and the progress figures of a batch, inside its target transaction.
  void store_progress(const KeyBatch& work, const Position& next, const WriteCounts& counts,
                      std::int64_t oldest, std::int64_t now_ms, Clock::time_point batch_start) {
    store_position(*target_, next, position_);
    const db::Dialect& td = target_->dialect();
    double secs = std::chrono::duration<double>(Clock::now() - batch_start).count();
    auto rate = static_cast<std::int64_t>(static_cast<double>(counts.upserted + counts.deleted) /
                                          std::max(secs, 0.001));
    std::vector<db::Value> stats = {db::Value(counts.upserted + counts.deleted), db::Value(oldest),
                                    db::Value(now_ms), db::Value(rate), db::Value(journal_id_)};
    target_->execute(
        fmt::format("UPDATE {} SET APPLIED_ROWS = APPLIED_ROWS + {}, LAST_ENTRY_MS = {}, "
                    "UPDATED_MS = {}, RATE_RPS = {} WHERE JOURNAL_ID = {}",
                    kProgressTable, td.placeholder(1), td.placeholder(2), td.placeholder(3),
                    td.placeholder(4), td.placeholder(5)),
        stats);
    for (const auto& [table, list] : work.keys) {
      auto n = static_cast<std::int64_t>(list.size());
      add_table_progress(*target_, journal_id_, table, n,
                         static_cast<std::int64_t>(static_cast<double>(n) / std::max(secs, 0.001)),
                         now_ms);
    }
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
  /// The shared write path over the two connections; declared after them, so it goes first.
  std::unique_ptr<RowApplier> rows_;
  std::string journal_id_;
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
