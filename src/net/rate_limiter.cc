#include "net/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ponte {

TokenBucket::TokenBucket(double capacity, double refill_per_second)
    : capacity_(std::max(1.0, capacity)),
      refill_per_second_(std::max(1e-6, refill_per_second)),
      tokens_(capacity_) {}

void TokenBucket::RefillLocked(Instant now) {
  if (!started_) {
    last_ = now;
    started_ = true;
    return;
  }
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(capacity_, tokens_ + elapsed * refill_per_second_);
    last_ = now;
  }
}

Result<std::chrono::milliseconds> TokenBucket::Acquire(Instant now) {
  std::lock_guard lock(mu_);
  RefillLocked(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::chrono::milliseconds(0);
  }
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::ceil((1.0 - tokens_) / refill_per_second_ * 1000.0)));
}

void TokenBucket::Drain(Instant now) {
  std::lock_guard lock(mu_);
  RefillLocked(now);
  tokens_ = 0;
}

}  // namespace ponte
