// The sandbox over real loopback HTTP with a plain client (cpp-httplib), never ponte's own
// connectors: every endpoint, authentication, paging, caps, quotas, faults and webhooks.

#include "sandbox/sandbox.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <set>
#include <thread>

#include "core/document.h"
#include "support/sandbox_checks.h"

namespace ponte::sandbox {
namespace {

using Json = nlohmann::json;

SandboxOptions Quiet() {
  SandboxOptions o;
  o.port = 0;
  o.contacts = 650;
  o.tasks = 120;
  o.interactions = 60;
  o.milvus_clients = 80;
  o.ploomes_requests_per_minute = 0;
  o.milvus_listings_per_minute = 0;
  return o;
}

class SandboxHttpTest : public ::testing::Test {
 protected:
  void StartWith(SandboxOptions o) {
    auto s = Sandbox::Start(o);
    ASSERT_TRUE(s.has_value()) << s.error().ToString();
    sandbox_ = std::move(*s);
    client_ = std::make_unique<httplib::Client>(sandbox_->base_url());
    client_->set_read_timeout(std::chrono::seconds(10));
  }
  void SetUp() override { StartWith(Quiet()); }

  httplib::Result PloomesGet(const std::string& path) {
    return client_->Get("/ploomes" + path, {{"User-Key", sandbox_->options().ploomes_key}});
  }
  httplib::Result MilvusGet(const std::string& path) {
    return client_->Get("/milvus" + path, {{"Authorization", sandbox_->options().milvus_token}});
  }
  httplib::Result MilvusPost(const std::string& path, const Json& body) {
    return client_->Post("/milvus" + path, {{"Authorization", sandbox_->options().milvus_token}},
                         body.dump(), "application/json");
  }
  httplib::Result PloomesSend(const std::string& method, const std::string& path, const Json& body) {
    httplib::Headers h = {{"user-key", sandbox_->options().ploomes_key}};  // any letter case
    if (method == "POST") return client_->Post("/ploomes" + path, h, body.dump(), "application/json");
    return client_->Patch("/ploomes" + path, h, body.dump(), "application/json");
  }
  Json Body(const httplib::Result& r) { return Json::parse(r->body); }

