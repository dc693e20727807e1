#include "db/sqlite/sqlite_errors.h"

#include <fmt/format.h>
#include <sqlite3.h>

namespace cutover::db {

Error sqlite_error(sqlite3* db, int rc, std::string_view what, bool deadline_hit) {
  int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  ErrorKind kind = ErrorKind::sql;
  std::string sqlstate;
  std::string hint;
  ErrorTraits traits;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      kind = ErrorKind::constraint;
      sqlstate = "23000";
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      // Another writer held the lock past busy_timeout (the lock timeout): the same work may
      // succeed when retried. SQLite may have rolled the transaction back ("may or may not",
      // says its documentation), so it cannot go on.
      kind = ErrorKind::timeout;
      traits = {.retryable = true, .poisons_transaction = true, .lock_not_available = true};
      hint = "another process is writing to this SQLite file; retry when it has finished";
      break;
    case SQLITE_CANTOPEN:
      kind = ErrorKind::io;
      hint = "check the path, and that its directory exists and is writable by this user";
      break;
    case SQLITE_READONLY:
      kind = ErrorKind::io;
      hint = "the SQLite file or its directory is not writable by this user";
      break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      kind = ErrorKind::config;
      hint = "the file is not a SQLite database, or is damaged";
      break;
    case SQLITE_AUTH:
    case SQLITE_PERM:
      kind = ErrorKind::auth;
      break;
    case SQLITE_FULL:
      kind = ErrorKind::io;
      traits.poisons_transaction = true;
      hint =
          "the disk holding the SQLite file is full: free space and run the command again "
          "(the interrupted transaction was rolled back)";
      break;
    case SQLITE_IOERR:
      kind = ErrorKind::io;
      traits.poisons_transaction = true;
      hint = "the disk reported an I/O error; check it and run the command again";
      break;
    case SQLITE_INTERRUPT:
      // An interrupted INSERT, UPDATE or DELETE rolls back its whole transaction.
      traits.poisons_transaction = true;
      if (deadline_hit) {
        kind = ErrorKind::timeout;
        traits.statement_timeout = true;
        hint = "the statement ran longer than the statement timeout; raise it";
      } else {
        kind = ErrorKind::interrupted;
      }
      break;
    case SQLITE_NOMEM:
      traits.poisons_transaction = true;
      break;
    default:
      break;
  }
  return std::move(Error(kind, fmt::format("{}: {}", what, msg), hint)
                       .with_code(sqlstate, extended, "sqlite")
                       .with_traits(traits));
}

}  // namespace cutover::db
