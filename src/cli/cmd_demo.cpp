// cutover demo: the whole blue-green migration in one command, in-process, on the library
// engines: create and fill an old IS database, prepare capture, copy into the new one, keep a
// simulated IS writing the old side while the apply follows (status lines with lag), then the `sync
// cutover` gate (backlog 0, tables verified equal, reverse sync armed), the simulated IS writing
// the NEW side while the reverse sync brings its changes back, and a summary with a row-by-row
// equality check both ways (each row through the declared version transform). IS 5.8.0 to 7.0.0 by
// default. SQLite in a folder it names by default; --engine postgresql|mariadb with two URLs runs
// the same against servers.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "capture/capture.h"
#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "core/cancel.h"
#include "core/error.h"
#include "core/secret.h"
#include "core/utc_time.h"
#include "db/registry.h"
#include "demo/workload.h"
#include "schema/catalogue.h"
#include "schema/ddl.h"
#include "schema/fill.h"
#include "schema/transform.h"
#include "sync/apply.h"
#include "sync/config.h"
#include "sync/copy.h"
#include "sync/status.h"
#include "sync/tables.h"
#include "verify/gate.h"
#include "verify/verify.h"

namespace cutover::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The seeds' migration: the old IS writes 5.8.0's schema while the new one runs on 7.0.0's.
constexpr const char* kDefaultFrom = "5.8.0";
constexpr const char* kDefaultTo = "7.0.0";
// Status lines while the workload runs, and the apply's poll when the journal is empty.
constexpr auto kStatusEvery = std::chrono::seconds(2);
constexpr int kApplyIntervalMs = 100;
// The gate's wait for a zero backlog: the demo drained the journal just before, so this only
// bounds a gate that finds differences.
constexpr int kGateTimeoutMs = 15'000;
// How long the new IS writes after the switch (at most --seconds).
constexpr double kAfterSwitchSeconds = 5;

struct DemoArgs {
  std::string dir;
  std::int64_t rows = 10000;
  double seconds = 10;
  int threads = 3;
  double rate = 200;
  std::string engine = "sqlite";
  std::string source;
  std::string target;
  std::string from = kDefaultFrom;
  std::string to = kDefaultTo;
  std::uint64_t seed = 1;
  bool json = false;
};

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double percentile(std::vector<std::int64_t> v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  auto i = static_cast<std::size_t>(std::lround(p * static_cast<double>(v.size() - 1)));
  return static_cast<double>(v[std::min(i, v.size() - 1)]) / 1000.0;
}

/// `sync run` on a thread of its own, polling the journal until stop(). Ctrl-C ends it between
/// batches with everything so far committed. The destructor stops and joins, so an error elsewhere
/// never leaves it running.
class BackgroundApply {
 public:
  BackgroundApply(const sync::SyncConfig& config,
                  std::function<void(const sync::BatchReport&)> on_batch)
      : config_(config), on_batch_(std::move(on_batch)) {}

  BackgroundApply(const BackgroundApply&) = delete;
  BackgroundApply& operator=(const BackgroundApply&) = delete;

  ~BackgroundApply() { join(); }

  void start() {
    thread_ = std::thread([this] {
      try {
        // One run for the whole phase: it keeps its connections and table plans, polls the
        // journal every interval and ends between batches once stop() is asked for.
        sync::ApplyOptions o;
        o.stop = [this] { return stop_.load(); };
        sync::ApplyResult r = sync::run_apply(config_, o, on_batch_);
        std::lock_guard<std::mutex> lock(mu_);
        total_ = r;
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu_);
        error_ = std::current_exception();
        failed_ = true;
      }
    });
  }

  bool failed() const { return failed_; }

  /// Stops after the batch in progress; rethrows the error the apply ended with.
  sync::ApplyResult stop() {
    join();
    std::lock_guard<std::mutex> lock(mu_);
    if (error_) {
      std::rethrow_exception(std::exchange(error_, nullptr));
    }
    return total_;
  }

 private:
  void join() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  sync::SyncConfig config_;
  std::function<void(const sync::BatchReport&)> on_batch_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  sync::ApplyResult total_;
  std::exception_ptr error_;
};