  std::unique_ptr<Sandbox> sandbox_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(SandboxHttpTest, AuthenticationFailuresLookLikeTheRealApis) {
  auto p = client_->Get("/ploomes/Contacts");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 401);
  EXPECT_TRUE(Body(p)["error"].contains("message"));
  auto wrong = client_->Get("/ploomes/Contacts", {{"User-Key", "nope"}});
  EXPECT_EQ(wrong->status, 401);
  auto bearer = client_->Get("/milvus/api/cliente/busca",
                             {{"Authorization", "Bearer " + sandbox_->options().milvus_token}});
  EXPECT_EQ(bearer->status, 401);  // the raw token only
  EXPECT_EQ(Body(bearer)["status_code"], 401);
}

TEST_F(SandboxHttpTest, PloomesPagesToTheEndWithTheSilentCap) {
  std::set<int64_t> seen;
  for (int skip = 0;; skip += 300) {
    auto r = PloomesGet("/Contacts?$top=500&$skip=" + std::to_string(skip) + "&$orderby=Id");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    Json body = Body(r);
    EXPECT_NE(body["@odata.context"].get<std::string>().find("$metadata#Contacts"), std::string::npos);
    EXPECT_LE(body["value"].size(), 300u);  // $top=500 silently capped
    for (const auto& c : body["value"]) seen.insert(c["Id"].get<int64_t>());
    if (body["value"].size() < 300) break;
  }
  EXPECT_EQ(seen.size(), 650u);
}

TEST_F(SandboxHttpTest, PloomesFilterSelectExpand) {
  auto r = PloomesGet("/Tasks?$filter=Tags/any(t: t/TagId eq 40049716)&$expand=Tags($expand=Tag)&$select=Id,Title");
  ASSERT_EQ(r->status, 200);
  Json v = Body(r)["value"];
  ASSERT_GT(v.size(), 0u);
  for (const auto& t : v) {
    EXPECT_FALSE(t.contains("Description"));  // $select
    bool tagged = false;
    for (const auto& tag : t["Tags"]) tagged |= tag["Tag"]["Name"] == "INSTALAÇÃO";
    EXPECT_TRUE(tagged);
  }
  auto plain = PloomesGet("/Contacts?$top=1");
  EXPECT_FALSE(Body(plain)["value"][0].contains("Phones"));  // navigation only when expanded
  auto dated = PloomesGet("/Contacts?$filter=CreateDate ge 2024-02-24T00:00:00-03:00&$top=300");
  Json dated_values = Body(dated)["value"];
  ASSERT_GT(dated_values.size(), 0u);
  for (const auto& c : dated_values) {
    EXPECT_GE(c["CreateDate"].get<std::string>().substr(0, 10), "2024-02-24");
  }
  auto bad = PloomesGet("/Contacts?$filter=Id eq");
  EXPECT_EQ(bad->status, 400);
  auto one = PloomesGet("/Contacts(40100000)?$expand=Phones,City");
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(Body(one)["value"][0]["Id"], 40100000);
  EXPECT_TRUE(Body(one)["value"][0]["City"].contains("IBGECode"));
  EXPECT_EQ(PloomesGet("/Contacts(1)")->status, 404);
  EXPECT_EQ(PloomesGet("/Tags")->status, 200);
}

TEST_F(SandboxHttpTest, PloomesCreateAndPatchContact) {
  auto r = PloomesSend("POST", "/Contacts?$expand=Phones",
                       {{"Name", "Açaí do Zé Ltda"}, {"TypeId", 1}, {"CNPJ", "12.345.678/0001-95"},
                        {"Phones", Json::array({{{"PhoneNumber", "(11) 3333-4444"}}})}});
  ASSERT_EQ(r->status, 200);
  Json created = Body(r)["value"][0];
  EXPECT_EQ(created["Name"], "Açaí do Zé Ltda");
  EXPECT_EQ(created["Phones"][0]["ContactId"], created["Id"]);
  const auto id = created["Id"].get<int64_t>();
  auto p = PloomesSend("PATCH", "/Contacts(" + std::to_string(id) + ")", {{"Email", "ze@acai.com.br"}});
  ASSERT_EQ(p->status, 200);
  EXPECT_EQ(Body(p)["value"][0]["Email"], "ze@acai.com.br");
  EXPECT_EQ(Body(p)["value"][0]["Name"], "Açaí do Zé Ltda");  // merged
  EXPECT_EQ(PloomesSend("POST", "/Contacts", {{"TypeId", 1}})->status, 400);
  auto broken = client_->Post("/ploomes/Contacts", {{"User-Key", sandbox_->options().ploomes_key}},
                              "{not json", "application/json");
  EXPECT_EQ(broken->status, 400);
}

TEST_F(SandboxHttpTest, MilvusClientsTokensAndTheCap) {
  // Create a client: the answer is a bare id; the token needs a busca by document.
  auto r = MilvusPost("/api/cliente/criar",
                      {{"cliente_documento", "12345678909"},
                       {"cliente_pessoa_fisica", {{"nome", "José Ávila"}}}});
  ASSERT_EQ(r->status, 200);
  Json id = Body(r);
  ASSERT_TRUE(id.is_number_integer());
  auto busca = MilvusGet("/api/cliente/busca?documento=12345678909&status=3");
  Json lista = Body(busca)["lista"];
  ASSERT_EQ(lista.size(), 1u);
  EXPECT_EQ(lista[0]["id"], id);
  EXPECT_EQ(lista[0]["token"].get<std::string>().size(), 6u);
  EXPECT_FALSE(Body(busca).contains("meta"));
  // Update: 204 without a body.
  auto put = client_->Put("/milvus/api/cliente/alterar/" + id.dump(),
                          {{"Authorization", sandbox_->options().milvus_token}},
                          Json{{"cliente_observacao", "VIP"}}.dump(), "application/json");
  EXPECT_EQ(put->status, 204);
  EXPECT_TRUE(put->body.empty());
  EXPECT_EQ(MilvusPost("/api/cliente/criar", {{"cliente_documento", "123"}})->status, 400);
  // A ticket with the token; the answer is the bare codigo.
  auto t = MilvusPost("/api/chamado/criar", {{"cliente_id", lista[0]["token"]},
                                             {"chamado_assunto", "Instalação"},
                                             {"chamado_descricao", "x [ponte ploomes:Task:1]"}});
  ASSERT_EQ(t->status, 200);
  EXPECT_TRUE(Body(t).is_number_integer());
  // The numeric id is refused by default (unconfirmed in the notes).
  EXPECT_EQ(MilvusPost("/api/chamado/criar", {{"cliente_id", id}, {"chamado_assunto", "x"}})->status, 404);
  EXPECT_EQ(sandbox_->Stats()["milvus"]["tickets_by_source"]["ploomes:Task:1"], 1);
}

TEST(SandboxCapTest, BuscaStopsAtThousand) {
  SandboxOptions o = Quiet();
  o.contacts = 10;
  o.milvus_clients = 1200;
  auto s = std::move(*Sandbox::Start(o));
  httplib::Client c(s->base_url());
  auto r = c.Get("/milvus/api/cliente/busca?status=3", {{"Authorization", o.milvus_token}});
  ASSERT_TRUE(r);
  EXPECT_EQ(Json::parse(r->body)["lista"].size(), 1000u);
  EXPECT_EQ(s->Stats()["milvus"]["clients"], 1200);
}

TEST_F(SandboxHttpTest, MilvusTicketListingPagesFromTheQueryString) {
  auto busca = MilvusGet("/api/cliente/busca?status=3");
  std::string token = Body(busca)["lista"][0]["token"];
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(MilvusPost("/api/chamado/criar", {{"cliente_id", token}, {"chamado_assunto", "T" + std::to_string(i)}})->status, 200);
  }
  std::set<int64_t> codes;
  int last_page = 0;
  for (int page = 1;; ++page) {
    // A body copy of the paging fields is ignored, as the real API does.
    auto r = MilvusPost("/api/chamado/listagem?total_registros=3&pagina=" + std::to_string(page),
                        {{"filtro_body", {{"cliente_token", token}}}, {"total_registros", 1000}});
    ASSERT_EQ(r->status, 200);
    Json b = Body(r);
    last_page = b["meta"]["paginate"]["last_page"];
    EXPECT_EQ(b["meta"]["paginate"]["per_page"], 3);
    for (const auto& t : b["lista"]) codes.insert(t["codigo"].get<int64_t>());
    if (page >= last_page) break;
  }
  EXPECT_EQ(last_page, 3);
  EXPECT_EQ(codes.size(), 7u);
  auto empty_token = MilvusPost("/api/chamado/listagem", {{"filtro_body", {{"cliente_token", ""}}}});
  EXPECT_EQ(empty_token->status, 502);
}

TEST(SandboxQuotaTest, QuotasAnswer429AndRecover) {
  SandboxOptions o = Quiet();
  o.ploomes_requests_per_minute = 120;
  o.ploomes_retry_after = true;
  o.milvus_listings_per_minute = 1;
  // Real time: 150 requests fit in a minute however loaded the machine is; the test moves the
  // sandbox clock on instead of waiting the minute out.
  o.time_scale = 1;
  auto s = std::move(*Sandbox::Start(o));
  httplib::Client c(s->base_url());
  int ok = 0, throttled = 0;
  std::string retry_after;
  for (int i = 0; i < 150; ++i) {
    auto r = c.Get("/ploomes/Tags", {{"User-Key", o.ploomes_key}});
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++throttled;
      retry_after = r->get_header_value("Retry-After");
    }
  }
  EXPECT_GT(throttled, 0);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_EQ(throttled, 150 - 120);
  EXPECT_EQ(c.Get("/ploomes/Tags", {{"User-Key", o.ploomes_key}})->status, 429);
  ASSERT_EQ(c.Post("/_sandbox/clock", R"({"advance_seconds": 61})", "application/json")->status, 200);
  EXPECT_EQ(c.Get("/ploomes/Tags", {{"User-Key", o.ploomes_key}})->status, 200);
  // Milvus: one listing a minute per token; writes are not limited.
  EXPECT_EQ(c.Get("/milvus/api/cliente/busca", {{"Authorization", o.milvus_token}})->status, 200);
  EXPECT_EQ(c.Get("/milvus/api/cliente/busca", {{"Authorization", o.milvus_token}})->status, 429);
  EXPECT_GE(s->Stats()["throttled"]["ploomes"].get<int>(), throttled);
}

