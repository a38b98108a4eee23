// Crash safety: a process SIGKILLed while it records intents and completes deliveries leaves
// every delivery either pending without a link, or done with its link; never a half link.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "store/store.h"
#include "support/temp_postgres.h"

namespace ponte {
namespace {

// The child's work: deliver records 0..n-1 one after another, as the sync loop does.
[[noreturn]] void DeliverForever(const std::string& url) {
  auto store = OpenStore(url);
  if (!store) _exit(3);
  for (int i = 0;; ++i) {
    DeliveryIntent intent{"r", "CustomerVendor", {"ploomes", std::to_string(i)}, "milvus",
                          "{}", ""};
    auto id = (*store)->RecordIntent(intent, SystemClock::Get().Now());
    if (!id) _exit(4);
    if (!(*store)->BeginAttempt(*id, SystemClock::Get().Now())) _exit(6);
    auto done = (*store)->CompleteDelivery(*id, {"milvus", "m" + std::to_string(i)},
                                           {"", "", "r"}, SystemClock::Get().Now());
    if (!done) _exit(5);
  }
}

class StoreCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StoreCrashTest, KilledMidDeliveryLeavesNoHalfLink) {
  std::string url = GetParam() == "sqlite" ? "sqlite:" + testing::NewSqlitePath()
                                           : testing::NewPostgresDatabase().value_or("");
  ASSERT_FALSE(url.empty());
  ASSERT_TRUE(OpenStore(url).has_value());  // migrate before the children race
  std::mt19937 rng(42);
  for (int round = 0; round < 5; ++round) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) DeliverForever(url);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 150));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited on its own with " << WEXITSTATUS(status);
  }
  auto store = std::move(*OpenStore(url));
  auto done = *store->ListDeliveries({.state = DeliveryState::kDone, .limit = 1'000'000});
  auto pending = *store->ListDeliveries({.state = DeliveryState::kPending, .limit = 1'000'000});
  ASSERT_GT(done.size(), 0u);
  for (const auto& d : done) {
    auto target = store->Lookup("CustomerVendor", d.intent.origin, "milvus");
    ASSERT_TRUE(target.has_value());
    ASSERT_TRUE(target->has_value()) << "done delivery " << d.id << " has no link";
    EXPECT_EQ(**target, d.target_id);
  }
  for (const auto& d : pending) {
    // Each run restarts at record 0, so an id may be done in an earlier run; a pending one was
    // interrupted between intent and done and must not be linked to its (new) target.
    auto target = store->Lookup("CustomerVendor", d.intent.origin, "milvus");
    ASSERT_TRUE(target.has_value());
    if (target->has_value()) {
      bool earlier_done = false;
      for (const auto& dd : done) earlier_done |= dd.intent.origin == d.intent.origin;
      EXPECT_TRUE(earlier_done) << "pending delivery " << d.id << " has a link of its own";
    }
  }
  // Every link belongs to a done delivery.
  EXPECT_EQ(*store->CountLinks(), static_cast<int64_t>(2 * [&] {
              std::set<std::string> origins;
              for (const auto& d : done) origins.insert(d.intent.origin.internal_id);
              return origins.size();
            }()));
  EXPECT_EQ(*store->IntegrityCheck(), "ok");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreCrashTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace ponte
