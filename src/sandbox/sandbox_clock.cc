#include "sandbox/sandbox_clock.h"

namespace ponte::sandbox {

using std::chrono::milliseconds;

SandboxClock::SandboxClock(Instant start, double scale)
    : base_(start), real_base_(std::chrono::steady_clock::now()), scale_(scale > 0 ? scale : 1) {}

Instant SandboxClock::Now() const {
  std::lock_guard lock(mu_);
  auto real = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - real_base_);
  return base_ + milliseconds(static_cast<int64_t>(static_cast<double>(real.count()) * scale_));
}

void SandboxClock::Advance(milliseconds by) {
  std::lock_guard lock(mu_);
  base_ += by;
}

void SandboxClock::Set(Instant t) {
  std::lock_guard lock(mu_);
  base_ = t;
  real_base_ = std::chrono::steady_clock::now();
}

milliseconds SandboxClock::ToReal(milliseconds d) const {
  return milliseconds(static_cast<int64_t>(static_cast<double>(d.count()) / scale_));
}

}  // namespace ponte::sandbox