TEST(SandboxFaultTest, EachFaultKindShowsOnTheWire) {
  SandboxOptions o = Quiet();
  o.contacts = 20;
  auto s = std::move(*Sandbox::Start(o));
  httplib::Client admin(s->base_url());
  auto set = [&](const std::string& spec) {
    auto r = admin.Post("/_sandbox/faults", Json{{"spec", spec}}.dump(), "application/json");
    ASSERT_EQ(r->status, 200) << r->body;
  };
  httplib::Client c(s->base_url());
  c.set_read_timeout(std::chrono::milliseconds(500));
  httplib::Headers key = {{"User-Key", o.ploomes_key}};
  for (const auto& [kind, status] : std::vector<std::pair<std::string, int>>{
           {"429", 429}, {"500", 500}, {"502", 502}, {"503", 503}}) {
    set(kind + "=1");
    auto r = c.Get("/ploomes/Contacts", key);
    ASSERT_TRUE(r) << kind;
    EXPECT_EQ(r->status, status);
  }
  set("malformed=1");
  auto m = c.Get("/ploomes/Contacts", key);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_TRUE(Json::parse(m->body, nullptr, false).is_discarded());
  set("truncated=1");
  auto t = c.Get("/ploomes/Contacts", key);
  EXPECT_TRUE(!t || Json::parse(t->body, nullptr, false).is_discarded());
  set("reset=1");
  auto reset = c.Get("/ploomes/Contacts", key);
  EXPECT_TRUE(!reset || reset->body.size() < 10);
  set("timeout=1,timeout_ms=1500");
  auto slow = c.Get("/ploomes/Contacts", key);
  EXPECT_FALSE(slow);  // the client gave up first
  EXPECT_EQ(slow.error(), httplib::Error::Read);
  set("duplicate_page=1");
  auto page2 = c.Get("/ploomes/Contacts?$top=5&$skip=5", key);
  auto page1 = c.Get("/ploomes/Contacts?$top=5&$skip=0", key);
  EXPECT_EQ(Json::parse(page2->body)["value"], Json::parse(page1->body)["value"]);
  set("");
  EXPECT_EQ(c.Get("/ploomes/Contacts", key)->status, 200);
  EXPECT_GE(s->Stats()["faults_injected"]["500"].get<int>(), 1);
}

