// The three-system hub as a user runs it: a ponte.toml with a TOTVS ERP as [systems.erp] and
// the routes as [[routes]] entries, against a `ponte sandbox` process; `ponte demo --systems`;
// the crash test on three systems; and ponte under each unconfirmed behaviour of the ERP.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/child_process.h"
#include "support/run_ponte.h"
#include "support/sandbox_checks.h"
#include "support/temp_postgres.h"

namespace ponte {
namespace {

using Json = nlohmann::json;

constexpr const char* kCutoff = "2024-02-24";

class HubCliTest : public ::testing::Test {
 protected:
  void StartSandbox(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {PONTE_BINARY, "sandbox", "--listen", "127.0.0.1:0", "--no-quotas"};
    args.insert(args.end(), extra.begin(), extra.end());
    sandbox_ = std::make_unique<testing::ChildProcess>(args);
    auto first = sandbox_->ReadLine(std::chrono::seconds(20));
    ASSERT_TRUE(first && first->find("http://") != std::string::npos);
    base_ = first->substr(first->find("http://"));
    client_ = std::make_unique<httplib::Client>(base_);
    config_ = (std::filesystem::temp_directory_path() / ("ponte-hub-" + std::to_string(getpid()) + ".toml")).string();
    std::ofstream(config_) << "store = \"sqlite:" << testing::NewSqlitePath() << "\"\n"
                           << "[systems.ploomes]\nbase_url = \"" << base_ << "/ploomes\"\n"
                           << "key_env = \"TEST_PLOOMES_KEY\"\nrequests_per_minute = 0\ntimeout_ms = 5000\n"
                           << "[systems.milvus]\nbase_url = \"" << base_ << "/milvus\"\nlisting_budget = 5000\n"
                           << "quotas = { listings_per_minute = 0 }\nkey_env = \"TEST_MILVUS_KEY\"\ntimeout_ms = 5000\n"
                           << "[systems.erp]\nkind = \"totvs\"\nbase_url = \"" << base_ << "/totvs\"\nuser = \"ponte\"\n"
                           << "key_env = \"TEST_ERP_PASSWORD\"\nmessage_version = \"2.007\"\ntimeout_ms = 5000\n"
                           << "[delivery]\nretry_base_seconds = 0\nmax_attempts = 50\nwrite_settle_seconds = 1\n"
                           << testing::ThreeSystemRoutes(kCutoff);
    setenv("TEST_PLOOMES_KEY", "sandbox-ploomes-key", 1);
    setenv("TEST_MILVUS_KEY", "sandbox-milvus-token", 1);
    setenv("TEST_ERP_PASSWORD", "sandbox-totvs-password", 1);
  }
  void TearDown() override { std::filesystem::remove(config_); }
  testing::RunResult Ponte(const std::string& args) { return testing::RunPonte(args + " --config " + config_); }
  Json Stats() { return Json::parse(client_->Get("/_sandbox/stats")->body); }

  // Nothing twice in any system, and everything each route owes delivered.
  void ExpectEverythingOnceEverywhere() {
    const Json stats = Stats();
    for (const char* system : {"ploomes", "milvus", "totvs"}) {
      EXPECT_EQ(stats[system]["duplicate_documents"], 0) << system << ": " << stats[system]["duplicates"].dump();
    }
    EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
    auto check = testing::CheckEverythingDelivered(*client_, kCutoff);
    ASSERT_TRUE(check.ok);
    EXPECT_EQ(check.contacts_missing, 0) << check.missing;
    EXPECT_EQ(check.clients_missing, 0) << check.missing;
    EXPECT_EQ(check.tickets_missing, 0) << check.missing;
    auto erp = testing::CheckErpDelivered(*client_, kCutoff);
    ASSERT_TRUE(erp.ok);
    EXPECT_GT(erp.customers_eligible, 20);
    EXPECT_EQ(erp.customers_missing, 0) << erp.missing;
    EXPECT_EQ(erp.erp_missing, 0) << erp.missing;
  }
  // A run after which nothing is left to write: every route of a --json run wrote nothing.
  void ExpectNothingLeftToWrite() {
    auto again = Ponte("sync --once --json");
    ASSERT_EQ(again.exit_code, 0) << again.out;
    Json reports = Json::parse(again.out.substr(again.out.find('[')));
    EXPECT_EQ(reports.size(), 8u);
    for (const auto& r : reports) {
      EXPECT_EQ(r["created"].get<int>() + r["updated"].get<int>() + r["linked"].get<int>(), 0) << r["route"];
    }
  }

