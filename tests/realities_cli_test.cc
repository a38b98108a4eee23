// The realities matrix: ponte against `ponte sandbox --reality R` for the documented reading of
// the API notes, for the pessimistic one (the worst value of every unknown at once), and for each
// single unknown at each of its other values (../shared/api/unknowns.md). Under every reality:
// nothing duplicated, every eligible record delivered or the run says what it could not see
// (exit 1), a later run writes nothing, and `ponte probe` reports the reality it ran against.
// ponte runs as the three-system hub: Ploomes, Milvus and the sandbox's TOTVS ERP.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/realities.h"
#include "support/child_process.h"
#include "support/run_ponte.h"
#include "support/sandbox_checks.h"
#include "support/temp_postgres.h"

namespace ponte {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

// The sandbox's clock runs this much faster: its per-minute quotas pass in milliseconds.
constexpr int kTimeScale = 3600;
// Milvus listings a sandbox minute: the quota is on, and high enough that ponte's partitions of a
// capped listing take seconds, not hours.
constexpr int kMilvusListingsPerMinute = 10;
// A small cap with more clients than it, so every run meets it as the real 1000 would.
constexpr int kBuscaCap = 50;

std::vector<std::string> Realities() {
  std::vector<std::string> out = {"documented", "pessimistic"};
  for (const auto& u : Unknowns()) {
    for (const auto& v : u.values) {
      if (v != u.documented) out.push_back(u.key + "=" + v);
    }
  }
  return out;
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

class RealityMatrix : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    reality_ = *Reality::Parse(GetParam());
    sandbox_ = std::make_unique<testing::ChildProcess>(std::vector<std::string>{
        PONTE_BINARY, "sandbox", "--listen", "127.0.0.1:0", "--reality", GetParam(), "--time-scale",
        std::to_string(kTimeScale), "--milvus-listing-rate", std::to_string(kMilvusListingsPerMinute),
        "--milvus-busca-cap", std::to_string(kBuscaCap), "--contacts", "70", "--tasks", "50", "--interactions",
        "25", "--milvus-clients", "40", "--totvs-customers", "20", "--seed", "11"});
    auto first = sandbox_->ReadLine(20s);
    ASSERT_TRUE(first && first->find("http://") != std::string::npos);
    base_ = first->substr(first->find("http://"));
    client_ = std::make_unique<httplib::Client>(base_);
    config_ = (std::filesystem::temp_directory_path() /
               ("ponte-reality-" + std::to_string(getpid()) + "-" + TestName({GetParam(), 0}) + ".toml"))
                  .string();
    std::ofstream(config_) << "store = \"sqlite:" << testing::NewSqlitePath() << "\"\n"
                           << "[systems.ploomes]\nbase_url = \"" << base_ << "/ploomes\"\n"
                           << "key_env = \"TEST_PLOOMES_KEY\"\nrequests_per_minute = 0\ntimeout_ms = 5000\n"
                           << "forbidden_backoff_ms = 20\n"
                           << "[systems.milvus]\nbase_url = \"" << base_ << "/milvus\"\n"
                           << "key_env = \"TEST_MILVUS_KEY\"\ntimeout_ms = 5000\nlisting_budget = 5000\n"
                           << "busca_cap = " << kBuscaCap << "\n"
                           << "quotas = { listings_per_minute = " << kMilvusListingsPerMinute * kTimeScale << " }\n"
                           << "[systems.erp]\nkind = \"totvs\"\nbase_url = \"" << base_ << "/totvs\"\n"
                           << "user = \"ponte\"\nkey_env = \"TEST_ERP_PASSWORD\"\nmessage_version = \"2.007\"\n"
                           << "timeout_ms = 5000\n"
                           << "[delivery]\nretry_base_seconds = 0\nmax_attempts = 50\nwrite_settle_seconds = 1\n";
    // The three-system hub: the four routes and the ERP's, in order.
    std::ofstream(config_, std::ios::app) << testing::ThreeSystemRoutes("2024-02-24");
    setenv("TEST_PLOOMES_KEY", "sandbox-ploomes-key", 1);
    setenv("TEST_MILVUS_KEY", "sandbox-milvus-token", 1);
    setenv("TEST_ERP_PASSWORD", "sandbox-totvs-password", 1);
  }
  void TearDown() override { std::filesystem::remove(config_); }

  testing::RunResult Ponte(const std::string& args) { return testing::RunPonte(args + " --config " + config_); }
  Json Admin(const std::string& method, const std::string& path, const Json& body = nullptr) {
    auto r = method == "GET" ? client_->Get(path)
             : method == "PATCH" ? client_->Patch(path, body.dump(), "application/json")
                                 : client_->Post(path, body.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 200) << method << " " << path;
    return r ? Json::parse(r->body, nullptr, false) : Json();
  }

  Reality reality_;
  std::unique_ptr<testing::ChildProcess> sandbox_;
  std::unique_ptr<httplib::Client> client_;
  std::string base_, config_;
};

