// cutover sync prepare | copy | run | status | remove: the zero-downtime sync, step by step
// as the operator meets it. Each command reads its databases and versions from the command
// line (or, later, a config), calls one engine, and renders the result.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "capture/capture.h"
#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/sync_args.h"
#include "core/echo.h"
#include "core/error.h"
#include "core/secret.h"
#include "db/dialect.h"
#include "db/registry.h"
#include "schema/catalogue.h"
#include "schema/fingerprint.h"
#include "schema/live_tables.h"
#include "sync/apply.h"
#include "sync/copy.h"
#include "sync/position.h"
#include "sync/reverse.h"
#include "sync/status.h"
#include "sync/tables.h"
#include "verify/gate.h"

namespace cutover::cli {

namespace {

// ---- prepare ---------------------------------------------------------------------------------
int run_prepare(const SyncArgs& a) {
  if (!a.print_sql.empty()) {
    // For a DBA: the tables' keys come from the catalogue of --from, no connection at all.
    if (!a.source.empty()) {
      throw Error(ErrorKind::usage, "--print-sql prints the DDL instead of running it",
                  "give either --source or --print-sql DIALECT, not both");
    }
    if (a.from.empty()) {
      throw Error(ErrorKind::usage, "--print-sql needs --from VERSION",
                  "the tables and their keys depend on the product version");
    }
    const schema::Product& product = schema::product(a.product);
    int from = product.version_index(a.from);
    std::vector<std::string> names =
        a.tables.empty() ? sync::default_tables(a.product, a.from, a.to) : table_list(a.tables);
    // The tables they reference are captured too, as prepare does (sync/tables.cpp).
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::optional<db::TableDef> t = product.table_at(names[i], from, a.print_sql);
      for (const db::ForeignKey& fk : t ? t->foreign_keys : std::vector<db::ForeignKey>{}) {
        if (std::none_of(names.begin(), names.end(),
                         [&](const std::string& n) { return db::same_ident(n, fk.ref_table); })) {
          names.insert(names.begin(), db::to_upper(fk.ref_table));
          i = static_cast<std::size_t>(-1);  // start again: the list moved
          break;
        }
      }
    }
    std::vector<capture::CapturedTable> tables;
    for (const std::string& n : names) {
      std::optional<db::TableDef> t = product.table_at(n, from, a.print_sql);
      if (!t) {
        throw Error(ErrorKind::config,
                    fmt::format("{} {} has no table {}", product.title(), a.from, echo(n, 64)),
                    "name tables of WSO2's database scripts for that version, e.g. "
                    "IDN_OAUTH2_ACCESS_TOKEN");
      }
      std::vector<std::string> key = t->primary_key;
      if (key.empty() && !t->unique_keys.empty()) {
        key = t->unique_keys.front().columns;
      }
      // The names as the engine stores them when WSO2's script created the table with bare
      // names: PostgreSQL folds those to lower case (install() gets them from the live table).
      if (db::dialect_by_name(a.print_sql).name() == "postgresql") {
        for (std::string& k : key) {
          k = db::to_lower(k);
        }
        t->name = db::to_lower(t->name);
      }
      tables.push_back({t->name, key, {}});
    }
    print_out(capture::install_script(a.print_sql, tables, capture::new_journal_id()));
    return 0;
  }
  sync::SyncConfig c = config_of(a, false);
  // A short lock timeout: on a busy source each trigger waits at most this long for the
  // table, then retries, so the IS's writers queued behind it are never held up for long.
  db::OpenOptions o;
  capture::InstallOptions io;
  o.lock_timeout_ms = io.lock_timeout_ms;
  std::unique_ptr<db::Connection> source = db::open(c.source, o);
  fill_versions(c, *source);
  std::vector<sync::SyncTable> tables = sync::resolve_tables(*source, c);
  capture::CaptureInfo info = capture::install(*source, sync::captured_tables(tables), io);
  if (a.json) {
    nlohmann::json j;
    j["journal_id"] = info.journal_id;
    j["tables"] = nlohmann::json::array();
    for (const capture::CapturedTable& t : info.tables) {
      j["tables"].push_back(t.name);
    }
    print_out(j.dump(2) + "\n");
    return 0;
  }
  print_out(fmt::format("capture installed on {} (journal {}), {} tables:\n", c.source.redacted(),
                        info.journal_id, info.tables.size()));
  for (const capture::CapturedTable& t : info.tables) {
    print_out(fmt::format("  {}\n", t.name));
  }
  print_out(
      "next: 'cutover sync copy' (or your own dump and restore, taken from now on), then "
      "'cutover sync run'\n");
  return 0;
}

// ---- copy ------------------------------------------------------------------------------------
int run_copy(const SyncArgs& a) {
  sync::SyncConfig c = config_of(a, true);
  {
    std::unique_ptr<db::Connection> source = db::open(c.source);
    fill_versions(c, *source);
  }
  sync::CopyOptions o;
  o.all_tables = a.all_tables;
  o.allow_column_mismatch = a.common_columns;
  TableProgress bar("copy:");
  sync::CopyResult r = sync::copy(c, o, [&](const sync::CopyProgress& p) {
    if (p.initial) {
      bar.expect(p.table, p.rows_done, p.rows_total);
    } else {
      bar.update(p.table, p.rows_done, p.rows_total);
    }
  });
  bar.finish();
  for (const sync::CopyTableResult& t : r.tables) {
    print_out(fmt::format("  {:<34} {:>12} rows{}\n", t.table, group_digits(t.rows),
                          t.created ? "  (table created)" : ""));
    for (const std::string& col : t.skipped_columns) {
      print_out(fmt::format("    skipped {}\n", col));
    }
  }
  print_out(fmt::format("copied {} rows in {} tables in {:.1f} s{}\n", group_digits(r.rows),
                        r.tables.size(), r.seconds, r.resumed ? " (resumed)" : ""));
  if (!r.complete) {
    print_out("the copy stopped before the end: run the same command again to continue\n");
    return 1;
  }
  print_out("next: 'cutover sync run' keeps the target current\n");
  return 0;
}

// ---- run -------------------------------------------------------------------------------------
int run_run(const SyncArgs& a) {
  sync::SyncConfig c = config_of(a, true);
  if (c.from_version.empty()) {
    // The source's version is detected, as copy does, so that the applier can check the
    // target against it: without --to the target must be the same version.
    std::unique_ptr<db::Connection> source = db::open(c.source);
    fill_versions(c, *source);
  }
  if (a.reverse) {
    // --source and --target keep naming the old and the new database; the reverse sync
    // applies the new one's journal to the old one (armed by 'sync cutover'), through the
    // reverse of the declared transform.
    c = sync::reversed(c);
  }
  sync::ApplyOptions o;
  o.once = a.once;
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  sync::ApplyResult r = sync::run_apply(c, o, [&](const sync::BatchReport& b) {
    if (!b.retry.empty()) {
      std::fprintf(stderr, "cutover: retrying after: %s\n", b.retry.c_str());
      return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now - last >= std::chrono::seconds(1)) {
      last = now;
      std::fprintf(stderr, "applied up to %lld: +%lld rows, -%lld rows, lag %.1f s, %lld gaps\n",
                   static_cast<long long>(b.high), static_cast<long long>(b.upserted),
                   static_cast<long long>(b.deleted), static_cast<double>(b.lag_ms) / 1000.0,
                   static_cast<long long>(b.open_gaps));
    }
  });
  print_out(
      fmt::format("applied {} journal entries in {} batches: {} rows written, {} removed, "
                  "{:.1f} s\n",
                  group_digits(r.entries), r.batches, group_digits(r.upserted),
                  group_digits(r.deleted), r.seconds));
  return 0;
}

// ---- status ----------------------------------------------------------------------------------
const char* copy_text(sync::CopyState s) {
  switch (s) {
    case sync::CopyState::none:
      return "not run";
    case sync::CopyState::in_progress:
      return "in progress";
    case sync::CopyState::complete:
      return "complete";
  }
  return "?";
}

nlohmann::json status_json(const sync::SyncStatus& s) {
  nlohmann::json j;
  j["captured"] = s.captured;
  j["journal_id"] = s.journal_id;
  j["copy"] = copy_text(s.copy);
  j["applied_once"] = s.applied_once;
  j["backlog"] = s.backlog;
  j["lag_seconds"] = static_cast<double>(s.lag_ms) / 1000.0;
  j["high"] = s.high;
  j["open_gaps"] = s.open_gaps;
  j["applied_rows"] = s.applied_rows;
  j["rows_per_second"] = s.rows_per_s;
  j["seconds_since_last_batch"] =
      s.since_update_ms < 0 ? nlohmann::json()
                            : nlohmann::json(static_cast<double>(s.since_update_ms) / 1000.0);
  j["tables"] = nlohmann::json::array();
  for (const sync::TableStatus& t : s.tables) {
    j["tables"].push_back({{"table", t.table},
                           {"backlog", t.backlog},
                           {"lag_seconds", static_cast<double>(t.lag_ms) / 1000.0},
                           {"applied_rows", t.applied_rows},
                           {"rows_per_second", t.rows_per_s},
                           {"copied", t.copied}});
  }
  return j;
}

void print_status(const sync::SyncStatus& s, const char* title) {
  print_out(
      fmt::format("{}journal {}: copy {}, {} entries waiting, lag {:.1f} s, applied {} rows "
                  "({} rows/s in the last batch), {} open gaps\n",
                  title, s.journal_id, copy_text(s.copy), group_digits(s.backlog),
                  static_cast<double>(s.lag_ms) / 1000.0, group_digits(s.applied_rows),
                  group_digits(s.rows_per_s), s.open_gaps));
  for (const sync::TableStatus& t : s.tables) {
    print_out(
        fmt::format("  {:<34} {:>10} waiting  lag {:>6.1f} s  {:>12} applied  {:>8} rows/s  "
                    "{}\n",
                    t.table, group_digits(t.backlog), static_cast<double>(t.lag_ms) / 1000.0,
                    group_digits(t.applied_rows), group_digits(t.rows_per_s),
                    t.copied ? "copied" : "not copied"));
  }
}

int run_status(const SyncArgs& a) {
  sync::SyncConfig c = config_of(a, true);
  sync::SyncStatus s = sync::read_status(c);
  // The way back, once 'sync cutover' armed it: new -> old, the same fields.
  std::optional<sync::SyncStatus> rev =
      s.captured ? sync::read_reverse_status(c) : std::optional<sync::SyncStatus>();
  if (a.json) {
    nlohmann::json j = status_json(s);
    j["reverse"] = rev ? status_json(*rev) : nlohmann::json();
    print_out(j.dump(2) + "\n");
    return 0;
  }
  if (!s.captured) {
    print_out("no capture on the source: run 'cutover sync prepare' first\n");
    return 0;
  }
  print_status(s, rev ? "forward (old -> new): " : "");
  if (rev) {
    print_status(*rev, "reverse (new -> old, armed at cutover): ");
  }
  return 0;
}

// ---- cutover --------------------------------------------------------------------------------
int run_cutover(const SyncArgs& a) {
  sync::SyncConfig c = config_of(a, true);
  {
    // The gate verifies through the version transform: the versions as copy and run take them.
    std::unique_ptr<db::Connection> source = db::open(c.source);
    fill_versions(c, *source);
  }
  verify::GateOptions o;
  o.timeout_ms = parse_duration_ms(a.timeout, "--timeout");
  verify::GateResult g = verify::run_gate(c, o);
  if (a.json) {
    nlohmann::json j;
    j["ready"] = g.ready;
    j["reasons"] = g.reasons;
    j["backlog"] = g.backlog;
    j["open_gaps"] = g.open_gaps;
    j["lag_seconds"] = static_cast<double>(g.lag_ms) / 1000.0;
    j["reverse_backlog"] = g.reverse_backlog;
    j["waited_ms"] = g.waited_ms;
    j["reverse_armed"] = g.reverse_armed;
    j["armed_before"] = g.armed_before;
    j["reverse_journal_id"] = g.reverse_journal_id;
    j["tables"] = nlohmann::json::array();
    for (const verify::TableCheck& t : g.tables) {
      nlohmann::json tj = {{"table", t.table}, {"compared", t.compared}, {"backlog", t.backlog}};
      if (t.compared) {
        tj["source_rows"] = t.source_rows;
        tj["target_rows"] = t.target_rows;
        tj["missing_on_target"] = t.missing;
        tj["extra_on_target"] = t.extra;
        tj["differing"] = t.differing;
        tj["missing_examples"] = t.missing_examples;
        tj["extra_examples"] = t.extra_examples;
        tj["differing_examples"] = t.differing_examples;
      }
      j["tables"].push_back(tj);
    }
    print_out(j.dump(2) + "\n");
    return static_cast<int>(g.ready ? ExitCode::success : ExitCode::not_ready);
  }
  if (!g.ready) {
    print_out(fmt::format("NOT READY: do not switch traffic yet (checked for {:.1f} s):\n",
                          static_cast<double>(g.waited_ms) / 1000.0));
    for (const std::string& r : g.reasons) {
      print_out(fmt::format("  - {}\n", r));
    }
    return static_cast<int>(ExitCode::not_ready);
  }
  for (const verify::TableCheck& t : g.tables) {
    print_out(fmt::format("  {:<34} {:>12} rows on both sides, equal\n", t.table,
                          group_digits(t.source_rows)));
  }
  print_out(fmt::format(
      "READY: backlog 0, every synced table holds the same rows on both sides (verified in "
      "{:.1f} s).\n"
      "reverse sync {} (journal {} on the new database): run 'cutover sync run --reverse' "
      "beside 'sync run' so that writes of the new deployment flow back to the old database.\n"
      "It is safe to switch traffic to the new deployment.\n",
      static_cast<double>(g.waited_ms) / 1000.0, g.armed_before ? "was already armed" : "armed",
      g.reverse_journal_id));
  if (g.open_gaps > 0) {
    print_out(fmt::format(
        "note: {} journal values belong to transactions still open on the source; keep 'sync "
        "run' running until the old deployment has stopped and they are applied\n",
        g.open_gaps));
  }
  return 0;
}

// ---- remove ----------------------------------------------------------------------------------
int run_remove(const SyncArgs& a) {
  if (a.source.empty() && a.target.empty()) {
    throw Error(ErrorKind::usage, "sync remove needs --source, --target or both",
                "it drops what prepare, copy and run created on those databases");
  }
  auto remove_on = [&](const std::string& url, const char* what, const char* env,
                       const std::string& pwfile) {
    std::unique_ptr<db::Connection> conn = db::open(spec_of(url, what, env, pwfile));
    std::vector<std::string> removed = capture::remove(*conn);
    std::vector<std::string> dropped = sync::remove_sync_tables(*conn);
    print_out(
        fmt::format("{}: removed capture from {} tables{}\n", what, removed.size(),
                    dropped.empty() ? "" : fmt::format(", dropped {}", fmt::join(dropped, ", "))));
  };
  if (!a.source.empty()) {
    remove_on(a.source, "source", "CUTOVER_SOURCE_PASSWORD", a.source_password_file);
  }
  if (!a.target.empty()) {
    remove_on(a.target, "target", "CUTOVER_TARGET_PASSWORD", a.target_password_file);
  }
  return 0;
}

}  // namespace

