#include "cli/common.h"

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "core/secret.h"
#include "db/registry.h"

namespace cutover::cli {

ExitCode exit_code_for(const Error& e) {
  switch (e.kind()) {
    case ErrorKind::usage:
    case ErrorKind::config:
      return ExitCode::usage;
    case ErrorKind::in_doubt:
      return ExitCode::in_doubt;
    case ErrorKind::interrupted:
      return ExitCode::interrupted;
    default:
      return ExitCode::failure;
  }
}

const char* exit_code_help() {
  return "Exit codes:\n"
         "  0    success\n"
         "  1    failure (database error, unreachable server, wrong password, ...)\n"
         "  2    bad command line or configuration; nothing was changed\n"
         "  3    verify found differences\n"
         "  4    a commit's outcome is unknown: check the database before re-running\n"
         "  5    cutover gate not ready\n"
         "  130  interrupted (Ctrl-C); the interrupted step was rolled back\n";
}

void DbOptions::add_to(CLI::App& cmd) {
  CLI::Option* pos = cmd.add_option("url", url,
                                    "database URL: sqlite:PATH, postgresql://USER@HOST:PORT/DB, "
                                    "mysql://USER@HOST:PORT/DB, odbc:CONNECTION-STRING");
  CLI::Option* flag = cmd.add_option("--db", url, "database URL (same as the positional URL)");
  pos->excludes(flag);
  flag->excludes(pos);
  cmd.add_option("--password-file", password_file,
                 "read the password from the first line of FILE (wins over CUTOVER_DB_PASSWORD)")
      ->check(CLI::ExistingFile);
}

db::ConnectionSpec DbOptions::spec() const {
  if (url.empty()) {
    throw Error(ErrorKind::usage, "no database given",
                "name one as a URL, e.g. sqlite:demo.db or postgresql://user@host:5432/db");
  }
  db::ConnectionSpec spec = db::parse_url(url, db::UrlOrigin::argv);
  if (std::optional<Secret> pw = password_from("CUTOVER_DB_PASSWORD", password_file)) {
    spec.password = *pw;
  }
  return spec;
}

std::unique_ptr<db::Connection> open_db(const db::ConnectionSpec& spec, bool create,
                                        bool read_only) {
  db::OpenOptions options;
  options.create = create;
  options.read_only = read_only;
  return db::open(spec, options);
}

std::string group_digits(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string human_bytes(std::int64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", n) : fmt::format("{:.1f} {}", v, units[u]);
}

}  // namespace cutover::cli
