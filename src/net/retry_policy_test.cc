#include "net/retry_policy.h"

#include <gtest/gtest.h>

namespace ponte {
namespace {

using std::chrono::milliseconds;

Error WithCode(ErrorCode code) { return Error{code, "x"}; }

TEST(RetryPolicyTest, ClientErrorsAreNeverRetried) {
  RetryPolicy p;
  std::mt19937_64 rng(1);
  for (int status : {400, 401, 403, 404, 409, 422}) {
    EXPECT_FALSE(DecideRetry(p, WithCode(ErrorCodeForStatus(status)), 1, milliseconds(0), rng).retry)
        << status;
  }
}

TEST(RetryPolicyTest, ServerErrorsBackOffWithFullJitter) {
  RetryPolicy p;
  p.base_backoff = milliseconds(100);
  p.max_backoff = milliseconds(1000);
  std::mt19937_64 rng(1);
  for (int status : {500, 502, 503}) {
    EXPECT_TRUE(DecideRetry(p, WithCode(ErrorCodeForStatus(status)), 1, milliseconds(0), rng).retry);
  }
  // Ceiling doubles per attempt up to max_backoff; waits stay within [0, ceiling].
  for (int attempt = 1; attempt <= 6; ++attempt) {
    const int64_t ceiling = std::min<int64_t>(1000, 100LL << (attempt - 1));
    int64_t max_seen = 0;
    for (int i = 0; i < 500; ++i) {
      auto d = DecideRetry(p, WithCode(ErrorCode::kUnavailable), attempt, milliseconds(0), rng);
      ASSERT_TRUE(d.retry);
      ASSERT_LE(d.wait.count(), ceiling);
      max_seen = std::max(max_seen, d.wait.count());
    }
    EXPECT_GT(max_seen, ceiling / 2);  // jitter spreads over the whole range
  }
  EXPECT_TRUE(DecideRetry(p, WithCode(ErrorCode::kDeadlineExceeded), 1, milliseconds(0), rng).retry);
  EXPECT_TRUE(DecideRetry(p, WithCode(ErrorCode::kDataLoss), 1, milliseconds(0), rng).retry);
}

TEST(RetryPolicyTest, QuotaWaitsForRetryAfter) {
  RetryPolicy p;
  std::mt19937_64 rng(1);
  Error e = WithCode(ErrorCode::kResourceExhausted);
  e.retry_after = milliseconds(7000);
  auto d = DecideRetry(p, e, 3, milliseconds(0), rng);
  EXPECT_TRUE(d.retry);
  EXPECT_EQ(d.wait, milliseconds(7000));
  e.retry_after.reset();
  EXPECT_EQ(DecideRetry(p, e, 1, milliseconds(0), rng).wait, p.quota_wait_floor);
}

TEST(RetryPolicyTest, BudgetAndAttemptsStopRetries) {
  RetryPolicy p;
  p.max_attempts = 3;
  std::mt19937_64 rng(1);
  EXPECT_FALSE(DecideRetry(p, WithCode(ErrorCode::kUnavailable), 3, milliseconds(0), rng).retry);
  Error e = WithCode(ErrorCode::kResourceExhausted);
  e.retry_after = milliseconds(10'000);
  EXPECT_FALSE(DecideRetry(p, e, 1, p.budget - milliseconds(5000), rng).retry);
}

TEST(RetryPolicyTest, RetryAfterSecondsAndHttpDate) {
  Instant now = *ParseIsoInstant("2026-10-21T07:27:00Z");
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120'000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", now), milliseconds(60'000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2026 07:26:00 GMT", now), milliseconds(0));
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
}

}  // namespace
}  // namespace ponte
