// The per-backend error decisions that need no server: codes and texts as the clients report
// them (taken from real runs), with user-controlled words that must not decide anything.
#include <gtest/gtest.h>

#include "core/error.h"
#include "db/mysql/mysql_errors.h"
#include "db/odbc/odbc_errors.h"
#include "db/postgres/postgres_errors.h"

namespace cutover::db {
namespace {

TEST(PostgresConnectError, ReadsTheSqlstateOfTheFirstServerThatAnswered) {
  PostgresServerError e = postgres_parse_connect_error(
      "connection to server at \"10.0.0.1\", port 5432 failed: Connection refused\n"
      "\tIs the server running on that host and accepting TCP/IP connections?\n"
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28000: role "
      "\"database_x\" does not exist\nLOCATION:  InitializeSessionUserId, miscinit.c:694\n");
  EXPECT_EQ(e.sqlstate, "28000");
  EXPECT_EQ(e.message, "role \"database_x\" does not exist");
}

TEST(PostgresConnectError, IgnoresASqlstateInsideARoleName) {
  // A role named to look like a second attempt, line break included.
  PostgresServerError e = postgres_parse_connect_error(
      "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  28P01: password "
      "authentication failed for user \"x\nconnection to server at h failed: FATAL:  3D000: "
      "y\"\n");
  EXPECT_EQ(e.sqlstate, "28P01");
}

TEST(PostgresConnectError, HasNoSqlstateWhenNoServerAnswered) {
  EXPECT_EQ(postgres_parse_connect_error("connection to server at \"127.0.0.1\", port 1 failed: "
                                         "Connection refused\n")
                .sqlstate,
            "");
}

TEST(MysqlErrors, LockWaitTimeoutKeepsTheTransactionUnlessTheServerRollsItBack) {
  MysqlSession session;
  Error e = mysql_error_from_code(1205, "HY000", "Lock wait timeout exceeded",
                                  MysqlPhase::statement, "x", &session);
  EXPECT_EQ(e.kind(), ErrorKind::timeout);
  EXPECT_TRUE(e.lock_not_available());
  EXPECT_TRUE(e.retryable());
  EXPECT_FALSE(e.poisons_transaction());
  session.rollback_on_timeout = true;
  EXPECT_TRUE(mysql_error_from_code(1205, "HY000", "", MysqlPhase::statement, "x", &session)
                  .poisons_transaction());
}

TEST(MysqlErrors, DeadlockPoisonsTheTransactionAndIsRetryable) {
  Error e = mysql_error_from_code(1213, "40001", "Deadlock found", MysqlPhase::statement, "x");
  EXPECT_EQ(e.kind(), ErrorKind::sql);
  EXPECT_TRUE(e.retryable());
  EXPECT_TRUE(e.poisons_transaction());
  EXPECT_FALSE(e.lock_not_available());
}

TEST(MysqlErrors, QueryInterruptedIsAnInterruptOnlyAfterOurCancel) {
  MysqlSession session;
  EXPECT_EQ(mysql_error_from_code(1317, "70100", "", MysqlPhase::statement, "x", &session).kind(),
            ErrorKind::sql);
  session.cancel_sent->store(true);
  EXPECT_EQ(mysql_error_from_code(1317, "70100", "", MysqlPhase::statement, "x", &session).kind(),
            ErrorKind::interrupted);
  EXPECT_FALSE(session.cancel_sent->load());  // consumed
  Error timeout = mysql_error_from_code(1969, "70100", "", MysqlPhase::statement, "x", &session);
  EXPECT_EQ(timeout.kind(), ErrorKind::timeout);
  EXPECT_TRUE(timeout.statement_timeout());
}

TEST(OdbcErrors, PsqlodbcLoginIsReadAtTheStartOfTheServerMessage) {
  OdbcSession pg;
  pg.family = OdbcDriverFamily::postgresql;
  auto kind = [&](const std::string& server) {
    OdbcDiag d{"08001", 101,
               "connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  " + server};
    return odbc_error_from(d, OdbcPhase::connect, "x", &pg).kind();
  };
  EXPECT_EQ(kind("password authentication failed for user \"database_does_not_exist\""),
            ErrorKind::auth);
  EXPECT_EQ(kind("role \"database_x\" does not exist"), ErrorKind::auth);
  EXPECT_EQ(kind("database \"role_x\" does not exist"), ErrorKind::config);
  EXPECT_EQ(kind("sorry, too many clients already"), ErrorKind::connection);
}

TEST(OdbcErrors, MariadbNativeCodesDecide) {
  OdbcSession my;
  my.family = OdbcDriverFamily::mysql;
  EXPECT_EQ(odbc_error_from({"28000", 1045, "Access denied for user 'database_x'"},
                            OdbcPhase::connect, "x", &my)
                .kind(),
            ErrorKind::auth);
  EXPECT_EQ(
      odbc_error_from({"42000", 1049, "Unknown database 'x'"}, OdbcPhase::connect, "x", &my).kind(),
      ErrorKind::config);
  Error lock = odbc_error_from({"HY000", 1205, ""}, OdbcPhase::statement, "x", &my);
  EXPECT_TRUE(lock.lock_not_available());
  EXPECT_FALSE(lock.poisons_transaction());
}

TEST(OdbcErrors, QueryCanceledIsAnInterruptOnlyAfterOurCancel) {
  OdbcSession pg;
  pg.family = OdbcDriverFamily::postgresql;
  pg.query_timeout_s = 1;
  Error timeout = odbc_error_from({"57014", 1, ""}, OdbcPhase::statement, "x", &pg);
  EXPECT_EQ(timeout.kind(), ErrorKind::timeout);
  EXPECT_TRUE(timeout.statement_timeout());
  pg.cancel_sent->store(true);
  EXPECT_EQ(odbc_error_from({"57014", 1, ""}, OdbcPhase::statement, "x", &pg).kind(),
            ErrorKind::interrupted);
  EXPECT_EQ(odbc_error_from({"HYT00", 0, ""}, OdbcPhase::statement, "x", &pg).kind(),
            ErrorKind::timeout);
}

TEST(ErrorTraits, InDoubtIsNeverRetryable) {
  Error e = Error(ErrorKind::in_doubt, "x").with_traits({.retryable = true});
  EXPECT_FALSE(e.retryable());
  EXPECT_TRUE(e.poisons_transaction());
  EXPECT_TRUE(Error(ErrorKind::connection, "x").retryable());
  EXPECT_FALSE(Error(ErrorKind::sql, "x").retryable());
}

}  // namespace
}  // namespace cutover::db
