// cli progress: one line of progress on standard error for long work: redrawn in place with
// rows/s and ETA when stderr is a terminal, a plain line every few seconds otherwise (logs,
// CI). Engines report counts through callbacks; only the CLI draws. One thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

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

}  // namespace cutover::cli
