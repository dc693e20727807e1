// sync job lock: one `sync copy` and one `sync run` per target database at a time. Two copies
// into one target would load the same chunks twice and race on the checkpoint; two runs are
// kept correct by the position's compare-and-set but only waste work. The second process is
// refused with a clear error instead. PostgreSQL: an advisory lock; MariaDB: a named lock; both
// held by a connection of their own for the job's lifetime. SQLite: flock on a file beside the
// database ("<file>.cutover-<job>.lock", removed when released).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "db/connection.h"
#include "db/url.h"

namespace cutover::sync {

class JobLock {
 public:
  /// Takes the lock of `job` ("copy" or "run") on `target`. A killed holder's server session
  /// may outlive it briefly, so a held lock is retried for up to `wait_ms` before the
  /// ErrorKind::config error naming the job. Engines without a usable lock (Oracle, SQL Server,
  /// DB2, H2 through ODBC) are not locked.
  JobLock(const db::ConnectionSpec& target, std::string_view job, int wait_ms = 10000);
  ~JobLock();
  JobLock(const JobLock&) = delete;
  JobLock& operator=(const JobLock&) = delete;

 private:
  bool try_file_lock();

  std::unique_ptr<db::Connection> conn_;
  std::filesystem::path file_;
  int fd_ = -1;
};

}  // namespace cutover::sync