void add_sync_commands(CLI::App& app, Runner& selected) {
  CLI::App* s = app.add_subcommand(
      "sync",
      "zero-downtime sync from the old deployment's database to the new one: prepare, copy, run, "
      "status, cutover, remove");
  s->require_subcommand(1);
  s->footer(
      "\nThe steps, as an operator meets them:\n"
      "  1. prepare  install change capture on the SOURCE: a journal table CUTOVER_JOURNAL,\n"
      "              metadata CUTOVER_CAPTURE and AFTER INSERT/UPDATE/DELETE triggers on each\n"
      "              synced table. Takes each table's lock for a moment only (150 ms lock\n"
      "              timeout, retried while the IS holds the table). A second prepare refuses\n"
      "              and keeps the journal. --print-sql DIALECT --from V prints the DDL and\n"
      "              metadata for a DBA instead; the steps below then work the same.\n"
      "  2. copy     consistent copy of the synced tables into the TARGET, the journal\n"
      "              position recorded in the same snapshot. Or your own dump and restore,\n"
      "              taken after prepare.\n"
      "  3. run      apply the journal to the target in batches until stopped (Ctrl-C stops\n"
      "              between batches, exit 130); --once drains and exits. Needs prepare and\n"
      "              every synced table on the target (copy creates them).\n"
      "  4. status   backlog and lag per table (both directions once the reverse is armed).\n"
      "  5. cutover  the gate before traffic moves: waits (--timeout, default 60s) until the\n"
      "              backlog is 0, verifies the synced tables (every row and column, as\n"
      "              'cutover verify'; a difference is re-checked after the sync caught up),\n"
      "              and when equal arms the REVERSE sync: capture on the TARGET, its\n"
      "              position stored on the source. Prints READY (exit 0) or NOT READY with\n"
      "              each reason: backlog left, or which table, how many rows missing,\n"
      "              extra or differing, with examples (exit 5). Run again at any time.\n"
      "              Then switch traffic and keep 'sync run --reverse' running beside\n"
      "              'sync run': writes of the new deployment flow back to the old database\n"
      "              (same --source and --target), so switching back loses nothing. Neither\n"
      "              direction journals the other's writes.\n"
      "  6. remove   drop every trigger, function and table cutover created; give both\n"
      "              --source and --target to remove both directions.\n"
      "Privileges for prepare and remove (prepare checks them before creating anything):\n"
      "  PostgreSQL: CREATE on the schema and ownership of (or TRIGGER on) the tables; the\n"
      "  trigger functions are SECURITY DEFINER, so the IS's own user needs nothing new.\n"
      "  MariaDB/MySQL: CREATE, DROP, TRIGGER, INSERT, DELETE, SELECT on the database; with\n"
      "  binary logging on also SUPER, or log_bin_trust_function_creators = 1 on the server.\n"
      "  SQLite: write access to the file.\n"
      "Lock timeout: PostgreSQL lock_timeout; MariaDB max_statement_time around each trigger\n"
      "statement (its lock_wait_timeout is whole seconds); MySQL lock_wait_timeout = 1 s.\n"
      "Exit codes: 2 bad command line or configuration (nothing changed), 1 failure,\n"
      "5 cutover gate not ready (sync cutover).");

  auto prepare = std::make_shared<SyncArgs>();
  CLI::App* p = s->add_subcommand("prepare", "install change capture on the source database");
  prepare->add_source(*p);
  prepare->add_versions(*p);
  prepare->add_config(*p);
  p->add_option("--print-sql,--print-ddl", prepare->print_sql,
                "print the DDL for DIALECT (sqlite, postgresql, mysql, oracle, mssql, db2, h2) "
                "instead of running it; needs --from");
  p->add_flag("--json", prepare->json, "machine-readable output");
  p->callback([&selected, prepare] { selected = [prepare] { return run_prepare(*prepare); }; });

  auto copy = std::make_shared<SyncArgs>();
  CLI::App* c = s->add_subcommand(
      "copy", "consistent initial copy of the synced tables (and those they reference)");
  copy->add_source(*c);
  copy->add_target(*c);
  copy->add_versions(*c);
  copy->add_config(*c);
  c->add_flag("--all-tables", copy->all_tables,
              "copy every table of the source database (the seed's dump and restore, done "
              "consistently), not only the synced tables and those they reference");
  c->add_flag("--common-columns", copy->common_columns,
              "where a target table has another shape, copy the columns both sides have "
              "(listed) instead of stopping before anything is written");
  c->add_option("--jobs", copy->jobs, "parallel connections (default 4)")->check(CLI::Range(1, 64));
  c->callback([&selected, copy] { selected = [copy] { return run_copy(*copy); }; });

  auto run = std::make_shared<SyncArgs>();
  CLI::App* r = s->add_subcommand("run", "apply the journal to the target until stopped");
  run->add_source(*r);
  run->add_target(*r);
  run->add_versions(*r);
  run->add_config(*r);
  r->add_flag("--once", run->once, "apply what the journal holds now, then exit");
  r->add_flag("--reverse", run->reverse,
              "apply the NEW database's journal to the old one (the reverse sync armed by 'sync "
              "cutover'); --source and --target still name the old and the new database");
  r->add_option("--batch", run->batch, "journal entries per batch (default 5000)")
      ->check(CLI::Range(1, 1000000));
  r->add_option("--interval", run->interval_ms,
                "ms to wait when the journal is empty (default 200)")
      ->check(CLI::Range(1, 3600000));
  r->callback([&selected, run] { selected = [run] { return run_run(*run); }; });

  auto status = std::make_shared<SyncArgs>();
  CLI::App* st = s->add_subcommand("status", "backlog and lag per table");
  status->add_source(*st);
  status->add_target(*st);
  status->add_config(*st);
  st->add_flag("--json", status->json, "machine-readable output");
  st->callback([&selected, status] { selected = [status] { return run_status(*status); }; });

  auto cut = std::make_shared<SyncArgs>();
  CLI::App* cu = s->add_subcommand(
      "cutover",
      "the readiness gate: wait for backlog 0, compare the tables, arm the reverse sync; exit 5 "
      "when not ready");
  cut->add_source(*cu);
  cut->add_target(*cu);
  cut->add_versions(*cu);
  cut->add_config(*cu);
  cu->add_option("--timeout", cut->timeout,
                 "longest wait for the backlog to reach 0, e.g. 500ms, 60s, 5m")
      ->capture_default_str();
  cu->add_flag("--json", cut->json,
               "one JSON object: ready, reasons[], per-table counts, backlog, waited_ms");
  cu->callback([&selected, cut] { selected = [cut] { return run_cutover(*cut); }; });

  auto remove = std::make_shared<SyncArgs>();
  CLI::App* rm =
      s->add_subcommand("remove", "drop every trigger, function and table the sync created");
  remove->add_source(*rm);
  remove->add_target(*rm);
  rm->callback([&selected, remove] { selected = [remove] { return run_remove(*remove); }; });
}

}  // namespace cutover::cli
