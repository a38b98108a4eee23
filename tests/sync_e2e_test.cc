// The sync engine end to end against the sandbox over loopback: every route, rule and skip
// reason; second runs that create nothing; late runs; midnight; echo suppression; the old
// script's migration; faults; dry runs; and reconciliation of an interrupted delivery.

#include <gtest/gtest.h>
#include <httplib.h>

#include <cctype>
#include <set>

#include "connectors/milvus/milvus_connector.h"
#include "connectors/ploomes/ploomes_connector.h"
#include "core/document.h"
#include "core/version.h"
#include "core/message.h"
#include "core/schema_validator.h"
#include "core/ticket.h"
#include "sandbox/sandbox.h"
#include "store/depara_io.h"
#include "store/facts.h"
#include "support/sandbox_checks.h"
#include "support/temp_postgres.h"
#include "app/default_config.h"
#include "sync/engine.h"

namespace ponte {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

class SyncTest : public ::testing::Test {
 protected:
  void Start(sandbox::SandboxOptions o) {
    o.port = 0;
    o.ploomes_requests_per_minute = 0;
    o.milvus_listings_per_minute = 0;
    sandbox_ = std::move(*sandbox::Sandbox::Start(o));
    admin_ = std::make_unique<httplib::Client>(sandbox_->base_url());
    store_ = std::move(*OpenStore("sqlite:" + testing::NewSqlitePath()));
    RetryPolicy fast;
    fast.base_backoff = milliseconds(10);
    fast.max_backoff = milliseconds(100);
    fast.quota_wait_floor = milliseconds(20);
    ploomes_api_ = std::make_unique<ApiClient>(
        ApiClientOptions{"ploomes", sandbox_->ploomes_url(), "User-Key", "sandbox-ploomes-key",
                         "PONTE_PLOOMES_KEY", milliseconds(1000), fast},
        *transport_, nullptr, calls_, SystemClock::Get());
    milvus_api_ = std::make_unique<ApiClient>(
        ApiClientOptions{"milvus", sandbox_->milvus_url(), "Authorization", "sandbox-milvus-token",
                         "PONTE_MILVUS_TOKEN", milliseconds(1000), fast},
        *transport_, nullptr, calls_, SystemClock::Get());
    ploomes_ = std::make_unique<ploomes::PloomesConnector>(*ploomes_api_);
    milvus_ = std::make_unique<milvus::MilvusConnector>(*milvus_api_, milvus::TicketDefaults{});
    systems_ = std::make_unique<DefaultSystems>(*ploomes_, *milvus_);
    config_.delivery.retry_base_seconds = 0;
    // A write in doubt is looked for a second later (60 s by default).
    config_.delivery.write_settle_seconds = 1;
  }
  void SetUp() override {
    sandbox::SandboxOptions o;
    o.contacts = 120;
    o.tasks = 150;
    o.interactions = 80;
    o.milvus_clients = 60;
    Start(o);
  }
  std::vector<RouteReport> Run(EngineOptions options = {}) {
    SyncEngine engine(config_, *store_, systems_->Systems(), calls_, SystemClock::Get(), options);
    return engine.RunAll();
  }
  Json Stats() { return sandbox_->Stats(); }
  Json Get(const std::string& path) { return Json::parse(admin_->Get(path, {{"User-Key", "sandbox-ploomes-key"}})->body); }
  Json Post(const std::string& path, const Json& body) {
    auto r = admin_->Post(path, body.dump(), "application/json");
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body);
  }
  // A Ploomes contact the customers route linked to a Milvus client (not one it only indexed).
  std::string LinkedContact() {
    const auto links = store_->ListLinks({.message = "CustomerVendor", .system = "ploomes"});  // named: no dangling
    for (const auto& l : *links) {
      if (l.info.route != kRouteCustomersToMilvus) continue;
      auto peer = store_->Lookup("CustomerVendor", l.ref, "milvus");
      if (peer && *peer) return l.ref.internal_id;
    }
    return "";
  }
  const RouteReport& Of(const std::vector<RouteReport>& reports, const std::string& route) {
    for (const auto& r : reports) {
      if (r.route == route) return r;
    }
    static RouteReport none;
    return none;
  }
  // Every Milvus client document and every ticket source reference, straight from the sandbox.
  std::set<std::string> MilvusDocuments() {
    std::set<std::string> docs;
    auto r = admin_->Get("/milvus/api/cliente/busca?status=3", {{"Authorization", "sandbox-milvus-token"}});
    Json lista = Json::parse(r->body)["lista"];  // a named copy: a temporary would dangle
    for (const auto& c : lista) docs.insert(c["cnpj_cpf"].get<std::string>());
    return docs;
  }

  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<httplib::Client> admin_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  CallCounter calls_;
  std::unique_ptr<ApiClient> ploomes_api_, milvus_api_;
  std::unique_ptr<ploomes::PloomesConnector> ploomes_;
  std::unique_ptr<milvus::MilvusConnector> milvus_;
  std::unique_ptr<DefaultSystems> systems_;
  Config config_ = DefaultConfig();
};