  std::unique_ptr<testing::ChildProcess> sandbox_;
  std::unique_ptr<httplib::Client> client_;
  std::string base_, config_;
};

TEST_F(HubCliTest, ThreeSystemsFromTheConfigurationFile) {
  StartSandbox({"--contacts", "80", "--tasks", "60", "--interactions", "30", "--milvus-clients", "50",
                "--totvs-customers", "30"});
  auto check = Ponte("config check");
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("erp: totvs " + base_ + "/totvs (key: found)"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("route customers_milvus_to_erp: milvus -> erp (CustomerVendor): enabled"), std::string::npos)
      << check.out;
  auto first = Ponte("sync --once");
  EXPECT_EQ(first.exit_code, 0) << first.out;
  EXPECT_NE(first.out.find("customers_erp_to_ploomes"), std::string::npos) << first.out;
  ExpectNothingLeftToWrite();
  ExpectEverythingOnceEverywhere();
  auto depara = Ponte("depara check");
  EXPECT_EQ(depara.exit_code, 0) << depara.out;
  EXPECT_NE(depara.out.find("0 problem(s)"), std::string::npos) << depara.out;
  // The ERP's de/para loaded in bulk: every customer link, in InternalIdLoad messages. The
  // customers born in the ERP are new to it (ponte never wrote them); a second push adds nothing.
  const int entries = Stats()["totvs"]["depara_entries"];
  auto push = Ponte("depara push erp");
  EXPECT_EQ(push.exit_code, 0) << push.out;
  EXPECT_NE(push.out.find("customer link(s) into erp's de/para in 1 InternalIdLoad message(s)"), std::string::npos)
      << push.out;
  const int pushed = Stats()["totvs"]["depara_entries"];
  EXPECT_GE(pushed, entries);
  EXPECT_EQ(Ponte("depara push erp").exit_code, 0);
  EXPECT_EQ(Stats()["totvs"]["depara_entries"], pushed);
  EXPECT_GE(Stats()["totvs"]["internal_id_loads"].get<int>(), 1);
  auto not_erp = Ponte("depara push milvus");
  EXPECT_EQ(not_erp.exit_code, 2);
  EXPECT_NE(not_erp.out.find("only a TOTVS ERP keeps its own de/para"), std::string::npos) << not_erp.out;
  ExpectNothingLeftToWrite();
  // One route alone, by its name from the file; a name it does not have is refused with the list.
  EXPECT_EQ(Ponte("sync --once --route customers_erp_to_milvus").exit_code, 0);
  auto unknown = Ponte("sync --once --route customers_erp_to_sap");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("customers_milvus_to_erp"), std::string::npos) << unknown.out;
}

// Routes as data carry tickets too: a second Ploomes account's tasks become tickets of a second
// Milvus account (here the sandbox's one of each, under other names), the customer route
// between them beside it. Nothing twice; the second run writes nothing.
TEST_F(HubCliTest, ATicketRouteBetweenNamedSystemsFromTheConfigurationFile) {
  StartSandbox();
  std::ofstream(config_) << "store = \"sqlite:" << testing::NewSqlitePath() << "\"\n"
                         << "[systems.ploomes]\nbase_url = \"" << base_ << "/ploomes\"\nkey_env = \"TEST_PLOOMES_KEY\"\n"
                         << "[systems.milvus]\nbase_url = \"" << base_ << "/milvus\"\nkey_env = \"TEST_MILVUS_KEY\"\n"
                         << "[systems.crm]\nkind = \"ploomes\"\nbase_url = \"" << base_ << "/ploomes\"\n"
                         << "key_env = \"TEST_PLOOMES_KEY\"\nrequests_per_minute = 0\ntimeout_ms = 5000\n"
                         << "[systems.helpdesk]\nkind = \"milvus\"\nbase_url = \"" << base_ << "/milvus\"\n"
                         << "listing_budget = 5000\nquotas = { listings_per_minute = 0 }\n"
                         << "key_env = \"TEST_MILVUS_KEY\"\ntimeout_ms = 5000\n"
                         << "[delivery]\nretry_base_seconds = 0\nmax_attempts = 50\nwrite_settle_seconds = 1\n"
                         << "[[routes]]\nname = \"customers_crm_to_helpdesk\"\nfrom = \"crm\"\nto = \"helpdesk\"\n"
                         << "cutoff = \"" << kCutoff << "\"\n"
                         << "[[routes]]\nname = \"tasks_crm_to_helpdesk\"\nfrom = \"crm\"\nto = \"helpdesk\"\n"
                         << "message = \"Ticket\"\nrecords = \"Task\"\ntags = [\"INSTALAÇÃO\", \"ENTREGA\"]\n";
  auto checked = Ponte("config check");
  ASSERT_EQ(checked.exit_code, 0) << checked.out;
  EXPECT_NE(checked.out.find("route tasks_crm_to_helpdesk: crm -> helpdesk (Ticket: Task tagged INSTALAÇÃO, ENTREGA): "
                             "enabled"),
            std::string::npos)
      << checked.out;
  auto first = Ponte("sync --once --json");
  ASSERT_EQ(first.exit_code, 0) << first.out;
  Json reports = Json::parse(first.out.substr(first.out.find('[')));
  ASSERT_EQ(reports.size(), 2u) << first.out;
  int tickets = 0;
  for (const auto& r : reports) {
    EXPECT_EQ(r["dead"], 0) << r["route"];
    if (r["route"] == "tasks_crm_to_helpdesk") tickets = r["created"];
  }
  const Json stats = Stats();
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0) << stats["milvus"]["duplicates"].dump();
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  // Each ticket names its origin in the named system: "[ponte crm:Task:<id>]" (the route's
  // count also holds the clients it created for tickets on contacts before the cutoff).
  int from_crm = 0, other = 0;
  for (const auto& item : stats["milvus"]["tickets_by_source"].items()) {
    (item.key().starts_with("crm:Task:") ? from_crm : other)++;
  }
  EXPECT_GT(from_crm, 5);
  EXPECT_LE(from_crm, tickets);
  EXPECT_EQ(other, 0);
  auto again = Ponte("sync --once --json");
  ASSERT_EQ(again.exit_code, 0) << again.out;
  for (const auto& r : Json::parse(again.out.substr(again.out.find('[')))) {
    EXPECT_EQ(r["created"].get<int>() + r["updated"].get<int>() + r["linked"].get<int>(), 0) << r["route"];
  }
}

