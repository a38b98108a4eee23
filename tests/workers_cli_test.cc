// Several `ponte sync --watch` processes on one PostgreSQL, as a must-not-stop deployment runs
// them: they share the work and one API quota, one of them is SIGKILLed mid-run, and the
// sandbox ends with every eligible record delivered once.

#include <signal.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/run_ponte.h"
#include "support/sandbox_checks.h"
#include "support/temp_postgres.h"
#include "store/store.h"

namespace ponte {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// The sandbox's Ploomes quota, per (sandbox) minute; with --time-scale 60 a minute lasts one
// real second. ponte is told a little less (its bucket refills at 200/s, bursts of 20), so the
// four workers together may never send more than 220 requests in any second if the shared
// bucket works, and about four times that if each worker had its own.
constexpr int kSandboxPloomesPerMinute = 240;
constexpr int kTimeScale = 60;
constexpr int kPonteRequestsPerMinute = 200 * 60;
constexpr int kPonteBurst = 20;
// 429s the test tolerates: clock edges between ponte's real-time bucket and the sandbox's
// scaled window. Unshared buckets would draw hundreds.
constexpr int kMax429s = 5;

class WorkersCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = testing::NewPostgresDatabase();
    ASSERT_TRUE(pg.has_value()) << pg.error().ToString();
    store_url_ = *pg;
    sandbox_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        PONTE_BINARY, "sandbox", "--listen", "127.0.0.1:0", "--seed", "11", "--contacts", "1200", "--tasks", "800",
        "--interactions", "400", "--milvus-clients", "600", "--time-scale", std::to_string(kTimeScale),
        "--ploomes-rate", std::to_string(kSandboxPloomesPerMinute), "--milvus-listing-rate", "0"});
    auto first = sandbox_->ReadLine(20s);
    ASSERT_TRUE(first && first->find("http://") != std::string::npos);
    const std::string base = first->substr(first->find("http://"));
    client_ = std::make_unique<httplib::Client>(base);
    config_ = (std::filesystem::temp_directory_path() / ("ponte-workers-" + std::to_string(getpid()) + ".toml")).string();
    std::ofstream(config_) << "store = \"" << store_url_ << "\"\n"
                           << "[systems.ploomes]\nbase_url = \"" << base << "/ploomes\"\n"
                           << "key_env = \"TEST_PLOOMES_KEY\"\nrequests_per_minute = " << kPonteRequestsPerMinute
                           << "\nburst = " << kPonteBurst << "\ntimeout_ms = 5000\n"
                           << "[systems.milvus]\nbase_url = \"" << base << "/milvus\"\nlisting_budget = 5000\nquotas = { listings_per_minute = 0 }\n"
                           << "key_env = \"TEST_MILVUS_KEY\"\ntimeout_ms = 5000\n"
                           << "[delivery]\nretry_base_seconds = 1\nmax_attempts = 50\nlease_seconds = 5\nwrite_settle_seconds = 2\n";
    setenv("TEST_PLOOMES_KEY", "sandbox-ploomes-key", 1);
    setenv("TEST_MILVUS_KEY", "sandbox-milvus-token", 1);
  }
  void TearDown() override { std::filesystem::remove(config_); }

  testing::RunResult Ponte(const std::string& args) {
    return testing::RunPonte(args + " --config " + config_, /*merge_stderr=*/false);
  }
  Json Stats() { return Json::parse(client_->Get("/_sandbox/stats")->body); }
  // What the workers have written so far: settles when they are done.
  std::string Written() {
    Json s = Stats();
    return s["milvus"]["clients"].dump() + "/" + s["milvus"]["tickets"].dump() + "/" + s["ploomes"]["contacts"].dump();
  }

  std::string store_url_, config_;
  std::unique_ptr<testing::ChildProcess> sandbox_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(WorkersCliTest, FourWorkersOneKilledShareOneQuotaAndDeliverEverythingOnce) {
  const std::string before = Written();
  std::vector<std::unique_ptr<testing::ChildProcess>> workers;
  for (int i = 0; i < 4; ++i) {
    workers.push_back(std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PONTE_BINARY, "sync", "--watch", "--interval", "1", "--config", config_}));
  }

  // All four show up in `ponte workers` while they run.
  size_t most_seen = 0;
  bool a_route_was_held = false;
  for (int i = 0; i < 40 && most_seen < 4; ++i) {
    auto listed = Ponte("workers --json");
    if (listed.exit_code == 2 && most_seen == 0) {
      // No worker has made the database a store yet: `workers` reads, it does not create one.
      std::this_thread::sleep_for(100ms);
      continue;
    }
    ASSERT_EQ(listed.exit_code, 0) << listed.out;
    Json list = Json::parse(listed.out);
    most_seen = std::max(most_seen, list.size());
    for (const auto& w : list) a_route_was_held |= !w["routes"].empty();
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(most_seen, 4u);
  EXPECT_TRUE(a_route_was_held) << "no worker was listed polling a route";

  // One dies mid-run, holding claims and perhaps a route's lock: as soon as the workers have
  // written something (a slow machine or a sanitizer build takes longer to get there).
  bool writing = false;
  for (int i = 0; i < 600 && !writing; ++i) {
    std::this_thread::sleep_for(100ms);
    writing = Written() != before;
  }
  ASSERT_TRUE(writing) << "the workers wrote nothing in a minute";
  std::this_thread::sleep_for(500ms);
  workers[0]->Signal(SIGKILL);
  EXPECT_EQ(workers[0]->Wait(), 128 + SIGKILL);

  // The others finish the work: wait until nothing new is written for five polls in a row.
  std::string last = Written();
  int settled = 0;
  for (int i = 0; i < 180 && settled < 5; ++i) {
    std::this_thread::sleep_for(1s);
    const std::string now = Written();
    settled = now == last ? settled + 1 : 0;
    last = now;
  }
  ASSERT_EQ(settled, 5) << "the workers were still writing after three minutes";
  for (size_t i = 1; i < workers.size(); ++i) {
    workers[i]->Signal(SIGTERM);
    EXPECT_EQ(workers[i]->Wait(), 0) << workers[i]->Drain();
  }
  Json stats = Stats();
  const int64_t throttled = testing::CountAnswers(stats, "ploomes", 429);

  // A gracefully stopped worker leaves the list; the killed one is only seen while its last
  // heartbeat is recent.
  auto listed = Ponte("workers --json --window 3600");
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_LE(Json::parse(listed.out).size(), 1u) << listed.out;

  // Nothing was left to do, nothing was written twice, nothing is missing.
  auto check = Ponte("sync --once --json");
  EXPECT_EQ(check.exit_code, 0) << check.out;
  Json reports = Json::parse(check.out.substr(check.out.find('[')));
  for (const auto& r : reports) {
    EXPECT_EQ(r["created"], 0) << r["route"];
    EXPECT_EQ(r["dead"], 0) << r["route"];
  }
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0) << stats["milvus"]["duplicates"].dump();
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  EXPECT_EQ(stats["ploomes"]["duplicate_documents"], 0) << stats["ploomes"]["duplicates"].dump();
  EXPECT_GT(stats["milvus"]["tickets"].get<int>(), 300);
  auto contacts = testing::CheckContactsInMilvus(*client_, "2024-02-24");
  EXPECT_GT(contacts.eligible, 500);
  EXPECT_EQ(contacts.missing, 0);
  // The quota held for all four together.
  EXPECT_LE(throttled, kMax429s);
  EXPECT_GT(testing::CountAnswers(stats, "ploomes", 200), 500) << "the quota was never put to the test";
}

}  // namespace
}  // namespace ponte

