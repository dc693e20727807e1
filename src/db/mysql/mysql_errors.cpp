#include "db/mysql/mysql_errors.h"

#include <string>

#include <fmt/format.h>
#include <mysql.h>

namespace cutover::db {

namespace {

constexpr const char* kPasswordHint =
    "check the user name and the password in CUTOVER_DB_PASSWORD "
    "(CUTOVER_SOURCE_PASSWORD / CUTOVER_TARGET_PASSWORD) or --password-file";
constexpr const char* kReachHint = "check host/port and that the server runs";

// The connection is gone: nothing more can be sent on it.
bool is_connection_loss(unsigned int code) {
  switch (code) {
    case 2002:  // CR_CONNECTION_ERROR: cannot connect through the socket
    case 2003:  // CR_CONN_HOST_ERROR: cannot connect over TCP
    case 2005:  // CR_UNKNOWN_HOST
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2026:  // CR_SSL_CONNECTION_ERROR
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 1040:  // ER_CON_COUNT_ERROR: too many connections (transient)
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MariaDB) / idle client disconnected (MySQL)
      return true;
    default:
      return false;
  }
}

bool is_constraint(unsigned int code, std::string_view sqlstate) {
  switch (code) {
    case 1048:  // ER_BAD_NULL_ERROR
    case 1062:  // ER_DUP_ENTRY
    case 1169:  // ER_DUP_UNIQUE
    case 1216:  // ER_NO_REFERENCED_ROW (old servers)
    case 1217:  // ER_ROW_IS_REFERENCED (old servers)
    case 1364:  // ER_NO_DEFAULT_FOR_FIELD: NOT NULL column left out, strict mode
    case 1451:  // ER_ROW_IS_REFERENCED_2
    case 1452:  // ER_NO_REFERENCED_ROW_2
    case 1557:  // ER_FOREIGN_DUPLICATE_KEY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
    case 3819:  // ER_CHECK_CONSTRAINT_VIOLATED (MySQL 8)
    case 4025:  // ER_CONSTRAINT_FAILED (MariaDB CHECK)
      return true;
    default:
      return sqlstate.substr(0, 2) == "23";
  }
}

// Client messages are single lines today; keep it that way if a server's are not.
std::string one_line(std::string_view text) {
  std::string s(text);
  for (char& c : s) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return s;
}

}  // namespace

Error mysql_error_from_code(unsigned int code, std::string_view sqlstate, std::string_view message,
                            MysqlPhase phase, std::string_view what, const MysqlSession* session) {
  ErrorKind kind = ErrorKind::sql;
  std::string hint;
  ErrorTraits traits;
  // Our KILL QUERY, if one was sent, caused this error whatever its number.
  bool cancel_sent = session != nullptr && session->cancel_sent->exchange(false);
  if (code == 1045 || code == 1698 || code == 1862 || code == 1251) {
    // Access denied / no password / expired password / auth protocol the client lacks.
    kind = ErrorKind::auth;
    hint = kPasswordHint;
  } else if (code == 1044 || code == 1142 || code == 1143 || code == 1227) {
    kind = ErrorKind::auth;
    hint = "the user lacks a privilege for this; grant it or connect as another user";
  } else if (is_connection_loss(code)) {
    // Lost while committing: the server may or may not have committed before it went away.
    kind = phase == MysqlPhase::commit ? ErrorKind::in_doubt : ErrorKind::connection;
    hint = phase == MysqlPhase::commit
               ? "the outcome of the commit is unknown; check the target before running again"
               : kReachHint;
  } else if (code == 1049) {
    kind = ErrorKind::config;
    hint = "check the database name in the URL";
  } else if (is_constraint(code, sqlstate)) {
    kind = ErrorKind::constraint;
  } else if (code == 1213) {  // ER_LOCK_DEADLOCK: InnoDB rolled back the whole transaction
    traits = {.retryable = true, .poisons_transaction = true};
    hint = "a concurrent transaction deadlocked with this one; running it again may succeed";
  } else if (code == 1205) {
    // ER_LOCK_WAIT_TIMEOUT (innodb_lock_wait_timeout, or lock_wait_timeout for metadata
    // locks): only the statement is rolled back unless innodb_rollback_on_timeout is on.
    kind = ErrorKind::timeout;
    traits = {.retryable = true,
              .poisons_transaction = session != nullptr && session->rollback_on_timeout,
              .lock_not_available = true};
    hint =
        "another session holds a lock this statement needs; raise the lock timeout or run "
        "when that session has finished";
  } else if (code == 1206) {  // ER_LOCK_TABLE_FULL: InnoDB rolled back the transaction
    traits.poisons_transaction = true;
  } else if (code == 1969 || code == 3024) {
    // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time), ER_QUERY_TIMEOUT (MySQL
    // max_execution_time): the statement was stopped and rolled back.
    kind = ErrorKind::timeout;
    traits.statement_timeout = true;
    hint =
        "the statement ran longer than the statement timeout; raise it, or run when the "
        "database is less busy";
  } else if (code == 1317) {  // ER_QUERY_INTERRUPTED: KILL QUERY, ours or another session's
    if (cancel_sent) {
      kind = ErrorKind::interrupted;
    } else {
      hint = "another session stopped this statement (KILL QUERY)";
    }
  } else if (code == 2014) {  // CR_COMMANDS_OUT_OF_SYNC: a reader was left open
    kind = ErrorKind::internal;
    hint = "a result set was still open on this connection";
  } else if (code == 1153 || code == 2020) {  // packet larger than max_allowed_packet
    hint = "raise max_allowed_packet on the server";
  }
  return std::move(Error(kind, fmt::format("{}: {}", what, one_line(message)), hint)
                       .with_code(std::string(sqlstate), static_cast<long>(code), "mysql")
                       .with_traits(traits));
}

Error mysql_failure(st_mysql* conn, MysqlPhase phase, std::string_view what,
                    const MysqlSession* session) {
  unsigned int code = mysql_errno(conn);
  const char* state = mysql_sqlstate(conn);
  const char* message = mysql_error(conn);
  if (code == 0) {
    return Error(ErrorKind::internal, fmt::format("{}: the client reported no error", what))
        .with_code("", 0, "mysql");
  }
  return mysql_error_from_code(code, state != nullptr ? state : "",
                               message != nullptr ? message : "", phase, what, session);
}

}  // namespace cutover::db