TEST_F(HubCliTest, TheDemoJoinsTheErp) {
  auto demo = testing::RunPonte("demo --systems ploomes,milvus,totvs --contacts 80 --json");
  ASSERT_EQ(demo.exit_code, 0) << demo.out;
  Json j = Json::parse(demo.out.substr(demo.out.find('{')), nullptr, false);
  ASSERT_TRUE(j.is_object()) << demo.out;
  EXPECT_EQ(j["duplicates"], 0);
  EXPECT_EQ(j["sandbox"]["totvs"]["duplicate_documents"], 0);
  EXPECT_GT(j["sandbox"]["totvs"]["customers"].get<int>(), 16);  // the CRM's customers reached it
  EXPECT_EQ(j["second_run"].size(), 8u);
  for (const auto& r : j["second_run"]) {
    EXPECT_EQ(r["created"].get<int>() + r["updated"].get<int>() + r["linked"].get<int>(), 0) << r["route"];
  }
  auto bad = testing::RunPonte("demo --systems ploomes,sap");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("unknown system 'sap'"), std::string::npos) << bad.out;
}

// The crash test on three systems: SIGKILL at random points, then completion.
TEST_F(HubCliTest, KilledAtRandomPointsOnThreeSystems) {
  StartSandbox({"--contacts", "500", "--tasks", "500", "--interactions", "250", "--milvus-clients", "350",
                "--totvs-customers", "150", "--seed", "13"});
  EXPECT_GE(testing::KillSyncAtRandomPoints(config_, 10, 20261206, 100, 700), 5);
  auto final_run = Ponte("sync --once --wait");
  EXPECT_EQ(final_run.exit_code, 0) << final_run.out;
  ExpectNothingLeftToWrite();
  ExpectEverythingOnceEverywhere();
}

// ponte under each unconfirmed behaviour of the ERP (../shared/totvs.md): a write answered with
// a ResponseMessage or only acknowledged, ListOfInternalId spelled either way.
class ErpRealities : public HubCliTest, public ::testing::WithParamInterface<std::vector<std::string>> {};

TEST_P(ErpRealities, NothingDuplicatedNothingLost) {
  std::vector<std::string> args = {"--contacts", "60", "--tasks", "30", "--interactions", "20", "--milvus-clients", "40",
                                   "--totvs-customers", "25", "--seed", "3"};
  args.insert(args.end(), GetParam().begin(), GetParam().end());
  StartSandbox(args);
  // Under faults, writes that failed wait for their retry: --wait delivers them too.
  auto first = Ponte("sync --once --wait");
  EXPECT_EQ(first.exit_code, 0) << first.out;
  if (GetParam().size() > 2) {
    // Under faults a write that failed is retried by the next runs: they converge.
    int runs = 0;
    for (bool wrote = true; wrote && runs < 8; ++runs) {
      auto again = Ponte("sync --once --json");
      Json reports = Json::parse(again.out.substr(again.out.find('[')), nullptr, false);
      wrote = false;
      for (const auto& r : reports) wrote |= r["created"].get<int>() + r["updated"].get<int>() + r["linked"].get<int>() > 0;
    }
    EXPECT_LT(runs, 8);
  }
  ExpectNothingLeftToWrite();
  ExpectEverythingOnceEverywhere();
}

std::string ErpRealityName(const ::testing::TestParamInfo<std::vector<std::string>>& p) {
  if (p.param.empty()) return "documented";
  return p.param[1] + (p.param.size() > 2 ? "_with_faults" : "");
}

INSTANTIATE_TEST_SUITE_P(Erp, ErpRealities,
                         ::testing::Values(std::vector<std::string>{},
                                           std::vector<std::string>{"--totvs-answer", "ack_only"},
                                           std::vector<std::string>{"--totvs-id-case", "lower"},
                                           std::vector<std::string>{"--totvs-answer", "ack_only", "--faults",
                                                                    "totvs:500=0.1,totvs:reset=0.05"}),
                         ErpRealityName);

}  // namespace
}  // namespace ponte
