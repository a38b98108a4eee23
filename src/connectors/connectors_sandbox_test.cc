// Both connectors against the sandbox over loopback: full listings, caps, retries through
// faults, quotas with Retry-After, malformed bodies and authentication failures.

#include <gtest/gtest.h>
#include <httplib.h>

#include <set>

#include "connectors/milvus/milvus_connector.h"
#include "connectors/milvus/milvus_customers.h"
#include "core/findings.h"
#include "core/message.h"
#include "connectors/ploomes/ploomes_connector.h"
#include "core/realities.h"
#include "sandbox/sandbox.h"

namespace ponte {
namespace {

using std::chrono::milliseconds;

class ConnectorsTest : public ::testing::Test {
 protected:
  void Start(sandbox::SandboxOptions o) {
    o.port = 0;
    sandbox_ = std::move(*sandbox::Sandbox::Start(o));
    RetryPolicy fast;
    fast.base_backoff = milliseconds(20);
    fast.max_backoff = milliseconds(200);
    fast.quota_wait_floor = milliseconds(50);
    ploomes_api_ = std::make_unique<ApiClient>(
        ApiClientOptions{"ploomes", sandbox_->ploomes_url(), "User-Key", ploomes_key_,
                         "PONTE_PLOOMES_KEY", milliseconds(1500), fast},
        *transport_, ploomes_limiter_.get(), counter_, SystemClock::Get());
    milvus_api_ = std::make_unique<ApiClient>(
        ApiClientOptions{"milvus", sandbox_->milvus_url(), "Authorization", "sandbox-milvus-token",
                         "PONTE_MILVUS_TOKEN", milliseconds(1500), fast},
        *transport_, nullptr, counter_, SystemClock::Get());
    ploomes_ = std::make_unique<ploomes::PloomesConnector>(*ploomes_api_);
    milvus_ = std::make_unique<milvus::MilvusConnector>(*milvus_api_, milvus::TicketDefaults{});
  }
  // A sandbox of this size and reality, without quotas.
  static sandbox::SandboxOptions World(int contacts, int milvus_clients, const std::string& reality = "") {
    sandbox::SandboxOptions o;
    o.contacts = contacts;
    o.milvus_clients = milvus_clients;
    o.ploomes_requests_per_minute = 0;
    o.milvus_listings_per_minute = 0;
    o.reality = *Reality::Parse(reality);
    return o;
  }
  void SetUp() override { Start(World(700, 60)); }
  void Faults(const std::string& spec) {
    httplib::Client c(sandbox_->base_url());
    ASSERT_EQ(c.Post("/_sandbox/faults", nlohmann::json{{"spec", spec}}.dump(), "application/json")->status, 200);
  }

