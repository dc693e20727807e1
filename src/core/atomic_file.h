// core::write_file_atomically: a file is either fully written or untouched. Writes a temp file
// beside the target, fsyncs it, renames it over the target, fsyncs the directory; removes the
// temp file on any failure. Used for every file cutover writes (reports, configs, state).
#pragma once

#include <string>
#include <string_view>

namespace cutover {

/// Throws ErrorKind::io naming the path on failure; the target is then unchanged.
void write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace cutover