/// One table of the closing equality check, one direction.
struct TableComparison {
  std::string table;
  std::int64_t source_rows = 0;
  std::int64_t target_rows = 0;
  std::int64_t only_source = 0;  ///< rows the other side lacks
  std::int64_t only_target = 0;  ///< rows only the other side has
  std::int64_t differing = 0;
  std::vector<std::string> examples;  ///< up to three, as verify shows them

  bool equal() const { return only_source == 0 && only_target == 0 && differing == 0; }
};

class Demo {
 public:
  explicit Demo(const DemoArgs& a) : a_(a), product_(schema::product("is")) {}

  int run() {
    started_ = Clock::now();
    setup();
    create_and_fill();
    prepare();
    copy();
    sync_under_load();
    cut_over();
    return finish();
  }

  /// After an error or Ctrl-C: where things stand and where the files are.
  void report_abort(const Error& e) {
    bool interrupted = e.kind() == ErrorKind::interrupted;
    std::string where;
    if (dir_.empty()) {
      where =
          fmt::format("source {}, target {}", config_.source.redacted(), config_.target.redacted());
    } else {
      // Only the files that exist by now: an early stop has made the source alone.
      std::vector<std::string> made;
      for (const fs::path& f : {source_file_, target_file_}) {
        std::error_code ec;
        if (fs::exists(f, ec)) {
          made.push_back(f.filename().string());
        }
      }
      where = fmt::format(
          "the folder {} ({})", dir_.string(),
          made.empty() ? std::string("empty") : fmt::format("{}", fmt::join(made, ", ")));
    }
    if (!created_) {
      return;  // nothing was written anywhere yet
    }
    std::fprintf(stderr, "cutover demo: %s during %s; what it made so far is in %s%s\n",
                 interrupted ? "interrupted" : "stopped by an error", phase_.c_str(), where.c_str(),
                 applied_once_ ? " (the target holds everything applied up to the last batch)"
                               : " (incomplete: delete it or run the demo again elsewhere)");
  }

 private:
  // Narration goes to stdout, or to stderr when --json keeps stdout for the summary.
  void say(const std::string& text) {
    if (a_.json) {
      std::fputs(text.c_str(), stderr);
      std::fflush(stderr);
    } else {
      print_out(text);
      flush_out();
    }
  }

  void phase(const std::string& name, Clock::time_point t) { phases_.emplace_back(name, since(t)); }

  db::ConnectionSpec server_spec(const std::string& url, const char* what, const char* env) {
    if (url.empty()) {
      throw Error(ErrorKind::usage, fmt::format("--engine {} needs --{} URL", a_.engine, what),
                  fmt::format("name an empty {} database for the demo's {} side", a_.engine, what));
    }
    db::ConnectionSpec spec = db::parse_url(url, db::UrlOrigin::argv);
    std::string want = a_.engine == "mariadb" ? "mysql" : a_.engine;
    if (spec.scheme != want) {
      throw Error(ErrorKind::usage,
                  fmt::format("--{} is a {} URL, --engine is {}", what, spec.scheme, a_.engine),
                  "give URLs of the engine named by --engine");
    }
    if (std::optional<Secret> pw = password_from(env, "")) {
      spec.password = *pw;
    }
    return spec;
  }

