#include "core/secret.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "core/error.h"

namespace cutover {

std::optional<Secret> password_from(std::string_view env_var, std::string_view password_file) {
  // An explicit --password-file wins over the environment.
  if (!password_file.empty()) {
    std::ifstream in{std::string(password_file)};
    if (!in) {
      throw Error(
          ErrorKind::io,
          fmt::format("cannot read password file {}: {}", password_file, std::strerror(errno)),
          "check the path and that the file is readable by this user");
    }
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
      line.pop_back();
    }
    return Secret(line);
  }
  if (!env_var.empty()) {
    if (const char* v = std::getenv(std::string(env_var).c_str()); v != nullptr && *v != '\0') {
      return Secret(v);
    }
  }
  return std::nullopt;
}

}  // namespace cutover
