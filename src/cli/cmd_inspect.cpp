// cutover inspect: what the operator has (engine, product version, table sizes, cleanup
// estimate; with --home also configuration, registry versioning and custom components).
#include <cstdint>
#include <memory>

#include <fmt/format.h>

#include "cli/command_table.h"
#include "cli/common.h"
#include "cli/render_inspect.h"
#include "core/echo.h"
#include "core/error.h"
#include "core/secret.h"
#include "db/registry.h"
#include "db/table_def.h"
#include "plan/home.h"
#include "plan/inspect.h"

namespace cutover::cli {

namespace {

constexpr std::uint64_t kMaxSafePeriodHours = 87'600;

struct InspectArgs {
  DbOptions db;
  std::string home;
  std::string datasource;
  bool json = false;
  plan::InspectOptions options;
};

int run_inspect(const InspectArgs& a) {
  if (a.db.url.empty() && a.home.empty() && a.datasource.empty()) {
    throw Error(ErrorKind::usage, "inspect needs a database URL or --home IS_HOME",
                "e.g. cutover inspect sqlite:demo.db, or cutover inspect --home /opt/wso2is-5.8.0");
  }
  std::optional<plan::HomeReport> home;
  if (!a.home.empty()) {
    home = plan::read_home(a.home);
  }
  std::optional<plan::InspectReport> report;
  if (!a.datasource.empty()) {
    if (!home || !a.db.url.empty()) {
      throw Error(ErrorKind::usage, "--datasource picks a database from --home's configuration",
                  "give --home IS_HOME --datasource ID, without a URL");
    }
    db::ConnectionSpec spec = datasource_spec(*home, a.datasource, a.db.password_file);
    std::unique_ptr<db::Connection> conn = open_db(spec, /*create=*/false, /*read_only=*/true);
    report = plan::inspect(*conn, spec.redacted(), a.options);
  } else if (!a.db.url.empty()) {
    db::ConnectionSpec spec = a.db.spec();
    std::unique_ptr<db::Connection> conn = open_db(spec, /*create=*/false, /*read_only=*/true);
    report = plan::inspect(*conn, spec.redacted(), a.options);
  }
  if (a.json) {
    // ASCII only, so no control character of a hostile name reaches a terminal (JSON escapes
    // C0 controls itself, not C1 ones); invalid UTF-8 from a configuration file becomes U+FFFD
    // instead of an exception.
    print_out(
        inspect_json(report, home).dump(2, ' ', true, nlohmann::json::error_handler_t::replace) +
        "\n");
  } else {
    print_out(inspect_text(report, home));
  }
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, Runner& selected) {
  auto args = std::make_shared<InspectArgs>();  // shared: CLI11 binds into it until run
  CLI::App* c = app.add_subcommand(
      "inspect",
      "describe a deployment: engine, product version (fingerprint over the catalogue), table "
      "sizes, tokens eligible for cleanup; with --home also its databases, registry versioning "
      "and custom components. Reads only.");
  args->db.add_to(*c);
  c->add_option("--home", args->home,
                "product home (IS_HOME): read repository/conf and repository/components")
      ->check(CLI::ExistingDirectory);
  c->add_option("--datasource", args->datasource,
                "inspect the database --home configures under this id (identity_db, shared_db, "
                "or a datasource name), with its configured password");
  c->add_flag("--json", args->json, "machine-readable output");
  c->add_option("--product", args->options.product, "product: is")->capture_default_str();
  c->add_option("--safe-period", args->options.safe_period_hours,
                fmt::format("hours after expiry before a token counts as eligible for cleanup, "
                            "0 to {} (ten years)",
                            kMaxSafePeriodHours))
      ->capture_default_str()
      ->check(whole_number(kMaxSafePeriodHours));
  c->add_option("--now", args->options.now_utc,
                "judge eligibility at this UTC time 'YYYY-MM-DD HH:MM:SS' (default: now)");
  c->callback([&selected, args] { selected = [args] { return run_inspect(*args); }; });
}

}  // namespace cutover::cli
