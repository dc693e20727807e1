// The backend a conformance run talks to, chosen by CUTOVER_BACKEND (sqlite, postgresql,
// mysql, odbc-postgresql, odbc-mysql). Server backends read the env files the CTest fixtures
// wrote (tests/servers/*_start.sh) from CUTOVER_TEST_STATE. Every test gets a fresh, empty
// database that is dropped afterwards. A missing server is a failure, never a skip.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "db/connection.h"
#include "db/url.h"

namespace cutover::test {

class BackendContext {
 public:
  /// Reads the environment; throws when the backend's server state is missing.
  static BackendContext& get();

  const std::string& name() const { return name_; }

  /// Creates a fresh database and returns its spec (with password where needed).
  db::ConnectionSpec create_database();
  /// Drops a database made by create_database (best effort).
  void drop_database(const db::ConnectionSpec& spec);
  std::unique_ptr<db::Connection> open(const db::ConnectionSpec& spec);

 private:
  std::string name_;
  std::string state_;
  std::map<std::string, std::string> env_;
  int counter_ = 0;
};

/// Reads KEY='value' lines from a file written by tests/servers scripts.
std::map<std::string, std::string> read_env_file(const std::string& path);

/// For tests that use several engines at once: a fresh, empty database on `engine` ("sqlite",
/// "postgresql", "mysql") named `<prefix><pid>_<n>`, on the servers whose env files lie in
/// CUTOVER_TEST_STATE; for SQLite an empty file in the temporary directory.
db::ConnectionSpec fresh_database(const std::string& engine, const std::string& prefix);
/// Removes a database made by fresh_database; throws when the server refuses.
void drop_fresh_database(const db::ConnectionSpec& spec);

}  // namespace cutover::test