TEST(SandboxWebhookTest, CreateAndUpdateArePostedWithTheValidationKey) {
  httplib::Server receiver;
  std::mutex mu;
  std::vector<std::pair<std::string, Json>> got;
  receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    got.emplace_back(req.get_header_value("X-Ploomes-Validation-Key"), Json::parse(req.body));
    res.status = 200;
  });
  int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread t([&] { receiver.listen_after_bind(); });
  auto s = std::move(*Sandbox::Start(Quiet()));
  httplib::Client c(s->base_url());
  httplib::Headers key = {{"User-Key", s->options().ploomes_key}};
  for (int action : {1, 2}) {
    Json hook = {{"EntityId", 1}, {"ActionId", action},
                 {"CallbackUrl", "http://127.0.0.1:" + std::to_string(port) + "/hook"},
                 {"ValidationKey", "segredo-123"}};
    ASSERT_EQ(c.Post("/ploomes/Webhooks", key, hook.dump(), "application/json")->status, 200);
  }
  auto created = c.Post("/ploomes/Contacts", key, Json{{"Name", "Ótica Visão"}, {"TypeId", 1}}.dump(), "application/json");
  int64_t id = Json::parse(created->body)["value"][0]["Id"];
  c.Patch("/ploomes/Contacts(" + std::to_string(id) + ")", key, Json{{"Name", "Ótica Visão Ltda"}}.dump(), "application/json");
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mu);
      if (got.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  receiver.stop();
  t.join();
  std::lock_guard lock(mu);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, "segredo-123");
  EXPECT_EQ(got[0].second["Action"], "Create");
  EXPECT_EQ(got[0].second["Entity"], "Contacts");
  EXPECT_EQ(got[1].second["Action"], "Update");
  EXPECT_EQ(got[1].second["Old"]["Name"], "Ótica Visão");
  EXPECT_EQ(got[1].second["New"]["Name"], "Ótica Visão Ltda");
  // Webhook dates carry no offset.
  std::string date = got[1].second["New"]["LastUpdateDate"];
  EXPECT_EQ(date.find("-03:00"), std::string::npos);
  EXPECT_TRUE(got[1].second["New"]["OtherProperties"].is_object());
}