TEST_F(SyncTest, EveryRouteDeliversAndASecondRunCreatesNothing) {
  auto first = Run();
  ASSERT_EQ(first.size(), 4u);
  for (const auto& r : first) {
    EXPECT_TRUE(r.error.empty()) << r.route << ": " << r.error;
    EXPECT_EQ(r.dead, 0) << r.route;
    EXPECT_EQ(r.retrying, 0) << r.route;
    for (const auto& rec : r.records) {
      if (rec.outcome == Outcome::kDead || rec.outcome == Outcome::kRetrying) {
        ADD_FAILURE() << r.route << " " << rec.origin << ": " << rec.detail;
      }
    }
  }
  EXPECT_GT(Of(first, kRouteCustomersToMilvus).created, 0);
  EXPECT_GT(Of(first, kRouteCustomersToMilvus).linked, 0);  // customers already in Milvus
  EXPECT_GT(Of(first, kRouteCustomersToPloomes).created, 0);
  EXPECT_GT(Of(first, kRouteTasks).created, 0);
  EXPECT_GT(Of(first, kRouteInteractions).created, 0);
  Json stats = Stats();
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0) << stats["milvus"]["duplicates"].dump();
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  EXPECT_EQ(stats["ploomes"]["duplicate_documents"], 0) << stats["ploomes"]["duplicates"].dump();

  // Every eligible contact (valid document, created on or after the cutoff) has its client.
  auto milvus_docs = MilvusDocuments();
  const Instant cutoff = StartOfLocalDay(*ParseDate("2024-02-24"));
  int eligible = 0;
  for (int skip = 0;; skip += 300) {
    Json page = Get("/ploomes/Contacts?$top=300&$skip=" + std::to_string(skip));
    for (const auto& c : page["value"]) {
      auto doc = ParseDocument(testing::ContactDocumentText(c));
      if (!doc || *ParseIsoInstant(c.value("CreateDate", "")) < cutoff) continue;
      ++eligible;
      EXPECT_TRUE(milvus_docs.count(doc->canonical)) << "contact " << c["Id"] << " not in Milvus";
    }
    if (page["value"].size() < 300) break;
  }
  EXPECT_GT(eligible, 0);
  // Every tagged task with a contact that has a valid document got exactly one ticket.
  Json sources = Stats()["milvus"]["tickets_by_source"];
  Json tasks = Get("/ploomes/Tasks?$expand=Tags&$top=300");
  for (const auto& t : tasks["value"]) {
    bool tagged = false;
    for (const auto& tag : t["Tags"]) tagged |= tag["TagId"] == 40049715 || tag["TagId"] == 40049716;
    if (!tagged || t["ContactId"].is_null()) continue;
    Json contact = Get("/ploomes/Contacts(" + t["ContactId"].dump() + ")")["value"][0];
    const std::string raw = testing::ContactDocumentText(contact);
    const std::string key = "ploomes:Task:" + t["Id"].dump();
    if (ParseDocument(raw)) {
      EXPECT_EQ(sources.value(key, 0), 1) << key;
    } else {
      EXPECT_EQ(sources.value(key, 0), 0) << key;
    }
  }

  const int64_t calls_before = calls_.Total();
  auto second = Run();
  for (const auto& r : second) {
    EXPECT_EQ(r.created, 0) << r.route;
    EXPECT_EQ(r.updated, 0) << r.route;
    EXPECT_EQ(r.linked, 0) << r.route;
    EXPECT_EQ(r.dead, 0) << r.route;
  }
  // A second run only reads: a few listing pages, no writes.
  EXPECT_LT(calls_.Total() - calls_before, 12);
  EXPECT_EQ(Stats()["milvus"]["duplicate_documents"], 0);
}

TEST_F(SyncTest, SkipReasonsAreRecordedAndExplained) {
  auto reports = Run();
  const auto& customers = Of(reports, kRouteCustomersToMilvus);
  EXPECT_GT(customers.skipped.at("no valid CPF/CNPJ"), 0);
  EXPECT_GT(customers.skipped.at("created before the cutoff"), 0);
  const auto& tasks = Of(reports, kRouteTasks);
  EXPECT_GT(tasks.skipped.at("no contact"), 0);
  // The reason of one skipped task is in the store for `ponte sync --explain`.
  std::string skipped_origin;
  for (const auto& rec : tasks.records) {
    if (rec.outcome == Outcome::kSkipped) {
      skipped_origin = rec.origin.substr(rec.origin.find(':') + 1);
      break;
    }
  }
  ASSERT_FALSE(skipped_origin.empty());
  auto skips = *store_->FindSkips(skipped_origin);
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_FALSE(skips[0].reason.empty());
}

