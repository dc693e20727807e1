// cutover config convert: an old home's XML configuration to a deployment.toml, written
// atomically (never over an existing file without --force), with a report of every customised
// value that has no TOML key. Passwords go into the TOML as written and never into the report.
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_table.h"
#include "cli/common.h"
#include "confconv/convert.h"
#include "core/atomic_file.h"
#include "core/echo.h"
#include "core/error.h"

namespace cutover::cli {

namespace {

struct ConvertArgs {
  std::string home;
  std::string output = "deployment.toml";
  std::string baseline;
  std::string target_version = "5.9.0";
  bool force = false;
  bool json = false;
};

int run_convert(const ConvertArgs& a) {
  std::error_code ec;
  if (std::filesystem::exists(a.output, ec) && !a.force) {
    throw Error(ErrorKind::usage, fmt::format("{} already exists", echo(a.output)),
                "give another -o FILE, or --force to replace it");
  }
  confconv::ConvertOptions o;
  o.home = a.home;
  o.target_version = a.target_version;
  if (!a.baseline.empty()) {
    o.baseline = a.baseline;
  }
  confconv::ConvertResult r = confconv::convert(o);
  write_file_atomically(a.output, r.toml);
  if (a.json) {
    nlohmann::json j;
    j["output"] = a.output;
    j["files_read"] = r.files_read;
    j["notes"] = r.notes;
    j["mapped"] = nlohmann::json::array();
    for (const confconv::Mapped& m : r.mapped) {
      j["mapped"].push_back({{"file", m.file}, {"path", m.path}, {"toml_key", m.toml_key}});
    }
    j["unmapped"] = nlohmann::json::array();
    for (const confconv::Unmapped& u : r.unmapped) {
      nlohmann::json e{{"file", u.file}, {"path", u.path}, {"why", u.why}, {"secret", u.secret}};
      if (!u.secret) {
        e["value"] = u.value;
      }
      if (!u.log4j2.empty()) {
        e["log4j2"] = u.log4j2;
      }
      j["unmapped"].push_back(e);
    }
    print_out(j.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) + "\n");
    return 0;
  }
  std::string out = fmt::format("wrote {}: {} settings from {} files\n", echo(a.output),
                                r.mapped.size(), r.files_read.size());
  for (const std::string& n : r.notes) {
    out += fmt::format("  note: {}\n", echo(n, 400));
  }
  if (r.unmapped.empty()) {
    out += "every customised value is in the TOML\n";
  } else {
    out += fmt::format("{} customised values have no deployment.toml key (carry them by hand):\n",
                       r.unmapped.size());
    for (const confconv::Unmapped& u : r.unmapped) {
      out += fmt::format("  {} {} = {}  ({})\n", echo(u.file), echo(u.path, 200),
                         u.secret ? "(secret, not shown)" : echo(u.value, 200), u.why);
      for (const std::string& l : u.log4j2) {
        out += fmt::format("      log4j2: {}\n", echo(l, 200));
      }
    }
  }
  print_out(out);
  return 0;
}

}  // namespace

void add_config_commands(CLI::App& app, Runner& selected) {
  CLI::App* c = app.add_subcommand("config", "product configuration: convert the old XML files");
  c->require_subcommand(1);
  auto args = std::make_shared<ConvertArgs>();
  CLI::App* v = c->add_subcommand(
      "convert",
      "read an IS 5.8-or-older home's repository/conf (carbon.xml, user-mgt.xml, identity.xml, "
      "registry.xml, axis2.xml, catalina-server.xml, master-datasources.xml, log4j.properties) "
      "and write the deployment.toml of IS 5.9+: every mapped setting whose value differs from "
      "the new default; report every other customised value (secrets never shown)");
  v->add_option("--home", args->home, "the old product home (IS_HOME)")
      ->required()
      ->check(CLI::ExistingDirectory);
  v->add_option("-o,--output", args->output, "the deployment.toml to write")->capture_default_str();
  v->add_option("--baseline", args->baseline,
                "an unmodified pack of the same old version: only values that differ from it "
                "count as customised (without it, every value the mapping does not take is "
                "reported)")
      ->check(CLI::ExistingDirectory);
  v->add_option("--target-version", args->target_version, "the new IS version (5.9.0 or later)")
      ->capture_default_str();
  v->add_flag("--force", args->force, "replace an existing output file");
  v->add_flag("--json", args->json, "machine-readable report");
  v->callback([args, &selected] { selected = [args] { return run_convert(*args); }; });
}

}  // namespace cutover::cli