  // ---- 0. where: a fresh folder (SQLite) or two server databases ------------------------------
  void setup() {
    phase_ = "setup";
    from_ = a_.from;
    to_ = a_.to.empty() ? a_.from : a_.to;
    product_.version_index(from_);
    product_.version_index(to_);
    if (a_.engine == "sqlite") {
      if (!a_.source.empty() || !a_.target.empty()) {
        throw Error(ErrorKind::usage, "--source and --target are for server engines",
                    "the SQLite demo makes its own files in --dir");
      }
      dir_ =
          a_.dir.empty() ? fs::path(fmt::format("cutover-demo-{}", timestamp())) : fs::path(a_.dir);
      std::error_code ec;
      if (fs::exists(dir_, ec) && !fs::is_empty(dir_, ec)) {
        throw Error(ErrorKind::usage, fmt::format("{} exists and is not empty", dir_.string()),
                    "the demo never reuses a folder: name a new or empty one with --dir");
      }
      fs::create_directories(dir_, ec);
      if (ec) {
        throw Error(ErrorKind::io, fmt::format("cannot create {}: {}", dir_.string(), ec.message()),
                    "name a writable folder with --dir");
      }
      created_ = true;
      source_file_ = dir_ / fmt::format("source-is-{}.db", from_);
      target_file_ = dir_ / fmt::format("target-is-{}.db", to_);
      config_.source = db::parse_url("sqlite:" + source_file_.string(), db::UrlOrigin::argv);
      config_.target = db::parse_url("sqlite:" + target_file_.string(), db::UrlOrigin::argv);
    } else {
      if (!a_.dir.empty()) {
        throw Error(ErrorKind::usage, "--dir is for the SQLite demo",
                    "with --engine postgresql|mariadb the demo works in the two databases");
      }
      config_.source = server_spec(a_.source, "source", "CUTOVER_SOURCE_PASSWORD");
      config_.target = server_spec(a_.target, "target", "CUTOVER_TARGET_PASSWORD");
    }
    config_.product = "is";
    config_.from_version = from_;
    config_.to_version = to_;
    config_.interval_ms = kApplyIntervalMs;
    config_.jobs = 2;
    sync::validate(config_);
    say(fmt::format(
        "cutover demo: blue-green migration of WSO2 IS {} to {} on {}, with an IS workload "
        "writing throughout\n",
        from_, to_, a_.engine));
    if (!dir_.empty()) {
      say(fmt::format("  folder {}: {} is the old IS's database, {} the new one's\n", dir_.string(),
                      source_file_.filename().string(), target_file_.filename().string()));
    } else {
      say(fmt::format("  old IS database {}, new {}\n", config_.source.redacted(),
                      config_.target.redacted()));
    }
  }

  static std::string timestamp() {
    std::string t = utc_now_text();  // "YYYY-MM-DD HH:MM:SS"
    std::string out;
    for (char c : t) {
      if (c == ' ') {
        out += '-';
      } else if (c != '-' && c != ':') {
        out += c;
      }
    }
    return out;
  }

  std::unique_ptr<db::Connection> open(const db::ConnectionSpec& spec) {
    db::OpenOptions o;
    o.create = spec.scheme == "sqlite";
    return db::open(spec, o);
  }

  // ---- 1. the old deployment: schema and data ---------------------------------------------
  void create_and_fill() {
    phase_ = "create and fill";
    auto t = Clock::now();
    std::unique_ptr<db::Connection> src = open(config_.source);
    created_ = true;
    schema::create_schema(*src, product_, product_.version_index(from_),
                          schema::DatabaseFilter::all);
    schema::FillOptions fo;
    fo.rows = a_.rows;
    fo.seed = a_.seed;
    fo.version = from_;
    fo.base_time = utc_now_text();
    schema::FillResult r = schema::fill(*src, fo);
    filled_rows_ = r.total_rows;
    phase("create and fill", t);
    say(fmt::format(
        "[1/7] old side: IS {} schema created and filled: {} access tokens, {} rows "
        "in all ({:.1f} s)\n",
        from_, group_digits(a_.rows), group_digits(r.total_rows), phases_.back().second));
  }

  // ---- 2. change capture on the old side -----------------------------------------------------
  void prepare() {
    phase_ = "prepare";
    auto t = Clock::now();
    capture::InstallOptions io;
    db::OpenOptions o;
    o.lock_timeout_ms = io.lock_timeout_ms;
    std::unique_ptr<db::Connection> src = db::open(config_.source, o);
    std::vector<sync::SyncTable> tables = sync::resolve_tables(*src, config_);
    capture::CaptureInfo info = capture::install(*src, sync::captured_tables(tables), io);
    for (const capture::CapturedTable& ct : info.tables) {
      tables_.push_back(ct.name);
    }
    phase("prepare", t);
    say(
        fmt::format("[2/7] sync prepare: capture on {} tables of the old side, journal {} "
                    "({:.1f} s)\n",
                    tables_.size(), info.journal_id, phases_.back().second));
  }

  // ---- 3. the new deployment's database: schema at --to, consistent copy ---------------------
  void copy() {
    phase_ = "copy";
    auto t = Clock::now();
    {
      std::unique_ptr<db::Connection> tgt = open(config_.target);
      schema::create_schema(*tgt, product_, product_.version_index(to_),
                            schema::DatabaseFilter::all);
    }
    TableProgress bar("      copy:");
    bool tty = isatty(STDERR_FILENO) == 1;
    sync::CopyResult r = sync::copy(config_, {}, [&](const sync::CopyProgress& p) {
      if (!tty) {  // a log gets the phase's line below, not a progress line
        return;
      }
      if (p.initial) {
        bar.expect(p.table, p.rows_done, p.rows_total);
      } else {
        bar.update(p.table, p.rows_done, p.rows_total);
      }
    });
    bar.finish();
    copied_rows_ = r.rows;
    phase("copy", t);
    say(
        fmt::format("[3/7] sync copy: new side IS {} created, {} rows in {} tables copied in one "
                    "snapshot ({:.1f} s)\n",
                    to_, group_digits(r.rows), r.tables.size(), phases_.back().second));
  }

