// cutover verify: are the source's rows, after the version transform, the target's rows?
// Reads its databases, versions and tables as the sync commands do (cli/sync_args.h), runs the
// verify engine with a progress line on stderr, and prints a summary per table with the
// differing rows, or one JSON object. Exit 0 equal, 3 differences, 2 usage or configuration.
#include <map>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/sync_args.h"
#include "db/registry.h"
#include "verify/sensitive.h"
#include "verify/verify.h"

namespace cutover::cli {

namespace {

struct VerifyArgs {
  SyncArgs sync;
  bool json = false;
  int jobs = 2;
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

nlohmann::json result_json(const verify::VerifyResult& r) {
  nlohmann::json j;
  j["equal"] = r.equal();
  j["from"] = r.from_version;
  j["to"] = r.to_version;
  j["seconds"] = r.seconds;
  j["tables"] = nlohmann::json::array();
  for (const verify::TableVerify& t : r.tables) {
    nlohmann::json tj = {
        {"table", t.table},
        {"equal", t.equal()},
        {"mode", t.mode},
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
    for (const auto& [col, val] : d.key) {
      key += fmt::format("{}{}={}", key.empty() ? "" : ", ", col, value_text(col, val));
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

int run_verify(const VerifyArgs& a) {
  sync::SyncConfig c = config_of(a.sync, true);
  {
    std::unique_ptr<db::Connection> source = db::open(c.source);
    fill_versions(c, *source);
  }
  verify::VerifyOptions o;
  o.jobs = a.jobs;
  ProgressLine bar("verify:");
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> per_table;
  verify::VerifyResult r = verify::run_verify(c, o, [&](const verify::VerifyProgress& p) {
    per_table[p.table] = {p.rows_done, p.rows_total};
    std::int64_t done = 0;
    std::int64_t total = 0;
    for (const auto& [table, dt] : per_table) {
      done += dt.first;
      total += dt.second;
    }
    bar.update(done, total);
  });
  bar.finish();
  int rc = static_cast<int>(r.equal() ? ExitCode::success : ExitCode::differences);
  if (a.json) {
    print_out(result_json(r).dump(2) + "\n");
    return rc;
  }
  std::int64_t rows = 0;
  std::size_t differ = 0;
  for (const verify::TableVerify& t : r.tables) {
    print_table(t);
    rows += t.source_rows;
    differ += t.equal() ? 0 : 1;
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
  v->add_option("--jobs", args->jobs, "connections per side, chunks checked at once (default 2)")
      ->check(CLI::Range(1, 64));
  v->footer(
      "\nPer table the key (primary, else first unique) is walked in chunks of about 0.5 s;\n"
      "each chunk's row count and order-independent hash of a canonical row encoding is\n"
      "computed on both sides (in the database where it can, else by cutover), and a chunk\n"
      "that differs is bisected down to the exact rows. Between two versions the source rows\n"
      "are compared after the version transform, on the columns the target gets; columns on\n"
      "one side only are listed, not compared. Where the two engines may order a text key\n"
      "differently (another engine or collation), both sides are read once in byte order\n"
      "and merged (mode \"stream\"). Values of token, secret, password and hash columns are\n"
      "shown as '#' and 8 hex digits of their hash, never in clear.\n"
      "--json keys: equal, from, to, seconds, tables[]: table, equal, mode (chunks|stream|\n"
      "missing), key[], columns[], source_only_columns[], target_only_columns[],\n"
      "target_table_missing, source_rows, target_rows, chunks, in_database_sums, seconds,\n"
      "rows_per_second, missing, extra, differing, rows_complete, rows[] (at most 100):\n"
      "kind (missing|extra|differing), key {column: value}, columns[] {column, source,\n"
      "target} (differing columns), note. Values are canonical text or null.\n"
      "Exit codes: 0 equal, 3 differences found, 2 bad command line or configuration,\n"
      "1 failure.");
  v->callback([&selected, args] { selected = [args] { return run_verify(*args); }; });
}

}  // namespace cutover::cli
