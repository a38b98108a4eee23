#include "core/error.h"

#include <gtest/gtest.h>

namespace ponte {
namespace {

TEST(ErrorTest, RetryClassificationFollowsTheCode) {
  EXPECT_EQ(ClassifyForRetry(ErrorCode::kResourceExhausted), RetryClass::kWaitForQuota);
  EXPECT_EQ(ClassifyForRetry(ErrorCode::kUnavailable), RetryClass::kRetryWithBackoff);
  EXPECT_EQ(ClassifyForRetry(ErrorCode::kDeadlineExceeded), RetryClass::kRetryWithBackoff);
  EXPECT_EQ(ClassifyForRetry(ErrorCode::kDataLoss), RetryClass::kRetryWithBackoff);
  EXPECT_EQ(ClassifyForRetry(ErrorCode::kInvalidArgument), RetryClass::kDeadLetter);
  EXPECT_EQ(ClassifyForRetry(ErrorCode::kFailedPrecondition), RetryClass::kDeadLetter);
  EXPECT_EQ(ClassifyForRetry(ErrorCode::kUnauthenticated), RetryClass::kDeadLetter);
}

TEST(ErrorTest, ToStringCarriesSystemAndRecord) {
  Error e = Error::Unavailable("POST /api/cliente/criar answered 503")
                .WithSystem("milvus")
                .WithRecord("CNPJ 12345678000195");
  EXPECT_EQ(e.ToString(),
            "UNAVAILABLE: milvus: POST /api/cliente/criar answered 503 (record: CNPJ "
            "12345678000195)");
  EXPECT_EQ(e.retry_class(), RetryClass::kRetryWithBackoff);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Fail(Error::InvalidArgument("odd"));
  return x / 2;
}

Status UsesMacro(int x) {
  PONTE_RETURN_IF_ERROR(Half(x));
  return {};
}

TEST(ErrorTest, ReturnIfErrorPropagates) {
  EXPECT_TRUE(UsesMacro(4).has_value());
  auto s = UsesMacro(3);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
}

// A failed write is in doubt unless the system's answer proves it refused it.
TEST(ErrorTest, AWriteIsInDoubtUnlessTheAnswerRefusedIt) {
  auto with_status = [](Error e, int status) {
    e.http_status = status;
    return e;
  };
  EXPECT_TRUE(Error::DeadlineExceeded("no answer in time").MayHaveBeenApplied());
  EXPECT_TRUE(Error::DataLoss("the answer was cut short").MayHaveBeenApplied());
  EXPECT_TRUE(Error::Cancelled("given up, ponte is stopping").MayHaveBeenApplied());
  EXPECT_TRUE(with_status(Error::Unavailable("answered 500"), 500).MayHaveBeenApplied());
  EXPECT_FALSE(Error::Unavailable("connection refused").MayHaveBeenApplied());
  EXPECT_FALSE(with_status(Error::InvalidArgument("answered 400"), 400).MayHaveBeenApplied());
  EXPECT_FALSE(with_status(Error{ErrorCode::kUnauthenticated, "answered 401"}, 401).MayHaveBeenApplied());
  EXPECT_FALSE(with_status(Error{ErrorCode::kResourceExhausted, "answered 429"}, 429).MayHaveBeenApplied());
}

}  // namespace
}  // namespace ponte
