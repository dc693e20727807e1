#include "core/cancel.h"

#include <atomic>
#include <csignal>

#include "core/error.h"

namespace cutover {

namespace {

std::atomic<int> g_signals{0};

extern "C" void on_signal(int sig) {
  if (g_signals.fetch_add(1) >= 1) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}

}  // namespace

void install_cancel_handler() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool cancel_requested() {
  return g_signals.load() > 0;
}

void throw_if_cancelled() {
  if (cancel_requested()) {
    throw Error(ErrorKind::interrupted, "interrupted",
                "nothing was committed by the interrupted step; run the command again");
  }
}

}  // namespace cutover
