// The three-system hub against the sandbox: Ploomes, Milvus and a TOTVS ERP joined over
// Mensagem Única, each customer one de/para entity with a member in every system.

#include <gtest/gtest.h>

#include "app/default_config.h"
#include <httplib.h>

#include <thread>

#include "core/customer_vendor.h"
#include "net/http.h"
#include "support/sandbox_harness.h"
#include "sync/engine.h"

namespace ponte {
namespace {

using Json = nlohmann::json;

sandbox::SandboxOptions Small() {
  sandbox::SandboxOptions o;
  o.contacts = 60;
  o.tasks = 40;
  o.interactions = 20;
  o.milvus_clients = 40;
  o.totvs_customers = 24;
  o.ploomes_requests_per_minute = 0;
  o.milvus_listings_per_minute = 0;
  o.seed = 7;
  return o;
}

class HubTest : public ::testing::Test {
 protected:
  explicit HubTest(sandbox::SandboxOptions o = Small()) : h_(o) {}
  void SetUp() override { h_.JoinErp(); }

  std::vector<RouteReport> RunAll() {
    SyncEngine engine(h_.config, *h_.store, h_.Systems(), h_.calls, SystemClock::Get());
    return engine.RunAll();
  }
  static int Writes(const std::vector<RouteReport>& reports) {
    int n = 0;
    for (const auto& r : reports) n += r.created + r.updated + r.linked;
    return n;
  }
  // The systems with a member in the entity of `ref`.
  std::set<std::string> Members(const SystemRef& ref) {
    std::set<std::string> out;
    auto rows = h_.store->Entity("CustomerVendor", ref);
    EXPECT_TRUE(rows);
    if (rows) {
      for (const auto& m : *rows) out.insert(m.ref.system);
    }
    return out;
  }
  Json Admin(const std::string& method, const std::string& path, const Json& body = nullptr) {
    httplib::Client c(h_.sandbox->base_url());
    auto r = method == "GET"     ? c.Get(path)
             : method == "PATCH" ? c.Patch(path, body.dump(), "application/json")
                                 : c.Post(path, body.dump(), "application/json");
    EXPECT_TRUE(r && r->status == 200) << method << " " << path << (r ? r->body : "");
    return r ? Json::parse(r->body, nullptr, false) : Json();
  }
  void ExpectNoDuplicates() {
    const Json stats = h_.Stats();
    for (const char* system : {"ploomes", "milvus", "totvs"}) {
      EXPECT_EQ(stats[system]["duplicate_documents"], 0) << system << ": " << stats[system]["duplicates"].dump();
    }
    EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  }

