// demo workload: a simulated WSO2 IS writing one database the way the product does: token
// issue, refresh, revoke and authorization-code exchange (a code, then its token) on the
// OAuth2 tables, and user-claim updates. Several threads, each with its own connection; each
// thread owns a disjoint set of grants (client, user, scope) and users, so two threads never
// race for one CON_APP_KEY and the workload needs no retries beyond lock waits. Writes only the
// columns the given product version has (from the catalogue). Never prints.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/url.h"
#include "db/value.h"

namespace cutover::demo {

struct WorkloadOptions {
  db::ConnectionSpec database;
  std::string product = "is";
  /// Product version of the database's schema: the columns written are this version's.
  std::string version;
  int threads = 3;
  /// Transactions per second over all threads; 0 = as fast as the database takes them.
  double rate = 200;
  std::uint64_t seed = 1;
  /// Grants (ACTIVE token's client, user, scope) read from the database to work on.
  int grants = 400;
};

/// What the workload did, summed over its threads (committed transactions only).
struct WorkloadCounts {
  std::int64_t issued = 0;     ///< tokens issued (password / client_credentials)
  std::int64_t refreshed = 0;  ///< refresh_token grants (old token INACTIVE, new one ACTIVE)
  std::int64_t revoked = 0;    ///< tokens revoked (no successor)
  std::int64_t codes = 0;      ///< authorization codes issued and exchanged for a token
  std::int64_t user_updates = 0;
  std::int64_t transactions = 0;
  std::int64_t retries = 0;  ///< transactions repeated after a lock wait or busy database
};

/// Runs the workload on its own threads between start() and stop(). Not copyable.
class Workload {
 public:
  /// Reads the grants and users to work on; throws a config error when the database holds no
  /// ACTIVE tokens (fill it first) or lacks a column of `options.version`.
  explicit Workload(WorkloadOptions options);
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;
  ~Workload();

  void start();
  /// Stops the threads after their current transaction (committed or rolled back) and joins
  /// them. Rethrows the first error a thread ended with (not a lock wait: those are retried).
  void stop();

  /// True when a thread ended with an error (stop() rethrows it).
  bool failed() const { return failed_.load(); }

  WorkloadCounts counts() const;

  /// One client, user and scope with its current ACTIVE token (CON_APP_KEY's columns).
  struct Grant {
    db::Row token;  ///< a token row of this grant, columns as token_columns_
    std::vector<std::string> scopes;
    std::string active;  ///< TOKEN_ID of the ACTIVE token; empty after a revoke
  };

  struct User {
    db::Value tenant;
    std::string name;
    std::int64_t logins = 0;
  };

 private:
  void worker(int n);

  WorkloadOptions options_;
  std::vector<std::string> token_columns_;
  std::vector<std::string> code_columns_;
  bool code_scope_table_ = false;
  std::vector<std::vector<Grant>> grants_;  ///< per thread
  std::vector<std::vector<User>> users_;    ///< per thread
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  mutable std::mutex mu_;
  WorkloadCounts counts_;
  std::exception_ptr error_;
};

}  // namespace cutover::demo