  // ---- 4. the IS keeps writing the old side while the apply follows -------------------------
  void on_batch(const sync::BatchReport& b) {
    if (!b.retry.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      retries_.push_back(b.retry);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (b.entries > 0) {
      lags_ms_.push_back(b.lag_ms);
    }
    applied_entries_ += b.entries;
    applied_once_ = true;
  }

  /// Runs `workload` beside `apply` for `seconds`, with a status line of `config`'s direction
  /// every kStatusEvery. Throws what either ended with, or on Ctrl-C.
  void drive(demo::Workload& workload, BackgroundApply& apply, const sync::SyncConfig& config,
             double seconds) {
    auto t = Clock::now();
    workload.start();
    apply.start();
    auto end =
        t + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    auto next_status = t + kStatusEvery;
    std::int64_t last_tx = 0;
    auto last_at = t;
    while (Clock::now() < end) {
      throw_if_cancelled();
      if (workload.failed()) {
        workload.stop();  // rethrows
      }
      if (apply.failed()) {
        apply.stop();
      }
      if (Clock::now() >= next_status) {
        next_status += kStatusEvery;
        sync::SyncStatus s = sync::read_status(config);
        demo::WorkloadCounts c = workload.counts();
        double dt = since(last_at);
        say(
            fmt::format("      {:>5.1f} s  workload {:>7} tx ({:>4.0f}/s)  backlog {:>5}  lag "
                        "{:>5.2f} s  applied {:>8} rows\n",
                        since(t), group_digits(c.transactions),
                        dt > 0 ? static_cast<double>(c.transactions - last_tx) / dt : 0.0,
                        group_digits(s.backlog), static_cast<double>(s.lag_ms) / 1000.0,
                        group_digits(s.applied_rows)));
        last_tx = c.transactions;
        last_at = Clock::now();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  demo::WorkloadOptions workload_options(const db::ConnectionSpec& db, const std::string& version,
                                         std::uint64_t seed) const {
    demo::WorkloadOptions wo;
    wo.database = db;
    wo.version = version;
    wo.threads = a_.threads;
    wo.rate = a_.rate;
    wo.seed = seed;
    return wo;
  }

  /// One more apply of `config` until its journal is empty; what it did is added to `total`.
  static std::int64_t drain(const sync::SyncConfig& config, sync::ApplyResult& total,
                            const std::function<void(const sync::BatchReport&)>& on_batch) {
    sync::ApplyOptions o;
    o.once = true;
    sync::ApplyResult d = sync::run_apply(config, o, on_batch);
    total.batches += d.batches;
    total.entries += d.entries;
    total.upserted += d.upserted;
    total.deleted += d.deleted;
    return d.entries;
  }

  void sync_under_load() {
    phase_ = "sync under load";
    auto t = Clock::now();
    demo::Workload workload(workload_options(config_.source, from_, a_.seed));
    BackgroundApply apply(config_, [this](const sync::BatchReport& b) { on_batch(b); });
    say(
        fmt::format("[4/7] sync run under load: {} IS threads on the old side (token issue, "
                    "refresh, revoke, code exchange, logins; aiming at {} tx/s) for {:.0f} s\n",
                    a_.threads, a_.rate, a_.seconds));
    drive(workload, apply, config_, a_.seconds);
    phase("sync under load", t);
    // The switch starts here: the old IS stops writing; what it committed is in the journal,
    // and the apply, stopping between batches, leaves the rest to the drain and the gate.
    phase_ = "cutover";
    cutover_started_ = Clock::now();
    {
      std::lock_guard<std::mutex> lock(mu_);
      entries_at_stop_ = applied_entries_;
    }
    workload.stop();
    workload_ = workload.counts();
    applied_ = apply.stop();
  }

  // ---- 5. cutover: the gate ----------------------------------------------------------------
  void cut_over() {
    auto t = cutover_started_;
    // What the journal still holds, applied as `sync run` would keep doing beside the gate; the
    // gate then finds backlog 0, compares the tables, and arms the reverse sync.
    drain(config_, applied_, [this](const sync::BatchReport& b) { on_batch(b); });
    std::int64_t drained = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      drained = applied_entries_ - entries_at_stop_;
    }
    verify::GateOptions go;
    go.timeout_ms = kGateTimeoutMs;
    gate_ = verify::run_gate(config_, go);
    phase("cutover", t);
    std::int64_t keys = 0;
    for (const verify::TableCheck& c : gate_.tables) {
      keys += c.source_rows;
    }
    if (!gate_.ready) {
      std::string why;
      for (const std::string& r : gate_.reasons) {
        why += fmt::format("        - {}\n", r);
      }
      say(
          fmt::format("[5/7] sync cutover: NOT READY after the last {} journal entries were "
                      "applied ({:.1f} s); traffic stays on the old side:\n{}",
                      group_digits(drained), phases_.back().second, why));
      return;
    }
    say(fmt::format(
        "[5/7] sync cutover: writers stopped on the old side, the last {} journal entries "
        "applied; READY: backlog 0, {} tables with the same {} rows on both sides, reverse sync "
        "armed (journal {} on the new side) ({:.1f} s): traffic switches to the new side\n",
        group_digits(drained), gate_.tables.size(), group_digits(keys), gate_.reverse_journal_id,
        phases_.back().second));
    after_switch();
  }

  // ---- 6. the new IS writes; the reverse sync brings it back ----------------------------------
  void on_reverse_batch(const sync::BatchReport& b) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!b.retry.empty()) {
      retries_.push_back(b.retry);
    }
  }

  void after_switch() {
    phase_ = "new side with reverse sync";
    auto t = Clock::now();
    sync::SyncConfig back = sync::reversed(config_);
    auto on_back = [this](const sync::BatchReport& b) { on_reverse_batch(b); };
    // Another seed: the new IS's tokens are not the old one's.
    demo::Workload workload(workload_options(config_.target, to_, a_.seed + 1));
    BackgroundApply apply(back, on_back);
    say(fmt::format(
        "[6/7] after the switch: {} IS threads on the new side (IS {}) for {:.0f} s while sync "
        "run --reverse brings their changes back to the old side (IS {}, the reverse "
        "transform)\n",
        a_.threads, to_, after_seconds(), from_));
    drive(workload, apply, back, after_seconds());
    workload.stop();
    workload_after_ = workload.counts();
    reverse_ = apply.stop();
    // Both directions drained: the reverse's last entries, then the forward journal, which
    // the reverse's own writes must not have filled (no echo: DESIGN §3.5).
    std::int64_t last_back = drain(back, reverse_, on_back);
    sync::ApplyResult forward_after;
    echoed_ = drain(config_, forward_after, [this](const sync::BatchReport& b) { on_batch(b); });
    phase("new side with reverse sync", t);
    say(fmt::format(
        "      stopped: {} transactions on the new side; {} journal entries flowed back in {} "
        "batches (the last {} drained at the end), {} forward entries came of them ({:.1f} s)\n",
        group_digits(workload_after_.transactions), group_digits(reverse_.entries),
        group_digits(reverse_.batches), group_digits(last_back), group_digits(echoed_),
        phases_.back().second));
    reversed_ = true;
  }

  double after_seconds() const { return std::min(a_.seconds, kAfterSwitchSeconds); }

  // ---- 7. summary and equality -------------------------------------------------------------
  /// Both sides verified (cutover verify's engine): each old row through the forward
  /// transform against the new side, and, after the reverse sync, each new row through the
  /// reverse transform against the old.
  std::vector<TableComparison> compare(bool back) {
    sync::SyncConfig c = config_;
    c.tables = tables_;
    if (back) {
      std::swap(c.source, c.target);
      std::swap(c.from_version, c.to_version);
    }
    verify::VerifyResult r = verify::run_verify(c, verify::VerifyOptions{});
    std::vector<TableComparison> out;
    for (const verify::TableVerify& t : r.tables) {
      TableComparison tc{t.table, t.source_rows, t.target_rows, t.missing, t.extra, t.differing,
                         {}};
      for (const verify::RowDiff& d : t.rows) {
        if (tc.examples.size() == 3) {
          break;
        }
        std::string key;
        for (const auto& [col, val] : d.key) {
          key += fmt::format("{}{}={}", key.empty() ? "" : ", ", col, val ? *val : "NULL");
        }
        std::string cols;
        for (const verify::ColumnDiff& cd : d.columns) {
          cols += (cols.empty() ? ": " : ", ") + cd.column;
        }
        tc.examples.push_back(fmt::format("{} {}{}",
                                          d.kind == verify::DiffKind::missing ? "missing"
                                          : d.kind == verify::DiffKind::extra ? "extra"
                                                                              : "differing",
                                          key, cols));
      }
      out.push_back(std::move(tc));
    }
    return out;
  }

  static bool all_equal(const std::vector<TableComparison>& cmp) {
    return std::all_of(cmp.begin(), cmp.end(), [](const TableComparison& c) { return c.equal(); });
  }

  static std::string comparison_lines(const std::vector<TableComparison>& cmp, const char* sides) {
    std::string text;
    for (const TableComparison& c : cmp) {
      text += fmt::format("      {:<34} {:>9} {} {:<9} {}\n", c.table, group_digits(c.source_rows),
                          sides, group_digits(c.target_rows), c.equal() ? "equal" : "DIFFERENT");
      for (const std::string& ex : c.examples) {
        text += fmt::format("        {}\n", ex);
      }
    }
    return text;
  }

  static nlohmann::json comparison_json(const std::vector<TableComparison>& cmp) {
    nlohmann::json out = nlohmann::json::array();
    for (const TableComparison& c : cmp) {
      out.push_back({{"table", c.table},
                     {"source_rows", c.source_rows},
                     {"target_rows", c.target_rows},
                     {"only_source", c.only_source},
                     {"only_target", c.only_target},
                     {"differing", c.differing},
                     {"equal", c.equal()}});
    }
    return out;
  }

  static std::int64_t rows_of(const std::vector<TableComparison>& cmp) {
    std::int64_t n = 0;
    for (const TableComparison& c : cmp) {
      n += c.source_rows;
    }
    return n;
  }

  int finish() {
    phase_ = "equality check";
    auto t = Clock::now();
    std::vector<TableComparison> cmp = compare(false);
    std::vector<TableComparison> back;
    if (reversed_) {
      back = compare(true);
    }
    phase("equality check", t);
    double total = since(started_);
    bool equal = all_equal(cmp) && all_equal(back);
    std::vector<std::int64_t> lags;
    {
      std::lock_guard<std::mutex> lock(mu_);
      lags = lags_ms_;
    }
    double p50 = percentile(lags, 0.50);
    double p99 = percentile(lags, 0.99);
    double max = percentile(lags, 1.0);

    std::string text = "[7/7] summary\n";
    text += fmt::format("      rows copied       {}\n", group_digits(copied_rows_));
    auto work = [](const demo::WorkloadCounts& w) {
      return fmt::format(
          "{} transactions: {} issued, {} refreshed, {} revoked, {} code exchanges, {} logins "
          "({} retried)",
          group_digits(w.transactions), group_digits(w.issued), group_digits(w.refreshed),
          group_digits(w.revoked), group_digits(w.codes), group_digits(w.user_updates),
          group_digits(w.retries));
    };
    text += fmt::format("      old side wrote    {}\n", work(workload_));
    text += fmt::format(
        "      changes applied   {} journal entries in {} batches: {} rows written, {} removed\n",
        group_digits(applied_.entries), group_digits(applied_.batches),
        group_digits(applied_.upserted), group_digits(applied_.deleted));
    text += fmt::format(
        "      lag per batch     p50 {:.2f} s, p99 {:.2f} s, max {:.2f} s ({} batches)\n", p50, p99,
        max, lags.size());
    if (gate_.ready) {
      text += fmt::format(
          "      cutover gate      ready: backlog 0, {} tables verified equal, reverse sync "
          "armed\n",
          gate_.tables.size());
    } else {
      text += fmt::format("      cutover gate      NOT READY: {}\n",
                          gate_.reasons.empty() ? std::string("?") : gate_.reasons.front());
    }
    if (reversed_) {
      text += fmt::format("      new side wrote    {}\n", work(workload_after_));
      text += fmt::format(
          "      flowed back       {} journal entries in {} batches: {} rows written, {} removed "
          "on the old side; {} echoed forward\n",
          group_digits(reverse_.entries), group_digits(reverse_.batches),
          group_digits(reverse_.upserted), group_digits(reverse_.deleted), group_digits(echoed_));
    }
    std::string times;
    for (const auto& [name, secs] : phases_) {
      times += fmt::format("{}{} {:.1f} s", times.empty() ? "" : ", ", name, secs);
    }
    text += fmt::format("      time per phase    {}; total {:.1f} s\n", times, total);
    text += fmt::format(
        "      old -> new ({}{}):\n", from_,
        from_ == to_ ? std::string(", one version") : fmt::format(" -> {} transform", to_));
    text += comparison_lines(cmp, "=");
    if (reversed_) {
      text += fmt::format("      new -> old ({} -> {}{}):\n", to_, from_,
                          from_ == to_ ? std::string(", one version") : " transform");
      text += comparison_lines(back, "=");
    }
    if (equal) {
      text += fmt::format(
          "both sides equal: {} tables, {} rows verified{}{}\n", cmp.size(),
          group_digits(rows_of(cmp)),
          from_ == to_ ? std::string()
                       : fmt::format(" (old rows through the {} -> {} transform)", from_, to_),
          reversed_ ? fmt::format("; and back: {} new rows through the {} -> {} transform",
                                  group_digits(rows_of(back)), to_, from_)
                    : std::string());
    } else {
      auto differ = [](const std::vector<TableComparison>& c) {
        return std::count_if(c.begin(), c.end(),
                             [](const TableComparison& x) { return !x.equal(); });
      };
      text += fmt::format("the sides DIFFER: {} of {} tables old -> new, {} new -> old\n",
                          differ(cmp), cmp.size(), differ(back));
    }
    if (!dir_.empty()) {
      text += fmt::format(
          "files: {} (look inside: sqlite3 {}, or cutover sync status --source sqlite:{} "
          "--target sqlite:{}, both directions)\n",
          dir_.string(), source_file_.string(), source_file_.string(), target_file_.string());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!retries_.empty()) {
        text += fmt::format("the sync retried {} time(s), first after: {}\n", retries_.size(),
                            retries_.front());
      }
    }
    say(text);

    if (a_.json) {
      nlohmann::json j;
      j["engine"] = a_.engine;
      j["from"] = from_;
      j["to"] = to_;
      j["dir"] = dir_.string();
      j["source"] = config_.source.redacted();
      j["target"] = config_.target.redacted();
      j["rows_filled"] = filled_rows_;
      j["rows_copied"] = copied_rows_;
      auto work_json = [](const demo::WorkloadCounts& w) {
        return nlohmann::json{{"transactions", w.transactions},
                              {"issued", w.issued},
                              {"refreshed", w.refreshed},
                              {"revoked", w.revoked},
                              {"code_exchanges", w.codes},
                              {"logins", w.user_updates},
                              {"retries", w.retries}};
      };
      j["workload"] = work_json(workload_);
      j["applied"] = {{"entries", applied_.entries},
                      {"batches", applied_.batches},
                      {"rows_written", applied_.upserted},
                      {"rows_removed", applied_.deleted},
                      {"drained_at_cutover", applied_entries_ - entries_at_stop_}};
      j["lag_seconds"] = {{"p50", p50}, {"p99", p99}, {"max", max}, {"batches", lags.size()}};
      j["gate"] = {{"ready", gate_.ready},
                   {"reasons", gate_.reasons},
                   {"reverse_armed", gate_.reverse_armed},
                   {"reverse_journal_id", gate_.reverse_journal_id}};
      if (reversed_) {
        j["reverse"] = {{"workload", work_json(workload_after_)},
                        {"entries", reverse_.entries},
                        {"batches", reverse_.batches},
                        {"rows_written", reverse_.upserted},
                        {"rows_removed", reverse_.deleted},
                        {"echoed_forward", echoed_}};
      }
      j["phases_seconds"] = nlohmann::json::object();
      for (const auto& [name, secs] : phases_) {
        j["phases_seconds"][name] = secs;
      }
      j["total_seconds"] = total;
      j["tables"] = comparison_json(cmp);
      if (reversed_) {
        j["tables_back"] = comparison_json(back);
      }
      j["equal"] = equal;
      print_out(j.dump(2) + "\n");
    }
    if (!equal) {
      return static_cast<int>(ExitCode::differences);
    }
    return static_cast<int>(gate_.ready ? ExitCode::success : ExitCode::not_ready);
  }

