#include "core/shutdown.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace ponte {
namespace {

struct Shutdown {
  std::atomic<bool> requested{false};
  std::mutex mu;
  std::condition_variable cv;
};

// Never destroyed: a detached thread may still sleep here while the process exits.
Shutdown& State() {
  static Shutdown* state = new Shutdown();
  return *state;
}

}  // namespace

void RequestShutdown() {
  Shutdown& s = State();
  {
    std::lock_guard lock(s.mu);
    s.requested = true;
  }
  s.cv.notify_all();
}

bool ShutdownRequested() { return State().requested.load(std::memory_order_relaxed); }

bool SleepUnlessShutdown(std::chrono::milliseconds d) {
  Shutdown& s = State();
  std::unique_lock lock(s.mu);
  return !s.cv.wait_for(lock, d, [&] { return s.requested.load(); });
}

}  // namespace ponte