TEST_F(SyncTest, ARunHoursLateDeliversEverythingSinceTheLastRun) {
  Run();
  // Three hours pass; people create tagged tasks; the next run starts late.
  Post("/_sandbox/clock", {{"advance_seconds", 3 * 3600}});
  std::vector<int64_t> created;
  for (int i = 0; i < 5; ++i) {
    Json t = Post("/_sandbox/ploomes/Tasks", {{"Title", "Entrega " + std::to_string(i)}, {"ContactId", nullptr},
                                             {"Tags", Json::array({{{"TagId", 40049715}}})}});
    created.push_back(t["Id"]);
  }
  // Give them a contact that has a valid document: one the customers route linked.
  const std::string linked = LinkedContact();
  ASSERT_FALSE(linked.empty());
  for (auto id : created) {
    admin_->Patch("/_sandbox/ploomes/Tasks/" + std::to_string(id),
                  Json{{"ContactId", std::stoll(linked)}}.dump(), "application/json");
  }
  Post("/_sandbox/clock", {{"advance_seconds", 3 * 3600}});
  auto late = Run();
  EXPECT_EQ(Of(late, kRouteTasks).created, 5);
  Json sources = Stats()["milvus"]["tickets_by_source"];
  for (auto id : created) EXPECT_EQ(sources.value("ploomes:Task:" + std::to_string(id), 0), 1);
}

TEST_F(SyncTest, RecordsOnBothSidesOfMidnightInSaoPaulo) {
  Run();
  const int64_t contact = std::stoll(LinkedContact());
  // 23:59:30 in São Paulo is 02:59:30 UTC.
  Post("/_sandbox/clock", {{"set", "2026-11-25T02:59:30Z"}});
  Json before = Post("/_sandbox/ploomes/Tasks", {{"Title", "Antes da meia-noite"}, {"ContactId", contact},
                                                  {"Tags", Json::array({{{"TagId", 40049716}}})}});
  auto mid = Run();
  EXPECT_EQ(Of(mid, kRouteTasks).created, 1);
  Post("/_sandbox/clock", {{"set", "2026-11-25T03:00:30Z"}});
  Json after = Post("/_sandbox/ploomes/Tasks", {{"Title", "Depois da meia-noite"}, {"ContactId", contact},
                                                 {"Tags", Json::array({{{"TagId", 40049716}}})}});
  auto next = Run();
  EXPECT_EQ(Of(next, kRouteTasks).created, 1);
  Json sources = Stats()["milvus"]["tickets_by_source"];
  EXPECT_EQ(sources.value("ploomes:Task:" + before["Id"].dump(), 0), 1);
  EXPECT_EQ(sources.value("ploomes:Task:" + after["Id"].dump(), 0), 1);
}

TEST_F(SyncTest, EditsPropagateOnceAndNeverBounceBack) {
  Run();
  // A contact linked to a client that ponte created.
  const std::string contact_id = LinkedContact();
  ASSERT_FALSE(contact_id.empty());
  const std::string client_id = **store_->Lookup("CustomerVendor", {"ploomes", contact_id}, "milvus");
  auto calls = [&](const std::string& endpoint) {
    int64_t n = 0;
    for (const auto& [k, v] : calls_.Snapshot()) {
      if (k.endpoint == endpoint) n += v;
    }
    return n;
  };
  // Edit in Ploomes: one Milvus update, no Ploomes write back.
  admin_->Patch("/_sandbox/ploomes/Contacts/" + contact_id, Json{{"Note", "Cliente desde 2019"}}.dump(), "application/json");
  const auto milvus_updates = calls("PUT /api/cliente/alterar/:id");
  const auto ploomes_patches = calls("PATCH /Contacts(id)");
  Run();
  EXPECT_EQ(calls("PUT /api/cliente/alterar/:id") - milvus_updates, 1);
  EXPECT_EQ(calls("PATCH /Contacts(id)") - ploomes_patches, 0);
  // Edit in Milvus: one Ploomes update, no Milvus write back.
  admin_->Patch("/_sandbox/milvus/clients/" + client_id, Json{{"cliente_observacao", "Pagamento em dia"}}.dump(), "application/json");
  Run();
  EXPECT_EQ(calls("PATCH /Contacts(id)") - ploomes_patches, 1);
  EXPECT_EQ(calls("PUT /api/cliente/alterar/:id") - milvus_updates, 1);
  Json contact = Get("/ploomes/Contacts(" + contact_id + ")")["value"][0];
  EXPECT_EQ(contact["Note"], "Pagamento em dia");
  // And a quiet run writes nothing at all.
  Run();
  EXPECT_EQ(calls("PATCH /Contacts(id)") - ploomes_patches, 1);
  EXPECT_EQ(calls("PUT /api/cliente/alterar/:id") - milvus_updates, 1);
}

