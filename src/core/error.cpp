#include "core/error.h"

#include <fmt/format.h>

namespace cutover {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::usage:
      return "usage";
    case ErrorKind::config:
      return "config";
    case ErrorKind::auth:
      return "auth";
    case ErrorKind::connection:
      return "connection";
    case ErrorKind::sql:
      return "sql";
    case ErrorKind::constraint:
      return "constraint";
    case ErrorKind::in_doubt:
      return "in_doubt";
    case ErrorKind::io:
      return "io";
    case ErrorKind::interrupted:
      return "interrupted";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::unsupported:
      return "unsupported";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

bool Error::retryable() const {
  // A lost connection is retryable on a new one; the rest the backend decided. An unknown
  // commit outcome never is: running the work again could apply it twice.
  if (kind_ == ErrorKind::in_doubt) {
    return false;
  }
  return kind_ == ErrorKind::connection || traits_.retryable;
}

bool Error::poisons_connection() const {
  return kind_ == ErrorKind::connection || kind_ == ErrorKind::in_doubt;
}

std::string Error::one_line() const {
  std::string line = message_;
  for (const std::string& c : context_) {
    line += fmt::format(" (while {})", c);
  }
  if (!sqlstate_.empty() || native_code_ != 0) {
    line += " [";
    if (!backend_.empty()) {
      line += backend_ + " ";
    }
    if (!sqlstate_.empty()) {
      line += "SQLSTATE " + sqlstate_;
    }
    if (native_code_ != 0) {
      line += fmt::format("{}code {}", sqlstate_.empty() ? "" : ", ", native_code_);
    }
    line += "]";
  }
  // One line means one line: server messages sometimes carry newlines.
  for (char& ch : line) {
    if (ch == '\n' || ch == '\r') {
      ch = ' ';
    }
  }
  while (!line.empty() && line.back() == ' ') {
    line.pop_back();
  }
  return line;
}

}  // namespace cutover
