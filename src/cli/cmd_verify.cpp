// cutover verify: are the source's rows, after the version transform, the target's rows?
// Reads its databases, versions and tables as the sync commands do (cli/sync_args.h), runs the
// verify engine with a progress line on stderr, and prints a summary per table with the
// differing rows, or one JSON object. With --repair, the differing keys are then written back
// to the source's state through the sync's apply path (sync/repair.h) and those tables verified
// again. Exit 0 equal (after a repair: equal again), 3 differences, 2 usage or configuration.
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/sync_args.h"
#include "db/registry.h"
#include "sync/repair.h"
#include "verify/live.h"
#include "verify/sensitive.h"
#include "verify/verify.h"

namespace cutover::cli {

namespace {

struct VerifyArgs {
  SyncArgs sync;
  bool json = false;
  int jobs = 2;
  std::string recheck_timeout = "60s";
  bool repair = false;
  bool dry_run = false;
  bool no_whole_table = false;
};

const char* kind_text(verify::DiffKind k) {
  switch (k) {
    case verify::DiffKind::missing:
      return "missing";
    case verify::DiffKind::extra:
      return "extra";
    case verify::DiffKind::differing:
      return "differing";
  }
  return "?";
}

nlohmann::json value_json(const std::optional<std::string>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

/// A value of `column` for a person: NULL bare, hashed secrets bare, values quoted (so an
/// empty string and a trailing space show).
std::string value_text(const std::string& column, const std::optional<std::string>& v) {
  if (!v) {
    return "NULL";
  }
  return verify::holds_secret(column) ? *v : "'" + *v + "'";
}

double rate(std::int64_t rows, double seconds) {
  return seconds > 0 ? static_cast<double>(rows) / seconds : 0;
}

nlohmann::json result_json(const verify::VerifyResult& r, const verify::LiveOutcome& live) {
  nlohmann::json j;
  j["equal"] = r.equal();
  j["live"] = {{"sync", live.live},
               {"rechecks", live.rounds},
               {"caught_up", live.caught_up},
               {"in_flight", live.in_flight}};
  j["from"] = r.from_version;
  j["to"] = r.to_version;
  j["seconds"] = r.seconds;
  j["tables"] = nlohmann::json::array();
  for (const verify::TableVerify& t : r.tables) {
    nlohmann::json tj = {
        {"table", t.table},
        {"equal", t.equal()},
        {"mode", t.mode},
        {"text", t.stored_text ? "stored" : "canonical"},
        {"key", t.key},
        {"columns", t.columns},
        {"source_only_columns", t.source_only},
        {"target_only_columns", t.target_only},
        {"target_table_missing", t.target_table_missing},
        {"source_rows", t.source_rows},
        {"target_rows", t.target_rows},
        {"chunks", t.chunks},
        {"in_database_sums", t.in_database_sums},
        {"seconds", t.seconds},
        {"rows_per_second", static_cast<std::int64_t>(rate(t.source_rows, t.seconds))},
        {"missing", t.missing},
        {"extra", t.extra},
        {"differing", t.differing}};
    tj["rows"] = nlohmann::json::array();
    for (const verify::RowDiff& d : t.rows) {
      nlohmann::json key = nlohmann::json::object();
      for (const auto& [col, val] : d.key) {
        key[col] = value_json(val);
      }
      nlohmann::json cols = nlohmann::json::array();
      for (const verify::ColumnDiff& c : d.columns) {
        cols.push_back({{"column", c.column},
                        {"source", value_json(c.source)},
                        {"target", value_json(c.target)}});
      }
      nlohmann::json dj = {{"kind", kind_text(d.kind)}, {"key", key}, {"columns", cols}};
      if (!d.note.empty()) {
        dj["note"] = d.note;
      }
      tj["rows"].push_back(dj);
    }
    tj["rows_complete"] =
        static_cast<std::int64_t>(t.rows.size()) == t.missing + t.extra + t.differing;
    j["tables"].push_back(tj);
  }
  return j;
}

void print_table(const verify::TableVerify& t) {
  std::string verdict;
  if (t.target_table_missing) {
    verdict = "the target has no such table";
  } else if (t.equal()) {
    verdict = "equal";
  } else {
    verdict = fmt::format("{} missing, {} extra, {} differing", group_digits(t.missing),
                          group_digits(t.extra), group_digits(t.differing));
  }
  print_out(fmt::format("  {:<34} {:>12} rows {:>6} chunks {:>7.1f} s {:>10} rows/s  {}\n", t.table,
                        group_digits(t.source_rows), group_digits(t.chunks), t.seconds,
                        group_digits(static_cast<std::int64_t>(rate(t.source_rows, t.seconds))),
                        verdict));
  for (const verify::RowDiff& d : t.rows) {
    std::string key;
    for (std::size_t i = 0; i < d.key.size(); ++i) {
      const auto& [col, val] = d.key[i];
      // An integer's canonical text needs no quotes to be read right (TENANT_ID=-1234).
      bool integer = i < t.key_kinds.size() && t.key_kinds[i] == verify::Kind::integer;
      key += fmt::format("{}{}={}", key.empty() ? "" : ", ", col,
                         integer && val ? *val : value_text(col, val));
    }
    std::string what;
    for (const verify::ColumnDiff& c : d.columns) {
      what += fmt::format("{}{} {} -> {}", what.empty() ? ": " : "; ", c.column,
                          value_text(c.column, c.source), value_text(c.column, c.target));
    }
    if (!d.note.empty()) {
      what += ": " + d.note;
    }
    print_out(fmt::format("    {:<9} {}{}\n", kind_text(d.kind), key, what));
  }
  std::int64_t listed = static_cast<std::int64_t>(t.rows.size());
  std::int64_t all = t.missing + t.extra + t.differing;
  if (all > listed) {
    print_out(fmt::format("    ... and {} more\n", group_digits(all - listed)));
  }
  if (!t.source_only.empty() || !t.target_only.empty()) {
    print_out(fmt::format(
        "    not compared (one side only): {}{}{}\n",
        t.source_only.empty() ? "" : fmt::format("source {}", fmt::join(t.source_only, ", ")),
        !t.source_only.empty() && !t.target_only.empty() ? "; " : "",
        t.target_only.empty() ? "" : fmt::format("target {}", fmt::join(t.target_only, ", "))));
  }
}

/// The check itself, with the progress line on stderr.
verify::VerifyResult check(const sync::SyncConfig& c, const VerifyArgs& a,
                           verify::LiveOutcome& live) {
  verify::VerifyOptions o;
  o.jobs = a.jobs;
  o.whole_pass = !a.no_whole_table;
  TableProgress bar("verify:");
  verify::VerifyResult r = verify::run_verify(c, o, [&](const verify::VerifyProgress& p) {
    bar.update(p.table, p.rows_done, p.rows_total);
  });
  bar.finish();
  // While a sync runs between the two, a difference may be a change not applied yet: look
  // again once the sync has applied what the journal held (verify/live.h).
  verify::LiveOptions lo;
  lo.wait_ms = parse_duration_ms(a.recheck_timeout, "--recheck-timeout");
  lo.rechecks = lo.wait_ms > 0 ? lo.rechecks : 0;
  live = verify::settle(c, o, lo, r);
  return r;
}

/// The human summary: a line per table with its listed rows, then the verdict.
void print_result(const verify::VerifyResult& r, const verify::LiveOutcome& live,
                  const VerifyArgs& a) {
  std::int64_t rows = 0;
  std::size_t differ = 0;
  for (const verify::TableVerify& t : r.tables) {
    print_table(t);
    rows += t.source_rows;
    differ += t.equal() ? 0 : 1;
  }
  if (live.in_flight > 0) {
    print_out(
        fmt::format("{} differences were changes in flight: gone once the sync applied them "
                    "({} re-checks)\n",
                    group_digits(live.in_flight), live.rounds));
  }
  if (!live.caught_up && !r.equal()) {
    print_out(
        fmt::format("note: the sync did not apply the journal within {}: the differences "
                    "above may still be changes in flight; is 'cutover sync run' running?\n",
                    a.recheck_timeout));
  }
  std::string versions = r.from_version == r.to_version
                             ? r.from_version
                             : fmt::format("{} -> {}", r.from_version, r.to_version);
  if (differ == 0) {
    print_out(fmt::format("EQUAL: {} tables, {} source rows ({}) in {:.1f} s\n", r.tables.size(),
                          group_digits(rows), versions, r.seconds));
  } else {
    print_out(fmt::format("DIFFERENT: {} of {} tables differ ({}), checked in {:.1f} s\n", differ,
                          r.tables.size(), versions, r.seconds));
  }
}

/// --repair: the differing keys of `r` written back to the source's state (or, dry run, the
/// SQL printed), then the repaired tables verified again. Adds "repair" to `j` (JSON) or
/// prints what it did; returns the exit code.
int repair(sync::SyncConfig c, const VerifyArgs& a, const verify::VerifyResult& r,
           nlohmann::json& j) {
  // The keys as verify read them: the source's for missing and differing rows, the
  // target's for extra ones; a table the target lacks cannot be written row by row.
  std::vector<sync::RepairKeys> work;
  nlohmann::json tables = nlohmann::json::array();
  std::vector<std::string> notes;
  for (const verify::TableVerify& t : r.tables) {
    if (t.equal()) {
      continue;
    }
    nlohmann::json tj = {{"table", t.table}, {"keys_complete", t.keys_complete}};
    if (t.target_table_missing) {
      tj["skipped"] = "the target has no such table";
      notes.push_back(
          fmt::format("{}: the target has no such table; not repaired (create it "
                      "with 'cutover sync copy')",
                      t.table));
      tables.push_back(tj);
      continue;
    }
    if (!t.keys_complete) {
      notes.push_back(
          fmt::format("{}: {} differences, the first {} keys kept and repaired; run "
                      "verify --repair again for the rest",
                      t.table, group_digits(t.missing + t.extra + t.differing),
                      group_digits(static_cast<std::int64_t>(t.keys.size()))));
    }
    sync::RepairKeys k{t.table, {}};
    k.keys.reserve(t.keys.size());
    for (const verify::DiffKey& d : t.keys) {
      k.keys.push_back(d.key);
    }
    work.push_back(std::move(k));
    tables.push_back(tj);
  }
  if (!a.json) {
    for (const std::string& n : notes) {
      print_out("  " + n + "\n");
    }
  }
  sync::RepairOptions ro;
  ro.dry_run = a.dry_run;
  nlohmann::json statements = nlohmann::json::array();
  ro.print_sql = [&](const std::string& sql) {
    if (a.json) {
      statements.push_back(sql);
    } else {
      print_out(sql + ";\n");
    }
  };
  sync::RepairResult done = sync::repair_keys(c, work, ro);
  for (nlohmann::json& tj : tables) {
    for (const sync::RepairTableResult& t : done.tables) {
      if (tj.contains("skipped") || !db::same_ident(t.table, tj["table"].get<std::string>())) {
        continue;
      }
      tj["keys"] = t.keys;
      tj["source_rows_written"] = t.present;
      tj["keys_removed"] = t.absent;
    }
  }
  nlohmann::json rj = {{"dry_run", a.dry_run},
                       {"tables", tables},
                       {"rows_written", done.upserted},
                       {"rows_removed", done.deleted},
                       {"batches", done.batches}};
  if (a.dry_run) {
    rj["statements"] = statements;
    if (a.json) {
      j["repair"] = rj;
    } else {
      print_out(
          fmt::format("DRY RUN: the repair would write {} rows and remove {} in {} "
                      "tables; nothing was written\n",
                      group_digits(done.upserted), group_digits(done.deleted), work.size()));
    }
    return static_cast<int>(ExitCode::differences);
  }
  if (!a.json) {
    for (const sync::RepairTableResult& t : done.tables) {
      print_out(fmt::format(
          "  repaired {:<34} {:>8} keys: {} written, {} removed (not on "
          "the source)\n",
          t.table, group_digits(t.keys), group_digits(t.present), group_digits(t.absent)));
    }
    print_out(fmt::format(
        "REPAIRED: {} rows written, {} removed in {} transactions; verifying "
        "the repaired tables again\n",
        group_digits(done.upserted), group_digits(done.deleted), group_digits(done.batches)));
  }
  // The proof: the repaired tables verified again (a table skipped above still differs).
  c.tables.clear();
  for (const verify::TableVerify& t : r.tables) {
    if (!t.equal()) {
      c.tables.push_back(t.table);
    }
  }
  verify::LiveOutcome after_live;
  verify::VerifyResult after = check(c, a, after_live);
  if (a.json) {
    rj["equal_after"] = after.equal();
    rj["after"] = result_json(after, after_live);
    j["repair"] = rj;
  } else {
    print_result(after, after_live, a);
  }
  return static_cast<int>(after.equal() ? ExitCode::success : ExitCode::differences);
}

int run_verify(const VerifyArgs& a) {
  sync::SyncConfig c = config_of(a.sync, true);
  {
    std::unique_ptr<db::Connection> source = db::open(c.source);
    fill_versions(c, *source);
  }
  verify::LiveOutcome live;
  verify::VerifyResult r = check(c, a, live);
  int rc = static_cast<int>(r.equal() ? ExitCode::success : ExitCode::differences);
  nlohmann::json j;
  if (a.json) {
    j = result_json(r, live);
  } else {
    print_result(r, live, a);
  }
  if (a.repair && !r.equal()) {
    rc = repair(c, a, r, j);
  }
  if (a.json) {
    print_out(j.dump(2) + "\n");
  }
  return rc;
}

}  // namespace

void add_verify_command(CLI::App& app, Runner& selected) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* v = app.add_subcommand(
      "verify",
      "prove that the target holds the source's rows (after the version transform): chunked "
      "checksums, differing rows pinned down exactly; exit 3 when they differ");
  args->sync.add_source(*v);
  args->sync.add_target(*v);
  args->sync.add_versions(*v);
  args->sync.add_config(*v);
  v->add_flag("--json", args->json, "one JSON object (keys below)");
  v->add_option("--recheck-timeout", args->recheck_timeout,
                "while a sync runs between the two databases: wait at most this long (default "
                "60s, 0 = report at once) for it to apply what the journal holds before each of "
                "3 re-checks of the differing rows");
  v->add_option("--jobs", args->jobs, "connections per side, chunks checked at once (default 2)")
      ->check(CLI::Range(1, 64));
  v->add_flag("--no-whole-table", args->no_whole_table,
              "walk every table in chunks (or stream it) from the start, without the first "
              "whole-table sums");
  CLI::Option* repair_flag = v->add_flag(
      "--repair", args->repair,
      "then write the differing target rows back to the source's state through the sync's "
      "apply path, and verify those tables again (the source is only read)");
  v->add_flag("--dry-run", args->dry_run,
              "with --repair: print the SQL the repair would run instead of running it")
      ->needs(repair_flag);
  v->footer(
      "\nWhere both databases can hash the rows themselves (PostgreSQL, MySQL/MariaDB, no\n"
      "version transform), each table is first summed whole: a row count and an\n"
      "order-independent hash of a canonical row encoding, one scan per side, both at once\n"
      "(mode \"whole\"). Only a table whose sums differ, and every other table, is walked\n"
      "by its key (primary, else first unique) in chunks of about 0.5 s, each chunk's count\n"
      "and hash computed on both sides (in the database where it can, else by cutover), and\n"
      "a chunk that differs is bisected down to the exact rows. Between two versions the\n"
      "source rows are compared after the version transform, on the columns the target\n"
      "gets; columns on one side only are listed, not compared. Where the two engines may\n"
      "order a text key differently (another engine or collation), both sides are read once\n"
      "in byte order and merged (mode \"stream\"). Values of token, secret, password and\n"
      "hash columns are shown as '#' and 8 hex digits of their hash, never in clear.\n"
      "While 'sync run' applies between the two databases (the source has the capture and\n"
      "the target its position), rows that differ may be changes not applied yet: they are\n"
      "looked at again after the sync applied what the journal held, up to 3 times, and only\n"
      "what still differs is reported.\n"
      "--json keys: equal, from, to, seconds, live {sync, rechecks, caught_up, in_flight},\n"
      "tables[]: table, equal, mode (whole|chunks|\n"
      "stream|missing), text (canonical|stored: MySQL text hashed in its own character set),\n"
      "key[], columns[], source_only_columns[], target_only_columns[],\n"
      "target_table_missing, source_rows, target_rows, chunks, in_database_sums, seconds,\n"
      "rows_per_second, missing, extra, differing, rows_complete, rows[] (at most 100):\n"
      "kind (missing|extra|differing), key {column: value}, columns[] {column, source,\n"
      "target} (differing columns), note. Values are canonical text or null.\n"
      "--repair writes each differing key as `sync run` would: the source's current row\n"
      "(after the version transform) upserted, a key the source no longer has deleted, one\n"
      "target transaction per batch; then verifies the repaired tables again. --json adds\n"
      "repair {dry_run, tables[] {table, keys, source_rows_written, keys_removed,\n"
      "keys_complete, skipped}, rows_written, rows_removed, batches, equal_after, after\n"
      "(the second check, keys as above), statements[] (dry run)}. --dry-run prints the\n"
      "statements with every value in full, tokens and secrets included (the rows are the\n"
      "operator's own; connection passwords never appear), and writes nothing.\n"
      "Exit codes: 0 equal (with --repair: equal after the repair), 3 differences found\n"
      "(always, with --dry-run), 2 bad command line or configuration, 1 failure.");
  v->callback([&selected, args] { selected = [args] { return run_verify(*args); }; });
}

}  // namespace cutover::cli