// A run that lists Milvus (its index is older than a run or two: runs a quarter of an hour
// apart) and then updates a client must not read that client's old version back from the same
// listing in customers_milvus_to_ploomes and undo the edit in Ploomes.
TEST_F(SyncTest, AnEditIsNotUndoneByAListingTakenBeforeItWasWritten) {
  Run();
  const std::string contact_id = LinkedContact();
  ASSERT_FALSE(contact_id.empty());
  auto patches = [&] {
    int64_t n = 0;
    for (const auto& [k, v] : calls_.Snapshot()) n += k.endpoint == "PATCH /Contacts(id)" ? v : 0;
    return n;
  };
  const auto before = patches();
  admin_->Patch("/_sandbox/ploomes/Contacts/" + contact_id, Json{{"Note", "Cliente desde 2019"}}.dump(), "application/json");
  // The index of Milvus as an hour old: this run lists Milvus before it writes.
  ASSERT_TRUE(SaveListingState(*store_, {"index:milvus", true, "", 1, SystemClock::Get().Now() - std::chrono::hours(1)}));
  const auto run = Run();
  EXPECT_EQ(Of(run, kRouteCustomersToMilvus).updated, 1);
  EXPECT_EQ(Of(run, kRouteCustomersToPloomes).updated, 0);
  EXPECT_EQ(patches() - before, 0);
  Json contact = Get("/ploomes/Contacts(" + contact_id + ")")["value"][0];
  EXPECT_EQ(contact["Note"], "Cliente desde 2019");
  ASSERT_TRUE(SaveListingState(*store_, {"index:milvus", true, "", 1, SystemClock::Get().Now() - std::chrono::hours(1)}));
  const auto quiet = Run();
  EXPECT_EQ(Of(quiet, kRouteCustomersToMilvus).updated + Of(quiet, kRouteCustomersToPloomes).updated, 0);
}

TEST_F(SyncTest, DryRunWritesNothing) {
  auto reports = Run({.dry_run = true});
  int would_create = 0;
  for (const auto& r : reports) {
    for (const auto& rec : r.records) would_create += rec.outcome == Outcome::kCreated;
  }
  EXPECT_GT(would_create, 0);
  EXPECT_EQ(*store_->CountLinks(), 0);
  EXPECT_EQ(*store_->CountDeliveries(DeliveryState::kPending), 0);
  Json calls = Stats()["calls"];
  EXPECT_FALSE(calls.contains("milvus POST /api/cliente/criar"));
  EXPECT_FALSE(calls.contains("ploomes POST /{set}"));
  // The plan answers "will it duplicate my clients?": customers the real run links, it plans as
  // links, not creates (before: "created 157, linked 0" where the run created 106, linked 51).
  auto real = Run();
  for (size_t i = 0; i < 2; ++i) {
    ASSERT_EQ(reports[i].route, real[i].route);
    EXPECT_EQ(reports[i].created, real[i].created) << real[i].route;
  }
  // (The second customer route re-plans the first one's links, which the real run finds done.)
  EXPECT_EQ(reports[0].linked, real[0].linked);
  EXPECT_GT(real[0].linked, 0) << "the data set has customers in both systems";
}

// Each ticket route applies its own tags (before: the interactions route used the tags the
// tasks route resolved first, in one shared cache).
TEST_F(SyncTest, EachTicketRouteAppliesItsOwnTags) {
  config_.routes[kRouteTasks].tags = {"INSTALAÇÃO"};
  config_.routes[kRouteInteractions].tags = {"ENTREGA"};
  Run();
  const Json tickets = Stats()["milvus"]["tickets_by_source"];
  auto carries = [](const Json& record, const std::string& name) {
    for (const auto& t : record.value("Tags", Json::array())) {
      const int64_t id = t.value("TagId", int64_t{0});
      // The sandbox's tag ids (tasks, then interactions).
      if (name == "ENTREGA" && (id == 40049715 || id == 40049815)) return true;
      if (name == "INSTALAÇÃO" && (id == 40049716 || id == 40049816)) return true;
    }
    return false;
  };
  for (const auto& [set, source, tag] : {std::tuple{"Tasks", "Task", "INSTALAÇÃO"},
                                         std::tuple{"InteractionRecords", "InteractionRecord", "ENTREGA"}}) {
    int right = 0, wrong = 0;
    for (const auto& record : Json::parse(admin_->Get(std::string("/_sandbox/ploomes/") + set)->body)) {
      const std::string key = fmt::format("ploomes:{}:{}", source, record["Id"].get<int64_t>());
      if (!tickets.contains(key)) continue;
      (carries(record, tag) ? right : wrong)++;
    }
    EXPECT_EQ(wrong, 0) << set << ": ticketed without the route's tag " << tag;
    EXPECT_GT(right, 0) << set;
  }
}

