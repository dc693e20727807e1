#include "cli/command_table.h"

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "core/error.h"

namespace cutover::cli {

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    fmt::print("{}", app.help());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    fmt::print("{}", app.help("", CLI::AppFormatMode::All));
    return 0;
  } catch (const CLI::CallForVersion& e) {
    fmt::print("{}\n", e.what());
    return 0;
  } catch (const CLI::ParseError& e) {
    // CLI11 raises --help inside a subcommand as CallForHelp too, handled above; everything
    // else is a usage error with a pointer to the help.
    throw Error(ErrorKind::usage, e.what(), "run 'cutover --help' or 'cutover COMMAND --help'");
  }
  if (!selected) {
    throw Error(ErrorKind::usage, "no command given", "run 'cutover --help'");
  }
  return selected();
}

}  // namespace cutover::cli
