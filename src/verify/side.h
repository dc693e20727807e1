// verify side: one side (source or target) of one table on one connection: the SQL of a key
// range, a range's ChunkSum (computed by the engine, or rows streamed and hashed here), the
// rows of a small range, the key at an offset (to cut chunks and bisect), and the whole table
// in byte order for the stream mode. A SideReader belongs to one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/connection.h"
#include "schema/transform.h"
#include "verify/canonical.h"
#include "verify/table_plan.h"

namespace cutover::verify {

/// Keys in (lo, hi]: lo exclusive, hi inclusive; a missing bound is open. Bounds are key
/// values as one side read them, bound as parameters on either side.
struct Range {
  std::optional<db::Row> lo;
  std::optional<db::Row> hi;
};

/// One row of a side, in the plan's compared order, with its canonical key and row texts.
struct KeyedRow {
  db::Row key;           ///< key values as read, key order
  std::string key_text;  ///< encode_row of the key (the same on both sides for one key)
  std::string row_text;  ///< encode_row of the compared columns
  db::Row row;           ///< compared order; empty when the transform refused the row
  std::string refused;   ///< the transform's error for a source row it refuses
};

class SideReader {
 public:
  /// `idps` (source side of a transform that needs it) belongs to the caller's thread.
  SideReader(db::Connection& conn, const TablePlan& plan, bool source, schema::LocalIdps* idps);

  /// Count and hash sum of the rows in `r`; `in_database` tells which way it was computed.
  ChunkSum sum(const Range& r, bool& in_database);
  /// The rows in `r`, in key order.
  std::vector<KeyedRow> rows(const Range& r);
  /// The key of the row at 0-based `offset` in key order within `r`; nullopt past the end.
  std::optional<db::Row> key_at(const Range& r, std::int64_t offset);
  /// Rows in the whole table.
  std::int64_t count();

  /// Stream mode: opens the whole table in byte order of the key (see byte_order()).
  void open_stream();
  /// Stream mode: the next row; false at the end.
  bool next(KeyedRow& out);

  const TablePlan& plan() const { return plan_; }

  /// -1, 0, 1: a's key before, equal to, after b's in the byte order open_stream reads in.
  static int compare_keys(const TablePlan& plan, const db::Row& a, const db::Row& b);

 private:
  std::string where(const Range& r, std::vector<db::Value>& params) const;
  std::string key_list() const;
  std::string select_list() const;
  void keyed(db::Row& raw, KeyedRow& out);

  db::Connection& conn_;
  const TablePlan& plan_;
  bool source_;
  schema::LocalIdps* idps_;
  const std::string& table_;
  const std::vector<std::string>& key_;
  const std::vector<std::string>& columns_;
  std::unique_ptr<db::RowReader> stream_;
};

}  // namespace cutover::verify