// A ticket route's `fields`: a custom field of a task fills the Ticket field it is mapped to
// (polling, and a webhook that carries the task); a task without the field keeps its own.
TEST_F(SyncTest, ACustomFieldOfATaskFillsTheTicketFieldItIsMappedTo) {
  const std::string key = "task_6C3A21F0-0B1C-4C53-9C57-2F4E8A1D9B10";
  config_.routes[kRouteTasks].fields = {{key, "RequestDescription"}};
  Run();
  const std::string contact = LinkedContact();
  ASSERT_FALSE(contact.empty());
  auto new_task = [&](const std::string& title, const Json& properties) {
    return Post("/_sandbox/ploomes/Tasks", {{"Title", title},
                                            {"Description", "Ligar antes de ir"},
                                            {"ContactId", std::stoll(contact)},
                                            {"Tags", Json::array({{{"TagId", 40049715}}})},
                                            {"OtherProperties", properties}})["Id"].get<int64_t>();
  };
  const int64_t with_field = new_task("Instalar roteador", Json::array({{{"FieldKey", key}, {"StringValue", "Rua das Flores, 100"}}}));
  const int64_t without = new_task("Trocar cabo", Json::array());
  Run();
  SyncEngine engine(config_, *store_, systems_->Systems(), calls_, SystemClock::Get());
  // The webhook form of a task: OtherProperties as a map.
  const int64_t by_webhook = new_task("Instalar antena", Json::array({{{"FieldKey", key}, {"StringValue", "Av. Brasil, 5"}}}));
  Json webhook_task;
  for (const auto& t : Json::parse(admin_->Get("/_sandbox/ploomes/Tasks")->body)) {
    if (t["Id"] == by_webhook) webhook_task = t;
  }
  ASSERT_TRUE(webhook_task.is_object());
  webhook_task["OtherProperties"] = {{key, "Av. Brasil, 5"}};
  (void)engine.DeliverOne("ploomes", "Tasks", std::to_string(by_webhook), webhook_task.dump());
  std::map<int64_t, std::string> description;
  for (const auto& t : Json::parse(admin_->Get("/_sandbox/milvus/tickets")->body)) {
    for (int64_t id : {with_field, without, by_webhook}) {
      if (t["descricao"].get<std::string>().find(fmt::format("[ponte ploomes:Task:{}]", id)) != std::string::npos) {
        description[id] = t["descricao"];
      }
    }
  }
  ASSERT_EQ(description.size(), 3u);
  EXPECT_TRUE(description[with_field].starts_with("Rua das Flores, 100\n")) << description[with_field];
  EXPECT_TRUE(description[without].starts_with("Ligar antes de ir\n")) << description[without];
  EXPECT_TRUE(description[by_webhook].starts_with("Av. Brasil, 5\n")) << description[by_webhook];
}

// A cutoff on a ticket route: tasks created before it are skipped, by polling and webhooks
// alike (before: accepted in the configuration and ignored, so a first sync ticketed every
// tagged task since 2023).
TEST_F(SyncTest, ACutoffOnATicketRouteSkipsOlderTasks) {
  config_.routes[kRouteTasks].cutoff = "2099-01-01";
  config_.routes[kRouteInteractions].enabled = false;
  auto reports = Run();
  for (const auto& r : reports) {
    if (r.route != kRouteTasks) continue;
    EXPECT_EQ(r.created, 0);
    EXPECT_GT(r.skipped.count("created before the cutoff") ? r.skipped.at("created before the cutoff") : 0, 0);
  }
  for (const auto& [source, n] : Stats()["milvus"]["tickets_by_source"].items()) {
    EXPECT_FALSE(source.starts_with("ploomes:Task:")) << source;
  }
  SyncEngine engine(config_, *store_, systems_->Systems(), calls_, SystemClock::Get());
  auto webhook = engine.DeliverOne("ploomes", "Tasks", "40500001");
  EXPECT_EQ(webhook.created, 0);
  // A contact edited in Ploomes sends a webhook: the contact cutoff holds there too (before:
  // created in Milvus by its webhook, though polling skips it).
  const Instant cutoff = StartOfLocalDay(*ParseDate(config_.routes[kRouteCustomersToMilvus].cutoff));
  std::string old_contact;
  const auto contacts = ploomes_->ContactsChangedSince(std::nullopt);
  ASSERT_TRUE(contacts.has_value());
  for (const auto& rec : contacts->records) {
    auto linked = store_->Lookup("CustomerVendor", {"ploomes", rec.internal_id}, "milvus");
    if (rec.record.document && rec.created_at < cutoff && linked && !*linked) {
      old_contact = rec.internal_id;
      break;
    }
  }
  ASSERT_FALSE(old_contact.empty()) << "the data set has contacts from before the cutoff";
  SyncEngine later(config_, *store_, systems_->Systems(), calls_, SystemClock::Get());
  auto contact = later.DeliverOne("ploomes", "Contacts", old_contact);
  EXPECT_EQ(contact.created, 0);
  EXPECT_EQ(contact.Skipped(), 1);
  EXPECT_NE(contact.records.at(0).detail.find("before the cutoff"), std::string::npos) << contact.records.at(0).detail;
}

// sync --since reads a period again without moving a cursor back, and delivers nothing twice.
TEST_F(SyncTest, ReadingAPeriodAgainWritesNothingTwice) {
  Run();
  const auto before = store_->GetCursor(kRouteTasks);
  ASSERT_TRUE(before && *before);
  auto again = Run({.since = StartOfLocalDay(*ParseDate("2020-01-01"))});
  for (const auto& r : again) {
    EXPECT_EQ(r.created, 0) << r.route;
    if (r.route == kRouteCustomersToMilvus || r.route == kRouteTasks) {
      EXPECT_GT(r.read, 0) << r.route;
    }
  }
  EXPECT_EQ((*store_->GetCursor(kRouteTasks))->value, (*before)->value) << "the cursor never moves back";
  EXPECT_EQ(Stats()["milvus"]["duplicate_tickets"], 0);
}

