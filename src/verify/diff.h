// verify diff: from a differing range to the exact rows. Bisection of sub-range checksums
// (data-diff's way: split at the middle key, compare the halves, recurse into the halves that
// differ) down to a few rows, which are then read from both sides and compared column by
// column; and the stream mode's row-by-row merge. A Recorder gathers one table's differences
// from every worker thread (its methods lock).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "verify/side.h"
#include "verify/table_plan.h"
#include "verify/verify.h"

namespace cutover::verify {

class Recorder {
 public:
  Recorder(TableVerify& out, const TablePlan& plan, const VerifyOptions& options)
      : out_(out), plan_(plan), options_(options) {}

  /// Compares the rows of one range as both sides hold them (any order).
  void compare_rows(const std::vector<KeyedRow>& source, const std::vector<KeyedRow>& target);

  void missing(const KeyedRow& s);
  void extra(const KeyedRow& t);
  void differing(const KeyedRow& s, const KeyedRow& t);

 private:
  void add(DiffKind kind, const db::Row& key, RowDiff&& shown);
  RowDiff describe_key(DiffKind kind, const db::Row& key) const;

  TableVerify& out_;
  const TablePlan& plan_;
  const VerifyOptions& options_;
  std::mutex mutex_;
};

/// Narrows range `r`, whose sums `s` (source) and `t` (target) differ, to its differing rows,
/// all read in the snapshots the caller holds open on both connections.
void drill_down(SideReader& source, SideReader& target, const Range& r, const ChunkSum& s,
                const ChunkSum& t, Recorder& rec, const VerifyOptions& options);

/// Stream mode: both sides in byte order of the key, merged; `step` is called with the source
/// and target rows read so far every few thousand rows. Returns {source rows, target rows}.
std::pair<std::int64_t, std::int64_t> merge_streams(
    SideReader& source, SideReader& target, Recorder& rec,
    const std::function<void(std::int64_t, std::int64_t)>& step);

}  // namespace cutover::verify
