// Error decisions on every backend, provoked for real: statement and lock timeouts, deadlocks,
// a cancel from another thread, a killed connection, and login failures whose messages hold
// words (a role named database_x) that must not decide the classification.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "backend_fixture.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/registry.h"

namespace cutover::test {
namespace {

using Clock = std::chrono::steady_clock;

// A query that runs for far longer than any test waits, without holding much memory.
std::string long_query(const std::string& dialect) {
  if (dialect == "postgresql") {
    return "SELECT pg_sleep(30)";
  }
  if (dialect == "mysql") {
    // The Sequence engine streams; MD5 keeps MariaDB from answering the count directly.
    return "SELECT COUNT(*) FROM seq_1_to_100000000000 WHERE MD5(seq) = 'x'";
  }
  return "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000000) "
         "SELECT COUNT(*) FROM r";
}

// Calls `canceller` every 300 ms from another thread until destroyed: a cancel sent before the
// statement reached the server is lost, so keep sending until it ends. Destroy it (end the
// scope) before the connection runs anything else.
class RepeatedCancel {
 public:
  explicit RepeatedCancel(db::Canceller& canceller)
      : thread_([this, &canceller] {
          while (!done_.load()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            if (!done_.load()) {
              canceller.cancel();
            }
          }
        }) {}

  RepeatedCancel(const RepeatedCancel&) = delete;
  RepeatedCancel& operator=(const RepeatedCancel&) = delete;
  RepeatedCancel(RepeatedCancel&&) = delete;
  RepeatedCancel& operator=(RepeatedCancel&&) = delete;