// A store lost (deleted, emptied, replaced by a new one) between two syncs: the systems already
// hold ponte's writes, and the second sync finds them (customers by document, tickets by ponte's
// reference) instead of creating them again (before: every ticket was created a second time).
TEST_F(SyncTest, ALostStoreIsRebuiltFromTheSystemsNotWrittenAgain) {
  auto first = Run();
  int tickets_before = 0;
  for (const auto& r : first) tickets_before += r.route == kRouteTasks || r.route == kRouteInteractions ? r.created : 0;
  ASSERT_GT(tickets_before, 0);
  store_ = std::move(*OpenStore("sqlite:" + testing::NewSqlitePath()));
  auto second = Run();
  int linked = 0;
  for (const auto& r : second) {
    EXPECT_EQ(r.created, 0) << r.route;
    EXPECT_EQ(r.dead, 0) << r.route;
    linked += r.linked;
  }
  EXPECT_GT(linked, 0);
  const Json stats = Stats();
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0);
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  EXPECT_EQ(stats["ploomes"]["duplicate_documents"], 0);
  // A third run writes nothing at all.
  for (const auto& r : Run()) EXPECT_EQ(r.created + r.updated + r.linked, 0) << r.route;
}

// Every delivered message in the journal passes ponte's envelope schema (with the official
// header's ProductVersion) and says in ReturnContent.ListOfInternalId which InternalIds it
// joined (before: every stored message had an empty list and no ProductVersion).
TEST_F(SyncTest, DeliveredMessagesCarryTheirInternalIds) {
  Run();
  DeliveryFilter every;
  every.limit = 100000;
  const size_t journaled = store_->ListDeliveries(every)->size();
  DeliveryFilter done;
  done.state = DeliveryState::kDone;
  done.limit = 100000;
  auto deliveries = *store_->ListDeliveries(done);
  ASSERT_GT(deliveries.size(), 50u);
  EXPECT_EQ(deliveries.size(), journaled) << "every message of the run was delivered";
  for (const auto& d : deliveries) {
    const Json message = Json::parse(d.intent.payload);
    ASSERT_TRUE(ValidateMessageJson(message).has_value()) << ValidateMessageJson(message).error().ToString();
    EXPECT_TRUE(IsCurrentVersion(*Message::FromJson(message))) << message["Header"].dump();
    EXPECT_EQ(message["Header"]["ProductVersion"], kPonteVersion);
    const Json& list = message["ReturnContent"]["ListOfInternalId"];
    ASSERT_EQ(list.size(), 1u) << message.dump();
    EXPECT_EQ(list[0]["name"], d.intent.message);
    EXPECT_EQ(list[0]["origin"], d.intent.origin.internal_id);
    EXPECT_EQ(list[0]["destination"], d.target_id);
  }
}

// A record that cannot travel as a valid message is a dead letter naming the field; nothing of
// it is written, and the other records go on.
TEST_F(SyncTest, AMessageThatBreaksItsSchemaIsADeadLetterNotAWrite) {
  const std::string long_name(81, 'A');
  const std::string cpf = "529982247" + CpfCheckDigits("529982247");
  const Json contact{{"Name", long_name}, {"TypeId", 2}, {"CPF", cpf}};
  auto posted = admin_->Post("/ploomes/Contacts", {{"User-Key", "sandbox-ploomes-key"}}, contact.dump(),
                             "application/json");
  ASSERT_TRUE(posted && posted->status == 200);
  const std::string id = std::to_string(Json::parse(posted->body)["value"][0]["Id"].get<int64_t>());
  auto reports = Run();
  const auto& customers = Of(reports, kRouteCustomersToMilvus);
  EXPECT_EQ(customers.dead, 1);
  EXPECT_GT(customers.created, 0);
  auto letters = *store_->ListDeadLetters(false);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].origin, (SystemRef{"ploomes", id}));
  EXPECT_NE(letters[0].reason.find("/Name: is 81 characters long, more than the 80 allowed"), std::string::npos)
      << letters[0].reason;
  EXPECT_NE(letters[0].reason.find("correct the record in ploomes"), std::string::npos);
  EXPECT_EQ(MilvusDocuments().count(cpf), 0u);
}

TEST_F(SyncTest, AnInterruptedDeliveryIsReconciledNotRepeated) {
  // A delivery whose POST reached Milvus before the process died: intent recorded, attempt
  // begun, client created, but no link and no "done".
  auto listing = *ploomes_->ContactsChangedSince(std::nullopt);
  const SourceRecord<CustomerVendor>* rec = nullptr;
  for (const auto& r : listing.records) {
    if (r.created_at >= StartOfLocalDay(*ParseDate("2024-02-24")) &&
        milvus_->FindClientsByDocument(*r.record.document)->empty()) {
      rec = &r;
      break;
    }
  }
  ASSERT_NE(rec, nullptr);
  Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes", rec->record.ToBusinessContent());
  auto id = *store_->RecordIntent({kRouteCustomersToMilvus, "CustomerVendor", {"ploomes", rec->internal_id},
                                   "milvus", m.ToJson().dump(), "h"}, SystemClock::Get().Now());
  ASSERT_TRUE(store_->BeginAttempt(id, SystemClock::Get().Now()));
  ASSERT_TRUE(milvus_->CreateClient(rec->record, 0).has_value());
  Run();
  EXPECT_EQ(milvus_->FindClientsByDocument(*rec->record.document)->size(), 1u);
  EXPECT_EQ((**store_->GetDelivery(id)).state, DeliveryState::kDone);
  EXPECT_EQ(Stats()["milvus"]["duplicate_documents"], 0);
}

