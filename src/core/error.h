// cutover::Error: the one exception type of the program.
// It carries the decision-relevant facts as properties (kind, SQLSTATE/native code, backend,
// ErrorTraits) so callers decide by property and never by parsing message text or codes: the
// backend that knows the engine sets the traits at the throw site (db/<b>/<b>_errors.cpp).
// Immutable after construction except for add_context(), used while the error travels up.
#pragma once

#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace cutover {

/// What went wrong, at the granularity callers act on.
enum class ErrorKind {
  usage,        // bad command line
  config,       // bad configuration or input file, unknown version, unknown scheme
  auth,         // wrong password / access denied
  connection,   // server unreachable or connection lost (retryable)
  sql,          // statement failed (syntax, missing table, ...)
  constraint,   // unique / foreign key / not null violation
  in_doubt,     // connection lost during commit: outcome unknown
  io,           // file system
  interrupted,  // Ctrl-C, or our own cancel of a running statement
  timeout,      // a statement or a lock wait ran past its limit (never "interrupted")
  unsupported,  // recognised but not possible here (e.g. jdbc:oracle: without ODBC)
  internal,     // our own bug
};

/// Lower-case name of a kind, as printed in error lines and JSON.
const char* to_string(ErrorKind kind);

/// Decisions the backend makes where the engine's codes are known; core never reads codes.
struct ErrorTraits {
  bool retryable = false;            ///< the same work, run again from its start, may succeed
  bool poisons_transaction = false;  ///< the open transaction cannot commit: roll it back
  bool lock_not_available = false;   ///< a lock was not granted in time (lock timeout, busy)
  bool statement_timeout = false;    ///< the statement ran past its statement timeout
};

class Error : public std::exception {
 public:
  Error(ErrorKind kind, std::string message, std::string hint = {})
      : kind_(kind), message_(std::move(message)), hint_(std::move(hint)) {}

  /// Attaches the database-side facts; returns *this for chaining at the throw site.
  Error& with_code(std::string sqlstate, long native_code, std::string backend) & {
    sqlstate_ = std::move(sqlstate);
    native_code_ = native_code;
    backend_ = std::move(backend);
    return *this;
  }

  Error&& with_code(std::string sqlstate, long native_code, std::string backend) && {
    return std::move(with_code(std::move(sqlstate), native_code, std::move(backend)));
  }

  /// Sets the backend's decisions; returns *this for chaining at the throw site.
  Error& with_traits(ErrorTraits traits) & {
    traits_ = traits;
    return *this;
  }

  Error&& with_traits(ErrorTraits traits) && { return std::move(with_traits(traits)); }

  /// Appends "while doing X" context on the way up; printed outermost last.
  void add_context(std::string context) { context_.push_back(std::move(context)); }

  ErrorKind kind() const { return kind_; }

  const std::string& message() const { return message_; }

  const std::string& hint() const { return hint_; }

  const std::string& sqlstate() const { return sqlstate_; }

  long native_code() const { return native_code_; }

  const std::string& backend() const { return backend_; }

  const std::vector<std::string>& context() const { return context_; }

  /// True when running the same work again (on a fresh connection if this one is poisoned)
  /// may succeed: deadlocks, serialization failures, lock timeouts, lost connections. Never
  /// for in_doubt.
  bool retryable() const;
  /// True when the connection that raised this must not be used again.
  bool poisons_connection() const;

  /// True when the open transaction is lost (the engine rolled it back or will only roll it
  /// back); false means only the failed statement was undone.
  bool poisons_transaction() const { return traits_.poisons_transaction || poisons_connection(); }

  bool lock_not_available() const { return traits_.lock_not_available; }

  bool statement_timeout() const { return traits_.statement_timeout; }

  /// One line: message, then context, then code; no hint (printed separately).
  std::string one_line() const;

  const char* what() const noexcept override { return message_.c_str(); }

 private:
  ErrorKind kind_;
  std::string message_;
  std::string hint_;
  std::string sqlstate_;
  long native_code_ = 0;
  std::string backend_;
  ErrorTraits traits_;
  std::vector<std::string> context_;
};

}  // namespace cutover