TEST_P(RealityMatrix, NothingDuplicatedNothingLostAndTheProbeReportsIt) {
  // Names only prove a capped Milvus listing complete when they match by substring.
  const bool listable = reality_.Is("milvus.busca_name_match", "substring");
  const int expected_exit = listable ? 0 : 1;

  // The first run lists Milvus once, before it creates clients there: under the cap, and
  // complete. Every route out of Milvus in that run reads that listing with ponte's own writes
  // in it, so the first run sees everything in every reality; the runs after it list past the
  // cap, and a reality whose listing cannot be proven whole says so from then on.
  auto first = Ponte("sync --once");
  EXPECT_EQ(first.exit_code, 0) << first.out;

  // People at work meanwhile: an old task gets a ticket tag (on some accounts without a new
  // LastUpdateDate), and a client is added in Milvus by hand.
  Json tasks = Admin("GET", "/_sandbox/ploomes/Tasks");
  Json contacts = Admin("GET", "/_sandbox/ploomes/Contacts");
  int64_t untagged = 0;
  for (const auto& t : tasks) {
    if (t["Tags"].empty() && t["ContactId"].is_number() && !untagged) {
      for (const auto& c : contacts) {
        if (c["Id"] == t["ContactId"] && !testing::ContactDocumentText(c).empty()) untagged = t["Id"];
      }
    }
  }
  ASSERT_NE(untagged, 0);
  Admin("PATCH", "/_sandbox/ploomes/Tasks/" + std::to_string(untagged), {{"Tags", Json::array({{{"TagId", 40049715}}})}});
  Admin("POST", "/_sandbox/milvus/clients",
        {{"cliente_documento", "45.145.061/0001-85"},
         {"cliente_pessoa_juridica", {{"razao_social", "Serralheria Nova Ltda"}, {"nome_fantasia", "Serralheria Nova"}}}});

  // A whole listing sees the late tag wherever LastUpdateDate stayed (ponte does one a day).
  auto second = Ponte("sync --once --full");
  EXPECT_EQ(second.exit_code, expected_exit) << second.out;
  if (!listable) {
    EXPECT_NE(second.out.find("INCOMPLETE: could not list every Milvus client"), std::string::npos) << second.out;
  }
  auto third = Ponte("sync --once --json");
  EXPECT_EQ(third.exit_code, expected_exit) << third.out;
  Json reports = Json::parse(third.out.substr(third.out.find('[')), nullptr, false);
  ASSERT_TRUE(reports.is_array()) << third.out;
  for (const auto& r : reports) {
    EXPECT_EQ(r["dead"], 0) << r["route"];
    // A listing that cannot see every client may see others on each run (with an unspecified
    // cap order): delivering those is catching up, not writing twice (duplicates are counted
    // below).
    if (!listable && (r["route"] == "customers_milvus_to_ploomes" || r["route"] == "customers_milvus_to_erp")) continue;
    EXPECT_EQ(r["created"].get<int>() + r["updated"].get<int>() + r["linked"].get<int>(), 0)
        << "the third run wrote in " << r["route"];
  }

  Json stats = Admin("GET", "/_sandbox/stats");
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0) << stats["milvus"]["duplicates"].dump();
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  EXPECT_EQ(stats["ploomes"]["duplicate_documents"], 0) << stats["ploomes"]["duplicates"].dump();
  EXPECT_EQ(stats["totvs"]["duplicate_documents"], 0) << stats["totvs"]["duplicates"].dump();
  auto erp = testing::CheckErpDelivered(*client_, "2024-02-24");
  ASSERT_TRUE(erp.ok);
  EXPECT_EQ(erp.erp_missing, 0) << erp.missing;  // every ERP customer is in Ploomes and Milvus
  // Milvus clients a capped listing cannot see cannot reach the ERP either (the run says so).
  if (listable) {
    EXPECT_EQ(erp.customers_missing, 0) << erp.missing;
  }
  auto check = testing::CheckEverythingDelivered(*client_, "2024-02-24");
  ASSERT_TRUE(check.ok);
  EXPECT_GT(check.contacts_eligible, 20);
  EXPECT_GT(check.tickets_eligible, 10);
  EXPECT_EQ(check.contacts_missing, 0) << check.missing;
  EXPECT_EQ(check.tickets_missing, 0) << check.missing;
  if (listable) {
    EXPECT_EQ(check.clients_missing, 0) << check.missing;
  } else {
    // What it could not see, it said it could not see: every run exited 1 with the reason.
    EXPECT_NE(third.out.find("records_unseen\":true"), std::string::npos);
  }

  // The probe tells this reality from the others.
  auto probe = Ponte("probe --write --json");
  ASSERT_EQ(probe.exit_code, 0) << probe.out;
  Json found = Json::parse(probe.out.substr(probe.out.find('{')), nullptr, false);
  ASSERT_TRUE(found.is_object()) << probe.out;
  const bool single = GetParam().find('=') != std::string::npos;
  for (const auto& u : Unknowns()) {
    if (single && GetParam().find(u.key + "=") != 0) continue;
    EXPECT_EQ(found[u.key]["value"], reality_.Get(u.key)) << u.key << ": " << found[u.key]["evidence"];
  }
}

INSTANTIATE_TEST_SUITE_P(Realities, RealityMatrix, ::testing::ValuesIn(Realities()), TestName);

}  // namespace
}  // namespace ponte
