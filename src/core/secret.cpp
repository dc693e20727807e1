#include "core/secret.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "core/echo.h"
#include "core/error.h"

namespace cutover {

namespace {

// The first line of the file, without its line end. A file that cannot be read is bad input
// like a missing one (exit 2), named by path and cause, never by content.
std::string read_password_file(const std::string& path) {
  auto fail = [&](int err) {
    return Error(ErrorKind::config,
                 fmt::format("cannot read password file {}: {}", echo(path), std::strerror(err)),
                 "check the path and that the file is readable by this user");
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    throw fail(errno);
  }
  // A password is short; the first 64 KiB hold its line or the file is not a password file.
  std::string text(std::size_t{64} * 1024, '\0');
  std::size_t n = std::fread(text.data(), 1, text.size(), f.get());
  if (std::ferror(f.get()) != 0) {
    throw fail(errno);  // EISDIR for a directory, EIO, ...
  }
  text.resize(n);
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

}  // namespace

std::optional<Secret> password_from(std::string_view env_var, std::string_view password_file) {
  // An explicit --password-file wins over the environment.
  if (!password_file.empty()) {
    return Secret(read_password_file(std::string(password_file)));
  }
  if (!env_var.empty()) {
    if (const char* v = std::getenv(std::string(env_var).c_str()); v != nullptr && *v != '\0') {
      return Secret(v);
    }
  }
  return std::nullopt;
}

}  // namespace cutover