  testing::SandboxHarness h_;
};

TEST_F(HubTest, ThreeSystemsRunTwiceWithoutDuplicatesAndTheSecondRunWritesNothing) {
  auto first = RunAll();
  ASSERT_EQ(first.size(), 8u);
  for (const auto& r : first) {
    EXPECT_EQ(r.dead, 0) << r.route;
    EXPECT_TRUE(r.error.empty()) << r.route << ": " << r.error;
  }
  auto second = RunAll();
  EXPECT_EQ(Writes(second), 0);
  ExpectNoDuplicates();
  auto problems = h_.store->CheckDePara();
  ASSERT_TRUE(problems);
  for (const auto& p : *problems) ADD_FAILURE() << p.kind << ": " << p.detail;
  // Every ERP customer is one entity with Ploomes and Milvus, and so is every Ploomes contact
  // the routes carry (after the cutoff, with a document).
  const Json erp = Admin("GET", "/_sandbox/totvs/customers");
  ASSERT_GT(erp.size(), 24u);  // the CRM's customers reached it
  for (const auto& c : erp) {
    EXPECT_EQ(Members({"erp", c["InternalId"]}), (std::set<std::string>{"erp", "milvus", "ploomes"})) << c["InternalId"];
  }
  // The ERP learned ponte's InternalIds: its de/para has one entry per customer ponte wrote or linked.
  EXPECT_GT(h_.Stats()["totvs"]["depara_entries"].get<int>(), 24);
}

TEST_F(HubTest, ACustomerCreatedInPloomesReachesMilvusAndTheErp) {
  RunAll();
  const Json contact = Admin("POST", "/_sandbox/ploomes/Contacts",
                             {{"Name", "Vidraçaria Horizonte Ltda"}, {"TypeId", 1}, {"CNPJ", "45.145.061/0001-85"}});
  const std::string id = std::to_string(contact["Id"].get<int64_t>());
  const int erp_before = h_.Stats()["totvs"]["customers"];
  auto run = RunAll();
  EXPECT_EQ(Members({"ploomes", id}), (std::set<std::string>{"erp", "milvus", "ploomes"}));
  EXPECT_EQ(h_.Stats()["totvs"]["customers"], erp_before + 1);
  EXPECT_EQ(Writes(RunAll()), 0);
  ExpectNoDuplicates();
}

TEST_F(HubTest, ACustomerCreatedInTheErpReachesPloomesAndMilvus) {
  RunAll();
  const Json created = Admin("POST", "/_sandbox/totvs/customers",
                             {{"Name", "Distribuidora Serra Azul Ltda"},
                              {"Type", "Customer"},
                              {"EntityType", "Company"},
                              {"GovernmentalInformation", {{"Id", {"47.960.950/0001-21"}}, {"scope", "Federal"}, {"name", "CNPJ"}}},
                              {"Address", {{"City", {{"cityDescription", "Uberlândia"}}}, {"State", {{"stateId", "MG"}}}}}});
  const std::string id = created["InternalId"];
  auto run = RunAll();
  EXPECT_EQ(Members({"erp", id}), (std::set<std::string>{"erp", "milvus", "ploomes"}));
  auto to_ploomes = h_.store->Lookup("CustomerVendor", {"erp", id}, "ploomes");
  ASSERT_TRUE(to_ploomes && *to_ploomes);
  const Json contacts = Admin("GET", "/_sandbox/ploomes/Contacts");
  bool found = false;
  for (const auto& c : contacts) found |= std::to_string(c["Id"].get<int64_t>()) == **to_ploomes && c["Name"] == "Distribuidora Serra Azul Ltda";
  EXPECT_TRUE(found);
  EXPECT_EQ(Writes(RunAll()), 0);
  ExpectNoDuplicates();
}

TEST_F(HubTest, AChangeInTheErpReachesBothSystemsOnceWithoutAnEcho) {
  RunAll();
  const Json erp = Admin("GET", "/_sandbox/totvs/customers");
  std::string id;
  for (const auto& c : erp) {
    if (c.value("Code", "") == "000001") id = c["InternalId"];
  }
  ASSERT_FALSE(id.empty());
  Admin("PATCH", "/_sandbox/totvs/customers/" + UrlEncode(id), {{"Comments", "limite de crédito revisto"}});
  auto run = RunAll();
  int updated = 0;
  for (const auto& r : run) {
    if (r.route == "customers_erp_to_ploomes" || r.route == "customers_erp_to_milvus") {
      EXPECT_EQ(r.updated, 1) << r.route;
      updated += r.updated;
    } else {
      // The writes into Ploomes and Milvus are ponte's own: no route sends them on.
      EXPECT_EQ(r.created + r.updated + r.linked, 0) << r.route;
    }
  }
  EXPECT_EQ(updated, 2);
  EXPECT_EQ(Writes(RunAll()), 0);
  ExpectNoDuplicates();
}

TEST_F(HubTest, ANameTheErpsVersionCannotHoldIsADeadLetterNamingTheField) {
  h_.config.systems.erase("erp");
  h_.config.route_order.resize(4);  // the four of ponte 0.1
  for (auto it = h_.config.routes.begin(); it != h_.config.routes.end();) {
    it = IsBuiltInRoute(it->first) ? std::next(it) : h_.config.routes.erase(it);
  }
  h_.JoinErp("erp", "2.000");  // Name up to 40 characters
  auto run = RunAll();
  int dead = 0;
  for (const auto& r : run) {
    if (r.route != "customers_ploomes_to_erp" && r.route != "customers_milvus_to_erp") continue;
    dead += r.dead;
    for (const auto& rec : r.records) {
      if (rec.outcome == Outcome::kDead) {
        EXPECT_NE(rec.detail.find("/Name: is"), std::string::npos) << rec.detail;
        EXPECT_NE(rec.detail.find("more than the 40 CustomerVendor 2.000 allows"), std::string::npos) << rec.detail;
      }
    }
  }
  EXPECT_GT(dead, 0);
  ExpectNoDuplicates();
}

// Several workers: while one writes a customer into Milvus, another worker's delivery of the
// same CNPJ (from another route, or another system) waits, uncounted, instead of creating it too.
TEST_F(HubTest, AWorkerWaitsForTheOneWritingTheSameCustomer) {
  RunAll();
  const std::string doc = "45145061000185";
  const Json contact = Admin("POST", "/_sandbox/ploomes/Contacts",
                             {{"Name", "Serralheria Nova Ltda"}, {"TypeId", 1}, {"CNPJ", "45.145.061/0001-85"}});
  const int clients_before = h_.Stats()["milvus"]["clients"];
  // Another worker ("a") is writing this customer to Milvus right now.
  ASSERT_TRUE(*h_.store->TryLockRoute("customer:milvus:" + doc, "a", SystemClock::Get().Now(), std::chrono::minutes(10)));
  EngineOptions shared;
  shared.share_work = true;
  shared.worker = "b";
  SyncEngine b(h_.config, *h_.store, h_.Systems(), h_.calls, SystemClock::Get(), shared);
  auto waited = b.RunRoute("customers_ploomes_to_milvus");
  EXPECT_EQ(waited.created, 0);
  EXPECT_EQ(waited.dead, 0);
  EXPECT_GE(waited.retrying, 1);
  EXPECT_EQ(h_.Stats()["milvus"]["clients"], clients_before);
  // Worker "a" is done (here: it wrote nothing); "b" delivers when its delivery is due again.
  ASSERT_TRUE(h_.store->UnlockRoute("customer:milvus:" + doc, "a"));
  RouteReport done;
  for (int i = 0; i < 50 && done.created == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    done = b.RunDue("customers_ploomes_to_milvus");
  }
  EXPECT_EQ(done.created, 1);
  EXPECT_EQ(h_.Stats()["milvus"]["clients"], clients_before + 1);
  EXPECT_EQ(Members({"ploomes", std::to_string(contact["Id"].get<int64_t>())}).count("milvus"), 1u);
  ExpectNoDuplicates();
}

// A crash after a write landed in Milvus and before it was linked, then, in the next run (the
// index still fresh from a listing taken before that write), another route's delivery of the same
// customer: it asks Milvus first and links, instead of creating a second client. (Found by the
// crash test on three systems: an ERP customer's client, then its Ploomes contact's.)
TEST_F(HubTest, AWriteACrashLeftInDoubtIsLinkedByTheNextRoute) {
  RunAll();  // a complete, fresh index of Milvus
  const std::string doc = "93976260860";
  // The ERP route's write reached Milvus; the crash came before the link.
  Admin("POST", "/_sandbox/milvus/clients",
        {{"cliente_documento", doc}, {"cliente_pessoa_fisica", {{"nome", "Joana Prado"}}}});
  CustomerVendor cv;
  cv.internal_id = "T1|D MG 01 |000777|01";
  cv.name = "Joana Prado";
  cv.document = *ParseDocument(doc);
  const Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "erp", cv.ToBusinessContent());
  auto id = h_.store->RecordIntent({"customers_erp_to_milvus", "CustomerVendor", {"erp", cv.internal_id}, "milvus",
                                    m.ToJson().dump(), "h"},
                                   SystemClock::Get().Now());
  ASSERT_TRUE(id);
  ASSERT_TRUE(h_.store->BeginAttempt(*id, SystemClock::Get().Now()));
  // The same person, in Ploomes: the route to Milvus comes first in the next run.
  const Json contact = Admin("POST", "/_sandbox/ploomes/Contacts", {{"Name", "Joana Prado"}, {"TypeId", 2}, {"CPF", doc}});
  const int clients_before = h_.Stats()["milvus"]["clients"];
  SyncEngine engine(h_.config, *h_.store, h_.Systems(), h_.calls, SystemClock::Get());
  auto r = engine.RunRoute("customers_ploomes_to_milvus");
  EXPECT_EQ(r.created, 0);
  EXPECT_EQ(r.linked, 1);
  EXPECT_EQ(h_.Stats()["milvus"]["clients"], clients_before);
  EXPECT_EQ(Members({"ploomes", std::to_string(contact["Id"].get<int64_t>())}).count("milvus"), 1u);
  ExpectNoDuplicates();
}

}  // namespace
}  // namespace ponte
