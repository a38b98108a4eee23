#include "net/rate_limiter.h"

#include <gtest/gtest.h>

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

TEST(TokenBucketTest, DrainAfterA429) {
  TokenBucket b(10, 1.0);
  Instant t{milliseconds(0)};
  ASSERT_EQ(*b.Acquire(t), milliseconds(0));
  b.Drain(t);
  EXPECT_EQ(*b.Acquire(t), milliseconds(1000));
}

}  // namespace
}  // namespace ponte
