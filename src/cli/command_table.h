// The command table: every verb registers its options on the CLI11 app and, when chosen,
// leaves the function that runs it in `selected`. run() parses argv and calls it.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace cutover::cli {

/// Runs the chosen command; returns its exit code (errors are thrown as cutover::Error).
using Runner = std::function<int()>;

void add_schema_commands(CLI::App& app, Runner& selected);
void add_inspect_command(CLI::App& app, Runner& selected);
void add_sync_commands(CLI::App& app, Runner& selected);
void add_demo_command(CLI::App& app, Runner& selected);
void add_cleanup_commands(CLI::App& app, Runner& selected);
void add_secrets_commands(CLI::App& app, Runner& selected);
void add_config_commands(CLI::App& app, Runner& selected);
void add_verify_command(CLI::App& app, Runner& selected);

/// Parses argv and runs the command. Throws cutover::Error; main() turns it into an exit code.
int run(int argc, char** argv);

}  // namespace cutover::cli
