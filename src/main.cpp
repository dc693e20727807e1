// cutover: argv -> cli::run -> exit code. The only catch-all in the program: every error
// becomes one line plus a hint on stderr and the documented exit code.
#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>

#include <fmt/format.h>

#include "cli/command_table.h"
#include "cli/exit_codes.h"
#include "core/cancel.h"
#include "core/echo.h"
#include "core/error.h"

namespace {

// Error lines carry user input (URLs, paths, configuration values, server replies): whatever a
// throw site missed is escaped and bounded here, so no input can drive or flood the terminal.
constexpr std::size_t kLineLimit = 1000;

// stderr may be closed or full too; nothing is left to report that to, so no exception either.
void print_error(const std::string& line) {
  std::fputs(line.c_str(), stderr);
}

}  // namespace

int main(int argc, char** argv) {
  cutover::install_cancel_handler();
  try {
    return cutover::cli::run(argc, argv);
  } catch (const cutover::Error& e) {
    print_error(fmt::format("cutover: error: {}\n", cutover::echo(e.one_line(), kLineLimit)));
    if (!e.hint().empty()) {
      print_error(fmt::format("cutover: hint: {}\n", cutover::echo(e.hint(), kLineLimit)));
    }
    return static_cast<int>(cutover::cli::exit_code_for(e));
  } catch (const std::exception& e) {
    print_error(fmt::format("cutover: internal error: {}\n", cutover::echo(e.what(), kLineLimit)));
    print_error(
        "cutover: hint: this is a bug in cutover; please report it with the command you ran\n");
    return static_cast<int>(cutover::cli::ExitCode::failure);
  }
}