  const DemoArgs& a_;
  const schema::Product& product_;
  Clock::time_point started_;
  std::string phase_ = "setup";
  std::string from_;
  std::string to_;
  fs::path dir_;
  fs::path source_file_;
  fs::path target_file_;
  bool created_ = false;
  sync::SyncConfig config_;
  std::vector<std::string> tables_;
  std::int64_t filled_rows_ = 0;
  std::int64_t copied_rows_ = 0;
  demo::WorkloadCounts workload_;
  sync::ApplyResult applied_;
  std::vector<std::pair<std::string, double>> phases_;
  std::mutex mu_;  // the apply thread's reports
  std::vector<std::int64_t> lags_ms_;
  std::vector<std::string> retries_;
  bool applied_once_ = false;
  std::int64_t applied_entries_ = 0;
  std::int64_t entries_at_stop_ = 0;
  Clock::time_point cutover_started_;
  verify::GateResult gate_;
  bool reversed_ = false;  // the new side wrote and the reverse sync ran
  demo::WorkloadCounts workload_after_;
  sync::ApplyResult reverse_;
  std::int64_t echoed_ = 0;  // forward journal entries after the reverse sync: 0 without echo
};

int run_demo(const DemoArgs& a) {
  Demo demo(a);
  try {
    return demo.run();
  } catch (const Error& e) {
    demo.report_abort(e);
    if (e.kind() == ErrorKind::interrupted) {
      // The engine's hint ("run the command again") would point at a folder the demo refuses.
      throw Error(ErrorKind::interrupted, "demo interrupted",
                  "its files stay where the line above says; a new demo needs a new --dir");
    }
    throw;
  }
}

}  // namespace

