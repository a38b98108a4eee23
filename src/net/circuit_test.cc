#include "net/circuit.h"

#include <gtest/gtest.h>

namespace ponte {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ManualClock final : public Clock {
 public:
  Instant Now() const override { return now; }
  Instant now{milliseconds(1'000'000)};
};

Error Status(int status) {
  Error e;
  e.code = status == 401 ? ErrorCode::kUnauthenticated : (status >= 500 ? ErrorCode::kUnavailable : ErrorCode::kFailedPrecondition);
  e.http_status = status;
  e.message = "answered " + std::to_string(status);
  return e;
}

TEST(CircuitTest, ARefusedKeyOpensAtOnceAndRefusesWithoutCalling) {
  ManualClock clock;
  Circuit c("ploomes", {}, clock);
  EXPECT_FALSE(c.Admit().has_value());
  c.Failed(Status(401));
  EXPECT_EQ(c.state(), Circuit::State::kOpen);
  EXPECT_EQ(c.why(), Circuit::Why::kAuth);
  auto refused = c.Admit();
  ASSERT_TRUE(refused.has_value());
  EXPECT_TRUE(refused->halts_system);
  EXPECT_EQ(refused->code, ErrorCode::kUnauthenticated);
  // After the cool-down one trial call goes; it succeeds and the circuit closes.
  clock.now += CircuitOptions{}.auth_cooldown;
  EXPECT_FALSE(c.Admit().has_value());
  EXPECT_EQ(c.state(), Circuit::State::kTrial);
  EXPECT_TRUE(c.Admit().has_value()) << "only one trial at a time";
  c.Succeeded();
  EXPECT_EQ(c.state(), Circuit::State::kClosed);
}

TEST(CircuitTest, OutagesOpenItOnlyOnceTheyLastTheBudget) {
  ManualClock clock;
  Circuit c("milvus", {milliseconds(30'000), milliseconds(60'000), milliseconds(300'000)}, clock);
  c.Failed(Status(503));
  clock.now += seconds(20);
  Error refused;
  refused.code = ErrorCode::kUnavailable;  // connection refused: no status
  c.Failed(refused);
  EXPECT_EQ(c.state(), Circuit::State::kClosed);
  // An answer (even a 400) shows it is up: the streak starts again.
  c.Failed(Status(400));
  clock.now += seconds(20);
  c.Failed(refused);
  EXPECT_EQ(c.state(), Circuit::State::kClosed);
  clock.now += seconds(31);
  c.Failed(refused);
  EXPECT_EQ(c.state(), Circuit::State::kOpen);
  EXPECT_EQ(c.why(), Circuit::Why::kUnreachable);
  EXPECT_NE(c.reason().find("has not answered since"), std::string::npos) << c.reason();
  // A failed trial opens it again for another cool-down.
  clock.now += seconds(60);
  EXPECT_FALSE(c.Admit().has_value());
  c.Failed(refused);
  EXPECT_EQ(c.state(), Circuit::State::kOpen);
  EXPECT_TRUE(c.Admit().has_value());
}

}  // namespace
}  // namespace ponte
