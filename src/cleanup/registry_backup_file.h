// cleanup registry backup file: the rows registry disable-versioning rewrites or deletes, kept
// in a file instead of CUTOVER_BAK_* tables (the operator's choice). JSON Lines, one file: a
// header line, then per table a line naming it and its columns followed by one JSON array per
// row, and an end line with the row count, so a truncated file is refused. Values: null,
// numbers, strings (timestamps as db::Value text), bytes as {"hex": "..."}. Written through a
// temp file that appears under its name only when complete, never over an existing file.
// Specified in docs/formats.md. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/atomic_file.h"
#include "db/connection.h"

namespace cutover::cleanup {

class RegistryBackupWriter {
 public:
  /// Throws an io error when `path` exists or cannot be created.
  RegistryBackupWriter(const std::string& path, const std::string& dialect);

  /// Appends every row `rows` returns as rows of `table` (the live name); returns how many.
  std::int64_t add(const std::string& table, db::RowReader& rows);
  /// Writes the end line and makes the file appear under its name.
  void publish();

  std::int64_t rows() const { return rows_; }

 private:
  NewFileWriter file_;
  std::int64_t rows_ = 0;
};

/// Calls `on_row` for every row of the file at `path`, in file order, with its table (as
/// written) and column names. Throws a config error naming the file and line when it is not
/// a complete backup file of this format (checked in full before the first call).
void read_registry_backup(
    const std::string& path,
    const std::function<void(const std::string& table, const std::vector<std::string>& columns,
                             const db::Row& row)>& on_row);

}  // namespace cutover::cleanup
