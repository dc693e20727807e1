#include "verify/verify.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/cancel.h"
#include "core/error.h"
#include "db/registry.h"
#include "db/table_def.h"
#include "schema/catalogue.h"
#include "schema/transform.h"
#include "sync/tables.h"
#include "verify/diff.h"
#include "verify/live.h"
#include "verify/side.h"
#include "verify/table_plan.h"

namespace cutover::verify {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

/// One snapshot per side per chunk: the chunk's sums and its bisection read the same rows, so
/// the right half's sums may be derived from the whole and the left half.
db::TxOptions snapshot() {
  db::TxOptions o;
  o.read_only = true;
  o.consistent_snapshot = true;
  return o;
}

/// One connection per side, used by one worker thread.
struct Worker {
  std::unique_ptr<db::Connection> source;
  std::unique_ptr<db::Connection> target;
};

/// Ranges from the planner to the workers; bounded so the planner stays a little ahead.
class RangeQueue {
 public:
  explicit RangeQueue(std::size_t capacity) : capacity_(capacity) {}

  /// False when stopped (a worker failed): the planner ends.
  bool push(Range r) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return stopped_ || ranges_.size() < capacity_; });
    if (stopped_) {
      return false;
    }
    ranges_.push_back(std::move(r));
    changed_.notify_all();
    return true;
  }

  /// The next range; nullopt once closed and empty, or stopped.
  std::optional<Range> pop() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return stopped_ || closed_ || !ranges_.empty(); });
    if (stopped_ || ranges_.empty()) {
      return std::nullopt;
    }
    std::optional<Range> r(std::in_place);
    r->lo.swap(ranges_.front().lo);
    r->hi.swap(ranges_.front().hi);
    ranges_.pop_front();
    changed_.notify_all();
    return r;
  }

  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

  void stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Range> ranges_;
  bool closed_ = false;
  bool stopped_ = false;
};

std::optional<schema::LocalIdps> local_idps(const TablePlan& plan, Worker& w) {
  std::optional<schema::LocalIdps> idps;
  if (plan.xform && plan.xform->needs_local_idps()) {
    idps.emplace(w.target.get(), w.source.get(), false);
  }
  return idps;
}

/// Chunk mode: the planner (this thread, its own source connection) cuts the key into ranges
/// of about `chunk_rows` source rows; each worker takes a range, sums it on both sides in one
/// snapshot each, and bisects it when the sums differ. The chunk size follows the time the
/// last chunk took, towards options.chunk_seconds.
void verify_chunks(std::vector<Worker>& workers, db::Connection& planner, const TablePlan& plan,
                   TableVerify& out, const VerifyOptions& options,
                   const std::function<void(const VerifyProgress&)>& progress) {
  Recorder rec(out, plan, options);
  SideReader cutter(planner, plan, true, nullptr);
  std::int64_t total = cutter.count();
  std::atomic<std::int64_t> chunk_rows{options.first_chunk_rows};
  std::mutex mutex;  // out's counters, progress, error
  std::exception_ptr error;
  std::int64_t done = 0;
  RangeQueue queue(workers.size() * 2);
  auto fail = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    if (!error) {
      error = std::current_exception();
    }
    queue.stop();
  };
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (Worker& w : workers) {
    threads.emplace_back([&, wp = &w] {
      try {
        std::optional<schema::LocalIdps> idps = local_idps(plan, *wp);
        SideReader s(*wp->source, plan, true, idps ? &*idps : nullptr);
        SideReader t(*wp->target, plan, false, nullptr);
        while (std::optional<Range> r = queue.pop()) {
          throw_if_cancelled();
          Clock::time_point start = Clock::now();
          db::Transaction ts(*wp->source, snapshot());
          db::Transaction tt(*wp->target, snapshot());
          bool s_db = false;
          bool t_db = false;
          // Both sides at once: each waits mostly for its own engine.
          std::future<ChunkSum> target_sum =
              std::async(std::launch::async, [&] { return t.sum(*r, t_db); });
          ChunkSum a;
          try {
            a = s.sum(*r, s_db);
          } catch (...) {
            target_sum.wait();
            throw;
          }
          ChunkSum b = target_sum.get();
          double secs = since(start);
          if (a.rows > 0 && secs > 0) {
            // Towards chunk_seconds, at most doubling or halving per chunk.
            std::int64_t now = chunk_rows.load();
            auto want = static_cast<std::int64_t>(static_cast<double>(a.rows) *
                                                  options.chunk_seconds / secs);
            want = std::clamp(want, now / 2, now * 2);
            chunk_rows.store(std::clamp(want, options.min_chunk_rows, options.max_chunk_rows));
          }
          if (!(a == b)) {
            drill_down(s, t, *r, a, b, rec, options);
          }
          ts.commit();
          tt.commit();
          std::lock_guard<std::mutex> lock(mutex);
          out.source_rows += a.rows;
          out.target_rows += b.rows;
          ++out.chunks;
          out.in_database_sums += (s_db ? 1 : 0) + (t_db ? 1 : 0);
          done += a.rows;
          if (progress) {
            progress({plan.name, done, std::max(total, done)});
          }
        }
      } catch (...) {
        fail();
      }
    });
  }
  try {
    // (lo, hi] with hi the chunk_rows-th key after lo; the last range is open above, so the
    // ranges cover every key either side may hold.
    std::optional<db::Row> lo;
    while (true) {
      throw_if_cancelled();
      Range r{lo, std::nullopt};
      r.hi = cutter.key_at(r, chunk_rows.load() - 1);
      std::optional<db::Row> hi = r.hi;
      if (!queue.push(std::move(r)) || !hi) {
        break;
      }
      lo = std::move(hi);
    }
  } catch (...) {
    fail();
  }
  queue.close();
  for (std::thread& th : threads) {
    th.join();
  }
  if (error) {
    std::rethrow_exception(error);
  }
}

