// Helpers the command files share: database options, password resolution, output.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "db/connection.h"
#include "db/url.h"

namespace cutover::plan {
struct HomeReport;
}

namespace cutover::cli {

/// One database named on the command line: positional URL or --db, plus --password-file.
struct DbOptions {
  std::string url;
  std::string password_file;

  /// Adds `url` (positional) and `--db`, `--password-file` to the command; spec() reports a
  /// missing URL, so commands that can work without one (--print-sql, --home) may omit it.
  void add_to(CLI::App& cmd);
  /// Parses the URL (refusing a password in it) and adds the password from
  /// CUTOVER_DB_PASSWORD or --password-file.
  db::ConnectionSpec spec() const;
};

/// The database a product home's configuration names under `id` (identity_db, shared_db, a
/// datasource name), with the configured password unless CUTOVER_DB_PASSWORD or
/// `password_file` gives one (for secure-vault protected passwords). Throws a usage error
/// listing the configured ids when there is no such datasource.
db::ConnectionSpec datasource_spec(const plan::HomeReport& home, const std::string& id,
                                   const std::string& password_file);

/// Opens the database, creating a SQLite file only when `create` is set.
std::unique_ptr<db::Connection> open_db(const db::ConnectionSpec& spec, bool create = false,
                                        bool read_only = false);

/// A CLI11 check: the value is a whole number from 0 to `max`. It runs on the text before
/// CLI11 converts it, whose own conversion wraps "-1" into an unsigned type and clamps values
/// out of range without a word.
CLI::Validator whole_number(std::uint64_t max);

/// Writes `text` to standard output. A write that fails (a full disk, a reader that went away
/// with SIGPIPE ignored) throws an io error naming the cause.
void print_out(std::string_view text);
/// Flushes standard output, throwing the same error when buffered output cannot be written.
void flush_out();

/// 1234567 -> "1,234,567"; bytes -> "12.3 MiB".
std::string group_digits(std::int64_t n);
std::string human_bytes(std::int64_t n);

}  // namespace cutover::cli
