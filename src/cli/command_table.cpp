#include "cli/command_table.h"

#include <fmt/format.h>

#include "cli/common.h"
#include "cli/exit_codes.h"
#include "core/echo.h"
#include "core/error.h"

namespace cutover::cli {

namespace {

// CLI11's messages name the option and quote the value given; room for both.
constexpr std::size_t kParseErrorLimit = 300;

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "cutover: move a WSO2 Identity Server / API Manager deployment to a new version without "
      "downtime and without losing data.",
      "cutover"};
  app.set_version_flag("--version", std::string("cutover ") + CUTOVER_VERSION);
  app.require_subcommand(1);
  app.footer(std::string("\nPasswords never go on the command line: set CUTOVER_DB_PASSWORD "
                         "(CUTOVER_SOURCE_PASSWORD / CUTOVER_TARGET_PASSWORD for two databases) "
                         "or use --password-file FILE.\n\n") +
             exit_code_help());

  Runner selected;
  add_schema_commands(app, selected);
  add_inspect_command(app, selected);
  add_sync_commands(app, selected);
  add_demo_command(app, selected);
  add_cleanup_commands(app, selected);
  add_secrets_commands(app, selected);
  add_config_commands(app, selected);
  add_verify_command(app, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    print_out(app.help());
    flush_out();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    print_out(app.help("", CLI::AppFormatMode::All));
    flush_out();
    return 0;
  } catch (const CLI::CallForVersion& e) {
    print_out(fmt::format("{}\n", e.what()));
    flush_out();
    return 0;
  } catch (const CLI::ParseError& e) {
    // CLI11 raises --help inside a subcommand as CallForHelp too, handled above; everything
    // else is a usage error with a pointer to the help. Its text quotes argv: bounded here.
    throw Error(ErrorKind::usage, echo(e.what(), kParseErrorLimit),
                "run 'cutover --help' or 'cutover COMMAND --help'");
  }
  if (!selected) {
    throw Error(ErrorKind::usage, "no command given", "run 'cutover --help'");
  }
  int rc = selected();
  // Output still buffered must reach its destination before success is reported.
  flush_out();
  return rc;
}

}  // namespace cutover::cli