/// Whole-table pass, for a table both sides sum in SQL: one count and sum per side over the
/// whole table, both at once, each in one snapshot. True when they agree: the table is equal
/// and done in one sequential scan per side, where the chunk walk reads the rows through the
/// key's index (on PostgreSQL, whose heap is not in key order, several times slower) and the
/// stream mode hashes every row in cutover. False when they differ: the caller then looks
/// for the rows with the chunks or the stream, at the cost of this one extra pass. Also false
/// when a side fails the long statement (a standby cancelling it, a read timeout): the chunk
/// walk's short statements may still succeed. Ctrl-C cancels both statements (they may run
/// for minutes on a large table), and a side that fails cancels the other's.
bool verify_whole(Worker& w, const TablePlan& plan, TableVerify& out,
                  const std::function<void(const VerifyProgress&)>& progress) {
  SideReader s(*w.source, plan, true, nullptr);
  SideReader t(*w.target, plan, false, nullptr);
  std::unique_ptr<db::Canceller> cancel_source = w.source->canceller();
  std::unique_ptr<db::Canceller> cancel_target = w.target->canceller();
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::thread watch([&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (!finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; })) {
      if (cancel_requested()) {
        cancel_source->cancel();
        cancel_target->cancel();
        return;
      }
    }
  });
  auto stop_watch = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      done = true;
    }
    finished.notify_all();
    watch.join();
  };
  ChunkSum a;
  ChunkSum b;
  try {
    db::Transaction ts(*w.source, snapshot());
    db::Transaction tt(*w.target, snapshot());
    bool s_db = false;
    bool t_db = false;
    const Range all;
    std::future<ChunkSum> target_sum = std::async(std::launch::async, [&] {
      try {
        return t.sum(all, t_db);
      } catch (...) {
        cancel_source->cancel();
        throw;
      }
    });
    try {
      a = s.sum(all, s_db);
    } catch (...) {
      cancel_target->cancel();
      target_sum.wait();
      throw;
    }
    b = target_sum.get();
    ts.commit();
    tt.commit();
  } catch (const Error&) {
    stop_watch();
    throw_if_cancelled();  // a cancelled statement reads as Ctrl-C, not as a failure
    // Both connections are usable again (each statement ended, the snapshots rolled back);
    // the chunks or the stream look at the table in short statements.
    return false;
  } catch (...) {
    stop_watch();
    throw;
  }
  stop_watch();
  throw_if_cancelled();
  if (!(a == b)) {
    return false;
  }
  out.source_rows = a.rows;
  out.target_rows = b.rows;
  out.chunks = 1;
  out.in_database_sums += 2;
  if (progress) {
    progress({plan.name, a.rows, a.rows});
  }
  return true;
}

/// Stream mode: both sides read once in byte order of the key and merged.
void verify_stream(Worker& w, const TablePlan& plan, TableVerify& out, const VerifyOptions& options,
                   const std::function<void(const VerifyProgress&)>& progress) {
  Recorder rec(out, plan, options);
  std::optional<schema::LocalIdps> idps = local_idps(plan, w);
  SideReader s(*w.source, plan, true, idps ? &*idps : nullptr);
  SideReader t(*w.target, plan, false, nullptr);
  std::int64_t total = s.count();
  db::Transaction ts(*w.source, snapshot());
  db::Transaction tt(*w.target, snapshot());
  auto [ns, nt] = merge_streams(s, t, rec, [&](std::int64_t done, std::int64_t /*target*/) {
    if (progress) {
      progress({plan.name, done, std::max(total, done)});
    }
  });
  ts.commit();
  tt.commit();
  out.source_rows = ns;
  out.target_rows = nt;
  out.chunks = (std::max(ns, nt) + 9'999) / 10'000;
}

}  // namespace