// A ticket whose contact has no valid CPF/CNPJ is a skip, not a dead letter, even when it
// reached delivery (journaled while its contact could not be read, a fault or a timeout): the
// crash-point matrix met it under load. It waits in the dead-letter queue for a replay.
TEST_F(SyncTest, ATicketWhoseContactHasNoDocumentIsSkippedEvenFromTheJournal) {
  auto listing = *ploomes_->ContactsChangedSince(std::nullopt);
  ASSERT_FALSE(listing.skipped.empty()) << "the generated data has contacts without a valid document";
  Ticket t;
  t.internal_id = "Task|40599999";
  t.source_message = "Task";
  t.topic = "Instalação";
  t.category = "INSTALAÇÃO";
  t.customer_vendor_internal_id = listing.skipped.front().internal_id;
  Message m = NewMessage(kTicketTransaction, kTicketVersion, "ploomes", t.ToBusinessContent());
  auto id = *store_->RecordIntent({kRouteTasks, "Ticket", {"ploomes", t.internal_id}, "milvus", m.ToJson().dump(), ""},
                                  SystemClock::Get().Now());
  const auto reports = Run();
  const auto& tasks = Of(reports, kRouteTasks);
  EXPECT_EQ(tasks.dead, 0);
  auto d = **store_->GetDelivery(id);
  std::string kinds;
  for (const auto& [kind, n] : tasks.skipped) kinds += kind + "=" + std::to_string(n) + " ";
  EXPECT_TRUE(tasks.skipped.count("contact without valid CPF/CNPJ")) << kinds << d.last_error;
  EXPECT_EQ(d.state, DeliveryState::kDead);
  EXPECT_TRUE(d.last_error.starts_with("skipped: ")) << d.last_error;
}

TEST_F(SyncTest, MigrationFromTheOldScriptLinksInsteadOfCreating) {
  // The old script already sent some customers to Milvus and kept their documents in MongoDB.
  auto listing = *ploomes_->ContactsChangedSince(std::nullopt);
  std::string sent;
  int already = 0;
  for (const auto& r : listing.records) {
    if (already == 3) break;
    if (r.created_at < StartOfLocalDay(*ParseDate("2024-02-24"))) continue;
    if (!milvus_->FindClientsByDocument(*r.record.document)->empty()) continue;
    ASSERT_TRUE(milvus_->CreateClient(r.record, 0).has_value());  // what the script did
    sent += Json{{"_id", {{"$oid", "65e0c0ffee" + std::to_string(already)}}},
                 {"cnpj_cpf", r.record.document->canonical}}.dump() + "\n";
    ++already;
  }
  std::istringstream in(sent);
  auto pairs = ReadDePara(in, {DeParaFormat::kMongoexport});
  ASSERT_TRUE(pairs.has_value());
  ASSERT_TRUE(store_->ImportLinks(*pairs));
  auto reports = Run();
  EXPECT_EQ(Stats()["milvus"]["duplicate_documents"], 0);
  EXPECT_GE(Of(reports, kRouteCustomersToMilvus).linked, 3);
  // Each customer the script had sent is one Milvus client, linked to its Ploomes contact.
  std::istringstream again(sent);
  for (std::string line; std::getline(again, line);) {
    auto doc = *ParseDocument(Json::parse(line)["cnpj_cpf"].get<std::string>());
    auto clients = *milvus_->FindClientsByDocument(doc);
    ASSERT_EQ(clients.size(), 1u) << doc.canonical;
    auto members = *store_->FindByNaturalKey("CustomerVendor", doc.canonical);
    bool linked = false;
    for (const auto& m : members) linked |= m.ref == SystemRef{"milvus", clients[0].id};
    EXPECT_TRUE(linked) << doc.canonical;
  }
}