namespace ponte {
namespace {

// Deliveries slower than the lease, four workers sharing the journal on PostgreSQL: each worker
// renews the leases of what it holds while it works, so no other worker takes a delivery in
// flight and writes its record a second time (before: 12 duplicates at lease_seconds = 5 with
// Milvus slow).
// A worker writing a customer holds "customer:<system>:<document>" beside its route locks:
// `ponte workers` shows it apart, not as a route it polls.
TEST(WorkersListTest, CustomerLocksAreShownApartFromThePolledRoutes) {
  const std::string url = "sqlite:" + testing::NewSqlitePath();
  {
    auto store = OpenStore(url);
    ASSERT_TRUE(store) << store.error().ToString();
    const Instant now = SystemClock::Get().Now();
    ASSERT_TRUE((*store)->Heartbeat("host:1", now));
    ASSERT_TRUE((*store)->TryLockRoute("customers_ploomes_to_milvus", "host:1", now, std::chrono::minutes(10)));
    ASSERT_TRUE((*store)->TryLockRoute("customer:milvus:11222333000181", "host:1", now, std::chrono::minutes(10)));
  }
  auto listed = testing::RunPonte("--store " + url + " workers --json");
  ASSERT_EQ(listed.exit_code, 0) << listed.out;
  Json list = Json::parse(listed.out.substr(listed.out.find('[')), nullptr, false);
  ASSERT_TRUE(list.is_array() && list.size() == 1) << listed.out;
  EXPECT_EQ(list[0]["routes"], Json::array({"customers_ploomes_to_milvus"}));
  EXPECT_EQ(list[0]["customers"], Json::array({"milvus:11222333000181"}));
  auto text = testing::RunPonte("--store " + url + " workers");
  EXPECT_NE(text.out.find("customers_ploomes_to_milvus (writing 1 customer(s))"), std::string::npos) << text.out;
}

TEST(SlowTargetTest, DeliveriesSlowerThanTheLeaseAreWrittenOnce) {
  auto pg = testing::NewPostgresDatabase();
  ASSERT_TRUE(pg.has_value()) << pg.error().ToString();
  testing::ChildProcess sandbox({PONTE_BINARY, "sandbox", "--listen", "127.0.0.1:0", "--no-quotas", "--seed", "5",
                                 "--contacts", "8", "--tasks", "40", "--interactions", "0", "--milvus-clients", "2"});
  auto first = sandbox.ReadLine(20s);
  ASSERT_TRUE(first && first->find("http://") != std::string::npos);
  const std::string base = first->substr(first->find("http://"));
  httplib::Client client(base);
  // Every Milvus answer takes 6.5 s: longer than the 5 s lease.
  ASSERT_EQ(client.Post("/_sandbox/faults", R"({"spec":"milvus:slow=1,slow_ms=6500"})", "application/json")->status, 200);
  const std::string config =
      (std::filesystem::temp_directory_path() / ("ponte-slow-" + std::to_string(getpid()) + ".toml")).string();
  std::ofstream(config) << "store = \"" << *pg << "\"\n"
                        << "[systems.ploomes]\nbase_url = \"" << base << "/ploomes\"\nkey_env = \"TEST_PLOOMES_KEY\"\n"
                        << "requests_per_minute = 0\n"
                        << "[systems.milvus]\nbase_url = \"" << base << "/milvus\"\nkey_env = \"TEST_MILVUS_KEY\"\n"
                        << "timeout_ms = 30000\nquotas = { listings_per_minute = 0 }\n"
                        << "[delivery]\nretry_base_seconds = 1\nmax_attempts = 50\nlease_seconds = 5\nwrite_settle_seconds = 2\n";
  setenv("TEST_PLOOMES_KEY", "sandbox-ploomes-key", 1);
  setenv("TEST_MILVUS_KEY", "sandbox-milvus-token", 1);
  std::vector<std::unique_ptr<testing::ChildProcess>> workers;
  for (int i = 0; i < 4; ++i) {
    workers.push_back(std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PONTE_BINARY, "sync", "--watch", "--interval", "1", "--config", config}));
  }
  // Until every eligible record is delivered (each Milvus answer takes 6.5 s).
  testing::DeliveryCheck check;
  for (int i = 0; i < 60; ++i) {
    std::this_thread::sleep_for(5s);
    check = testing::CheckEverythingDelivered(client, "2024-02-24");
    if (check.ok && check.contacts_missing == 0 && check.tickets_missing == 0) break;
  }
  EXPECT_EQ(check.tickets_missing, 0) << check.missing;
  // Killed, not stopped: a graceful stop would wait for each worker's slow listing to end.
  for (auto& w : workers) {
    w->Signal(SIGKILL);
    w->Wait();
  }
  auto stats = nlohmann::json::parse(client.Get("/_sandbox/stats")->body);
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0) << stats["milvus"]["duplicates"].dump();
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  EXPECT_EQ(stats["ploomes"]["duplicate_documents"], 0);
  EXPECT_GT(stats["milvus"]["clients"].get<int>(), 2) << "nothing was delivered";
  EXPECT_GT(stats["milvus"]["tickets"].get<int>(), 8) << stats["calls"].dump();
  std::filesystem::remove(config);
}

