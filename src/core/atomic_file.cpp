#include "core/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

namespace cutover {

namespace {

[[noreturn]] void fail(const std::string& path, std::string_view what, int err) {
  throw Error(ErrorKind::io,
              fmt::format("cannot write {}: {} ({})", path, what, std::strerror(err)),
              "check that the directory exists, is writable and has free space");
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view contents) {
  std::filesystem::path target(path);
  std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    fail(path, "creating a temporary file", errno);
  }
  auto cleanup = [&](std::string_view what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(path, what, err);
  };
  std::size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      cleanup("writing");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
    cleanup("flushing");
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "closing", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail(path, "renaming into place", err);
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

NewFileWriter::NewFileWriter(std::string path) : path_(std::move(path)) {
  std::filesystem::path target(path_);
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(target, ec))) {
    throw Error(ErrorKind::io, fmt::format("{} already exists", path_),
                "give the name of a file that does not exist yet; an existing one is never "
                "overwritten");
  }
  std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  tmp_ = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  fd_ = ::mkstemp(tmp_.data());
  if (fd_ < 0) {
    tmp_.clear();
    fail(path_, "creating a temporary file", errno);
  }
}

NewFileWriter::~NewFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
  if (!tmp_.empty()) {
    ::unlink(tmp_.c_str());
  }
}

void NewFileWriter::write(std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail(path_, "writing", errno);
    }
    done += static_cast<std::size_t>(n);
  }
}

void NewFileWriter::publish() {
  if (::fchmod(fd_, 0600) != 0 || ::fsync(fd_) != 0) {
    fail(path_, "flushing", errno);
  }
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    fail(path_, "closing", errno);
  }
  if (::link(tmp_.c_str(), path_.c_str()) != 0) {
    fail(path_, errno == EEXIST ? "it appeared meanwhile" : "linking into place", errno);
  }
  ::unlink(tmp_.c_str());
  tmp_.clear();
  std::filesystem::path target(path_);
  std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace cutover
