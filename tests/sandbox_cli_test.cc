// `ponte sandbox` as its own process: it prints where it listens, serves both APIs, and stops
// cleanly on SIGTERM.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/run_ponte.h"

namespace ponte {
namespace {

TEST(SandboxCliTest, ServesAndStopsOnSigterm) {
  testing::ChildProcess p({PONTE_BINARY, "sandbox", "--listen", "127.0.0.1:0", "--contacts", "12",
                           "--seed", "5", "--no-quotas"});
  auto first = p.ReadLine(std::chrono::seconds(10));
  ASSERT_TRUE(first.has_value());
  ASSERT_NE(first->find("listening on http://127.0.0.1:"), std::string::npos) << *first;
  std::string base = first->substr(first->find("http://"));
  httplib::Client c(base);
  auto stats = c.Get("/_sandbox/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(nlohmann::json::parse(stats->body)["ploomes"]["contacts"], 12);
  auto contacts = c.Get("/ploomes/Contacts", {{"User-Key", "sandbox-ploomes-key"}});
  ASSERT_TRUE(contacts);
  EXPECT_EQ(contacts->status, 200);
  p.Signal(SIGTERM);
  EXPECT_EQ(p.Wait(), 0);
  EXPECT_NE(p.Drain().find("stopped"), std::string::npos);
}

TEST(SandboxCliTest, BadSwitchesAreUsageErrors) {
  auto faults = testing::RunPonte("sandbox --listen 127.0.0.1:0 --faults explode=1");
  EXPECT_EQ(faults.exit_code, 2);
  EXPECT_NE(faults.out.find("unknown fault 'explode'"), std::string::npos) << faults.out;
  auto listen = testing::RunPonte("sandbox --listen nowhere");
  EXPECT_EQ(listen.exit_code, 2);
  EXPECT_NE(listen.out.find("HOST:PORT"), std::string::npos);
}

}  // namespace
}  // namespace ponte
