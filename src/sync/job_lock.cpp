#include "sync/job_lock.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cancel.h"
#include "core/error.h"
#include "db/dialect.h"
#include "db/registry.h"

namespace cutover::sync {

namespace {

constexpr int kPollMs = 200;

[[noreturn]] void busy(std::string_view job, const db::ConnectionSpec& target) {
  throw Error(
      ErrorKind::config,
      fmt::format("another 'cutover sync {}' is working on the target {}", job, target.redacted()),
      fmt::format("let it finish or stop it (Ctrl-C) first; one {} per target at a time", job));
}

}  // namespace

JobLock::JobLock(const db::ConnectionSpec& target, std::string_view job, int wait_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  if (target.scheme == "sqlite") {
    // A file of our own, never the database file: closing any descriptor of the database
    // would drop SQLite's own POSIX locks held by this process.
    file_ = target.path + fmt::format(".cutover-{}.lock", job);
    while (!try_file_lock()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        busy(job, target);
      }
      throw_if_cancelled();
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
    }
    return;
  }
  std::unique_ptr<db::Connection> conn = db::open(target);
  std::string sql = conn->dialect().try_session_lock(fmt::format("cutover_{}_", job));
  if (sql.empty()) {
    return;
  }
  for (;;) {
    std::unique_ptr<db::RowReader> r = conn->query(sql);
    if (r->next() && !r->get(0).is_null() && r->get(0).as_int() == 1) {
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      busy(job, target);
    }
    throw_if_cancelled();
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
  conn_ = std::move(conn);
}

// The lock file is removed while still locked, so a process that opened it before the removal
// finds, after its flock succeeds, that the path names another file (or none) and tries again.
bool JobLock::try_file_lock() {
  int fd = ::open(file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw Error(
        ErrorKind::io,
        fmt::format("cannot create the lock file {}: {}", file_.string(), std::strerror(errno)),
        "the directory of the SQLite target must be writable");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return false;
  }

  struct stat held {};

  struct stat named {};

  if (::fstat(fd, &held) != 0 || ::stat(file_.c_str(), &named) != 0 ||
      held.st_ino != named.st_ino || held.st_dev != named.st_dev) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  return true;
}

JobLock::~JobLock() {
  if (fd_ >= 0) {
    ::unlink(file_.c_str());
    ::close(fd_);
  }
  // conn_ closing ends the session, which releases the server-side lock.
}

}  // namespace cutover::sync
