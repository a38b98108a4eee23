#include "net/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ponte {

namespace {
// Share of a quota left unused for clock drift and network delays between ponte and the API.
constexpr double kQuotaMargin = 0.01;
}  // namespace

// With one token, a window of any length W (the API's minute, or a sandbox's scaled one) holds at
// most floor(W * rate) + 1 calls, which stays under the quota because rate is 1 % under it. (A
// bucket of two would let a sandbox's short window see one call too many.)
BucketShape ShapeForQuota(double per_minute, int burst) {
  const double budget = per_minute * (1 - kQuotaMargin);
  const double capacity = std::clamp<double>(burst, 1, std::max(1.0, std::floor(budget)));
  // capacity + 60 s of refill <= budget + 1 (the one token taken at the window's start).
  const double per_window = std::max(budget - capacity + 1, budget / 60);
  return {capacity, per_window / 60.0};
}

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
