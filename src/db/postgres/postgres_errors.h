// Maps libpq failures to cutover::Error by the SQLSTATE the server sends (never by message
// text), deciding the ErrorTraits where PostgreSQL's behaviour is known.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

struct pg_conn;
struct pg_result;

namespace cutover::db {

/// What a connection knows beyond the SQLSTATE: 57014 (query_canceled) is sent both for a
/// cancel request and for statement_timeout, so the connection remembers whether it asked.
struct PostgresSession {
  /// Set by the connection's Canceller (another thread); consumed by the 57014 it causes.
  std::shared_ptr<std::atomic<bool>> cancel_sent = std::make_shared<std::atomic<bool>>(false);
  bool statement_timeout_set = false;  ///< OpenOptions::statement_timeout_ms was applied
};

/// Error for a failed result (may be null when the connection itself failed).
Error postgres_error(pg_conn* conn, const pg_result* res, std::string_view what,
                     const PostgresSession* session = nullptr);

/// Error for a failed connection attempt. `conn` must have been started with
/// PQERRORS_VERBOSE, so the server's SQLSTATE stands at a fixed place in the message.
Error postgres_connect_error(pg_conn* conn, std::string_view target);

/// The server's SQLSTATE and message in a verbose libpq connection error ("... failed:
/// FATAL:  28P01: password authentication failed ..."), of the first server that answered;
/// empty SQLSTATE when no server sent one. Exposed for tests.
struct PostgresServerError {
  std::string sqlstate;
  std::string message;
};

PostgresServerError postgres_parse_connect_error(std::string_view text);

}  // namespace cutover::db
