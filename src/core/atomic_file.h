// core::write_file_atomically: a file is either fully written or untouched. Writes a temp file
// beside the target, fsyncs it, renames it over the target, fsyncs the directory; removes the
// temp file on any failure. Used for every file cutover writes (reports, configs, state).
#pragma once

#include <string>
#include <string_view>

namespace cutover {

/// Throws ErrorKind::io naming the path on failure; the target is then unchanged.
void write_file_atomically(const std::string& path, std::string_view contents);

/// A file written piece by piece (too large to hold in memory) that appears under its name
/// only when publish() succeeds, and never over an existing file: the temp file is hard-linked
/// to the name (which fails when the name exists) after an fsync. Destroyed unpublished, the
/// temp file goes. Not thread-safe.
class NewFileWriter {
 public:
  /// Throws ErrorKind::io when `path` already exists or the temp file cannot be made.
  explicit NewFileWriter(std::string path);
  NewFileWriter(const NewFileWriter&) = delete;
  NewFileWriter& operator=(const NewFileWriter&) = delete;
  ~NewFileWriter();

  void write(std::string_view data);
  /// fsync, link into place, remove the temp name, fsync the directory.
  void publish();

 private:
  std::string path_;
  std::string tmp_;
  int fd_ = -1;
};

}  // namespace cutover
