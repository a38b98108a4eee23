// ApiClient with a scripted transport: retries, quota waits, error mapping, and no secrets in
// errors.

#include "net/http_client.h"

#include <gtest/gtest.h>

#include <deque>

namespace ponte {
namespace {

using std::chrono::milliseconds;

constexpr char kSecret[] = "s3cr3t-ploomes-key-value";

class ScriptedTransport final : public HttpTransport {
 public:
  std::deque<Result<HttpResponse>> answers;
  std::vector<HttpRequest> sent;
  Result<HttpResponse> Send(const HttpRequest& r) override {
    sent.push_back(r);
    auto a = answers.front();
    answers.pop_front();
    return a;
  }
};

class ManualClock final : public Clock {
 public:
  Instant now{milliseconds(1'000'000)};
  Instant Now() const override { return now; }
};

HttpResponse Status(int status, std::string body = "{}", HttpHeaders headers = {}) {
  return HttpResponse{status, std::move(headers), std::move(body)};
}

class ApiClientTest : public ::testing::Test {
 protected:
  ApiClient Make(RateLimiter* limiter = nullptr, milliseconds unreachable_budget = milliseconds(3'600'000)) {
    ApiClientOptions o{"ploomes", "http://x/ploomes", "User-Key", kSecret, "PONTE_PLOOMES_KEY"};
    o.circuit.unreachable_budget = unreachable_budget;
    return ApiClient(o, transport_, limiter, counter_, clock_, [this](milliseconds d) {
      slept_.push_back(d);
      clock_.now += d;
    });
  }
  ScriptedTransport transport_;
  CallCounter counter_;
  ManualClock clock_;
  std::vector<milliseconds> slept_;
};

TEST_F(ApiClientTest, SendsTheKeyHeaderAndCounts) {
  transport_.answers.push_back(Status(200, R"({"value":[]})"));
  auto c = Make();
  auto r = c.Call({"GET", "GET /Contacts", "/Contacts?$top=1"});
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent[0].url, "http://x/ploomes/Contacts?$top=1");
  EXPECT_EQ(transport_.sent[0].headers[0].first, "User-Key");
  EXPECT_EQ(counter_.Total("ploomes"), 1);
}

TEST_F(ApiClientTest, RetriesServerErrorsAndTransportFailures) {
  transport_.answers.push_back(Status(503));
  transport_.answers.push_back(Fail(Error::DeadlineExceeded("GET /Contacts: no answer in time")));
  transport_.answers.push_back(Fail(Error::Unavailable("GET /Contacts: connection reset")));
  transport_.answers.push_back(Status(200));
  auto c = Make();
  EXPECT_TRUE(c.Call({"GET", "GET /Contacts", "/Contacts"}).has_value());
  EXPECT_EQ(transport_.sent.size(), 4u);
  EXPECT_EQ(slept_.size(), 3u);
  EXPECT_EQ(counter_.Retries()["ploomes"], 3);
}

// ploomes.forbidden_blocks: a read refused with 403 may pass; a write refused with 403 is final.
TEST_F(ApiClientTest, A403OnAReadIsRetriedSlowlyAndOnAWriteIsFinal) {
  transport_.answers.push_back(Status(403));
  transport_.answers.push_back(Status(403));
  transport_.answers.push_back(Status(200, R"({"value":[]})"));
  auto c = Make();
  EXPECT_TRUE(c.Call({"GET", "GET /Contacts", "/Contacts"}).has_value());
  ASSERT_EQ(slept_.size(), 2u);
  EXPECT_LE(slept_[0], RetryPolicy{}.forbidden_backoff);
  transport_.answers.push_back(Status(403));
  auto write = c.Call({"POST", "POST /Contacts", "/Contacts", "{}"});
  ASSERT_FALSE(write.has_value());
  EXPECT_EQ(write.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(transport_.sent.size(), 4u);
}

TEST_F(ApiClientTest, A403ThatStaysIsAPermissionErrorAfterItsBudget) {
  for (int i = 0; i < 20; ++i) transport_.answers.push_back(Status(403));
  auto c = Make();
  auto r = c.Call({"GET", "GET /Contacts", "/Contacts"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(r.error().message.find("PONTE_PLOOMES_KEY"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("gave up after"), std::string::npos) << r.error().message;
  milliseconds waited{0};
  for (auto d : slept_) waited += d;
  EXPECT_LE(waited, RetryPolicy{}.forbidden_budget);
}

TEST_F(ApiClientTest, HonoursRetryAfterOn429) {
  transport_.answers.push_back(Status(429, "{}", {{"Retry-After", "7"}}));
  transport_.answers.push_back(Status(200));
  auto c = Make();
  EXPECT_TRUE(c.Call({"GET", "GET /Contacts", "/Contacts"}).has_value());
  ASSERT_EQ(slept_.size(), 1u);
  EXPECT_EQ(slept_[0], milliseconds(7000));
  EXPECT_EQ(counter_.Throttled("ploomes"), 1);
}

TEST_F(ApiClientTest, A429DrainsTheSharedBucket) {
  TokenBucket bucket(100, 0.5);  // one token every 2 s
  transport_.answers.push_back(Status(429));
  transport_.answers.push_back(Status(200));
  auto c = Make(&bucket);
  EXPECT_TRUE(c.Call({"GET", "GET /Contacts", "/Contacts"}).has_value());
  // After the 429 the bucket was empty: past the 1 s floor the client still waited for the
  // bucket's refill (2 s for a token) before trying again.
  ASSERT_EQ(slept_.size(), 2u);
  EXPECT_EQ(slept_[0], milliseconds(1000));
  EXPECT_EQ(slept_[1], milliseconds(1000));
}

TEST_F(ApiClientTest, AWriteThatMayHaveLandedIsNotSentTwice) {
  transport_.answers.push_back(Fail(Error::DataLoss("POST /api/cliente/criar: the answer was cut short")));
  transport_.answers.push_back(Status(503));
  transport_.answers.push_back(Fail(Error::Unavailable("POST /api/cliente/criar: Couldn't connect")));
  transport_.answers.push_back(Status(429));
  transport_.answers.push_back(Status(200, "123"));
  auto c = Make();
  auto cut = c.Call({"POST", "POST /api/cliente/criar", "/api/cliente/criar", "{}"});
  ASSERT_FALSE(cut.has_value());
  EXPECT_NE(cut.error().message.find("may have reached the server"), std::string::npos);
  EXPECT_EQ(transport_.sent.size(), 1u);
  EXPECT_FALSE(c.Call({"POST", "POST /api/cliente/criar", "/api/cliente/criar", "{}"}).has_value());
  EXPECT_EQ(transport_.sent.size(), 2u);
  // Refused connections and 429s prove nothing was written: those are retried.
  EXPECT_TRUE(c.Call({"POST", "POST /api/cliente/criar", "/api/cliente/criar", "{}"}).has_value());
  EXPECT_EQ(transport_.sent.size(), 5u);
}

TEST_F(ApiClientTest, ClientErrorsFailAtOnceWithContext) {
  transport_.answers.push_back(Status(422, R"({"error":{"message":"CNPJ inválido"}})"));
  auto c = Make();
  auto r = c.Call({"POST", "POST /Contacts", "/Contacts", "{}"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.error().http_status, 422);
  EXPECT_EQ(r.error().system, "ploomes");
  EXPECT_NE(r.error().message.find("POST /Contacts answered 422"), std::string::npos);
  EXPECT_NE(r.error().message.find("CNPJ inválido"), std::string::npos);
  EXPECT_EQ(transport_.sent.size(), 1u);
}

TEST_F(ApiClientTest, AuthFailureNamesTheKeyToFixButNeverTheKey) {
  transport_.answers.push_back(Status(401, std::string(R"({"error":"bad key )") + kSecret + "\"}"));
  auto c = Make();
  auto r = c.Call({"GET", "GET /Contacts", "/Contacts"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message.find("PONTE_PLOOMES_KEY"), std::string::npos);
  EXPECT_EQ(r.error().ToString().find(kSecret), std::string::npos);
}

// A system that stopped answering is not retried for the whole request budget: its circuit
// opens after a short while, this call fails with halts_system, and the next fails at once.
TEST_F(ApiClientTest, AnUnreachableSystemOpensItsCircuitAndStopsBeingCalled) {
  for (int i = 0; i < 40; ++i) transport_.answers.push_back(Fail(Error::Unavailable("connection refused")));
  auto c = Make(nullptr, milliseconds(30'000));
  // A call may give up on its own retries before the budget is spent (the backoff is random);
  // the calls after it go on failing until 30 s of failures open the circuit.
  Result<HttpResponse> r = Fail(Error::Internal("not called"));
  for (int calls = 0; calls < 6; ++calls) {
    r = c.Call({"GET", "GET /Contacts", "/Contacts"});
    ASSERT_FALSE(r.has_value());
    if (r.error().halts_system) break;
  }
  EXPECT_TRUE(r.error().halts_system);
  milliseconds waited{0};
  for (auto d : slept_) waited += d;
  EXPECT_LE(waited, milliseconds(60'000)) << "an outage is declared within a minute";
  const size_t sent = transport_.sent.size();
  auto again = c.Call({"GET", "GET /Contacts", "/Contacts"});
  ASSERT_FALSE(again.has_value());
  EXPECT_TRUE(again.error().halts_system);
  EXPECT_EQ(transport_.sent.size(), sent) << "an open circuit sends nothing";
}

TEST_F(ApiClientTest, ARefusedKeyStopsEveryLaterCall) {
  transport_.answers.push_back(Status(401));
  auto c = Make();
  auto r = c.Call({"POST", "POST /Contacts", "/Contacts", "{}"});
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().halts_system);
  EXPECT_NE(r.error().message.find("PONTE_PLOOMES_KEY"), std::string::npos);
  auto next = c.Call({"GET", "GET /Contacts", "/Contacts"});
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(transport_.sent.size(), 1u);
}

TEST_F(ApiClientTest, GivesUpAfterTheBudgetWithTheLastError) {
  for (int i = 0; i < 10; ++i) transport_.answers.push_back(Status(500, "boom"));
  auto c = Make();
  auto r = c.Call({"GET", "GET /Contacts", "/Contacts"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(r.error().message.find("gave up after 8 attempts"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(transport_.sent.size(), 8u);
}

}  // namespace
}  // namespace ponte
