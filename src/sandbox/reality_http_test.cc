// Each unknown of ../shared/api/unknowns.md as a sandbox switch, checked over loopback HTTP with a
// plain client: under every plausible value the emulator answers the way that value says.

#include <gtest/gtest.h>
#include <httplib.h>

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/document.h"
#include "core/time.h"
#include "sandbox/sandbox.h"

namespace ponte::sandbox {
namespace {

using Json = nlohmann::json;

class RealityTest : public ::testing::Test {
 protected:
  void Start(const std::string& reality, int milvus_clients = 40,
             const std::function<void(SandboxOptions&)>& tweak = {}) {
    SandboxOptions o;
    o.port = 0;
    o.contacts = 60;
    o.tasks = 30;
    o.interactions = 10;
    o.milvus_clients = milvus_clients;
    o.ploomes_requests_per_minute = 0;
    o.milvus_listings_per_minute = 0;
    o.reality = *Reality::Parse(reality);
    if (tweak) tweak(o);
    options_ = o;
    sandbox_ = std::move(*Sandbox::Start(o));
    client_ = std::make_unique<httplib::Client>(sandbox_->base_url());
  }
  Json PloomesGet(const std::string& path, int expect = 200) {
    auto r = client_->Get("/ploomes" + path, {{"User-Key", options_.ploomes_key}});
    EXPECT_EQ(r->status, expect) << path << ": " << r->body;
    return Json::parse(r->body, nullptr, false);
  }
  httplib::Result PloomesPost(const std::string& path, const Json& body) {
    return client_->Post("/ploomes" + path, {{"User-Key", options_.ploomes_key}}, body.dump(), "application/json");
  }
  Json Busca(const std::string& query) {
    auto r = client_->Get("/milvus/api/cliente/busca?status=3" + query, {{"Authorization", options_.milvus_token}});
    EXPECT_EQ(r->status, 200) << r->body;
    return Json::parse(r->body)["lista"];
  }
  httplib::Result MilvusPost(const std::string& path, const Json& body) {
    return client_->Post("/milvus/api" + path, {{"Authorization", options_.milvus_token}}, body.dump(),
                         "application/json");
  }

