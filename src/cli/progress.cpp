#include "cli/progress.h"

#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

#include "cli/common.h"

namespace cutover::cli {

ProgressLine::ProgressLine(std::string what)
    : what_(std::move(what)), tty_(isatty(STDERR_FILENO) == 1), start_(Clock::now()) {
  last_ = start_ - std::chrono::hours(1);
}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::update(std::int64_t done, std::int64_t total) {
  Clock::time_point now = Clock::now();
  if (now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000))) {
    return;
  }
  last_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string line = fmt::format("{} {} rows", what_, group_digits(done));
  if (total > 0) {
    line += fmt::format(" of {} ({:.0f}%)", group_digits(total),
                        100.0 * static_cast<double>(done) / static_cast<double>(total));
  }
  line += fmt::format(", {} rows/s", group_digits(static_cast<std::int64_t>(rate)));
  if (total > done && rate > 0) {
    line += fmt::format(", ETA {:.0f} s", static_cast<double>(total - done) / rate);
  }
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    drawn_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void ProgressLine::finish() {
  if (drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

void TableProgress::update(const std::string& table, std::int64_t done, std::int64_t total) {
  per_table_[table] = {done, total};
  std::int64_t all_done = 0;
  std::int64_t all_total = 0;
  for (const auto& [name, dt] : per_table_) {
    all_done += dt.first;
    all_total += dt.second;
  }
  line_.update(all_done, all_total);
}

}  // namespace cutover::cli
