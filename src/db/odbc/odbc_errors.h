// Maps ODBC diagnostics (SQLSTATE, native code, message) to cutover::Error, once for the whole
// backend, and converts between UTF-8 and the UTF-16 SQLWCHAR text of ODBC's wide entry points
// (every call of this backend goes through them, so no driver guesses an 8-bit encoding).
// The mapping (odbc_error_from) needs no handle, so it is unit-testable.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sqltypes.h>

#include "core/error.h"

namespace cutover::db {

/// What the connection was doing; decides in_doubt and the connect-time heuristics.
enum class OdbcPhase { connect, statement, commit };

/// One diagnostic record, already decoded to UTF-8.
struct OdbcDiag {
  std::string sqlstate;
  long native_code = 0;
  std::string message;
};

/// Which engine's codes a driver passes through: MariaDB Connector/ODBC gives the server's
/// error numbers as native codes, psqlodbc the server's SQLSTATE.
enum class OdbcDriverFamily { other, postgresql, mysql };

/// The family of the driver a connection string names (Driver= or DSN=), by its name.
OdbcDriverFamily odbc_driver_family(std::string_view connection_string);

/// What a connection knows beyond the diagnostic.
struct OdbcSession {
  OdbcDriverFamily family = OdbcDriverFamily::other;
  /// Set by the connection's Canceller (SQLCancel, another thread); consumed by the error that
  /// follows, so psqlodbc's 57014 is an interrupt only when we asked for it.
  std::shared_ptr<std::atomic<bool>> cancel_sent = std::make_shared<std::atomic<bool>>(false);
  int query_timeout_s = 0;  ///< SQL_ATTR_QUERY_TIMEOUT set on each statement; 0: none
};

/// The error for diagnostic `d`, raised while doing `what`.
Error odbc_error_from(const OdbcDiag& d, OdbcPhase phase, std::string_view what,
                      const OdbcSession* session = nullptr);

/// Reads the first diagnostic record of `handle` and maps it. Any occurrence of `secret` in
/// the driver's message is replaced by "***" (some drivers echo the connection string).
Error odbc_failure(SQLSMALLINT handle_type, SQLHANDLE handle, OdbcPhase phase,
                   std::string_view what, std::string_view secret = {},
                   const OdbcSession* session = nullptr);

/// UTF-8 to NUL-terminated UTF-16; invalid sequences become U+FFFD.
std::vector<SQLWCHAR> odbc_widen(std::string_view utf8);
/// `n` UTF-16 code units to UTF-8; unpaired surrogates become U+FFFD.
std::string odbc_narrow(const SQLWCHAR* s, std::size_t n);

}  // namespace cutover::db
