// cutover cleanup tokens | cleanup sessions | registry disable-versioning | registry restore: the
// pre-migration cleanup steps of the seeds. Each reads its options, calls one engine in src/cleanup
// and renders counts per table.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cleanup/deployment_toml_edit.h"
#include "cleanup/registry.h"
#include "cleanup/registry_xml_edit.h"
#include "cleanup/sessions.h"
#include "cleanup/tokens.h"
#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "cli/sync_args.h"
#include "core/atomic_file.h"
#include "core/echo.h"
#include "core/error.h"
#include "db/dialect.h"
#include "plan/home.h"
#include "wso2conf/registry_xml.h"

namespace cutover::cli {

namespace {

namespace fs = std::filesystem;

// Ten years: anything longer is a typo, not a safety margin.
constexpr std::int64_t kMaxSafePeriodS = 10LL * 365 * 86400;

// "2h", "90m", "45s", "1d"; a bare number is hours, as inspect's --safe-period.
std::int64_t parse_period(const std::string& text) {
  std::size_t used = 0;
  std::int64_t n = -1;
  try {
    n = std::stoll(text, &used);
  } catch (const std::exception&) {
    n = -1;
  }
  std::string unit = text.substr(used);
  std::int64_t scale = unit.empty() || unit == "h" ? 3600
                       : unit == "m"               ? 60
                       : unit == "s"               ? 1
                       : unit == "d"               ? 86400
                                                   : 0;
  if (n < 0 || scale == 0 || n > kMaxSafePeriodS / scale) {
    throw Error(ErrorKind::usage, fmt::format("--safe-period {} is not a duration", echo(text)),
                "give a whole number with s, m, h or d (a bare number is hours), up to ten years");
  }
  return n * scale;
}

// 7200 -> "2h", 5400 -> "90m", 45 -> "45s".
std::string period_text(std::int64_t s) {
  return s % 3600 == 0 ? fmt::format("{}h", s / 3600)
         : s % 60 == 0 ? fmt::format("{}m", s / 60)
                       : fmt::format("{}s", s);
}

// The part the token and session cleanups share: a progress line while the engine runs, then
// rows removed per table, batches and time, as JSON members or as summary lines. Result is
// TokenCleanupResult or SessionCleanupResult (removed, batches, seconds, longest_batch_s).
template <typename Result, typename Engine>
Result run_with_progress(const char* what, Engine engine) {
  ProgressLine progress(what);
  return engine([&](std::int64_t done, std::int64_t total) { progress.update(done, total); });
}

template <typename Result>
void add_batch_json(nlohmann::json& j, const Result& r) {
  nlohmann::json removed = nlohmann::json::object();
  for (const cleanup::RemovedRows& t : r.removed) {
    removed[t.table] = t.rows;
  }
  j["removed"] = removed;
  j["batches"] = r.batches;
  j["seconds"] = r.seconds;
  j["longest_batch_seconds"] = r.longest_batch_s;
}

// Per table lines, `extra` lines, then batches and time.
template <typename Result>
std::string batch_text(const Result& r, const std::string& extra) {
  std::string out;
  for (const cleanup::RemovedRows& t : r.removed) {
    out += fmt::format("  {:<34} {:>12} removed\n", echo(t.table), group_digits(t.rows));
  }
  out += extra;
  out += fmt::format("{} batches in {:.2f} s, longest transaction {:.3f} s\n", r.batches, r.seconds,
                     r.longest_batch_s);
  return out;
}

// --max-transaction: a duration with its unit (--pause beside it takes bare milliseconds, so
// a bare number other than 0 would be ambiguous).
int max_transaction_ms(const std::string& text) {
  if (text != "0" && !text.empty() &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw Error(ErrorKind::usage, fmt::format("--max-transaction {}: give a unit", echo(text, 32)),
                "write it as 500ms or 1s (0: every batch is --batch rows)");
  }
  return parse_duration_ms(text, "--max-transaction");
}

void print_json(const nlohmann::json& j) {
  print_out(j.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n");
}

struct TokenArgs {
  DbOptions db;
  std::string safe_period = "2h";
  std::string max_transaction = "500ms";
  bool json = false;
  cleanup::TokenCleanupOptions options;
};

int run_tokens(TokenArgs& a) {
  a.options.safe_period_s = parse_period(a.safe_period);
  a.options.max_transaction_ms = max_transaction_ms(a.max_transaction);
  db::ConnectionSpec spec = a.db.spec();
  std::unique_ptr<db::Connection> conn = open_db(spec);
  auto r = run_with_progress<cleanup::TokenCleanupResult>(
      "cleanup tokens:",
      [&](const cleanup::Progress& p) { return cleanup::cleanup_tokens(*conn, a.options, p); });
  const cleanup::TokenEstimate& e = r.estimate;
  if (a.json) {
    nlohmann::json j = {{"target", spec.redacted()},
                        {"dry_run", a.options.dry_run},
                        {"safe_period_seconds", e.safe_period_s},
                        {"tokens", e.total_tokens},
                        {"eligible", e.eligible},
                        {"expired", e.expired},
                        {"inactive", e.inactive},
                        {"revoked", e.revoked},
                        {"active_but_ended", e.active_but_ended},
                        {"codes_eligible", r.codes_eligible},
                        {"audited", r.audited},
                        {"unindexed_foreign_keys", r.unindexed_foreign_keys}};
    add_batch_json(j, r);
    print_json(j);
    return 0;
  }
  std::string out = fmt::format(
      "{} of {} tokens {} (expired {}, inactive {}, revoked {}, active but ended more than {} "
      "ago {}); {} authorization codes without a token {}\n",
      group_digits(e.eligible), group_digits(e.total_tokens),
      a.options.dry_run ? "would be removed" : "were eligible", group_digits(e.expired),
      group_digits(e.inactive), group_digits(e.revoked), period_text(e.safe_period_s),
      group_digits(e.active_but_ended), group_digits(r.codes_eligible),
      a.options.dry_run ? "would be removed" : "were eligible");
  if (!a.options.dry_run) {
    out += batch_text(r, a.options.audit
                             ? fmt::format("  {:<34} {:>12} copied\n",
                                           "IDN_OAUTH2_ACCESS_TOKEN_AUDIT", group_digits(r.audited))
                             : std::string());
  }
  for (const std::string& fk : r.unindexed_foreign_keys) {
    std::size_t dot = fk.find('.');
    out += fmt::format(
        "note: {} has no index on {}: the database scans the table for every row removed "
        "from the table it references, which slows that step; an index (CREATE INDEX ... ON "
        "{} ({})) would speed it up\n",
        fk.substr(0, dot), fk.substr(dot + 1), fk.substr(0, dot), fk.substr(dot + 1));
  }
  print_out(out);
  return 0;
}

struct SessionArgs {
  DbOptions db;
  std::string safe_period = "2h";
  std::string max_transaction = "500ms";
  bool json = false;
  cleanup::SessionCleanupOptions options;
};

int run_sessions(SessionArgs& a) {
  a.options.safe_period_s = parse_period(a.safe_period);
  a.options.max_transaction_ms = max_transaction_ms(a.max_transaction);
  db::ConnectionSpec spec = a.db.spec();
  std::unique_ptr<db::Connection> conn = open_db(spec);
  auto r = run_with_progress<cleanup::SessionCleanupResult>(
      "cleanup sessions:",
      [&](const cleanup::Progress& p) { return cleanup::cleanup_sessions(*conn, a.options, p); });
  if (a.json) {
    nlohmann::json j = {{"target", spec.redacted()},
                        {"dry_run", a.options.dry_run},
                        {"safe_period_seconds", a.options.safe_period_s},
                        {"cutoff_ns", r.cutoff_ns},
                        {"sessions", r.sessions},
                        {"sessions_eligible", r.sessions_eligible},
                        {"logged_out_cutoff_ns", r.logged_out_cutoff_ns},
                        {"logged_out_eligible", r.logged_out_eligible},
                        {"temp_sessions", r.temp},
                        {"temp_sessions_eligible", r.temp_eligible},
                        {"mapping_tables", r.mapping_tables}};
    add_batch_json(j, r);
    print_json(j);
    return 0;
  }
  const char* verb = a.options.dry_run ? "would be removed" : "were expired";
  std::string out = fmt::format(
      "{} of {} session store rows and {} of {} temporary session rows {} (expired more than {} "
      "ago); {} more store rows {} (their session was logged out more than {} ago)\n",
      group_digits(r.sessions_eligible), group_digits(r.sessions), group_digits(r.temp_eligible),
      group_digits(r.temp), verb, period_text(a.options.safe_period_s),
      group_digits(r.logged_out_eligible), a.options.dry_run ? "would be removed" : "were eligible",
      period_text(a.options.logged_out_period_s));
  if (!a.options.dry_run) {
    out += batch_text(r, "");
  }
  print_out(out);
  return 0;
}

struct RegistryArgs {
  DbOptions db;
  std::string registry_xml;
  std::string home;
  std::string datasource;
  std::string print_sql;
  bool force = false;
  bool json = false;
  bool no_backup = false;
  cleanup::RegistryOptions options;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in) {
    throw Error(ErrorKind::io, fmt::format("cannot read {}", echo(path)), "check the path");
  }
  return s.str();
}

// A configuration file that says whether the registry is versioned, and whose flags the
// command switches off: registry.xml, or a 5.9+ deployment.toml (the server renders
// registry.xml from it at every start, so that is the file that must change).
struct FlagFile {
  std::string path;
  bool toml = false;
  std::optional<wso2conf::RegistryVersioning> flags;  ///< nullopt: the file sets none
};

FlagFile registry_xml_file(const std::string& path) {
  if (!fs::is_regular_file(path)) {
    throw Error(ErrorKind::config, fmt::format("{} is not a file", echo(path)),
                "pass the registry.xml of the old server's repository/conf");
  }
  wso2conf::RegistryXml x = wso2conf::read_registry_xml(path);
  if (!x.problem.empty()) {
    throw Error(ErrorKind::config, echo(x.problem), "fix the XML and run again");
  }
  return {path, false, x.versioning};
}

// --registry-xml, or what --home's repository/conf holds: registry.xml and deployment.toml,
// each that sets flags (a 5.9+ deployment.toml that sets none means WSO2's default, off).
std::vector<FlagFile> flag_files(const RegistryArgs& a,
                                 const std::optional<plan::HomeReport>& home) {
  if (!a.registry_xml.empty()) {
    return {registry_xml_file(a.registry_xml)};
  }
  if (!home) {
    throw Error(ErrorKind::usage, "disable-versioning needs --registry-xml PATH or --home IS_HOME",
                "the flags in registry.xml (or deployment.toml) say whether the registry is "
                "versioned; the command sets them to false");
  }
  fs::path conf = fs::path(a.home) / "repository" / "conf";
  std::vector<FlagFile> out;
  if (fs::path xml = conf / "registry.xml"; fs::exists(xml)) {
    out.push_back(registry_xml_file(xml.string()));
  }
  if (fs::path toml = conf / "deployment.toml"; fs::exists(toml)) {
    out.push_back({toml.string(), true, home->registry_toml});
  }
  if (out.empty()) {
    throw Error(ErrorKind::config,
                fmt::format("neither registry.xml nor deployment.toml in {}", echo(conf.string())),
                "pass --registry-xml PATH, or the home of the server whose registry this is");
  }
  return out;
}

// The registry's database: the URL given, else the datasource --home configures for it.
db::ConnectionSpec registry_db(const RegistryArgs& a, const std::optional<plan::HomeReport>& home) {
  if (!a.db.url.empty() || !home) {
    if (!a.datasource.empty()) {
      throw Error(ErrorKind::usage, "--datasource picks a database from --home's configuration",
                  "give --home IS_HOME --datasource ID, or a URL");
    }
    return a.db.spec();
  }
  std::string id = a.datasource.empty() ? home->registry_database : a.datasource;
  if (id.empty()) {
    throw Error(ErrorKind::usage,
                fmt::format("cannot tell which datasource of {} holds the registry",
                            echo(home->config_source.empty() ? a.home : home->config_source)),
                "give the database URL, or --datasource ID");
  }
  return datasource_spec(*home, id, a.db.password_file);
}

int run_disable_versioning(RegistryArgs& a) {
  // Print only: no connection, no configuration file.
  if (!a.print_sql.empty()) {
    if (!a.db.url.empty()) {
      throw Error(ErrorKind::usage, "--print-sql prints the script instead of running it",
                  "give either a database URL or --print-sql DIALECT, not both");
    }
    print_out(cleanup::disable_versioning_script(db::dialect_by_name(a.print_sql)));
    return 0;
  }
  std::optional<plan::HomeReport> home;
  if (!a.home.empty()) {
    home = plan::read_home(a.home);
  }
  // The flags decide whether the cleanup may run: WSO2 says not to run it when they are off.
  // Any file saying "on" is enough: the links may then be versioned.
  std::vector<FlagFile> files = flag_files(a, home);
  bool on = false;
  std::vector<std::string> names;
  for (const FlagFile& f : files) {
    on = on || (f.flags && f.flags->any_on());
    names.push_back(echo(f.path));
  }
  if (!on && !a.force) {
    throw Error(ErrorKind::config,
                fmt::format("registry versioning is already off in {}", fmt::join(names, " and ")),
                "WSO2 says not to run the cleanup then (links are path-based already); "
                "--force runs it anyway");
  }

  db::ConnectionSpec spec = registry_db(a, home);
  std::unique_ptr<db::Connection> conn = open_db(spec);
  if (a.no_backup && !a.options.backup_file.empty()) {
    throw Error(ErrorKind::usage, "--no-backup and --backup-file contradict each other",
                "give one of them");
  }
  if (!a.options.backup_file.empty() && fs::exists(fs::symlink_status(a.options.backup_file))) {
    throw Error(ErrorKind::usage, fmt::format("{} already exists", echo(a.options.backup_file)),
                "name a new file for --backup-file; an existing one is never overwritten");
  }
  a.options.backup = !a.no_backup;
  auto start = std::chrono::steady_clock::now();
  cleanup::RegistryResult r = cleanup::disable_versioning(*conn, a.options);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // Only once the database committed: a configuration that says "off" over versioned links
  // would hide every property, tag, comment and rating. Each file whose flags are on.
  std::vector<std::string> changed;
  for (const FlagFile& f : on && !a.options.dry_run ? files : std::vector<FlagFile>{}) {
    if (!f.flags || !f.flags->any_on()) {
      continue;
    }
    std::string before = read_text(f.path);
    std::string after = f.toml ? cleanup::toml_with_versioning_off(before, f.path)
                               : cleanup::with_versioning_off(before, f.path);
    if (after != before) {
      write_file_atomically(f.path, after);
      changed.push_back(f.path);
    }
  }

  if (a.json) {
    nlohmann::json kinds = nlohmann::json::array();
    for (const cleanup::RegistryKindCounts& k : r.kinds) {
      kinds.push_back({{"links", k.links},
                       {"values", k.values},
                       {"rewritten", k.rewritten},
                       {"dropped", k.dropped},
                       {"orphans_deleted", k.orphans}});
    }
    bool written = r.changed && !a.options.backup_file.empty();
    bool xml_changed = false;
    for (const FlagFile& f : files) {
      xml_changed = xml_changed ||
                    (!f.toml && std::find(changed.begin(), changed.end(), f.path) != changed.end());
    }
    nlohmann::json j = {
        {"target", spec.redacted()},
        {"dry_run", a.options.dry_run},
        {"changed", r.changed},
        {"tables", kinds},
        {"backup_tables", r.backup_tables},
        {"backup_file", written ? nlohmann::json(a.options.backup_file) : nlohmann::json(nullptr)},
        {"backup_file_rows", r.backup_file_rows},
        {"registry_xml_changed", xml_changed},
        {"files_changed", changed},
        {"seconds", secs}};
    print_out(j.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n");
    return 0;
  }
  std::string out;
  if (!r.changed && !a.options.dry_run) {
    out += "nothing to do: every link already carries its path and name\n";
  }
  out += fmt::format("  {:<24} {:>10} {:>10} {:>10}  {}\n", "links", "rewritten", "dropped",
                     "orphans", "values");
  for (const cleanup::RegistryKindCounts& k : r.kinds) {
    out +=
        fmt::format("  {:<24} {:>10} {:>10} {:>10}  {}\n", echo(k.links), group_digits(k.rewritten),
                    group_digits(k.dropped), group_digits(k.orphans), echo(k.values));
  }
  if (a.options.dry_run) {
    out += "dry run: nothing was changed\n";
  } else if (r.changed) {
    out += fmt::format("done in {:.2f} s\n", secs);
    if (!a.options.backup_file.empty()) {
      out += fmt::format(
          "backup: the {} rows changed or deleted are in {}; to undo, run 'cutover registry "
          "restore --backup-file {}' on this database and set the versioning flags back to "
          "true\n",
          group_digits(r.backup_file_rows), echo(a.options.backup_file),
          echo(a.options.backup_file));
    } else if (!r.backup_tables.empty()) {
      out += fmt::format(
          "backup: the rows changed or deleted are in {}; to undo, run 'cutover registry "
          "restore' on this database and set the versioning flags back to true\n",
          fmt::join(r.backup_tables, ", "));
    }
  }
  for (const std::string& f : changed) {
    out += fmt::format("{}: registry versioning flags set to false\n", echo(f));
  }
  print_out(out);
  return 0;
}

struct RestoreArgs {
  DbOptions db;
  std::string backup_file;
};

int run_restore(const RestoreArgs& a) {
  db::ConnectionSpec spec = a.db.spec();
  std::unique_ptr<db::Connection> conn = open_db(spec);
  std::string out;
  bool file = !a.backup_file.empty();
  for (const auto& [table, n] : file ? cleanup::restore_registry_backup_file(*conn, a.backup_file)
                                     : cleanup::restore_registry_backup(*conn)) {
    out += fmt::format("  {:<34} {:>12} restored\n", echo(table), group_digits(n));
  }
  out += file ? "restored from the file (which stays). "
              : "restored; the backup tables are now empty. ";
  out +=
      "Set the versioning flags (registry.xml, or deployment.toml) back to true before the "
      "old server starts.\n";
  print_out(out);
  return 0;
}

}  // namespace

void add_cleanup_commands(CLI::App& app, Runner& selected) {
  CLI::App* cleanup_cmd = app.add_subcommand(
      "cleanup", "remove what the old deployment no longer needs before migrating it");
  cleanup_cmd->require_subcommand(1);
  auto tok = std::make_shared<TokenArgs>();  // shared: CLI11 binds into it until run
  CLI::App* t = cleanup_cmd->add_subcommand(
      "tokens",
      "remove the access tokens WSO2's cleanup procedures remove: EXPIRED, INACTIVE and "
      "REVOKED ones, and ACTIVE ones whose access and refresh validity both ended more than "
      "the safe period ago (validity outside 0..99999999999990 ms never ends), with their "
      "scopes, bindings and request-object references; then authorization codes whose token is "
      "gone and that are used up or expired. Small transactions in key order: a running server "
      "keeps issuing tokens, and a killed run is simply run again. --dry-run counts exactly "
      "what 'inspect' reports.");
  tok->db.add_to(*t);
  t->add_option("--safe-period", tok->safe_period,
                "keep tokens whose validity ended less than this long ago: 2h, 90m, 1d "
                "(a bare number is hours)")
      ->capture_default_str();
  t->add_option("--batch", tok->options.batch,
                "rows per transaction at most, 1 to 100000: larger is faster, smaller holds "
                "locks for less time")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  t->add_option("--max-transaction", tok->max_transaction,
                "time budget of one transaction (500ms, 1s; 0: always --batch rows): each "
                "table's batch starts at 500 rows and is sized to fit, up to --batch")
      ->capture_default_str();
  t->add_option("--pause", tok->options.pause_ms,
                "milliseconds to wait between batches, to leave a busy server room")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  t->add_flag("--audit", tok->options.audit,
              "copy each removed token into IDN_OAUTH2_ACCESS_TOKEN_AUDIT in the same "
              "transaction");
  t->add_flag("--dry-run", tok->options.dry_run, "count what would be removed; change nothing");
  t->add_option("--now", tok->options.now_utc,
                "judge expiry at this UTC time 'YYYY-MM-DD HH:MM:SS' (default: now)");
  t->add_flag("--json", tok->json, "machine-readable output");
  t->callback([&selected, tok] { selected = [tok] { return run_tokens(*tok); }; });

  auto ses = std::make_shared<SessionArgs>();
  CLI::App* s = cleanup_cmd->add_subcommand(
      "sessions",
      "remove the rows of IDN_AUTH_SESSION_STORE and IDN_AUTH_TEMP_SESSION_STORE whose "
      "EXPIRY_TIME (nanoseconds) lies more than the safe period in the past, then, WSO2's second "
      "phase, the store rows of every session (id and type) with a DELETE row older than 12 "
      "hours, as WSO2's session cleanup does; a session id's rows in "
      "IDN_AUTH_USER_SESSION_MAPPING, "
      "IDN_AUTH_SESSION_APP_INFO, IDN_AUTH_SESSION_META_DATA and IDN_FED_AUTH_SESSION_MAPPING "
      "(where present) go once its last store row has gone. Small transactions in key order; "
      "a killed run is simply run again.");
  ses->db.add_to(*s);
  s->add_option("--safe-period", ses->safe_period,
                "keep rows that expired less than this long ago: 2h, 90m, 1d (a bare number "
                "is hours)")
      ->capture_default_str();
  s->add_option("--batch", ses->options.batch, "rows per transaction at most, 1 to 100000")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  s->add_option("--max-transaction", ses->max_transaction,
                "time budget of one transaction (500ms, 1s; 0: always --batch rows)")
      ->capture_default_str();
  s->add_option("--pause", ses->options.pause_ms, "milliseconds to wait between batches")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  s->add_flag("--dry-run", ses->options.dry_run, "count what would be removed; change nothing");
  s->add_option("--now", ses->options.now_utc,
                "judge expiry at this UTC time 'YYYY-MM-DD HH:MM:SS' (default: now)");
  s->add_flag("--json", ses->json, "machine-readable output");
  s->callback([&selected, ses] { selected = [ses] { return run_sessions(*ses); }; });

  CLI::App* reg_cmd =
      app.add_subcommand("registry", "registry steps of the migration (versioning)");
  reg_cmd->require_subcommand(1);
  auto reg = std::make_shared<RegistryArgs>();
  CLI::App* r = reg_cmd->add_subcommand(
      "disable-versioning",
      "turn a registry written with versioning on into one that works with it off, as the "
      "seed's per-database scripts do: links of current resource versions get path and name, "
      "links of older versions go, then the properties, tags, comments and ratings nothing "
      "links to. One transaction, after a backup of every row it deletes or rewrites "
      "(CUTOVER_BAK_* tables, or a --backup-file file; 'registry restore' puts them back). Refuses "
      "when registry.xml "
      "(or, with --home, deployment.toml) already has versioning off. Then sets the flags to "
      "false in each file that has them on, changing nothing else in it. A second run changes "
      "nothing.");
  reg->db.add_to(*r);
  r->add_option("--registry-xml", reg->registry_xml,
                "the old server's repository/conf/registry.xml (read, then its four "
                "versioning flags set to false)");
  r->add_option("--home", reg->home,
                "the old server's home (IS_HOME): the flags in its repository/conf registry.xml "
                "and deployment.toml (each file that sets them is changed), and, without a URL, "
                "the registry's database as configured there")
      ->check(CLI::ExistingDirectory);
  r->add_option("--datasource", reg->datasource,
                "with --home and no URL: the datasource to clean (default: the one registry.xml "
                "names, else shared_db or WSO2_CARBON_DB)");
  r->add_flag("--dry-run", reg->options.dry_run,
              "count what would change (the statements run and are rolled back); no backup, "
              "configuration files untouched");
  r->add_flag("--force", reg->force,
              "run although the configuration says versioning is off (files are left as they "
              "are)");
  r->add_flag("--no-backup", reg->no_backup, "skip the CUTOVER_BAK_* backup tables");
  r->add_option("--backup-file", reg->options.backup_file,
                "save the rows into this new file (JSON lines) instead of CUTOVER_BAK_* tables; "
                "it is complete on disk before the database commits, and an existing file is "
                "never overwritten");
  r->add_option("--print-sql", reg->print_sql,
                "print the script for DIALECT (h2, db2, mssql, mysql, oracle, postgresql, "
                "sqlite) instead of running it");
  r->add_flag("--json", reg->json, "machine-readable output");
  r->callback([&selected, reg] { selected = [reg] { return run_disable_versioning(*reg); }; });

  auto restore = std::make_shared<RestoreArgs>();
  CLI::App* rs = reg_cmd->add_subcommand(
      "restore",
      "undo 'registry disable-versioning' from its CUTOVER_BAK_* tables in one transaction "
      "(deleted values and links back, rewritten links as they were), then empty them; or "
      "from the file its --backup-file wrote");
  restore->db.add_to(*rs);
  rs->add_option("--backup-file", restore->backup_file,
                 "restore from this file (written by disable-versioning --backup-file) instead "
                 "of the backup tables")
      ->check(CLI::ExistingFile);
  rs->callback([&selected, restore] { selected = [restore] { return run_restore(*restore); }; });
}

}  // namespace cutover::cli