  ~RepeatedCancel() {
    done_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

std::map<std::string, std::string> state_env(const char* file) {
  const char* state = std::getenv("CUTOVER_TEST_STATE");
  return read_env_file(std::string(state != nullptr ? state : "") + "/" + file);
}

// Opens `spec` and returns the error it fails with.
Error login_error(const db::ConnectionSpec& spec) {
  try {
    db::OpenOptions o;
    o.connect_timeout_s = 5;
    db::open(spec, o);
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorKind::internal, "the login succeeded");
}

// A login over TCP with a password, natively or through ODBC as the backend under test does.
db::ConnectionSpec tcp_login(const std::string& backend, const std::string& user,
                             const std::string& password, const std::string& database) {
  bool pg = backend.find("postgresql") != std::string::npos;
  std::map<std::string, std::string> env = state_env(pg ? "pg.env" : "mariadb.env");
  db::ConnectionSpec s;
  s.password = Secret(password);
  if (backend.rfind("odbc", 0) == 0) {
    std::map<std::string, std::string> odbc = state_env("odbc.env");
    s.scheme = "odbc";
    s.odbc = pg ? fmt::format("Driver={{{}}};Servername=127.0.0.1;Port={};Database={};Username={}",
                              odbc["ODBC_PG_DRIVER"], env["PG_PORT"], database, user)
                : fmt::format("Driver={{{}}};Server=127.0.0.1;Port={};Database={};User={}",
                              odbc["ODBC_MY_DRIVER"], env["MY_PORT"], database, user);
    return s;
  }
  s.scheme = pg ? "postgresql" : "mysql";
  s.host = "127.0.0.1";
  s.port = std::stoi(pg ? env["PG_PORT"] : env["MY_PORT"]);
  s.user = user;
  s.database = database;
  return s;
}

}  // namespace

TEST_F(Backend, StatementTimeoutIsATimeoutNotAnInterrupt) {
  db::OpenOptions o;
  o.statement_timeout_ms = 1000;
  std::unique_ptr<db::Connection> c = db::open(spec_, o);
  Clock::time_point start = Clock::now();
  try {
    c->query_value(long_query(d().name()));
    FAIL() << "the statement outlived its timeout";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::timeout) << e.one_line();
    EXPECT_TRUE(e.statement_timeout()) << e.one_line();
    EXPECT_FALSE(e.lock_not_available());
    EXPECT_FALSE(e.retryable());
    EXPECT_FALSE(e.poisons_connection());
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(c->query_value("SELECT 1")->as_int(), 1);
}

TEST_F(Backend, CancelFromAnotherThreadInterruptsTheStatement) {
  std::unique_ptr<db::Canceller> canceller = conn_->canceller();
  Clock::time_point start = Clock::now();
  {
    RepeatedCancel cancelling(*canceller);
    try {
      conn_->query_value(long_query(d().name()));
      ADD_FAILURE() << "the statement was not cancelled";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::interrupted) << e.one_line();
      EXPECT_FALSE(e.statement_timeout()) << e.one_line();
      EXPECT_FALSE(e.retryable());
    }
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

// The COPY paths (bulk_read, copy_out_raw) classify a cancel as the other statements do, and
// consume the connection's "we sent a cancel" mark, so a later error is not taken for ours.
TEST_F(Backend, CancelDuringACopyIsAnInterrupt) {
  if (!conn_->capabilities().copy_out) {
    EXPECT_THROW(conn_->copy_out_raw("SELECT 1"), Error);  // no COPY here: unsupported
    return;
  }
  std::unique_ptr<db::Canceller> canceller = conn_->canceller();
  Clock::time_point start = Clock::now();
  {
    RepeatedCancel cancelling(*canceller);
    try {
      std::unique_ptr<db::ChunkSource> data =
          conn_->copy_out_raw("COPY (SELECT pg_sleep(30)) TO STDOUT");
      std::string_view chunk;
      while (data->next(chunk)) {
      }
      ADD_FAILURE() << "the COPY was not cancelled";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::interrupted) << e.one_line();
    }
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  // The connection is usable, and an ordinary error after the cancel is not an interrupt.
  try {
    conn_->execute("SELECT * FROM NO_SUCH_TABLE_AFTER_CANCEL");
    ADD_FAILURE() << "the missing table was found";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::sql) << e.one_line();
  }
}

TEST_F(Backend, CancellerOfAClosedConnectionDoesNothing) {
  std::unique_ptr<db::Canceller> canceller = conn_->canceller();
  conn_.reset();
  canceller->cancel();  // must neither crash nor throw
  SUCCEED();
}

TEST_F(Backend, LockTimeoutIsLockNotAvailableAndRetryable) {
  conn_->execute("CREATE TABLE PAIR (ID INTEGER NOT NULL PRIMARY KEY, V INTEGER)");
  conn_->execute("INSERT INTO PAIR (ID, V) VALUES (1, 0)");
  conn_->execute("INSERT INTO PAIR (ID, V) VALUES (2, 0)");
  conn_->begin();
  conn_->execute("UPDATE PAIR SET V = 1 WHERE ID = 1");
  db::OpenOptions o;
  o.lock_timeout_ms = 300;
  std::unique_ptr<db::Connection> other = db::open(spec_, o);
  Clock::time_point start = Clock::now();
  bool mysql = d().name() == "mysql";
  try {
    // SQLite takes the write lock at BEGIN; the servers at the row.
    other->begin();
    if (mysql) {
      other->execute("UPDATE PAIR SET V = 2 WHERE ID = 2");
    }
    other->execute("UPDATE PAIR SET V = 2 WHERE ID = 1");
    FAIL() << "the second writer got a held row lock";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::timeout) << e.one_line();
    EXPECT_TRUE(e.lock_not_available()) << e.one_line();
    EXPECT_TRUE(e.retryable());
    EXPECT_FALSE(e.statement_timeout());
    EXPECT_FALSE(e.poisons_connection());
    // MariaDB rolls back only the statement (innodb_rollback_on_timeout is off); PostgreSQL
    // aborts the transaction on any error; SQLite may roll back.
    EXPECT_EQ(e.poisons_transaction(), !mysql) << e.one_line();
  }
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  conn_->commit();
  if (mysql) {
    // The transaction survived: its first update commits.
    other->commit();
    EXPECT_EQ(conn_->query_value("SELECT V FROM PAIR WHERE ID = 2")->as_int(), 2);
  } else {
    other->rollback();
  }
}

TEST_F(Backend, DeadlockIsRetryableAndPoisonsTheTransaction) {
  conn_->execute("CREATE TABLE PAIR (ID INTEGER NOT NULL PRIMARY KEY, V INTEGER)");
  conn_->execute("INSERT INTO PAIR (ID, V) VALUES (1, 0)");
  conn_->execute("INSERT INTO PAIR (ID, V) VALUES (2, 0)");
  std::unique_ptr<db::Connection> other = BackendContext::get().open(spec_);
  if (d().name() == "sqlite") {
    // BEGIN IMMEDIATE takes the write lock up front, so SQLite writers queue rather than
    // deadlock: the second one gets lock_not_available once the lock timeout passes.
    conn_->begin();
    db::OpenOptions o;
    o.lock_timeout_ms = 100;
    std::unique_ptr<db::Connection> late = db::open(spec_, o);
    EXPECT_THROW(late->begin(), Error);
    conn_->rollback();
    return;
  }
  conn_->begin();
  other->begin();
  conn_->execute("UPDATE PAIR SET V = 1 WHERE ID = 1");
  other->execute("UPDATE PAIR SET V = 2 WHERE ID = 2");
  // Each now wants the other's row; the engine picks a victim.
  std::optional<Error> first_error;
  std::thread first([&] {
    try {
      conn_->execute("UPDATE PAIR SET V = 1 WHERE ID = 2");
    } catch (const Error& e) {
      first_error = e;
      conn_->rollback();
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::optional<Error> second_error;
  try {
    other->execute("UPDATE PAIR SET V = 2 WHERE ID = 1");
  } catch (const Error& e) {
    second_error = e;
    other->rollback();
  }
  first.join();
  ASSERT_TRUE(first_error.has_value() != second_error.has_value())
      << "exactly one transaction is the deadlock victim";
  const Error& e = first_error ? *first_error : *second_error;
  EXPECT_EQ(e.kind(), ErrorKind::sql) << e.one_line();
  EXPECT_TRUE(e.retryable()) << e.one_line();
  EXPECT_TRUE(e.poisons_transaction()) << e.one_line();
  EXPECT_FALSE(e.lock_not_available()) << e.one_line();
  EXPECT_FALSE(e.poisons_connection());
  db::Connection& winner = first_error ? *other : *conn_;
  winner.commit();
}

TEST_F(Backend, KilledConnectionIsLostAndRetryable) {
  if (d().name() == "sqlite") {
    // No server to kill a connection; the closest is a cancel of a connection gone.
    std::unique_ptr<db::Canceller> c = conn_->canceller();
    conn_.reset();
    EXPECT_FALSE(c->cancel());
    return;
  }
  bool pg = d().name() == "postgresql";
  std::int64_t id =
      conn_->query_value(pg ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()")->as_int();
  std::unique_ptr<db::Connection> admin = BackendContext::get().open(spec_);
  admin->query_value(pg ? fmt::format("SELECT pg_terminate_backend({})", id)
                        : fmt::format("KILL CONNECTION {}", id));
  if (pg) {
    // pg_terminate_backend only signals: wait until the backend is gone.
    for (int i = 0; i < 100; ++i) {
      if (admin
              ->query_value(fmt::format("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = {}", id))
              ->as_int() == 0) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  try {
    conn_->query_value("SELECT 1");
    FAIL() << "a killed connection answered";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::connection) << e.one_line();
    EXPECT_TRUE(e.poisons_connection());
    EXPECT_TRUE(e.poisons_transaction());
    EXPECT_TRUE(e.retryable());
  }
}

TEST_F(Backend, LoginErrorsAreClassifiedByCodeNotByWords) {
  const std::string& name = BackendContext::get().name();
  if (name == "sqlite") {
    // No login: a missing file is the configuration error.
    db::ConnectionSpec missing;
    missing.scheme = "sqlite";
    missing.path = spec_.path + ".missing";
    EXPECT_EQ(login_error(missing).kind(), ErrorKind::config);
    return;
  }
  bool pg = name.find("postgresql") != std::string::npos;
  // Roles are made by the superuser over the socket (the ODBC runs log in as a plain user).
  std::map<std::string, std::string> env = state_env(pg ? "pg.env" : "mariadb.env");
  db::ConnectionSpec admin_spec;
  admin_spec.scheme = pg ? "postgresql" : "mysql";
  admin_spec.host = pg ? env["PG_HOST"] : "localhost";
  admin_spec.port = pg ? std::stoi(env["PG_PORT"]) : 0;
  admin_spec.user = pg ? "postgres" : env["MY_SOCKET_USER"];
  if (!pg) {
    admin_spec.params["socket"] = env["MY_SOCKET"];
  }
  admin_spec.database = spec_.database;
  std::unique_ptr<db::Connection> admin = db::open(admin_spec);
  // A role whose name holds "database" and whose password is right: only the database name
  // decides the missing-database case, not the words of the message.
  std::string role = "database_does_not_exist_x";
  admin->execute(pg ? fmt::format("DROP ROLE IF EXISTS {}", role)
                    : fmt::format("DROP USER IF EXISTS '{}'@'127.0.0.1'", role));
  admin->execute(pg ? fmt::format("CREATE ROLE {} LOGIN PASSWORD 'right-pw'", role)
                    : fmt::format("CREATE USER '{}'@'127.0.0.1' IDENTIFIED BY 'right-pw'", role));
  if (!pg) {
    admin->execute(fmt::format("GRANT ALL ON {}.* TO '{}'@'127.0.0.1'", spec_.database, role));
  }

  Error unknown = login_error(tcp_login(name, "database_x", "whatever", spec_.database));
  EXPECT_EQ(unknown.kind(), ErrorKind::auth) << unknown.one_line();
  Error wrong = login_error(tcp_login(name, role, "wrong-pw", spec_.database));
  EXPECT_EQ(wrong.kind(), ErrorKind::auth) << wrong.one_line();
  Error no_db = login_error(tcp_login(name, role, "right-pw", "role_x_missing"));
  EXPECT_EQ(no_db.kind(), pg ? ErrorKind::config : ErrorKind::auth) << no_db.one_line();
  if (pg) {
    EXPECT_EQ(no_db.sqlstate(), name == "postgresql" ? "3D000" : "08001") << no_db.one_line();
    if (name == "postgresql") {
      EXPECT_EQ(unknown.sqlstate(), "28P01") << unknown.one_line();
      // Over the trust socket an unknown role is reported as such (28000), with "database"
      // in its name and "does not exist" in the message.
      db::ConnectionSpec sock = spec_;
      sock.user = "database_y";
      Error trust = login_error(sock);
      EXPECT_EQ(trust.kind(), ErrorKind::auth) << trust.one_line();
      EXPECT_EQ(trust.sqlstate(), "28000") << trust.one_line();
    }
  } else {
    // MariaDB checks the grant before the database: 1044 (no access to that database).
    EXPECT_TRUE(no_db.native_code() == 1044 || no_db.native_code() == 1049) << no_db.one_line();
    // A user with a grant on a database that does not exist gets 1049 (unknown database); the
    // test servers' password user has no global privileges, as a WSO2 user has none.
    admin->execute(fmt::format("GRANT ALL ON database_missing_x.* TO '{}'@'127.0.0.1'",
                               state_env("mariadb.env")["MY_TCP_USER"]));
    Error missing =
        login_error(tcp_login(name, state_env("mariadb.env")["MY_TCP_USER"],
                              state_env("mariadb.env")["MY_TCP_PASSWORD"], "database_missing_x"));
    EXPECT_EQ(missing.kind(), ErrorKind::config) << missing.one_line();
    EXPECT_EQ(missing.native_code(), 1049) << missing.one_line();
  }
  admin->execute(pg ? fmt::format("DROP ROLE {}", role)
                    : fmt::format("DROP USER '{}'@'127.0.0.1'", role));
}

}  // namespace cutover::test