// Three systems, three workers on one PostgreSQL: the routes from Ploomes and from the ERP carry
// customers of one CNPJ into Milvus (and from Ploomes and Milvus into the ERP) at the same time,
// on different workers. One worker at a time writes a customer into a system: nothing twice.
TEST(HubWorkersTest, ThreeWorkersOnThreeSystemsWriteEachCustomerOnce) {
  auto pg = testing::NewPostgresDatabase();
  ASSERT_TRUE(pg.has_value()) << pg.error().ToString();
  testing::ChildProcess sandbox({PONTE_BINARY, "sandbox", "--listen", "127.0.0.1:0", "--no-quotas", "--seed", "21",
                                 "--contacts", "150", "--tasks", "60", "--interactions", "20", "--milvus-clients", "100",
                                 "--totvs-customers", "120"});
  auto first = sandbox.ReadLine(20s);
  ASSERT_TRUE(first && first->find("http://") != std::string::npos);
  const std::string base = first->substr(first->find("http://"));
  httplib::Client client(base);
  // Slow writes widen the window in which two workers could decide "create" for one customer.
  ASSERT_EQ(client.Post("/_sandbox/faults", R"({"spec":"slow=0.3,slow_ms=150"})", "application/json")->status, 200);
  const std::string config =
      (std::filesystem::temp_directory_path() / ("ponte-hub-workers-" + std::to_string(getpid()) + ".toml")).string();
  std::ofstream(config) << "store = \"" << *pg << "\"\n"
                        << "[systems.ploomes]\nbase_url = \"" << base << "/ploomes\"\nkey_env = \"TEST_PLOOMES_KEY\"\n"
                        << "requests_per_minute = 0\n"
                        << "[systems.milvus]\nbase_url = \"" << base << "/milvus\"\nkey_env = \"TEST_MILVUS_KEY\"\n"
                        << "quotas = { listings_per_minute = 0 }\nlisting_budget = 5000\n"
                        << "[systems.erp]\nkind = \"totvs\"\nbase_url = \"" << base << "/totvs\"\nuser = \"ponte\"\n"
                        << "key_env = \"TEST_ERP_PASSWORD\"\nmessage_version = \"2.007\"\n"
                        << "[delivery]\nretry_base_seconds = 1\nmax_attempts = 50\n"
                        << testing::ThreeSystemRoutes("2024-02-24");
  setenv("TEST_PLOOMES_KEY", "sandbox-ploomes-key", 1);
  setenv("TEST_MILVUS_KEY", "sandbox-milvus-token", 1);
  setenv("TEST_ERP_PASSWORD", "sandbox-totvs-password", 1);
  std::vector<std::unique_ptr<testing::ChildProcess>> workers;
  for (int i = 0; i < 3; ++i) {
    workers.push_back(std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{PONTE_BINARY, "sync", "--watch", "--interval", "1", "--config", config}));
  }
  testing::DeliveryCheck check;
  testing::ErpCheck erp;
  for (int i = 0; i < 90; ++i) {
    std::this_thread::sleep_for(2s);
    check = testing::CheckEverythingDelivered(client, "2024-02-24");
    erp = testing::CheckErpDelivered(client, "2024-02-24");
    if (check.ok && erp.ok && check.contacts_missing + check.clients_missing + check.tickets_missing == 0 &&
        erp.customers_missing + erp.erp_missing == 0) {
      break;
    }
  }
  for (auto& w : workers) {
    w->Signal(SIGTERM);
    w->Wait();
  }
  EXPECT_EQ(check.contacts_missing + check.clients_missing + check.tickets_missing, 0) << check.missing;
  EXPECT_EQ(erp.customers_missing + erp.erp_missing, 0) << erp.missing;
  auto stats = nlohmann::json::parse(client.Get("/_sandbox/stats")->body);
  for (const char* system : {"ploomes", "milvus", "totvs"}) {
    EXPECT_EQ(stats[system]["duplicate_documents"], 0) << system << ": " << stats[system]["duplicates"].dump();
  }
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  std::filesystem::remove(config);
}

}  // namespace
}  // namespace ponte
