// cli progress: one line of progress on standard error for long work: redrawn in place with
// rows/s and ETA when stderr is a terminal, a plain line every few seconds otherwise (logs,
// CI). Engines report counts through callbacks; only the CLI draws. One thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace cutover::cli {

class ProgressLine {
 public:
  explicit ProgressLine(std::string what);
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine();

  /// Rows done of `total` (0: unknown); drawn at most every 0.2 s (terminal) or 5 s (plain).
  void update(std::int64_t done, std::int64_t total);
  /// Clears the terminal line, so the summary that follows starts clean.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  std::string what_;
  bool tty_ = false;
  bool drawn_ = false;
  Clock::time_point start_;
  Clock::time_point last_;
};

/// One ProgressLine over many tables (a copy, a verify): keeps each table's latest done and
/// total, and draws their sums, so tables reported in any order (and again) add up right.
class TableProgress {
 public:
  explicit TableProgress(std::string what) : line_(std::move(what)) {}

  /// `table` has `done` rows of `total` (0: unknown); redraws the line with the sums.
  void update(const std::string& table, std::int64_t done, std::int64_t total);

  /// Records `table`'s counts without drawing: the totals known before the work starts.
  void expect(const std::string& table, std::int64_t done, std::int64_t total) {
    per_table_[table] = {done, total};
  }

  void finish() { line_.finish(); }

 private:
  ProgressLine line_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> per_table_;
};

}  // namespace cutover::cli
