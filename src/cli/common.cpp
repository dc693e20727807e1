#include "cli/common.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "core/echo.h"
#include "core/secret.h"
#include "db/registry.h"
#include "db/table_def.h"
#include "plan/home.h"

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
         "  1    failure (database error, unreachable server, wrong password, statement or lock\n"
         "       timeout, ...)\n"
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
  // Checked when read (password_from), so a missing and an unreadable file get the same
  // error and hint.
  cmd.add_option("--password-file", password_file,
                 "read the password from the first line of FILE (wins over CUTOVER_DB_PASSWORD)");
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

CLI::Validator whole_number(std::uint64_t max) {
  return {[max](std::string& text) -> std::string {
            std::uint64_t v = 0;
            const char* end = text.data() + text.size();
            auto [ptr, ec] = std::from_chars(text.data(), end, v);
            if (ec == std::errc() && ptr == end && v <= max) {
              return {};
            }
            return fmt::format("expected a whole number from 0 to {}, got '{}'", max,
                               echo(text, 40));
          },
          fmt::format("0..{}", max)};
}

namespace {

[[noreturn]] void output_failed(int err) {
  throw Error(ErrorKind::io, fmt::format("cannot write to standard output: {}", std::strerror(err)),
              err == EPIPE ? "the program reading cutover's output closed it before the end"
                           : "make room where the output goes, or send it somewhere else");
}

}  // namespace

void print_out(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) {
    output_failed(errno);
  }
}

void flush_out() {
  if (std::fflush(stdout) != 0) {
    output_failed(errno);
  }
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

namespace {
// A note explains why a datasource cannot be opened; it may quote the configured URL.
constexpr std::size_t kNoteLimit = 400;
}  // namespace

db::ConnectionSpec datasource_spec(const plan::HomeReport& home, const std::string& id,
                                   const std::string& password_file) {
  std::vector<std::string> ids;
  for (const wso2conf::Datasource& d : home.databases) {
    ids.push_back(echo(d.id));
    if (!db::same_ident(d.id, id)) {
      continue;
    }
    if (!d.spec) {
      throw Error(ErrorKind::unsupported,
                  fmt::format("cutover cannot open datasource {} ({}) directly", echo(d.id),
                              echo(d.engine)),
                  echo(d.note, kNoteLimit));
    }
    db::ConnectionSpec spec = *d.spec;
    if (std::optional<Secret> pw = password_from("CUTOVER_DB_PASSWORD", password_file)) {
      spec.password = *pw;
    } else if (d.password_protected) {
      throw Error(
          ErrorKind::config,
          fmt::format("the password of datasource {} is protected by the secure vault", echo(d.id)),
          "set CUTOVER_DB_PASSWORD or pass --password-file FILE");
    }
    return spec;
  }
  throw Error(ErrorKind::usage,
              fmt::format("no datasource '{}' in {}", echo(id), echo(home.config_source)),
              fmt::format("configured: {}",
                          ids.empty() ? "none"
                                      : echo(fmt::format("{}", fmt::join(ids, ", ")), kNoteLimit)));
}

}  // namespace cutover::cli