  std::string ploomes_key_ = "sandbox-ploomes-key";
  std::unique_ptr<sandbox::Sandbox> sandbox_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  std::unique_ptr<RateLimiter> ploomes_limiter_;
  CallCounter counter_;
  std::unique_ptr<ApiClient> ploomes_api_, milvus_api_;
  std::unique_ptr<ploomes::PloomesConnector> ploomes_;
  std::unique_ptr<milvus::MilvusConnector> milvus_;
};

TEST_F(ConnectorsTest, PloomesListingPagesToTheEnd) {
  auto listing = ploomes_->ContactsChangedSince(std::nullopt);
  ASSERT_TRUE(listing.has_value()) << listing.error().ToString();
  EXPECT_EQ(listing->records.size() + listing->skipped.size(), 700u);
  EXPECT_EQ(listing->pages, 3);
  EXPECT_GT(listing->skipped.size(), 0u);  // the generator's invalid documents, with reasons
  for (const auto& s : listing->skipped) EXPECT_FALSE(s.reason.empty());
  std::set<std::string> ids;
  for (const auto& r : listing->records) ids.insert(r.internal_id);
  EXPECT_EQ(ids.size(), listing->records.size());
  // Since the newest timestamp: only the records at it.
  auto since = ploomes_->ContactsChangedSince(listing->records.back().updated_at);
  ASSERT_TRUE(since.has_value());
  EXPECT_GE(since->records.size(), 1u);
  EXPECT_LT(since->records.size(), 10u);
}

// ploomes.timestamp_precision=1/300: a bulk import of 650 contacts shares one datetime tick, shown
// rounded. Paging on LastUpdateDate eq <shown value> would stop at the first page; the overlap
// paging reads all of them, from the start and from a cursor at that instant.
TEST_F(ConnectorsTest, ABulkImportSharingOneTickIsReadWhole) {
  Start(World(100, 5, "ploomes.timestamp_precision=1/300,ploomes.filter_offset=ignored"));
  nlohmann::json import = nlohmann::json::array();
  for (int i = 0; i < 650; ++i) import.push_back({{"Name", "Importado " + std::to_string(i)}, {"TypeId", 2}});
  httplib::Client admin(sandbox_->base_url());
  auto ids = nlohmann::json::parse(admin.Post("/_sandbox/ploomes/Contacts", import.dump(), "application/json")->body);
  ASSERT_EQ(ids.size(), 650u);
  auto all = ploomes_->ContactsChangedSince(std::nullopt);
  ASSERT_TRUE(all.has_value()) << all.error().ToString();
  EXPECT_EQ(all->records.size() + all->skipped.size(), 750u);
  std::set<std::string> seen;
  for (const auto& r : all->records) seen.insert(r.internal_id);
  for (const auto& s : all->skipped) seen.insert(s.internal_id);
  for (const auto& id : ids) EXPECT_TRUE(seen.count(id.dump())) << id;
  // From a cursor at the import's shown instant: all 650 again (the caller drops what it read).
  auto tick = nlohmann::json::parse(admin.Get("/_sandbox/ploomes/Contacts")->body).back()["LastUpdateDate"];
  auto since = ploomes_->ContactsChangedSince(*ParseIsoInstant(tick.get<std::string>()));
  ASSERT_TRUE(since.has_value()) << since.error().ToString();
  EXPECT_GE(since->records.size() + since->skipped.size(), 650u);
}

TEST_F(ConnectorsTest, ContactRoundTripWithAccents) {
  CustomerVendor cv;
  cv.name = "Açougue Boi Gordo Ltda";
  cv.short_name = "Açougue Boi Gordo";
  cv.document = *ParseDocument("12.345.678/0001-95");
  cv.address = {"Rua XV de Novembro", "300", "", "Centro", "Curitiba", "", "PR", "08001000"};
  auto created = ploomes_->CreateContact(cv);
  ASSERT_TRUE(created.has_value()) << created.error().ToString();
  EXPECT_EQ(created->record.name, "Açougue Boi Gordo Ltda");
  EXPECT_EQ(created->record.address.city_name, "Curitiba");  // CityId resolved and expanded back
  EXPECT_EQ(created->record.address.zip_code, "08001000");
  auto found = ploomes_->FindContactsByDocument(*cv.document);
  ASSERT_TRUE(found.has_value());
  EXPECT_NE(std::find(found->begin(), found->end(), created->internal_id), found->end());
  cv.short_name = "Açougue Boi Gordo & Filhos";
  auto updated = ploomes_->UpdateContact(created->internal_id, cv);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->record.short_name, "Açougue Boi Gordo & Filhos");
}

TEST_F(ConnectorsTest, TagsAndTaskListing) {
  auto tags = ploomes_->ResolveTags({"INSTALAÇÃO", "entrega"});
  ASSERT_TRUE(tags.has_value()) << tags.error().ToString();
  EXPECT_EQ(tags->size(), 4u);  // task and interaction tags of both names
  auto unknown = ploomes_->ResolveTags({"URGENTE"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("ENTREGA"), std::string::npos);
  auto tasks = ploomes_->TasksChangedSince(std::nullopt, *tags);
  ASSERT_TRUE(tasks.has_value());
  ASSERT_GT(tasks->records.size(), 0u);
  for (const auto& t : tasks->records) EXPECT_TRUE(t.record.tagged);
}

TEST_F(ConnectorsTest, MilvusClientCreateFindAndTicketReference) {
  CustomerVendor cv;
  cv.name = "José Ávila";
  cv.document = *ParseDocument("123.456.789-09");
  auto id = milvus_->CreateClient(cv, 40100001);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  auto tokens = milvus_->Tokens({{*id, *cv.document}});
  ASSERT_TRUE(tokens.has_value()) << tokens.error().ToString();
  const milvus::ClientRef* ref = nullptr;
  auto found = milvus_->FindClientsByDocument(*cv.document);
  ASSERT_EQ(found->size(), 1u);
  ref = &found->front();
  EXPECT_EQ(ref->id, *id);
  EXPECT_EQ(ref->token.size(), 6u);
  EXPECT_EQ((*tokens)[*id], ref->token);
  Ticket t;
  t.topic = "Instalação";
  t.category = "INSTALAÇÃO";
  const std::string marker = milvus::TicketReference("ploomes", "Task", "40500001");
  EXPECT_FALSE(milvus_->FindTicketByReference(ref->token, marker)->has_value());
  auto codigo = milvus_->CreateTicket(t, ref->token, marker);
  ASSERT_TRUE(codigo.has_value()) << codigo.error().ToString();
  EXPECT_EQ(**milvus_->FindTicketByReference(ref->token, marker), *codigo);
  cv.comments = "Cliente VIP";
  EXPECT_TRUE(milvus_->UpdateClient(ref->id, cv).has_value());
  EXPECT_EQ(milvus_->FindClientsByDocument(*cv.document)->front().customer.comments, "Cliente VIP");
}

TEST(ConnectorsCapTest, MilvusListingPastTheCapIsPartitionedOrReportedPartial) {
  for (int clients : {900, 1500}) {
    sandbox::SandboxOptions o;
    o.port = 0;
    o.contacts = 5;
    o.milvus_clients = clients;
    o.milvus_listings_per_minute = 0;
    auto s = std::move(*sandbox::Sandbox::Start(o));
    auto transport = MakeCurlTransport();
    CallCounter counter;
    ApiClient api({"milvus", s->milvus_url(), "Authorization", "sandbox-milvus-token", "PONTE_MILVUS_TOKEN"},
                  *transport, nullptr, counter, SystemClock::Get());
    milvus::MilvusConnector m(api, {});
    auto listing = m.ListClients();
    ASSERT_TRUE(listing.has_value()) << listing.error().ToString();
    if (clients < 1000) {
      EXPECT_TRUE(listing->complete);
      EXPECT_EQ(listing->pages, 1);
      EXPECT_EQ(listing->records.size() + listing->skipped.size(), 900u);
    } else {
      // The partitions by name letter each stay under the cap here, so all 1500 are seen; the
      // first busca alone would have stopped at 1000 with nothing saying so.
      EXPECT_GT(listing->pages, 1);
      EXPECT_EQ(listing->records.size() + listing->skipped.size(), 1500u)
          << listing->incomplete_reason;
    }
  }
}

// milvus.criar_duplicate_document=refused: a create ponte thought new, refused because another
// client holds the document, links that client (updated with the message) instead of failing,
// and ponte learns the account refuses duplicates.
TEST_F(ConnectorsTest, ARefusedDuplicateCreateLinksTheClientThatHoldsTheDocument) {
  Start(World(5, 5, "milvus.criar_duplicate_document=refused"));
  Findings findings;
  milvus::MilvusConnector connector(*milvus_api_, milvus::TicketDefaults{}, milvus::MilvusOptions{&findings});
  milvus::MilvusCustomers customers("milvus", connector);
  CustomerVendor held;
  held.name = "Oficina Antiga";
  held.document = *ParseDocument("11.222.333/0001-81");
  auto holder = connector.CreateClient(held, 0);
  ASSERT_TRUE(holder.has_value()) << holder.error().ToString();

  CustomerVendor cv = held;
  cv.name = "Oficina Nova";
  cv.internal_id = "40100002";
  Message m;
  m.business_content = cv.ToBusinessContent();
  auto written = customers.WriteCustomer(m, std::nullopt);
  ASSERT_TRUE(written.has_value()) << written.error().ToString();
  EXPECT_EQ(written->internal_id, *holder);
  EXPECT_NE(written->attributes.find("token"), std::string::npos) << written->attributes;
  auto found = connector.FindClientsByDocument(*cv.document);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u) << "a second client was made";
  EXPECT_EQ(found->front().customer.name, "Oficina Nova");
  EXPECT_TRUE(findings.Is("milvus.criar_duplicate_document", "refused"));

  // Known to refuse, the account is not asked "is it there?" before a create: the create asks.
  const int64_t calls = counter_.Total();
  auto none = customers.FindCustomers(*cv.document);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(counter_.Total(), calls) << "a busca was spent on a lookup the create answers";
}

TEST_F(ConnectorsTest, RetriesThroughServerErrorsResetsAndMalformedBodies) {
  Faults("500=0.15,503=0.1,reset=0.05,malformed=0.05,truncated=0.05");
  auto listing = ploomes_->ContactsChangedSince(std::nullopt);
  ASSERT_TRUE(listing.has_value()) << listing.error().ToString();
  EXPECT_EQ(listing->records.size() + listing->skipped.size(), 700u);
  EXPECT_GT(counter_.Retries()["ploomes"], 0);
}

TEST_F(ConnectorsTest, PersistentMalformedBodyNamesTheSystemAndEndpoint) {
  Faults("ploomes:malformed=1");
  auto listing = ploomes_->ContactsChangedSince(std::nullopt);
  ASSERT_FALSE(listing.has_value());
  EXPECT_EQ(listing.error().code, ErrorCode::kDataLoss);
  EXPECT_EQ(listing.error().system, "ploomes");
  EXPECT_NE(listing.error().message.find("GET /Contacts"), std::string::npos) << listing.error().message;
}

TEST(ConnectorsQuotaTest, Ploomes429sAreHonouredAndStayBounded) {
  sandbox::SandboxOptions o;
  o.port = 0;
  o.contacts = 2000;  // 7 pages
  o.ploomes_requests_per_minute = 3;
  o.ploomes_retry_after = true;
  o.time_scale = 120;  // a minute is half a second
  auto s = std::move(*sandbox::Sandbox::Start(o));
  auto transport = MakeCurlTransport();
  CallCounter counter;
  ApiClient api({"ploomes", s->ploomes_url(), "User-Key", "sandbox-ploomes-key", "PONTE_PLOOMES_KEY"},
                *transport, nullptr, counter, SystemClock::Get());
  ploomes::PloomesConnector p(api);
  auto listing = p.ContactsChangedSince(std::nullopt);
  ASSERT_TRUE(listing.has_value()) << listing.error().ToString();
  EXPECT_EQ(listing->records.size() + listing->skipped.size(), 2000u);
  // Retry-After says when the window frees a slot: each 429 is followed by a wait long enough
  // that the next try gets in, so 429s stay at most one per page beyond the quota.
  EXPECT_LE(counter.Throttled("ploomes"), listing->pages);
}

TEST_F(ConnectorsTest, WrongKeyTellsWhichKeyToFix) {
  ploomes_key_ = "wrong-key";
  sandbox::SandboxOptions o;
  o.contacts = 5;
  Start(o);
  auto listing = ploomes_->ContactsChangedSince(std::nullopt);
  ASSERT_FALSE(listing.has_value());
  EXPECT_EQ(listing.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(listing.error().message.find("PONTE_PLOOMES_KEY"), std::string::npos);
  EXPECT_EQ(listing.error().ToString().find("wrong-key"), std::string::npos);
}

}  // namespace
}  // namespace ponte