bool VerifyResult::equal() const {
  return std::all_of(tables.begin(), tables.end(), [](const TableVerify& t) { return t.equal(); });
}

VerifyResult run_verify(const sync::SyncConfig& config, const VerifyOptions& options,
                        const std::function<void(const VerifyProgress&)>& progress) {
  Clock::time_point start = Clock::now();
  const schema::Product& product = schema::product(config.product);
  VerifyResult result;
  result.from_version = config.from_version;
  result.to_version = config.to_version.empty() ? config.from_version : config.to_version;
  schema::Transform xform =
      schema::Transform::make(product, result.from_version, result.to_version);
  db::OpenOptions ro;
  ro.read_only = true;
  std::unique_ptr<db::Connection> source = db::open(config.source, ro);
  std::unique_ptr<db::Connection> target = db::open(config.target, ro);

  // 1. The tables, and both schemas as their versions have them: a target of another version
  // than to_version would otherwise be compared on the columns both happen to have.
  std::vector<sync::SyncTable> tables = sync::resolve_tables(*source, config);
  std::vector<std::string> names;
  names.reserve(tables.size());
  for (const sync::SyncTable& t : tables) {
    names.push_back(t.name);
  }
  schema::check_schema_version(*source, product, result.from_version, names, "source");
  schema::check_schema_version(*target, product, result.to_version, names, "target");

  // A sync applying between the two: every busy table would fail the whole-table sums and
  // pay a second pass, and a snapshot held for a whole scan holds back the live source's
  // cleanup (PostgreSQL's xmin horizon, InnoDB's history): short chunks only.
  bool whole_pass = options.whole_pass && !sync_journal(*source, *target);

  // 2. The workers' connections, opened once for every table.
  std::vector<Worker> workers(static_cast<std::size_t>(std::max(1, options.jobs)));
  for (Worker& w : workers) {
    w.source = db::open(config.source, ro);
    w.target = db::open(config.target, ro);
  }

  // 3. Table by table, each with every worker.
  for (const sync::SyncTable& st : tables) {
    throw_if_cancelled();
    Clock::time_point table_start = Clock::now();
    TableVerify tv;
    tv.table = st.name;
    std::optional<db::TableDef> tdef = target->describe_table(st.def.name);
    if (!tdef) {
      tv.target_table_missing = true;
      tv.mode = "missing";
      std::optional<db::Value> n = source->query_value("SELECT COUNT(*) FROM " +
                                                       source->dialect().stored_ident(st.def.name));
      tv.source_rows = n ? n->as_int() : 0;
      tv.missing = tv.source_rows;
      tv.keys_complete = tv.missing == 0;
      result.tables.push_back(std::move(tv));
      continue;
    }
    TablePlan plan = plan_table(*source, *target, st, *tdef, &xform);
    // Named as the catalogue names them, whatever case the engine stores.
    auto upper = [](const std::vector<std::string>& stored) {
      std::vector<std::string> out;
      out.reserve(stored.size());
      for (const std::string& n : stored) {
        out.push_back(db::to_upper(n));
      }
      return out;
    };
    tv.key = upper(plan.target_key);
    tv.key_kinds = plan.key_kinds;
    tv.columns = upper(plan.compared);
    tv.source_only = upper(plan.source_only);
    tv.target_only = upper(plan.target_only);
    tv.mode = plan.stream ? "stream" : "chunks";
    tv.stored_text = plan.stored_text;
    if (plan.source_sql && plan.target_sql && whole_pass &&
        verify_whole(workers.front(), plan, tv, progress)) {
      tv.mode = "whole";
    } else if (plan.stream) {
      verify_stream(workers.front(), plan, tv, options, progress);
    } else {
      verify_chunks(workers, *source, plan, tv, options, progress);
    }
    // Workers find differences in any order; the listing is the same from run to run.
    std::stable_sort(tv.rows.begin(), tv.rows.end(),
                     [](const RowDiff& a, const RowDiff& b) { return a.key < b.key; });
    tv.seconds = since(table_start);
    result.tables.push_back(std::move(tv));
  }
  result.seconds = since(start);
  return result;
}

}  // namespace cutover::verify
