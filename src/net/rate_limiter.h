#pragma once
// Rate limiting shared by every route that calls one system with one API key. Acquire() says
// how long to wait for a token; the caller sleeps and asks again. The in-process TokenBucket
// serves one ponte process; StoreRateLimiter shares the bucket through the store so several
// workers together stay under the API's quota.

#include <chrono>
#include <functional>
#include <mutex>

#include "core/error.h"
#include "core/time.h"

namespace ponte {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Takes a token and returns 0, or returns the wait until one is available (taking none).
  virtual Result<std::chrono::milliseconds> Acquire(Instant now) = 0;
  // After a 429: the server says the quota is spent; drain the bucket so every caller sharing
  // it backs off, not just the one that was refused.
  virtual void Drain(Instant now) = 0;
};

// The token bucket for an API quota of `per_minute` calls in any minute (a sliding window, the
// strictest reading of "120 a minute"): at most `burst` calls at once (at least one), and a
// refill slow enough that burst plus a minute's refill stays under the quota, with 1 % to spare
// for clocks and network delays. A full bucket of per_minute tokens would allow twice the quota
// in the first minute.
struct BucketShape {
  double capacity = 1;
  double refill_per_second = 0;
};
BucketShape ShapeForQuota(double per_minute, int burst);

// capacity tokens, refilled continuously at refill_per_second. Thread-safe.
class TokenBucket final : public RateLimiter {
 public:
  TokenBucket(double capacity, double refill_per_second);
  Result<std::chrono::milliseconds> Acquire(Instant now) override;
  void Drain(Instant now) override;

 private:
  void RefillLocked(Instant now);
  std::mutex mu_;
  double capacity_;
  double refill_per_second_;
  double tokens_;
  Instant last_{};
  bool started_ = false;
};

// A bucket kept elsewhere (the store's rate_buckets table), so that every worker and every
// later process sees what was spent: `take` is Store::TakeToken and `drain` Store::DrainTokens,
// bound to a system and key fingerprint.
class SharedRateLimiter final : public RateLimiter {
 public:
  using TakeFn = std::function<Result<std::chrono::milliseconds>(Instant)>;
  using DrainFn = std::function<void(Instant)>;
  explicit SharedRateLimiter(TakeFn take, DrainFn drain = {}) : take_(std::move(take)), drain_(std::move(drain)) {}
  Result<std::chrono::milliseconds> Acquire(Instant now) override { return take_(now); }
  void Drain(Instant now) override {
    if (drain_) drain_(now);
  }

 private:
  TakeFn take_;
  DrainFn drain_;
};

}  // namespace ponte
