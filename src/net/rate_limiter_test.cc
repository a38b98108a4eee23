#include "net/rate_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace ponte {
namespace {

using std::chrono::milliseconds;

TEST(TokenBucketTest, BurstThenRefill) {
  // Ploomes: 120 a minute = 2 a second, burst of 120.
  TokenBucket b(120, 2.0);
  Instant t{milliseconds(1'000'000)};
  for (int i = 0; i < 120; ++i) ASSERT_EQ(*b.Acquire(t), milliseconds(0)) << i;
  auto wait = *b.Acquire(t);
  EXPECT_EQ(wait, milliseconds(500));
  EXPECT_EQ(*b.Acquire(t + milliseconds(500)), milliseconds(0));
  // Over a simulated minute at most capacity + 60 s * rate tokens are granted.
  int granted = 0;
  for (int ms = 0; ms < 60'000; ms += 10) {
    if (b.Acquire(t + milliseconds(500 + ms))->count() == 0) ++granted;
  }
  EXPECT_LE(granted, 121);
  EXPECT_GE(granted, 119);
}

// The sandbox's (and the strictest API's) rule: at most N calls in any window of one minute.
int MostInAnyMinute(const std::vector<Instant>& calls) {
  int most = 0;
  size_t start = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    while (calls[i] - calls[start] >= std::chrono::minutes(1)) ++start;
    most = std::max(most, static_cast<int>(i - start + 1));
  }
  return most;
}

TEST(TokenBucketTest, AQuotaShapedBucketNeverExceedsTheQuotaInAnyMinute) {
  for (double per_minute : {1.0, 2.0, 60.0, 120.0, 7200.0}) {
    // Also the sandbox's short minutes: any window of a second for a quota 60 times larger.
    for (int burst : {0, 1, 10, 120}) {
      BucketShape shape = ShapeForQuota(per_minute, burst);
      TokenBucket b(shape.capacity, shape.refill_per_second);
      std::vector<Instant> calls;
      Instant t{milliseconds(5'000'000)};
      // A caller that asks again as soon as the bucket allows, for ten minutes.
      while (t < Instant{milliseconds(5'600'000)}) {
        auto wait = *b.Acquire(t);
        if (wait.count() == 0) {
          calls.push_back(t);
        } else {
          t += wait;
        }
      }
      EXPECT_LE(MostInAnyMinute(calls), per_minute) << per_minute << "/min, burst " << burst;
      // And without a burst it is not much slower than the quota allows (a burst of b calls
      // costs b - 1 calls of every later minute; waits in whole milliseconds cost a little at
      // more than a hundred calls a second).
      if (burst <= 1) {
        EXPECT_GE(static_cast<double>(calls.size()), per_minute * 10 * 0.9 - 1) << per_minute << "/min, burst " << burst;
      }
    }
  }
}

TEST(TokenBucketTest, DrainAfterA429) {
  TokenBucket b(10, 1.0);
  Instant t{milliseconds(0)};
  ASSERT_EQ(*b.Acquire(t), milliseconds(0));
  b.Drain(t);
  EXPECT_EQ(*b.Acquire(t), milliseconds(1000));
}

}  // namespace
}  // namespace ponte