TEST_F(SandboxHttpTest, GeneratedDataIsRealisticAndDeterministic) {
  Json stats = sandbox_->Stats();
  EXPECT_EQ(stats["ploomes"]["contacts"], 650);
  auto a = PloomesGet("/Contacts?$top=300");
  auto other = std::move(*Sandbox::Start(Quiet()));
  httplib::Client c2(other->base_url());
  auto b = c2.Get("/ploomes/Contacts?$top=300", {{"User-Key", other->options().ploomes_key}});
  Json va = Body(a)["value"], vb = Json::parse(b->body)["value"];
  for (size_t i = 0; i < va.size(); ++i) {
    EXPECT_EQ(va[i]["Name"], vb[i]["Name"]);  // same seed, same data
  }
  int invalid = 0, punctuated = 0, accented = 0, before_cutoff = 0;
  for (const auto& c : va) {
    const std::string doc = testing::ContactDocumentText(c);
    if (!ParseDocument(doc)) ++invalid;
    if (doc.find('.') != std::string::npos) ++punctuated;
    std::string name = c["Name"];
    if (std::any_of(name.begin(), name.end(), [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; })) ++accented;
    if (c["CreateDate"].get<std::string>() < "2024-02-24") ++before_cutoff;
  }
  EXPECT_GT(invalid, 0);
  EXPECT_GT(punctuated, 0);
  EXPECT_GT(accented, 0);
  EXPECT_GT(before_cutoff, 0);
  EXPECT_LT(before_cutoff, 300);
}

TEST_F(SandboxHttpTest, AdminClockAndUserWrites) {
  auto before = sandbox_->Stats()["clock"].get<std::string>();
  auto r = client_->Post("/_sandbox/clock", Json{{"advance_seconds", 3 * 3600}}.dump(), "application/json");
  ASSERT_EQ(r->status, 200);
  EXPECT_GT(Json::parse(r->body)["clock"].get<std::string>(), before);
  auto w = client_->Post("/_sandbox/ploomes/Tasks", Json{{"Title", "Entrega"}, {"ContactId", 40100000},
                                                          {"Tags", Json::array({{{"TagId", 40049715}}})}}.dump(),
                         "application/json");
  ASSERT_EQ(w->status, 200);
  EXPECT_EQ(Json::parse(w->body)["Tags"][0]["TaskId"], Json::parse(w->body)["Id"]);
  auto m = client_->Post("/_sandbox/milvus/clients", Json{{"cliente_documento", "12.345.678/0001-95"},
                                                           {"cliente_pessoa_juridica", {{"razao_social", "X Ltda"}, {"nome_fantasia", "X"}}}}.dump(),
                         "application/json");
  ASSERT_EQ(m->status, 200) << m->body;
  EXPECT_EQ(client_->Post("/_sandbox/reset", "", "application/json")->status, 200);
  EXPECT_EQ(sandbox_->Stats()["calls_total"], 0);
}

}  // namespace
}  // namespace ponte::sandbox
