// with_retry against real SQLite lock conflicts: a second connection holds the write lock.
#include "db/retry.h"

#include <csignal>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "db/connection.h"
#include "db/registry.h"

namespace cutover::db {
namespace {

class RetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("co_retry_" + std::to_string(::getpid()) + ".db"))
                .string();
    std::filesystem::remove(path_);
    spec_.scheme = "sqlite";
    spec_.path = path_;
    OpenOptions o;
    o.create = true;
    open(spec_, o)->execute("CREATE TABLE T (ID INTEGER PRIMARY KEY)");
  }

  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path_ + suffix);
    }
  }

  // A connection that gives up waiting for a lock after 30 ms.
  std::unique_ptr<Connection> impatient() {
    OpenOptions o;
    o.lock_timeout_ms = 30;
    return open(spec_, o);
  }

  RetryPolicy fast(int attempts) {
    RetryPolicy p;
    p.max_attempts = attempts;
    p.first_backoff = std::chrono::milliseconds(20);
    p.max_backoff = std::chrono::milliseconds(80);
    return p;
  }

  std::string path_;
  ConnectionSpec spec_;
};

void insert(Connection& c, int id) {
  Transaction tx(c);
  c.execute("INSERT INTO T (ID) VALUES (" + std::to_string(id) + ")");
  tx.commit();
}

TEST_F(RetryTest, RetriesABusyWriteUntilTheOtherWriterCommits) {
  std::unique_ptr<Connection> holder = open(spec_, {});
  holder->begin();
  holder->execute("INSERT INTO T (ID) VALUES (1)");
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    holder->commit();
  });
  std::unique_ptr<Connection> writer = impatient();
  int attempts = 0;
  int retried = 0;
  RetryPolicy p = fast(50);
  p.on_retry = [&](const Error& e, int) {
    EXPECT_TRUE(e.lock_not_available()) << e.one_line();
    ++retried;
  };
  with_retry(
      [&] {
        ++attempts;
        insert(*writer, 2);
      },
      p);
  release.join();
  EXPECT_GT(attempts, 1);
  EXPECT_EQ(retried, attempts - 1);
  EXPECT_EQ(writer->query_value("SELECT COUNT(*) FROM T")->as_int(), 2);
}

TEST_F(RetryTest, GivesUpAfterMaxAttemptsWithTheLockError) {
  std::unique_ptr<Connection> holder = open(spec_, {});
  holder->begin();
  std::unique_ptr<Connection> writer = impatient();
  int attempts = 0;
  try {
    with_retry(
        [&] {
          ++attempts;
          insert(*writer, 2);
        },
        fast(3));
    FAIL() << "the write got past a held lock";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::timeout) << e.one_line();
    EXPECT_TRUE(e.lock_not_available());
    EXPECT_TRUE(e.retryable());
  }
  EXPECT_EQ(attempts, 3);
  holder->rollback();
}

TEST_F(RetryTest, DoesNotRetryAnErrorThatIsNotRetryable) {
  std::unique_ptr<Connection> c = impatient();
  insert(*c, 1);
  int attempts = 0;
  try {
    with_retry(
        [&] {
          ++attempts;
          insert(*c, 1);
        },
        fast(5));
    FAIL() << "duplicate key accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::constraint) << e.one_line();
  }
  EXPECT_EQ(attempts, 1);
}

TEST_F(RetryTest, NeverRetriesAnInDoubtCommit) {
  int attempts = 0;
  // in_doubt cannot be provoked on SQLite; the decision is Error's own.
  EXPECT_THROW(with_retry(
                   [&] {
                     ++attempts;
                     throw Error(ErrorKind::in_doubt, "commit outcome unknown")
                         .with_traits({.retryable = true});
                   },
                   fast(5)),
               Error);
  EXPECT_EQ(attempts, 1);
}

TEST_F(RetryTest, CtrlCStopsRetryingWithInterrupted) {
  // Forked: the Ctrl-C flag is process-wide and cannot be cleared.
  EXPECT_EXIT(
      {
        install_cancel_handler();
        std::unique_ptr<Connection> holder = open(spec_, {});
        holder->begin();
        std::unique_ptr<Connection> writer = impatient();
        int attempts = 0;
        RetryPolicy p = fast(1000);
        p.on_retry = [&](const Error&, int n) {
          if (n == 2) {
            std::raise(SIGINT);
          }
        };
        try {
          with_retry(
              [&] {
                ++attempts;
                insert(*writer, 2);
              },
              p);
        } catch (const Error& e) {
          std::_Exit(e.kind() == ErrorKind::interrupted && attempts == 2 ? 42 : 1);
        }
        std::_Exit(2);
      },
      ::testing::ExitedWithCode(42), "");
}

}  // namespace
}  // namespace cutover::db
