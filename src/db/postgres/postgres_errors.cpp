#include "db/postgres/postgres_errors.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>
#include <libpq-fe.h>

namespace cutover::db {

namespace {

constexpr const char* kPasswordHint =
    "check the user name and the password in CUTOVER_DB_PASSWORD "
    "(CUTOVER_SOURCE_PASSWORD / CUTOVER_TARGET_PASSWORD) or --password-file";

std::string first_line(const char* text) {
  std::string s = text != nullptr ? text : "";
  if (std::size_t nl = s.find('\n'); nl != std::string::npos) {
    s.resize(nl);
  }
  // libpq prefixes "ERROR:  "; the kind is printed by us.
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (s.rfind(prefix, 0) == 0) {
      s = s.substr(std::string(prefix).size());
    }
  }
  return s;
}

bool is_sqlstate(std::string_view s) {
  if (s.size() != 5) {
    return false;
  }
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Error postgres_error(pg_conn* conn, const pg_result* res, std::string_view what,
                     const PostgresSession* session) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state != nullptr ? state : "";
  std::string msg = first_line(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  if (msg.empty()) {
    msg = first_line(PQerrorMessage(conn));
  }
  ErrorKind kind = ErrorKind::sql;
  std::string hint;
  // PostgreSQL aborts the whole transaction on any error (no statement-level rollback).
  ErrorTraits traits{.poisons_transaction = true};
  if (PQstatus(conn) == CONNECTION_BAD || sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" ||
      sqlstate == "57P02" || sqlstate == "57P03") {
    // 57P01: terminated (pg_terminate_backend, shutdown); 57P02/57P03: crash, starting up.
    kind = ErrorKind::connection;
    hint = "the connection to PostgreSQL was lost; check the server and run the command again";
  } else if (sqlstate.rfind("23", 0) == 0) {
    kind = ErrorKind::constraint;
  } else if (sqlstate.rfind("28", 0) == 0 || sqlstate == "42501") {
    kind = ErrorKind::auth;
  } else if (sqlstate == "40001" || sqlstate == "40P01") {
    // Serialization failure, deadlock: the transaction was rolled back; run it again.
    traits.retryable = true;
    hint = "a concurrent transaction conflicted with this one; running it again may succeed";
  } else if (sqlstate == "55P03") {
    // lock_not_available: lock_timeout expired (or NOWAIT found the lock taken).
    kind = ErrorKind::timeout;
    traits.retryable = true;
    traits.lock_not_available = true;
    hint =
        "another session holds a lock this statement needs; raise the lock timeout or run "
        "when that session has finished";
  } else if (sqlstate == "57014") {
    // query_canceled: our cancel request, statement_timeout, or another session's
    // pg_cancel_backend. Only the first is an interrupt.
    bool ours = session != nullptr && session->cancel_sent->exchange(false);
    if (ours) {
      kind = ErrorKind::interrupted;
    } else if (session != nullptr && session->statement_timeout_set) {
      kind = ErrorKind::timeout;
      traits.statement_timeout = true;
      hint =
          "the statement ran longer than the statement timeout; raise it, or run when the "
          "database is less busy";
    } else {
      hint = "another session cancelled this statement (pg_cancel_backend)";
    }
  }
  return std::move(Error(kind, fmt::format("{}: {}", what, msg), hint)
                       .with_code(sqlstate, 0, "postgresql")
                       .with_traits(traits));
}

PostgresServerError postgres_parse_connect_error(std::string_view text) {
  // libpq 15 starts a line "connection to server ... failed: " per attempt (host or address)
  // and, when the server answered, puts its error there in verbose form:
  // "FATAL:  28P01: password authentication failed for user \"x\"". The SQLSTATE is read at
  // that fixed place, from the first server that answered: role and database names, which
  // the user controls, come only after it, and may hold anything, even line breaks.
  PostgresServerError out;
  constexpr std::string_view kStart = "connection to server ";
  constexpr std::string_view kFailed = "failed: ";
  for (std::size_t line = 0; line < text.size();) {
    std::size_t end = std::min(text.find('\n', line), text.size());
    std::string_view l = text.substr(line, end - line);
    std::size_t failed = l.find(kFailed);
    if (l.substr(0, kStart.size()) == kStart && failed != std::string_view::npos) {
      std::string_view rest = l.substr(failed + kFailed.size());
      for (std::string_view severity : {"FATAL:  ", "ERROR:  "}) {
        std::string_view code = rest.substr(std::min(severity.size(), rest.size()), 5);
        if (rest.substr(0, severity.size()) == severity && is_sqlstate(code) &&
            rest.substr(severity.size() + 5, 2) == ": ") {
          out.sqlstate = std::string(code);
          out.message = std::string(rest.substr(severity.size() + 7));
          return out;
        }
      }
    }
    line = end + 1;
  }
  return out;
}

Error postgres_connect_error(pg_conn* conn, std::string_view target) {
  const char* raw = PQerrorMessage(conn);
  std::string text = raw != nullptr ? raw : "";
  PostgresServerError server = postgres_parse_connect_error(text);
  const std::string& state = server.sqlstate;
  // Without a server error the text is libpq's own (unreachable host, TLS): its first line.
  std::string msg = !server.message.empty() ? server.message : first_line(text.c_str());
  if (state.rfind("28", 0) == 0 || state == "42501" ||
      (state.empty() && PQconnectionNeedsPassword(conn) != 0)) {
    // 28P01 wrong password (also sent for an unknown role under password auth), 28000 no
    // pg_hba entry or unknown role, 42501 no CONNECT privilege; no password given at all.
    return std::move(Error(ErrorKind::auth,
                           fmt::format("PostgreSQL refused the login to {}: {}", target, msg),
                           kPasswordHint)
                         .with_code(state.empty() ? "28P01" : state, 0, "postgresql"));
  }
  if (state == "3D000") {
    return std::move(Error(ErrorKind::config, fmt::format("cannot connect to {}: {}", target, msg),
                           "check the database name in the URL")
                         .with_code(state, 0, "postgresql"));
  }
  // Unreachable, refused, too many connections (53300), starting up (57P03): may pass.
  return std::move(Error(ErrorKind::connection,
                         fmt::format("cannot connect to PostgreSQL at {}: {}", target, msg),
                         "check host and port, and that the server is running and reachable")
                       .with_code(state.empty() ? "08001" : state, 0, "postgresql"));
}

}  // namespace cutover::db
