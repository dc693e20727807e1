// Maps MariaDB / MySQL client and server error numbers to cutover::Error, once for the whole
// backend, deciding the ErrorTraits where the engine's behaviour is known. The mapping itself
// (mysql_error_from_code) needs no connection, so it is unit-testable.
#pragma once

#include <atomic>
#include <memory>
#include <string_view>

#include "core/error.h"

struct st_mysql;

namespace cutover::db {

/// What the connection was doing when the error happened; decides in_doubt and auth hints.
enum class MysqlPhase { connect, statement, commit };

/// What a connection knows beyond the error number.
struct MysqlSession {
  /// Set by the connection's Canceller (KILL QUERY, another thread); consumed by the error
  /// that follows it, so 1317 (query interrupted) is an interrupt only when we asked for it.
  std::shared_ptr<std::atomic<bool>> cancel_sent = std::make_shared<std::atomic<bool>>(false);
  /// innodb_rollback_on_timeout: a lock wait timeout (1205) then rolls back the whole
  /// transaction instead of only the statement.
  bool rollback_on_timeout = false;
};

/// The error for native code `code` (mysql_errno) with `sqlstate` and the client's `message`,
/// raised while doing `what`.
Error mysql_error_from_code(unsigned int code, std::string_view sqlstate, std::string_view message,
                            MysqlPhase phase, std::string_view what,
                            const MysqlSession* session = nullptr);

/// The error currently recorded on `conn` (mysql_errno / mysql_sqlstate / mysql_error).
Error mysql_failure(st_mysql* conn, MysqlPhase phase, std::string_view what,
                    const MysqlSession* session = nullptr);

}  // namespace cutover::db
