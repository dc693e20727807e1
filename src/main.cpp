// cutover: argv -> cli::run -> exit code. The only catch-all in the program: every error
// becomes one line plus a hint on stderr and the documented exit code.
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "cli/command_table.h"
#include "cli/exit_codes.h"
#include "core/cancel.h"
#include "core/error.h"

int main(int argc, char** argv) {
  cutover::install_cancel_handler();
  try {
    return cutover::cli::run(argc, argv);
  } catch (const cutover::Error& e) {
    fmt::print(stderr, "cutover: error: {}\n", e.one_line());
    if (!e.hint().empty()) {
      fmt::print(stderr, "cutover: hint: {}\n", e.hint());
    }
    return static_cast<int>(cutover::cli::exit_code_for(e));
  } catch (const std::exception& e) {
    fmt::print(stderr, "cutover: internal error: {}\n", e.what());
    fmt::print(stderr,
               "cutover: hint: this is a bug in cutover; please report it with the "
               "command you ran\n");
    return static_cast<int>(cutover::cli::ExitCode::failure);
  }
}
