// cutover sync prepare | copy | run | status | remove.
#include "cli/command_table.h"

namespace cutover::cli {

void add_sync_commands(CLI::App& /*app*/, Runner& /*selected*/) {}

}  // namespace cutover::cli