  SandboxOptions options_;
  std::unique_ptr<Sandbox> sandbox_;
  std::unique_ptr<httplib::Client> client_;
};

std::set<int64_t> Ids(const Json& lista) {
  std::set<int64_t> ids;
  for (const auto& c : lista) ids.insert(c["id"].get<int64_t>());
  return ids;
}

TEST_F(RealityTest, BuscaNameMatchEachValue) {
  for (const std::string value : {"substring", "prefix", "exact", "ignored"}) {
    Start("milvus.busca_name_match=" + value);
    // A person keeps a client in the portal: "adari" is in the middle of its name, "padaria" a prefix.
    const std::string name = "Padaria Estrela Dourada";
    ASSERT_EQ(client_->Post("/_sandbox/milvus/clients",
                            Json{{"cliente_documento", "11222333000181"},
                                 {"cliente_pessoa_juridica", {{"razao_social", name + " Ltda"}, {"nome_fantasia", name}}}}
                                .dump(),
                            "application/json")
                  ->status,
              200);
    Json all = Busca("");
    const size_t middle = Busca("&nome_fantasia=adari").size();
    const size_t prefix = Busca("&nome_fantasia=padaria").size();
    const size_t exact = Busca("&nome_fantasia=" + httplib::detail::encode_query_param(name)).size();
    if (value == "substring") {
      EXPECT_TRUE(middle > 0 && prefix > 0 && exact > 0) << value;
    } else if (value == "prefix") {
      EXPECT_TRUE(middle == 0 && prefix > 0 && exact > 0) << value;
    } else if (value == "exact") {
      EXPECT_TRUE(middle == 0 && prefix == 0 && exact > 0) << value;
    } else {
      EXPECT_TRUE(middle == all.size() && prefix == all.size()) << value;
    }
  }
}

TEST_F(RealityTest, BuscaCapKeepsTheOrderTheRealityNames) {
  for (const std::string value : {"lowest_ids", "newest_first", "unspecified"}) {
    Start("milvus.busca_cap_order=" + value, 120);
    const auto all = Ids(Busca(""));
    ASSERT_EQ(all.size(), 120u);  // under the cap of 1000
  }
  // With a cap below the data: lowest ids, highest ids, or a different subset on each call.
  auto capped = [&](const std::string& value) {
    Start("milvus.busca_cap_order=" + value, 120, [](SandboxOptions& o) { o.milvus_busca_cap = 50; });
    return std::make_pair(Ids(Busca("")), Ids(Busca("")));
  };
  auto [low, low2] = capped("lowest_ids");
  EXPECT_EQ(low.size(), 50u);
  EXPECT_EQ(*low.begin(), 30000);
  EXPECT_EQ(low, low2);
  auto [high, high2] = capped("newest_first");
  EXPECT_EQ(*high.rbegin(), 30119);
  EXPECT_EQ(*high.begin(), 30070);
  auto [any1, any2] = capped("unspecified");
  EXPECT_NE(any1, any2);
}

TEST_F(RealityTest, DocumentStorageDecidesWhatBuscaMatches) {
  Start("milvus.document_storage=as_typed");
  int punctuated = 0, shortened = 0;
  std::string typed_doc;
  for (const auto& c : Busca("")) {
    const std::string doc = c["cnpj_cpf"];
    if (doc.find_first_of("./-") != std::string::npos) {
      ++punctuated;
      typed_doc = doc;
    }
    if (doc.size() != 11 && doc.size() != 14 && doc.find_first_of("./-") == std::string::npos) ++shortened;
  }
  ASSERT_GT(punctuated, 0);
  // As typed: only the same text finds it; its bare digits do not.
  EXPECT_EQ(Busca("&documento=" + httplib::detail::encode_query_param(typed_doc)).size(), 1u);
  EXPECT_EQ(Busca("&documento=" + ParseDocument(typed_doc)->canonical).size(), 0u);
  // A write keeps the text it was given.
  ASSERT_EQ(MilvusPost("/cliente/criar", {{"cliente_documento", "529.982.247-25"},
                                         {"cliente_pessoa_fisica", {{"nome", "Teste"}}}})->status, 200);
  EXPECT_EQ(Busca("&documento=529.982.247-25").size(), 1u);
  EXPECT_EQ(Busca("&documento=52998224725").size(), 0u);

  Start("milvus.document_storage=digits");
  for (const auto& c : Busca("")) EXPECT_EQ(c["cnpj_cpf"].get<std::string>().find_first_of("./-"), std::string::npos);
  ASSERT_EQ(MilvusPost("/cliente/criar", {{"cliente_documento", "529.982.247-25"},
                                         {"cliente_pessoa_fisica", {{"nome", "Teste"}}}})->status, 200);
  EXPECT_EQ(Busca("&documento=52998224725").size(), 1u);
}

TEST_F(RealityTest, CriarCheckDigits) {
  const Json bad = {{"cliente_documento", "52998224726"}, {"cliente_pessoa_fisica", {{"nome", "Teste"}}}};
  Start("milvus.criar_check_digits=validated");
  EXPECT_EQ(MilvusPost("/cliente/criar", bad)->status, 400);
  Start("milvus.criar_check_digits=not_validated");
  EXPECT_EQ(MilvusPost("/cliente/criar", bad)->status, 200);
  EXPECT_EQ(Busca("&documento=52998224726").size(), 1u);
}

TEST_F(RealityTest, CriarDuplicateDocument) {
  const Json first = {{"cliente_documento", "529.982.247-25"}, {"cliente_pessoa_fisica", {{"nome", "Primeira"}}}};
  const Json again = {{"cliente_documento", "52998224725"}, {"cliente_pessoa_fisica", {{"nome", "Segunda"}}}};
  Start("milvus.criar_duplicate_document=refused");
  ASSERT_EQ(MilvusPost("/cliente/criar", first)->status, 200);
  auto refused = MilvusPost("/cliente/criar", again);
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(refused->body.find("52998224725"), std::string::npos) << "the refusal names the document: " << refused->body;
  EXPECT_EQ(Busca("&documento=52998224725").size(), 1u);
  Start("milvus.criar_duplicate_document=accepted");
  ASSERT_EQ(MilvusPost("/cliente/criar", first)->status, 200);
  EXPECT_EQ(MilvusPost("/cliente/criar", again)->status, 200);
  EXPECT_EQ(Busca("&documento=52998224725").size(), 2u);
}

TEST_F(RealityTest, ListingQuotaCoversWhatTheRealityNames) {
  auto two_calls = [&](const std::string& value) {
    Start("milvus.listing_quota=" + value, 5, [](SandboxOptions& o) { o.milvus_listings_per_minute = 1; });
    httplib::Headers h = {{"Authorization", options_.milvus_token}};
    int busca = client_->Get("/milvus/api/cliente/busca", h)->status;
    busca = std::max(busca, client_->Get("/milvus/api/cliente/busca", h)->status);
    int listagem = MilvusPost("/chamado/listagem", {{"filtro_body", Json::object()}})->status;
    listagem = std::max(listagem, MilvusPost("/chamado/listagem", {{"filtro_body", Json::object()}})->status);
    return std::make_pair(busca, listagem);
  };
  EXPECT_EQ(two_calls("all"), std::make_pair(429, 429));
  EXPECT_EQ(two_calls("listagem"), std::make_pair(200, 429));
  EXPECT_EQ(two_calls("none"), std::make_pair(200, 200));
}

TEST_F(RealityTest, TimestampsAtOneThreeHundredthNeverMatchEqualityOnMilliseconds) {
  Start("ploomes.timestamp_precision=1/300");
  Json contacts = PloomesGet("/Contacts?$select=Id,LastUpdateDate&$orderby=Id")["value"];
  int checked = 0;
  for (const auto& c : contacts) {
    const std::string when = c["LastUpdateDate"];
    auto dot = when.find('.');
    if (dot == std::string::npos) continue;
    std::string fraction = when.substr(dot + 1, when.size() - 6 - dot - 1);
    while (fraction.size() < 3) fraction += '0';
    const int last = fraction[2] - '0';
    EXPECT_TRUE(last == 0 || last == 3 || last == 7) << when;  // as every observed value
    if (last == 0) continue;
    // The shown value is not the stored one: eq finds nothing, ge misses it when it rounded up.
    const std::string id = std::to_string(c["Id"].get<int64_t>());
    EXPECT_EQ(PloomesGet("/Contacts?$filter=Id eq " + id + " and LastUpdateDate eq " + when)["value"].size(), 0u) << when;
    ++checked;
  }
  EXPECT_GT(checked, 20);
  Start("ploomes.timestamp_precision=ms");
  contacts = PloomesGet("/Contacts?$select=Id,LastUpdateDate&$top=5")["value"];
  for (const auto& c : contacts) {
    const std::string id = std::to_string(c["Id"].get<int64_t>());
    const std::string when = c["LastUpdateDate"];
    EXPECT_EQ(PloomesGet("/Contacts?$filter=Id eq " + id + " and LastUpdateDate eq " + when)["value"].size(), 1u);
  }
}

TEST_F(RealityTest, FilterOffsetHonouredOrIgnored) {
  for (const std::string value : {"honoured", "ignored"}) {
    Start("ploomes.filter_offset=" + value);
    Json c = PloomesGet("/Contacts?$top=1&$orderby=Id")["value"][0];
    const Instant t = *ParseIsoInstant(c["LastUpdateDate"].get<std::string>());
    const std::string id = std::to_string(c["Id"].get<int64_t>());
    const std::string utc = FormatUtc(t - std::chrono::minutes(1));
    const std::string local = FormatIsoLocal(t - std::chrono::minutes(1));
    const size_t with_z = PloomesGet("/Contacts?$filter=Id eq " + id + " and LastUpdateDate ge " + utc)["value"].size();
    const size_t with_offset = PloomesGet("/Contacts?$filter=Id eq " + id + " and LastUpdateDate ge " + local)["value"].size();
    EXPECT_EQ(with_offset, 1u) << value;  // the local form is right under both
    EXPECT_EQ(with_z, value == "honoured" ? 1u : 0u) << value;
  }
}

TEST_F(RealityTest, ForbiddenBlocksOnReadsOnly) {
  Start("ploomes.forbidden_blocks=occasional");
  int refused = 0;
  for (int i = 0; i < 60; ++i) {
    auto r = client_->Get("/ploomes/Contacts?$top=1", {{"User-Key", options_.ploomes_key}});
    if (r->status == 403) ++refused;
  }
  EXPECT_GT(refused, 3);
  EXPECT_LT(refused, 30);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(PloomesPost("/Contacts", {{"Name", "X"}})->status, 200);
}

TEST_F(RealityTest, TagsOneAnswerOrPaged) {
  Start("ploomes.tags_paging=one_answer");
  const size_t all = PloomesGet("/Tags?$top=300")["value"].size();
  EXPECT_GT(all, 300u);  // the account has more tags than a page
  EXPECT_EQ(PloomesGet("/Tags?$top=1")["value"].size(), all);
  Start("ploomes.tags_paging=paged");
  EXPECT_EQ(PloomesGet("/Tags")["value"].size(), 300u);
  EXPECT_EQ(PloomesGet("/Tags?$top=1")["value"].size(), 1u);
  Json second = PloomesGet("/Tags?$orderby=Id&$skip=300")["value"];
  bool ticket_tag_on_page_two = false;
  for (const auto& t : second) ticket_tag_on_page_two |= t["Name"] == "ENTREGA";
  EXPECT_TRUE(ticket_tag_on_page_two);
}

TEST_F(RealityTest, DocumentFieldWhereWritesLand) {
  const Json both = {{"Name", "Teste"}, {"TypeId", 2}, {"CPF", "52998224725"}, {"Register", "52998224725"}};
  Start("ploomes.document_field=both");
  Json made = Json::parse(PloomesPost("/Contacts", both)->body)["value"][0];
  EXPECT_EQ(made["CPF"], "52998224725");
  EXPECT_EQ(made["Register"], "52998224725");
  Start("ploomes.document_field=register");
  EXPECT_EQ(PloomesPost("/Contacts", both)->status, 400);
  made = Json::parse(PloomesPost("/Contacts", {{"Name", "T"}, {"Register", "52998224725"}})->body)["value"][0];
  EXPECT_EQ(made["Register"], "52998224725");
  Json seeded = PloomesGet("/Contacts?$filter=Register ne null&$top=5")["value"];
  EXPECT_FALSE(seeded.empty());  // the account's own contacts keep it there too
  Start("ploomes.document_field=cnpj_cpf");
  made = Json::parse(PloomesPost("/Contacts", both)->body)["value"][0];
  EXPECT_EQ(made["CPF"], "52998224725");
  EXPECT_TRUE(made["Register"].is_null());
  made = Json::parse(PloomesPost("/Contacts", {{"Name", "T"}, {"Register", "52998224725"}})->body)["value"][0];
  EXPECT_TRUE(!made.contains("Register") || made["Register"].is_null());
}

TEST_F(RealityTest, PostEchoFullOrSentFields) {
  Start("ploomes.post_echo=full");
  Json made = Json::parse(PloomesPost("/Contacts", {{"Name", "Teste"}})->body)["value"][0];
  EXPECT_TRUE(made.contains("LastUpdateDate"));
  Start("ploomes.post_echo=sent_fields");
  made = Json::parse(PloomesPost("/Contacts", {{"Name", "Teste"}})->body)["value"][0];
  EXPECT_FALSE(made.contains("LastUpdateDate"));
  EXPECT_EQ(made["Name"], "Teste");
  EXPECT_TRUE(made.contains("Id"));
}

TEST_F(RealityTest, DefaultOrderWithoutOrderBy) {
  auto ids = [&] {
    std::vector<int64_t> out;
    const Json value = PloomesGet("/Contacts?$select=Id,CreateDate")["value"];  // named: a temporary's member would dangle
    for (const auto& c : value) out.push_back(c["Id"]);
    return out;
  };
  Start("ploomes.default_order=id");
  auto by_id = ids();
  EXPECT_TRUE(std::is_sorted(by_id.begin(), by_id.end()));
  Start("ploomes.default_order=create_date_desc");
  Json dated = PloomesGet("/Contacts?$select=Id,CreateDate")["value"];
  for (size_t i = 1; i < dated.size(); ++i) {
    EXPECT_GE(*ParseIsoInstant(dated[i - 1]["CreateDate"].get<std::string>()),
              *ParseIsoInstant(dated[i]["CreateDate"].get<std::string>()));
  }
  Start("ploomes.default_order=unspecified");
  EXPECT_NE(ids(), ids());
}

TEST_F(RealityTest, TaggingATaskMayLeaveItsTimestamp) {
  for (const std::string value : {"yes", "no"}) {
    Start("ploomes.tag_touches_task=" + value);
    Json task = PloomesGet("/Tasks?$top=1&$orderby=Id")["value"][0];
    const std::string before = task["LastUpdateDate"];
    const std::string path = "/_sandbox/ploomes/Tasks/" + std::to_string(task["Id"].get<int64_t>());
    ASSERT_EQ(client_->Patch(path, Json{{"Tags", Json::array({{{"TagId", 40049715}}})}}.dump(), "application/json")->status, 200);
    const std::string after = PloomesGet("/Tasks?$filter=Id eq " + std::to_string(task["Id"].get<int64_t>()))["value"][0]["LastUpdateDate"];
    EXPECT_EQ(before == after, value == "no") << before << " " << after;
  }
}

TEST_F(RealityTest, WebhooksForInteractionsAcceptedOrRefused) {
  const Json hook = {{"EntityId", 36}, {"ActionId", 1}, {"CallbackUrl", "http://127.0.0.1:9/x"}};
  Start("ploomes.webhook_entity_36=accepted");
  EXPECT_EQ(PloomesPost("/Webhooks", hook)->status, 200);
  Start("ploomes.webhook_entity_36=refused");
  EXPECT_EQ(PloomesPost("/Webhooks", hook)->status, 400);
  EXPECT_EQ(PloomesPost("/Webhooks", {{"EntityId", 12}, {"ActionId", 1}, {"CallbackUrl", "http://127.0.0.1:9/x"}})->status, 200);
}

TEST_F(RealityTest, WebhookKeyTravelsWhereTheRealitySays) {
  for (const std::string value : {"header", "other_header", "body", "not_sent"}) {
    Start("ploomes.webhook_key=" + value);
    httplib::Server receiver;
    std::mutex mu;
    std::optional<httplib::Request> got;
    receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      got = req;
      res.status = 200;
    });
    const int port = receiver.bind_to_any_port("127.0.0.1");
    std::thread t([&] { receiver.listen_after_bind(); });
    ASSERT_EQ(PloomesPost("/Webhooks", {{"EntityId", 1}, {"ActionId", 1}, {"ValidationKey", "k-123"},
                                        {"CallbackUrl", "http://127.0.0.1:" + std::to_string(port) + "/hook?key=k-123"}})
                  ->status,
              200);
    ASSERT_EQ(PloomesPost("/Contacts", {{"Name", "Gatilho"}})->status, 200);
    auto arrived = [&] {
      std::lock_guard lock(mu);
      return got.has_value();
    };
    for (int i = 0; i < 300 && !arrived(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    receiver.stop();
    t.join();
    ASSERT_TRUE(got.has_value()) << value;
    EXPECT_EQ(got->get_param_value("key"), "k-123") << "the callback URL's query reaches the receiver";
    EXPECT_EQ(got->get_header_value("X-Ploomes-Validation-Key") == "k-123", value == "header") << value;
    EXPECT_EQ(got->get_header_value("Validation-Key") == "k-123", value == "other_header") << value;
    EXPECT_EQ(Json::parse(got->body).value("ValidationKey", "") == "k-123", value == "body") << value;
  }
}

}  // namespace
}  // namespace ponte::sandbox
