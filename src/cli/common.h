// Helpers the command files share: database options, password resolution, output.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "db/connection.h"
#include "db/url.h"

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

/// Opens the database, creating a SQLite file only when `create` is set.
std::unique_ptr<db::Connection> open_db(const db::ConnectionSpec& spec, bool create = false,
                                        bool read_only = false);

/// 1234567 -> "1,234,567"; bytes -> "12.3 MiB".
std::string group_digits(std::int64_t n);
std::string human_bytes(std::int64_t n);

}  // namespace cutover::cli