// The same customer, canonical in Milvus and typed some other way in Ploomes: every form ponte
// accepts links the two instead of creating a second contact, whether or not ponte has a whole
// listing of Ploomes' contacts to answer from.
class TypedDifferentlyTest : public SyncTest, public ::testing::WithParamInterface<bool> {
 protected:
  // Each form as a person typed it in Ploomes, with the canonical document it stands for.
  struct Form {
    std::string typed;
    std::string canonical;
  };
  std::vector<Form> Forms() {
    auto cpf = [](const std::string& stem) { return stem + CpfCheckDigits(stem); };
    auto cnpj = [](const std::string& stem) { return stem + CnpjCheckDigits(stem); };
    std::vector<Form> forms;
    const std::string zero_cpf = cpf("034701746");  // a leading zero a spreadsheet drops
    forms.push_back({zero_cpf.substr(1), zero_cpf});
    const std::string c2 = cpf("914538401");
    forms.push_back({c2.substr(0, 9) + "-" + c2.substr(9), c2});
    const std::string c3 = cpf("261461003");
    forms.push_back({c3.substr(0, 3) + " " + c3.substr(3, 3) + " " + c3.substr(6, 3) + " " + c3.substr(9), c3});
    const std::string c4 = cpf("407666193");
    forms.push_back({c4 + " ", c4});
    const std::string c5 = cpf("529982247");
    forms.push_back({ParseDocument(c5)->Formatted(), c5});
    forms.push_back({cpf("123456780"), cpf("123456780")});  // bare, as ponte writes it
    const std::string j1 = cnpj("007579380001");  // two leading zeros dropped
    forms.push_back({j1.substr(2), j1});
    const std::string j2 = cnpj("451450610001");
    forms.push_back({j2.substr(0, 2) + "." + j2.substr(2, 3) + "." + j2.substr(5, 3) + "." +
                         j2.substr(8, 4) + "-" + j2.substr(12), j2});
    const std::string j3 = cnpj("12ABC34501DE");
    std::string lower = j3;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    forms.push_back({lower, j3});
    const std::string j4 = cnpj("334567890001");
    forms.push_back({ParseDocument(j4)->Formatted(), j4});
    forms.push_back({" " + cnpj("778899000002") + "\t", cnpj("778899000002")});
    return forms;
  }
};

TEST_P(TypedDifferentlyTest, EveryAcceptedFormLinksInsteadOfCreating) {
  const bool whole_listing_first = GetParam();
  const auto forms = Forms();
  ASSERT_EQ(forms.size(), 11u);
  int n = 0;
  for (const auto& f : forms) {
    auto doc = ParseDocument(f.typed);
    ASSERT_TRUE(doc.has_value()) << f.typed << ": " << doc.error().ToString();
    ASSERT_EQ(doc->canonical, f.canonical) << f.typed;
    const bool person = doc->is_person();
    const std::string name = fmt::format("Cliente Digitado {}", ++n);
    const Json contact{{"Name", name}, {"TypeId", person ? 2 : 1}, {person ? "CPF" : "CNPJ", f.typed}};
    auto posted = admin_->Post("/ploomes/Contacts", {{"User-Key", "sandbox-ploomes-key"}},
                               contact.dump(), "application/json");
    ASSERT_TRUE(posted && posted->status == 200) << (posted ? posted->body : "no answer");
    CustomerVendor cv;
    cv.name = name;
    cv.document = *ParseDocument(f.canonical);
    ASSERT_TRUE(milvus_->CreateClient(cv, 0).has_value()) << f.canonical;
  }
  // Without a whole listing, ponte answers from Ploomes itself (the lookup by document).
  if (whole_listing_first) Run();
  SyncEngine engine(config_, *store_, systems_->Systems(), calls_, SystemClock::Get());
  const auto report = engine.RunRoute(kRouteCustomersToPloomes);
  Json stats = Stats();
  EXPECT_EQ(stats["ploomes"]["duplicate_documents"], 0) << stats["ploomes"]["duplicates"].dump();
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0) << stats["milvus"]["duplicates"].dump();
  for (const auto& f : forms) {
    auto members = *store_->FindByNaturalKey("CustomerVendor", f.canonical);
    int systems = 0;
    for (const auto& m : members) systems += m.ref.system == "ploomes" || m.ref.system == "milvus";
    EXPECT_EQ(systems, 2) << f.typed;
    ASSERT_FALSE(members.empty());
    auto entity = *store_->Entity("CustomerVendor", members.front().ref);
    EXPECT_EQ(entity.size(), 2u) << f.typed << ": ploomes and milvus in one entity";
  }
}

INSTANTIATE_TEST_SUITE_P(Listing, TypedDifferentlyTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "AfterAWholeListing" : "ByLookup"; });

TEST_F(SyncTest, FaultsLeaveEverythingDeliveredOrDeadLetteredWithoutDuplicates) {
  Post("/_sandbox/faults", {{"spec", "429=0.05,500=0.05,503=0.05,reset=0.03,malformed=0.03,truncated=0.02,timeout=0.01,timeout_ms=1500"}});
  config_.delivery.max_attempts = 20;
  for (int i = 0; i < 6; ++i) Run();
  Post("/_sandbox/faults", {{"spec", ""}});
  // The writes left in doubt by the last faults settle before the last run looks for them.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto last = Run();
  Json stats = Stats();
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0) << stats["milvus"]["duplicates"].dump();
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  EXPECT_EQ(stats["ploomes"]["duplicate_documents"], 0);
  EXPECT_GT(stats["faults_injected"].size(), 0u);
  EXPECT_EQ(*store_->CountDeliveries(DeliveryState::kPending), 0);
  auto letters = *store_->ListDeadLetters(false);
  for (const auto& d : letters) EXPECT_FALSE(d.reason.empty());
}

}  // namespace
}  // namespace ponte
