// db retry: the one place in the program that catches an error in order to run work again
// (libpqxx's perform()). Work is retried when the backend decided the error is retryable()
// (deadlock, serialization failure, lock timeout, lost connection), with bounded attempts and
// a growing pause; never after in_doubt, and never past Ctrl-C. Header-only; no state.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <thread>

#include "core/cancel.h"
#include "core/error.h"

namespace cutover::db {

struct RetryPolicy {
  /// Attempts in all, the first included. Default 5: a deadlock or lock timeout that repeats
  /// five times is contention the operator should see, not hide.
  int max_attempts = 5;
  /// Pause before the second attempt; it doubles for each later one, up to max_backoff, and a
  /// random part of it is taken (jitter) so two retrying writers do not meet again.
  std::chrono::milliseconds first_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  /// Called before each pause with the error and the number of the attempt that failed (for
  /// reporting); may be empty.
  std::function<void(const Error&, int)> on_retry;
};

/// Runs `work()` and returns what it returns. When it throws an Error that is retryable(),
/// runs it again after a pause, up to policy.max_attempts in all; then the last error
/// propagates. Anything else propagates at once. `work` must start from scratch each time: open
/// its own transaction, and open a new connection when the error poisons_connection(); change
/// program state only once it has succeeded. Ctrl-C during a pause throws ErrorKind::interrupted.
template <class F>
auto with_retry(F&& work, const RetryPolicy& policy = {}) -> decltype(work()) {
  std::minstd_rand jitter(static_cast<unsigned>(
      std::chrono::steady_clock::now().time_since_epoch().count() & 0x7fffffff));
  std::chrono::milliseconds backoff = policy.first_backoff;
  for (int attempt = 1;; ++attempt) {
    throw_if_cancelled();
    try {
      return work();
    } catch (const Error& e) {
      // in_doubt is never retryable(): running the work again could apply it twice.
      if (!e.retryable() || attempt >= policy.max_attempts) {
        throw;
      }
      if (policy.on_retry) {
        policy.on_retry(e, attempt);
      }
    }
    // Half the backoff fixed, half random; slept in slices so Ctrl-C is seen promptly.
    auto half = backoff.count() / 2;
    std::chrono::milliseconds pause(half + static_cast<long>(jitter() % (half + 1)));
    auto until = std::chrono::steady_clock::now() + pause;
    while (std::chrono::steady_clock::now() < until) {
      throw_if_cancelled();
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(20), until - std::chrono::steady_clock::now()));
    }
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
}

}  // namespace cutover::db
