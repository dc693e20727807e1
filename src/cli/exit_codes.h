// The exit codes scripts rely on: one enum, documented in --help and the README.
#pragma once

#include "core/error.h"

namespace cutover::cli {

enum class ExitCode : int {
  success = 0,
  failure = 1,        ///< the work failed (database error, unreachable server, ...)
  usage = 2,          ///< bad command line or configuration; nothing was done
  differences = 3,    ///< verify found differences
  in_doubt = 4,       ///< a commit's outcome is unknown: check before re-running
  not_ready = 5,      ///< cutover gate not ready
  interrupted = 130,  ///< Ctrl-C
};

/// The exit code for an error that ended the command.
ExitCode exit_code_for(const Error& e);

/// The table printed in --help and the README.
const char* exit_code_help();

}  // namespace cutover::cli