void add_demo_command(CLI::App& app, Runner& selected) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* d = app.add_subcommand(
      "demo",
      "the whole blue-green migration in one command: create and fill an old IS database, "
      "prepare, copy, keep an IS workload writing while the sync follows, cut over through the "
      "gate, keep it writing the new side while the reverse sync brings it back, and check that "
      "both sides are equal");
  d->add_option("--dir", a->dir,
                "folder for the SQLite databases; must be new or empty (default: "
                "./cutover-demo-<UTC time>)");
  d->add_option("--rows", a->rows, "access tokens to fill the old side with")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{10'000'000}));
  d->add_option("--seconds", a->seconds,
                "how long the workload writes the old side before the cutover (then the new side "
                "for at most 5 s)")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  d->add_option("--threads", a->threads, "workload threads, each with its own connection")
      ->capture_default_str()
      ->check(CLI::Range(1, 32));
  d->add_option("--rate", a->rate,
                "workload transactions per second over all threads (0: as fast "
                "as they go)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100000.0));
  d->add_option("--engine", a->engine,
                "sqlite (files in --dir), postgresql or mariadb (with "
                "--source and --target URLs of two empty databases)")
      ->capture_default_str()
      ->check(CLI::IsMember({"sqlite", "postgresql", "mariadb"}));
  d->add_option("--source", a->source, "the old side's database URL (server engines)");
  d->add_option("--target", a->target, "the new side's database URL (server engines)");
  d->add_option("--from", a->from, "the old IS version")->capture_default_str();
  d->add_option("--to", a->to, "the new IS version (the sync transforms each row as declared)")
      ->capture_default_str();
  d->add_option("--seed", a->seed, "random seed of the fill and the workload")
      ->capture_default_str()
      ->check(whole_number(std::numeric_limits<std::uint64_t>::max()));
  d->add_flag("--json", a->json, "the summary as JSON on stdout (the narration goes to stderr)");
  d->footer(
      "\nPasswords for server engines: CUTOVER_SOURCE_PASSWORD and CUTOVER_TARGET_PASSWORD.\n"
      "Exit codes: 0 both sides equal, 3 they differ, 5 the cutover gate was not ready (the\n"
      "reasons are printed; nothing runs on the new side), 130 Ctrl-C (the workload stops, the\n"
      "apply keeps what it committed, and the demo says where its files are), 2 bad command\n"
      "line (nothing created), 1 failure.");
  d->callback([&selected, a] { selected = [a] { return run_demo(*a); }; });
}

}  // namespace cutover::cli
