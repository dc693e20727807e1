// cutover demo: the whole blue-green migration in one command, in-process, on the library
// engines: create and fill an old IS database, prepare capture, copy into the new one, keep a
// simulated IS writing the old side while the apply follows (status lines with lag), cut over,
// then a summary and a row-by-row equality check of both sides (each old row after the declared
// version transform). IS 5.8.0 to 7.0.0 by default. SQLite in a folder it names by default;
// --engine postgresql|mariadb with two URLs runs the same against servers.
//
// Integration points for the work landing beside this (search for "INTEGRATION"):
//   gate:    cut_over() calls the `sync cutover` engine instead of drain-and-compare.
//   reverse: cut_over() arms the reverse sync and moves the workload to the new side.
#include <algorithm>
#include <chrono>
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
#include "demo/compare.h"
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
  auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
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
        "[1/6] old side: IS {} schema created and filled: {} access tokens, {} rows "
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
        fmt::format("[2/6] sync prepare: capture on {} tables of the old side, journal {} "
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
    ProgressLine bar("      copy:");
    bool tty = isatty(STDERR_FILENO) == 1;
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> per_table;
    sync::CopyResult r = sync::copy(config_, {}, [&](const sync::CopyProgress& p) {
      per_table[p.table] = {p.rows_done, p.rows_total};
      std::int64_t done = 0;
      std::int64_t total = 0;
      for (const auto& [table, dt] : per_table) {
        done += dt.first;
        total += dt.second;
      }
      if (tty) {  // a log gets the phase's line below, not a progress line
        bar.update(done, total);
      }
    });
    bar.finish();
    copied_rows_ = r.rows;
    phase("copy", t);
    say(
        fmt::format("[3/6] sync copy: new side IS {} created, {} rows in {} tables copied in one "
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

  void sync_under_load() {
    phase_ = "sync under load";
    auto t = Clock::now();
    demo::WorkloadOptions wo;
    wo.database = config_.source;
    wo.version = from_;
    wo.threads = a_.threads;
    wo.rate = a_.rate;
    wo.seed = a_.seed;
    demo::Workload workload(wo);
    BackgroundApply apply(config_, [this](const sync::BatchReport& b) { on_batch(b); });
    say(
        fmt::format("[4/6] sync run under load: {} IS threads on the old side (token issue, "
                    "refresh, revoke, code exchange, logins; aiming at {} tx/s) for {:.0f} s\n",
                    a_.threads, a_.rate, a_.seconds));
    workload.start();
    apply.start();
    auto end =
        t + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(a_.seconds));
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
        sync::SyncStatus s = sync::read_status(config_);
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
        status_lags_ms_.push_back(s.lag_ms);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    phase("sync under load", t);
    // The cutover starts here: stop the writers first; what they committed is in the journal,
    // and the apply, stopping, drains all of it (run_apply once returns at an empty journal).
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

  // ---- 5. cutover ----------------------------------------------------------------------------
  void cut_over() {
    auto t = cutover_started_;
    // INTEGRATION(gate): the `sync cutover` engine replaces this drain and compare: it waits
    // for a zero backlog, compares the tables, arms the reverse sync and answers whether it is
    // safe to switch (exit 5 otherwise).
    sync::ApplyOptions o;
    o.once = true;
    sync::ApplyResult d =
        sync::run_apply(config_, o, [this](const sync::BatchReport& b) { on_batch(b); });
    applied_.batches += d.batches;
    applied_.entries += d.entries;
    applied_.upserted += d.upserted;
    applied_.deleted += d.deleted;
    sync::SyncStatus s = sync::read_status(config_);
    // INTEGRATION(reverse): arm the reverse sync here (new -> old, the reverse transform), then
    // run demo::Workload on config_.target with version to_ (it writes that version's columns)
    // beside a BackgroundApply of the reverse config for a few seconds, stop, drain it, and
    // compare again. Until then the workload stops at the switch.
    phase("cutover", t);
    std::int64_t drained = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      drained = applied_entries_ - entries_at_stop_;
    }
    say(
        fmt::format("[5/6] cutover: writers stopped on the old side, the last {} journal entries "
                    "applied, backlog {} ({:.1f} s); traffic may switch to the new side\n",
                    group_digits(drained), group_digits(s.backlog), phases_.back().second));
    say("      (to come: the `sync cutover` gate, reverse sync armed, the workload continuing on "
        "the new side)\n");
  }

  // ---- 6. summary and equality -------------------------------------------------------------
  int finish() {
    phase_ = "equality check";
    auto t = Clock::now();
    std::vector<demo::TableComparison> cmp;
    {
      std::unique_ptr<db::Connection> src = db::open(config_.source);
      std::unique_ptr<db::Connection> tgt = db::open(config_.target);
      // Between versions each old row is compared after the declared transform (identity for
      // one version: the columns both sides have).
      schema::Transform xform = schema::Transform::make(product_, from_, to_);
      cmp = demo::compare_tables(*src, *tgt, tables_, &xform);
    }
    phase("equality check", t);
    double total = since(started_);
    bool equal = std::all_of(cmp.begin(), cmp.end(),
                             [](const demo::TableComparison& c) { return c.equal(); });
    std::int64_t compared = 0;
    for (const demo::TableComparison& c : cmp) {
      compared += c.source_rows;
    }
    std::vector<std::int64_t> lags;
    {
      std::lock_guard<std::mutex> lock(mu_);
      lags = lags_ms_;
    }
    double p50 = percentile(lags, 0.50);
    double p99 = percentile(lags, 0.99);
    double max = percentile(lags, 1.0);

    std::string text = "[6/6] summary\n";
    text += fmt::format("      rows copied       {}\n", group_digits(copied_rows_));
    text += fmt::format(
        "      workload          {} transactions: {} issued, {} refreshed, {} revoked, {} code "
        "exchanges, {} logins ({} retried)\n",
        group_digits(workload_.transactions), group_digits(workload_.issued),
        group_digits(workload_.refreshed), group_digits(workload_.revoked),
        group_digits(workload_.codes), group_digits(workload_.user_updates),
        group_digits(workload_.retries));
    text += fmt::format(
        "      changes applied   {} journal entries in {} batches: {} rows written, {} removed\n",
        group_digits(applied_.entries), group_digits(applied_.batches),
        group_digits(applied_.upserted), group_digits(applied_.deleted));
    text += fmt::format(
        "      lag per batch     p50 {:.2f} s, p99 {:.2f} s, max {:.2f} s ({} batches)\n", p50, p99,
        max, lags.size());
    std::string times;
    for (const auto& [name, secs] : phases_) {
      times += fmt::format("{}{} {:.1f} s", times.empty() ? "" : ", ", name, secs);
    }
    text += fmt::format("      time per phase    {}; total {:.1f} s\n", times, total);
    for (const demo::TableComparison& c : cmp) {
      text += fmt::format("      {:<34} {:>9} = {:<9} {}\n", c.table, group_digits(c.source_rows),
                          group_digits(c.target_rows), c.equal() ? "equal" : "DIFFERENT");
      for (const std::string& ex : c.examples) {
        text += fmt::format("        {}\n", ex);
      }
    }
    if (equal) {
      text += fmt::format(
          "both sides equal: {} tables, {} rows compared row by row{}\n", cmp.size(),
          group_digits(compared),
          from_ == to_ ? std::string()
                       : fmt::format(" (old rows through the {} -> {} transform)", from_, to_));
    } else {
      text += fmt::format("the sides DIFFER: {} of {} tables\n",
                          std::count_if(cmp.begin(), cmp.end(),
                                        [](const demo::TableComparison& c) { return !c.equal(); }),
                          cmp.size());
    }
    if (!dir_.empty()) {
      text += fmt::format(
          "files: {} (look inside: sqlite3 {}, or cutover sync status --source sqlite:{} "
          "--target sqlite:{})\n",
          dir_.string(), source_file_.string(), source_file_.string(), target_file_.string());
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!retries_.empty()) {
        text += fmt::format("the apply retried {} time(s), first after: {}\n", retries_.size(),
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
      j["workload"] = {{"transactions", workload_.transactions},
                       {"issued", workload_.issued},
                       {"refreshed", workload_.refreshed},
                       {"revoked", workload_.revoked},
                       {"code_exchanges", workload_.codes},
                       {"logins", workload_.user_updates},
                       {"retries", workload_.retries}};
      j["applied"] = {{"entries", applied_.entries},
                      {"batches", applied_.batches},
                      {"rows_written", applied_.upserted},
                      {"rows_removed", applied_.deleted},
                      {"drained_at_cutover", applied_entries_ - entries_at_stop_}};
      j["lag_seconds"] = {{"p50", p50}, {"p99", p99}, {"max", max}, {"batches", lags.size()}};
      j["phases_seconds"] = nlohmann::json::object();
      for (const auto& [name, secs] : phases_) {
        j["phases_seconds"][name] = secs;
      }
      j["total_seconds"] = total;
      j["tables"] = nlohmann::json::array();
      for (const demo::TableComparison& c : cmp) {
        j["tables"].push_back({{"table", c.table},
                               {"source_rows", c.source_rows},
                               {"target_rows", c.target_rows},
                               {"only_source", c.only_source},
                               {"only_target", c.only_target},
                               {"differing", c.differing},
                               {"equal", c.equal()}});
      }
      j["equal"] = equal;
      print_out(j.dump(2) + "\n");
    }
    return static_cast<int>(equal ? ExitCode::success : ExitCode::differences);
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
  std::vector<std::int64_t> status_lags_ms_;
  std::vector<std::string> retries_;
  bool applied_once_ = false;
  std::int64_t applied_entries_ = 0;
  std::int64_t entries_at_stop_ = 0;
  Clock::time_point cutover_started_;
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
      "prepare, copy, keep an IS workload writing while the sync follows, cut over, and check "
      "that both sides are equal");
  d->add_option("--dir", a->dir,
                "folder for the SQLite databases; must be new or empty (default: "
                "./cutover-demo-<UTC time>)");
  d->add_option("--rows", a->rows, "access tokens to fill the old side with")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{10'000'000}));
  d->add_option("--seconds", a->seconds, "how long the workload writes before the cutover")
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
      "Exit codes: 0 both sides equal, 3 they differ, 130 Ctrl-C (the workload stops, the\n"
      "apply keeps what it committed, and the demo says where its files are), 2 bad command\n"
      "line (nothing created), 1 failure.");
  d->callback([&selected, a] { selected = [a] { return run_demo(*a); }; });
}

}  // namespace cutover::cli
