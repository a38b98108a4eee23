// `ponte serve`'s server against the sandbox over loopback: a Ploomes webhook becomes a Milvus
// ticket without any poll; keys, sizes and malformed bodies; the admin API's auth; /metrics as
// Prometheus text; graceful stop.

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/base64.h"
#include "core/document.h"
#include "server/eai_receiver.h"
#include "server/http_server.h"
#include "server/sync_service.h"
#include "support/sandbox_harness.h"
#include "sync/engine.h"

namespace ponte::server {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kHookKey = "hook-secret-7f3a";
constexpr const char* kAdminToken = "admin-token-91bc";
constexpr int64_t kTagEntrega = 40049715;

sandbox::SandboxOptions SmallWorld() {
  sandbox::SandboxOptions o;
  o.contacts = 40;
  o.tasks = 30;
  o.interactions = 10;
  o.milvus_clients = 20;
  o.ploomes_requests_per_minute = 0;
  o.milvus_listings_per_minute = 0;
  return o;
}

// Waits for `done` for at most `limit`; true when it came.
template <typename F>
bool WaitFor(F done, std::chrono::milliseconds limit = 15s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}, bool poll = false, sandbox::SandboxOptions world = SmallWorld(),
             bool erp = false) {
    h_ = std::make_unique<testing::SandboxHarness>(world);
    h_->config.server.poll_interval_seconds = 3600;
    if (erp) {
      // The sandbox's ERP as [systems.erp], allowed to push with the credentials ponte calls it with.
      h_->JoinErp("erp");
      options.eai_senders = {{"erp", "Basic " + Base64Encode("ponte:sandbox-totvs-password"), {}}};
    }
    service_ = std::make_unique<SyncService>(
        ServiceParts{h_->config, *h_->store, h_->calls, SystemClock::Get(),
                     {&h_->ploomes_api->circuit(), &h_->milvus_api->circuit()}, h_->Systems()},
        "test:1", poll);
    service_->Start();
    options.port = 0;
    auto server = HttpServer::Start(options, *service_, *h_->store, h_->calls, SystemClock::Get());
    ASSERT_TRUE(server.has_value()) << server.error().ToString();
    server_ = std::move(*server);
    client_ = std::make_unique<httplib::Client>(server_->url());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (service_) service_->Stop();
  }
  httplib::Result PostWebhook(const std::string& body, const httplib::Headers& headers, const std::string& query = "") {
    return client_->Post(("/webhooks/ploomes" + query).c_str(), headers, body, "application/json");
  }
  Json GetJson(const std::string& path, const httplib::Headers& headers = {}) {
    auto r = client_->Get(path.c_str(), headers);
    EXPECT_TRUE(r && r->status == 200) << path << ": " << (r ? r->body : "no answer");
    return r ? Json::parse(r->body, nullptr, false) : Json();
  }
  // A Ploomes contact with a valid CNPJ, made by a person (its webhooks fire).
  int64_t NewContact(const std::string& cnpj) {
    return h_->AdminPost("/_sandbox/ploomes/Contacts",
                         {{"Name", "Padaria Ponte " + cnpj}, {"TypeId", 1}, {"CNPJ", cnpj}})["Id"].get<int64_t>();
  }
  int64_t NewTask(int64_t contact_id, const std::string& title) {
    return h_->AdminPost("/_sandbox/ploomes/Tasks", {{"Title", title},
                                                     {"ContactId", contact_id},
                                                     {"Tags", Json::array({{{"TagId", kTagEntrega}}})}})["Id"]
        .get<int64_t>();
  }
  int TicketsFor(int64_t task_id) {
    auto sources = h_->Stats()["milvus"]["tickets_by_source"];
    const std::string key = "ploomes:Task:" + std::to_string(task_id);
    return sources.contains(key) ? sources[key].get<int>() : 0;
  }

  std::unique_ptr<testing::SandboxHarness> h_;
  std::unique_ptr<SyncService> service_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ServerTest, AWebhookBecomesATicketWithoutAPoll) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  Start(o, /*poll=*/false);
  auto hook = h_->ploomes->RegisterWebhook(12, 1, server_->url() + "/webhooks/ploomes", kHookKey);
  ASSERT_TRUE(hook.has_value()) << hook.error().ToString();
  const int64_t task = NewTask(NewContact("11.222.333/0001-81"), "Entrega de forno");
  ASSERT_TRUE(WaitFor([&] { return TicketsFor(task) > 0; })) << h_->Stats().dump();
  // The sandbox delivers webhooks at least once; still one ticket.
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(TicketsFor(task), 1);
  EXPECT_EQ(h_->Stats()["milvus"]["duplicate_tickets"], 0);
  Json status = GetJson("/api/status");
  EXPECT_GE(status["webhooks"]["accepted"].get<int>(), 1) << status.dump();
  EXPECT_GE(status["webhook_latency_seconds"]["count"].get<int>(), 1);
  // The customer came along with the ticket, and the de/para finds it by document.
  Json found = GetJson("/api/depara?q=11222333000181");
  std::set<std::string> systems;
  for (const auto& l : found["links"]) systems.insert(l["system"]);
  EXPECT_EQ(systems, (std::set<std::string>{"ploomes", "milvus"})) << found.dump();
  Json explained = GetJson("/api/explain?id=Task%7C" + std::to_string(task));
  ASSERT_EQ(explained["deliveries"].size(), 1u) << explained.dump();
  EXPECT_EQ(explained["deliveries"][0]["state"], "done");
}

// A webhook for a tagged task on a customer ponte already synced costs one call: the ticket's
// create. The body carries the task, its tags and its contact; nothing is read again.
TEST_F(ServerTest, AWebhookTicketForASyncedCustomerCostsOneCall) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  Start(o, /*poll=*/false);
  {
    SyncEngine engine(h_->config, *h_->store, h_->Systems(), h_->calls, SystemClock::Get());
    engine.RunAll();  // the customers are synced, as in a running integration
  }
  std::string contact;
  const auto links = h_->store->ListLinks({.message = "CustomerVendor", .system = "ploomes"});
  for (const auto& l : *links) {
    auto members = h_->store->Entity("CustomerVendor", l.ref);
    for (const auto& m : *members) {
      if (m.ref.system == "milvus" && m.attributes.find("token") != std::string::npos) contact = l.ref.internal_id;
    }
    if (!contact.empty()) break;
  }
  ASSERT_FALSE(contact.empty()) << "no synced customer with a known token";
  ASSERT_TRUE(h_->ploomes->RegisterWebhook(12, 1, server_->url() + "/webhooks/ploomes?key=" + kHookKey, kHookKey));
  const int64_t before = h_->calls.Total();
  const int64_t task = NewTask(std::stoll(contact), "Entrega de peças");
  ASSERT_TRUE(WaitFor([&] { return TicketsFor(task) > 0; })) << h_->Stats().dump();
  std::this_thread::sleep_for(300ms);  // a duplicate delivery of the webhook, if any, is done
  EXPECT_EQ(h_->calls.Total() - before, 1) << "calls: ploomes " << h_->calls.Total("ploomes") << ", milvus "
                                           << h_->calls.Total("milvus");
  EXPECT_EQ(TicketsFor(task), 1);
}

// A TOTVS ERP pushes a customer as a BusinessMessage: ponte answers a ResponseMessage with the
// InternalId it keeps the customer under, and delivers it to Ploomes and Milvus without a poll.
// What it cannot take is answered Status ERROR with the reason; a stranger gets 401.
TEST_F(ServerTest, AnErpPushesACustomerAndGetsTheInternalIdPonteKeepsItUnder) {
  Start({}, false, SmallWorld(), /*erp=*/true);
  CustomerVendor cv;
  cv.internal_id = "T1|D MG 01 |900001|01";
  cv.name = "Serralheria Ponte Nova Ltda";
  cv.short_name = "Serralheria Ponte Nova";
  cv.document = *ParseDocument("45145061000185");
  auto message = [&](const Json& content, const std::string& event = "upsert") {
    return Json{{"Header", {{"UUID", "a1b2c3d4-" + event}, {"Type", "BusinessMessage"}, {"SubType", "event"},
                            {"Event", event}, {"Transaction", "CUSTOMERVENDOR"}, {"Version", "2.000"},
                            {"SourceApplication", "P12ERP"}, {"ProductName", "PROTHEUS"}}},
                {"Content", content}}
        .dump();
  };
  const httplib::Headers erp = {{"Authorization", "Basic " + Base64Encode("ponte:sandbox-totvs-password")}};
  auto post = [&](const std::string& body, const httplib::Headers& headers) {
    return client_->Post(kEaiTransactionsPath, headers, body, "application/json");
  };
  auto answered = post(message(cv.ToBusinessContent()), erp);
  ASSERT_TRUE(answered && answered->status == 200) << (answered ? answered->body : "no answer");
  Json response = Json::parse(answered->body);
  EXPECT_EQ(response["Header"]["Type"], "Response");
  EXPECT_EQ(response["Content"]["ReceivedMessage"]["UUID"], "a1b2c3d4-upsert");
  EXPECT_EQ(response["Content"]["ProcessingInformation"]["Status"], "OK");
  EXPECT_EQ(response["Content"]["ReturnContent"]["ListOfInternalId"],
            Json::parse(R"([{"Name":"CustomerVendor","Origin":"T1|D MG 01 |900001|01","Destination":"CNPJ|45145061000185"}])"));
  const SystemRef origin{"erp", cv.internal_id};
  EXPECT_TRUE(WaitFor([&] {
    auto ploomes = h_->store->Lookup("CustomerVendor", origin, "ploomes");
    auto milvus = h_->store->Lookup("CustomerVendor", origin, "milvus");
    return ploomes && *ploomes && milvus && *milvus;
  })) << "the pushed customer did not reach Ploomes and Milvus";
  // Pushed again (the ERP's queue retries): nothing twice.
  ASSERT_EQ(post(message(cv.ToBusinessContent()), erp)->status, 200);
  auto stats = h_->Stats();
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0);
  EXPECT_EQ(stats["ploomes"]["duplicate_documents"], 0);

  auto status_of = [&](const std::string& body) {
    auto r = post(body, erp);
    EXPECT_TRUE(r && r->status == 200);
    Json j = Json::parse(r ? r->body : "{}", nullptr, false);
    return std::pair{j["Content"]["ProcessingInformation"]["Status"].get<std::string>(),
                     j["Content"]["ProcessingInformation"]["Details"].dump()};
  };
  auto [deleted, why_delete] = status_of(message(cv.ToBusinessContent(), "delete"));
  EXPECT_EQ(deleted, "ERROR");
  EXPECT_NE(why_delete.find("does not take delete events"), std::string::npos) << why_delete;
  CustomerVendor undocumented = cv;
  undocumented.document.reset();
  auto [refused, why_refused] = status_of(message(undocumented.ToBusinessContent()));
  EXPECT_EQ(refused, "ERROR");
  EXPECT_NE(why_refused.find("no valid CPF/CNPJ"), std::string::npos) << why_refused;
  auto stranger = post(message(cv.ToBusinessContent()), {{"Authorization", "Basic " + Base64Encode("ponte:guess")}});
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 401);
  EXPECT_EQ(stranger->body.find("sandbox-totvs-password"), std::string::npos);
  auto not_json = post("<CustomerVendor/>", erp);
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
}

TEST_F(ServerTest, WebhooksNeedTheValidationKey) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  o.max_body_bytes = 4096;
  Start(o);
  const std::string event = R"({"Action":"Create","Entity":"Tasks","New":{"Id":40500001}})";
  auto missing = PostWebhook(event, {});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->body.find(kHookKey), std::string::npos);
  EXPECT_EQ(PostWebhook(event, {{"X-Ploomes-Validation-Key", "wrong"}})->status, 401);
  EXPECT_EQ(PostWebhook(event, {{"X-Ploomes-Validation-Key", kHookKey}})->status, 202);
  // The key may also come in the callback URL's query or in the body.
  EXPECT_EQ(PostWebhook(event, {}, std::string("?key=") + kHookKey)->status, 202);
  EXPECT_EQ(PostWebhook(R"({"Entity":"Tasks","New":{"Id":40500002},"ValidationKey":")" + std::string(kHookKey) + "\"}", {})->status, 202);
  // A wrong key is refused before the body is judged, so a prober learns nothing.
  EXPECT_EQ(PostWebhook("not json", {{"X-Ploomes-Validation-Key", "wrong"}})->status, 401);
  auto malformed = PostWebhook("{\"Entity\": ", {{"X-Ploomes-Validation-Key", kHookKey}});
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(malformed->body.find("not valid JSON"), std::string::npos) << malformed->body;
  auto no_id = PostWebhook(R"({"Entity":"Tasks","New":{"Title":"x"}})", {{"X-Ploomes-Validation-Key", kHookKey}});
  EXPECT_EQ(no_id->status, 400);
  auto oversized = PostWebhook(std::string(64 * 1024, ' ') + event, {{"X-Ploomes-Validation-Key", kHookKey}});
  ASSERT_TRUE(oversized);
  EXPECT_EQ(oversized->status, 413);
  auto deal = PostWebhook(R"({"Action":"Win","Entity":"Deals","New":{"Id":9}})", {{"X-Ploomes-Validation-Key", kHookKey}});
  EXPECT_EQ(deal->status, 202);
  EXPECT_EQ(Json::parse(deal->body)["queued"], false);
  Json status = GetJson("/api/status");
  EXPECT_EQ(status["webhooks"]["unauthorized"], 3) << status.dump();
  EXPECT_EQ(status["webhooks"]["malformed"], 2);
  EXPECT_EQ(status["webhooks"]["ignored"], 1);
}

TEST_F(ServerTest, WebhooksAreRefusedWhenNoKeyIsConfigured) {
  Start();
  auto r = PostWebhook(R"({"Entity":"Tasks","New":{"Id":1}})", {{"X-Ploomes-Validation-Key", "anything"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("PONTE_WEBHOOK_KEY"), std::string::npos);
  EXPECT_EQ(GetJson("/api/status")["webhooks_configured"], false);
}

TEST_F(ServerTest, TheAdminApiWantsTheTokenWhenOneIsSet) {
  ServerOptions o;
  o.admin_token = kAdminToken;
  Start(o);
  for (const char* path : {"/api/status", "/api/dlq", "/api/deliveries", "/api/workers", "/metrics"}) {
    auto none = client_->Get(path);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401) << path;
    EXPECT_EQ(none->body.find(kAdminToken), std::string::npos) << path;
    EXPECT_EQ(client_->Get(path, {{"Authorization", "Bearer wrong"}})->status, 401) << path;
    auto granted = client_->Get(path, {{"Authorization", std::string("Bearer ") + kAdminToken}});
    // The scheme is case-insensitive (before: "bearer" was refused).
    EXPECT_EQ(client_->Get(path, {{"Authorization", std::string("bearer ") + kAdminToken}})->status, 200) << path;
    EXPECT_EQ(granted->status, 200) << path;
    // The token opens the API; no answer ever repeats it.
    EXPECT_EQ(granted->body.find(kAdminToken), std::string::npos) << path;
  }
  // Health checks and the page itself hold no data.
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Get("/readyz")->status, 200);
  auto page = client_->Get("/");
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<title>ponte</title>"), std::string::npos);
  EXPECT_EQ(page->body.find(kAdminToken), std::string::npos);
  // A POST from a page on another site cannot add the custom header.
  const httplib::Headers auth = {{"Authorization", std::string("Bearer ") + kAdminToken}};
  EXPECT_EQ(client_->Post("/api/poll", auth, "", "text/plain")->status, 403);
  httplib::Headers with = auth;
  with.emplace("X-Ponte-Request", "1");
  EXPECT_EQ(client_->Post("/api/poll", with, "", "text/plain")->status, 202);
  // The sandbox's own admin endpoints are not part of ponte serve.
  EXPECT_EQ(client_->Get("/_sandbox/stats", auth)->status, 404);
}

TEST(ServerListen, RefusesANonLoopbackAddressWithoutAToken) {
  testing::SandboxHarness h(SmallWorld());
  SyncService service({h.config, *h.store, h.calls, SystemClock::Get(), {}, h.Systems()}, "test:2", false);
  ServerOptions o;
  o.host = "0.0.0.0";
  o.port = 0;
  auto refused = HttpServer::Start(o, service, *h.store, h.calls, SystemClock::Get());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_NE(refused.error().message.find("PONTE_ADMIN_TOKEN"), std::string::npos);
  o.admin_token = kAdminToken;
  auto open = HttpServer::Start(o, service, *h.store, h.calls, SystemClock::Get());
  ASSERT_TRUE(open.has_value()) << open.error().ToString();
  httplib::Client c("127.0.0.1", (*open)->port());
  EXPECT_EQ(c.Get("/api/status")->status, 401);
  EXPECT_EQ(c.Get("/api/status", {{"Authorization", std::string("Bearer ") + kAdminToken}})->status, 200);
  EXPECT_FALSE(ParseListenAddress("8400").has_value());
  EXPECT_FALSE(ParseListenAddress("127.0.0.1:99999").has_value());
  EXPECT_EQ(ParseListenAddress("[::1]:8400")->first, "::1");
  EXPECT_TRUE(IsLoopbackHost("127.0.0.2"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

// A second ponte on a port in use fails to start (before: both bound it and requests alternated).
TEST(ServerListen, ASecondServerOnABusyPortFails) {
  testing::SandboxHarness h(SmallWorld());
  SyncService service({h.config, *h.store, h.calls, SystemClock::Get(), {}, h.Systems()}, "test:3", false);
  ServerOptions o;
  o.port = 0;
  auto first = HttpServer::Start(o, service, *h.store, h.calls, SystemClock::Get());
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  o.port = (*first)->port();
  auto second = HttpServer::Start(o, service, *h.store, h.calls, SystemClock::Get());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos) << second.error().message;
}

// Checks the Prometheus text exposition format line by line: comments, then samples of declared
// families, with parseable values; histogram buckets never decrease.
void ExpectPrometheusText(const std::string& text) {
  static const std::regex kHelp(R"(^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  static const std::regex kType(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  static const std::regex kSample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+]+|\+Inf|-Inf|NaN)$)");
  std::set<std::string> families;
  std::map<std::string, double> last_bucket;
  std::istringstream lines(text);
  int samples = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (line.starts_with("# HELP")) {
      EXPECT_TRUE(std::regex_match(line, kHelp)) << line;
    } else if (std::regex_match(line, m, kType)) {
      EXPECT_TRUE(families.insert(m[1]).second) << "family declared twice: " << line;
    } else {
      ASSERT_TRUE(std::regex_match(line, m, kSample)) << "not a sample: " << line;
      std::string family = m[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        if (family.ends_with(suffix) && !families.count(family)) family = family.substr(0, family.size() - std::strlen(suffix));
      }
      EXPECT_TRUE(families.count(family)) << "sample before its # TYPE: " << line;
      if (std::string(m[1]).ends_with("_bucket")) {
        const double v = std::stod(m[5]);
        EXPECT_GE(v, last_bucket[family]) << line;
        last_bucket[family] = v;
      }
      ++samples;
    }
  }
  EXPECT_GT(samples, 10);
}

TEST_F(ServerTest, MetricsAreValidPrometheusTextWithoutSecrets) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  Start(o, /*poll=*/true);
  ASSERT_TRUE(WaitFor([&] { return service_->Routes().back().runs > 0; }, 60s));
  PostWebhook(R"({"Action":"Update","Entity":"Contacts","New":{"Id":40100001}})", {{"X-Ploomes-Validation-Key", kHookKey}});
  ASSERT_TRUE(WaitFor([&] { return service_->queue_depth() == 0; }));
  auto r = client_->Get("/metrics");
  ASSERT_TRUE(r && r->status == 200);
  EXPECT_TRUE(r->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
  ExpectPrometheusText(r->body);
  for (const char* family : {"ponte_deliveries_total{", "ponte_api_calls_total{", "ponte_api_throttled_total{",
                             "ponte_api_retries_total{", "ponte_dead_letters ", "ponte_cursor_lag_seconds{",
                             "ponte_webhook_delivery_seconds_bucket{", "ponte_webhooks_total{result=\"accepted\"}"}) {
    EXPECT_NE(r->body.find(family), std::string::npos) << family << "\n" << r->body;
  }
  for (const char* secret : {"sandbox-ploomes-key", "sandbox-milvus-token", kHookKey}) {
    EXPECT_EQ(r->body.find(secret), std::string::npos) << secret;
    EXPECT_EQ(GetJson("/api/status").dump().find(secret), std::string::npos) << secret;
  }
  Json status = GetJson("/api/status");
  for (const auto& route : status["routes"]) {
    EXPECT_EQ(route["runs"], 1) << route.dump();
    EXPECT_EQ(route["last_report"]["error"], "") << route.dump();
  }
}

// ponte serve is the production server: the sandbox's inspection and control endpoints live
// in `ponte sandbox` only, and outsized headers are refused before any handler runs.
TEST_F(ServerTest, NoSandboxEndpointsAndHeaderLimits) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  Start(o, /*poll=*/false);
  for (const char* path : {"/_sandbox/stats", "/_sandbox/faults", "/_sandbox/ploomes/Contacts"}) {
    auto get = client_->Get(path);
    ASSERT_TRUE(get);
    EXPECT_EQ(get->status, 404) << path;
    auto post = client_->Post(path, "{}", "application/json");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 404) << path;
  }
  httplib::Headers many;
  for (int i = 0; i < 200; ++i) many.emplace("X-Filler-" + std::to_string(i), std::string(100, 'x'));
  auto crowded = client_->Get("/healthz", many);
  ASSERT_TRUE(crowded);
  EXPECT_EQ(crowded->status, 431);
  auto huge = client_->Get("/healthz", {{"X-Huge", std::string(20'000, 'x')}});
  EXPECT_TRUE(!huge || huge->status >= 400) << "a 20 kB header line was accepted";
  auto normal = client_->Get("/healthz");
  ASSERT_TRUE(normal);
  EXPECT_EQ(normal->status, 200);
}

TEST_F(ServerTest, StopIsGracefulAndLosesNothing) {
  auto world = SmallWorld();
  world.contacts = 400;
  world.tasks = 300;
  world.milvus_clients = 100;
  Start({}, /*poll=*/true, world);
  std::this_thread::sleep_for(700ms);  // in the middle of the first poll
  server_->Stop();
  service_->Stop();
  // Nothing is left claimed by the stopped threads.
  auto pending = h_->store->ListDeliveries({DeliveryState::kPending, "", 1000});
  ASSERT_TRUE(pending.has_value());
  for (const auto& d : *pending) EXPECT_TRUE(d.claimed_by.empty() || d.lease_until < SystemClock::Get().Now()) << d.id;
  // A later run finishes the work: every tagged task with a customer gets exactly one ticket.
  SyncEngine engine(h_->config, *h_->store, h_->Systems(), h_->calls, SystemClock::Get());
  for (const auto& r : engine.RunAll()) EXPECT_EQ(r.error, "") << r.route;
  auto stats = h_->Stats();
  EXPECT_EQ(stats["milvus"]["duplicate_documents"], 0);
  EXPECT_EQ(stats["milvus"]["duplicate_tickets"], 0);
  EXPECT_GT(stats["milvus"]["tickets"].get<int>(), 0);
  SyncEngine again(h_->config, *h_->store, h_->Systems(), h_->calls, SystemClock::Get());
  for (const auto& r : again.RunAll()) EXPECT_EQ(r.created, 0) << r.route;
}

// A refused key pauses the routes of the whole service, and every view says so: /readyz 503 with
// the reason, the route status "paused", /api/status's circuits and ponte_circuit_open. Before,
// /readyz answered 200 while every route failed authentication.
TEST_F(ServerTest, ARefusedKeyIsSeenOnReadyzStatusAndMetrics) {
  Start();
  EXPECT_EQ(client_->Get("/readyz")->status, 200);
  Error refused = Error::FailedPrecondition("milvus refused the token; check PONTE_MILVUS_TOKEN");
  refused.code = ErrorCode::kUnauthenticated;
  h_->milvus_api->circuit().Failed(refused);
  auto ready = client_->Get("/readyz");
  EXPECT_EQ(ready->status, 503);
  EXPECT_NE(ready->body.find("milvus circuit open"), std::string::npos) << ready->body;
  EXPECT_NE(ready->body.find("PONTE_MILVUS_TOKEN"), std::string::npos) << ready->body;
  Json status = GetJson("/api/status");
  bool milvus_open = false;
  for (const auto& c : status["circuits"]) milvus_open |= c["system"] == "milvus" && c["state"] == "open" && c["why"] == "auth";
  EXPECT_TRUE(milvus_open) << status["circuits"].dump();
  for (const auto& r : status["routes"]) EXPECT_EQ(r["status"], "paused") << r.dump();
  const std::string metrics = client_->Get("/metrics")->body;
  EXPECT_NE(metrics.find("ponte_circuit_open{system=\"milvus\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("ponte_circuit_open{system=\"ploomes\"} 0"), std::string::npos) << metrics;
}

// Route status reflects dead letters (before: a route with 11 dead letters showed a green "ok")
// and cursor lag measures time since the last complete run (before: a quiet route showed its
// cursor's age, "124 h").
TEST_F(ServerTest, RouteStatusCountsDeadLettersAndLagIsSinceTheLastCompleteRun) {
  Start({}, /*poll=*/true);
  ASSERT_TRUE(WaitFor([&] {
    Json s = GetJson("/api/status");
    for (const auto& r : s["routes"]) {
      if (r["runs"] == 0 || r["status"] == "running") return false;
    }
    return true;
  }, 60s));
  Json after = GetJson("/api/status");
  for (const auto& r : after["routes"]) {
    ASSERT_TRUE(r["cursor_lag_seconds"].is_number()) << r.dump();
    EXPECT_LT(r["cursor_lag_seconds"].get<double>(), 600) << r.dump();
    const bool has_dead = r["dead_letters"].get<int>() > 0;
    EXPECT_EQ(r["status"], has_dead ? "dead letters" : "ok") << r.dump();
  }
}


// A raw TCP connection to the server, for what an HTTP client library will not send.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  // Sends until done or the server stops reading; returns the bytes it took.
  size_t Send(std::string_view data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    return sent;
  }
  std::string Receive() {
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// Streams a chunked POST of up to `total` bytes; returns the status line the server answered.
std::string ChunkedPost(int port, const std::string& target, size_t total, size_t* taken,
                        const std::string& headers = "") {
  RawConnection c(port);
  EXPECT_TRUE(c.connected());
  c.Send("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + headers +
         "Transfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
  *taken = 0;
  for (size_t sent = 0; sent < total; sent += 0x10000) {
    const size_t n = c.Send(chunk);
    *taken += n;
    if (n < chunk.size()) break;  // the server stopped reading
  }
  c.Send("0\r\n\r\n");
  const std::string answer = c.Receive();
  return answer.substr(0, answer.find("\r\n"));
}

// Found by a hostile test: one request with an invalid UTF-8 byte in its path ended the process
// (an exception in the 404 handler); /api/explain and /api/depara answered 500.
TEST_F(ServerTest, NoRequestEndsTheProcess) {
  Start();
  for (const char* path : {"/%FF", "/api/explain?id=%FF", "/api/depara?q=%FF", "/api/%C0%AF", "/webhooks/%FF"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 400) << path << ": " << r->body;
    EXPECT_TRUE(Json::parse(r->body, nullptr, false).is_object()) << path;
  }
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

// Bodies are limited while they are read, chunked or not, and before any work for a request
// without a key: a chunked body is not read past the limit (before: 10 MB chunked got 202, and
// 200 MB without a key was read whole before its 401).
TEST_F(ServerTest, ChunkedBodiesAreLimitedWhileRead) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  Start(o);
  size_t taken = 0;
  EXPECT_NE(ChunkedPost(server_->port(), "/webhooks/ploomes", 200u << 20, &taken).find(" 413"), std::string::npos);
  EXPECT_LT(taken, 20u << 20) << "the server kept reading a body it had refused";
  EXPECT_NE(ChunkedPost(server_->port(), std::string("/webhooks/ploomes?key=") + kHookKey, 10u << 20, &taken).find(" 413"),
            std::string::npos);
  EXPECT_NE(ChunkedPost(server_->port(), "/webhooks/ploomes?key=wrong", 10u << 20, &taken).find(" 401"),
            std::string::npos);
  // A small chunked webhook with its key is still accepted.
  RawConnection c(server_->port());
  const std::string body = R"({"Action":"Update","Entity":"Contacts","New":{"Id":40100001}})";
  c.Send(fmt::format("POST /webhooks/ploomes?key={} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n0\r\n\r\n",
                     kHookKey, body.size(), body));
  EXPECT_NE(c.Receive().find(" 202"), std::string::npos);
  // A POST without a body gets a JSON error that says what to send (before: an empty 400).
  RawConnection empty(server_->port());
  empty.Send(fmt::format("POST /webhooks/ploomes?key={} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                         kHookKey));
  const std::string answer = empty.Receive();
  EXPECT_NE(answer.find(" 400"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"error\""), std::string::npos) << answer;
  // A form-encoded body over 8 KiB is judged as a body, not refused by a limit it never hit
  // (before: 413 blaming max_body_bytes).
  auto form = client_->Post((std::string("/webhooks/ploomes?key=") + kHookKey).c_str(), std::string(10'000, 'x'),
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 400) << form->body;
  EXPECT_EQ(form->body.find("max_body_bytes"), std::string::npos) << form->body;
}

// DNS rebinding: a foreign Host (or Origin) gets 403 on the admin API and the page (before: the
// CPF/CNPJ links came back, and a POST replayed every dead letter).
TEST_F(ServerTest, ARebindingHostOrOriginGets403) {
  Start();
  const std::string port = std::to_string(server_->port());
  auto evil = client_->Get("/api/depara?q=40100001", {{"Host", "attacker.example:" + port}});
  EXPECT_EQ(evil->status, 403);
  EXPECT_EQ(evil->body.find("40100001\","), std::string::npos);
  EXPECT_EQ(client_->Get("/", {{"Host", "attacker.example"}})->status, 403);
  EXPECT_EQ(client_->Post("/api/dlq/replay-all", {{"Host", "attacker.example:" + port}, {"Origin", "http://attacker.example:" + port},
                                                   {"X-Ponte-Request", "1"}}, "", "application/json")->status, 403);
  EXPECT_EQ(client_->Get("/api/status", {{"Host", "localhost:" + port}, {"Origin", "http://evil.example"}})->status, 403);
  EXPECT_EQ(client_->Get("/api/status", {{"Host", "localhost:" + port}})->status, 200);
  EXPECT_EQ(client_->Get("/api/status", {{"Host", "[::1]:" + port}, {"Origin", "http://127.0.0.1:" + port}})->status, 200);
  // Webhooks come through a proxy under the public name: not subject to it.
  EXPECT_EQ(client_->Get("/healthz", {{"Host", "ponte.example.com"}})->status, 200);
}

// 500 idle connections (a slowloris) leave the server answering others (before: 100 held open
// and /healthz got no answer within 20 s).
TEST_F(ServerTest, IdleConnectionsDoNotStarveOthers) {
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = std::min<rlim_t>(files.rlim_max, 4096);
  setrlimit(RLIMIT_NOFILE, &files);
  ASSERT_GE(files.rlim_cur, 1200u) << "this machine allows too few open files for the test";
  Start();
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 500; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server_->port()));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  httplib::Client fresh(server_->url());
  fresh.set_connection_timeout(1, 0);
  fresh.set_read_timeout(1, 0);
  auto r = fresh.Get("/healthz");
  ASSERT_TRUE(r) << "no answer within a second with 500 idle connections";
  EXPECT_EQ(r->status, 200);
}

// What ponte answers OK it delivers: a pushed customer the canonical message cannot carry (a
// Name that is an array, nested 10,000 deep) is answered Status ERROR with the reason, never OK,
// and nothing of it is kept or dead-lettered (before: OK, a de/para pair, then 2 dead letters).
TEST_F(ServerTest, APushPonteCannotDeliverIsAnsweredErrorNotOk) {
  Start({}, false, SmallWorld(), /*erp=*/true);
  const httplib::Headers erp = {{"Authorization", "Basic " + Base64Encode("ponte:sandbox-totvs-password")}};
  auto push = [&](const std::string& name) {
    const std::string body =
        R"({"Header":{"UUID":"0c0ffee0-0000-4000-8000-000000000001","Type":"BusinessMessage","Event":"upsert",)"
        R"("Transaction":"CUSTOMERVENDOR","Version":"2.000","SourceApplication":"P12ERP"},)"
        R"("Content":{"InternalId":"T1|D MG 01 |900777|01","Name":)" + name +
        R"(,"GovernmentalInformation":{"Id":["45145061000185"]}}})";
    return client_->Post(kEaiTransactionsPath, erp, body, "application/json");
  };
  auto array = push(R"([["a"]])");
  ASSERT_TRUE(array);
  ASSERT_EQ(array->status, 200) << array->body;
  Json answer = Json::parse(array->body);
  EXPECT_EQ(answer["Content"]["ProcessingInformation"]["Status"], "ERROR") << array->body;
  EXPECT_NE(answer["Content"]["ProcessingInformation"]["Details"].dump().find("Name"), std::string::npos) << array->body;
  EXPECT_FALSE(answer["Content"].contains("ReturnContent") &&
               !answer["Content"]["ReturnContent"].value("ListOfInternalId", Json::array()).empty())
      << "no InternalId pair for a customer ponte will not deliver: " << array->body;
  auto deep = push(std::string(10'000, '[') + "\"a\"" + std::string(10'000, ']'));
  ASSERT_TRUE(deep);
  const Json deep_answer = Json::parse(deep->body, nullptr, false);
  EXPECT_TRUE(deep->status == 400 || deep_answer["Content"]["ProcessingInformation"]["Status"] == "ERROR") << deep->body;
  // Nothing was kept to deliver, and nothing turns into a dead letter later.
  EXPECT_EQ(h_->store->CountInbox().value_or(-1), 0);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(h_->store->ListDeadLetters(true).value_or(std::vector<DeadLetter>(1)).size(), 0u);
  EXPECT_EQ(h_->store->Lookup("CustomerVendor", {"erp", "T1|D MG 01 |900777|01"}, "ploomes").value_or("?"), std::nullopt);
}

// One body limit for every request serve reads, chunked or not (before: the ERP receiver read a
// 200 MB chunked body whole and answered 400, and took a 2 MB chunked message past the 1 MiB
// limit). Each path stops reading at the limit and answers 413.
TEST_F(ServerTest, EveryBodyServeReadsHasOneLimit) {
  ServerOptions o;
  o.webhook_key = kHookKey;
  Start(o, false, SmallWorld(), /*erp=*/true);
  const std::string erp = "Authorization: Basic " + Base64Encode("ponte:sandbox-totvs-password") + "\r\n";
  const std::string admin = "X-Ponte-Request: 1\r\n";
  struct Case {
    std::string target, headers;
    size_t total;
  };
  for (const Case& c : std::vector<Case>{{kEaiTransactionsPath, erp, 200u << 20},
                                         {kEaiTransactionsPath, erp, 2u << 20},
                                         {std::string("/webhooks/ploomes?key=") + kHookKey, "", 2u << 20},
                                         {"/api/poll", admin, 200u << 20},
                                         {"/api/dlq/replay-all", admin, 2u << 20},
                                         {"/no/such/path", "", 200u << 20}}) {
    size_t taken = 0;
    const std::string status = ChunkedPost(server_->port(), c.target, c.total, &taken, c.headers);
    EXPECT_NE(status.find(" 413"), std::string::npos) << c.target << " (" << c.total << " bytes): " << status;
    EXPECT_LT(taken, 20u << 20) << c.target << ": the server kept reading a body past its limit";
  }
  // Announced too large: refused before a byte is read; without the ERP's credentials: 401 first.
  RawConnection announced(server_->port());
  announced.Send(std::string("POST ") + kEaiTransactionsPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + erp +
                 "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
  EXPECT_NE(announced.Receive().find(" 413"), std::string::npos);
  size_t taken = 0;
  EXPECT_NE(ChunkedPost(server_->port(), kEaiTransactionsPath, 200u << 20, &taken).find(" 401"), std::string::npos);
  EXPECT_LT(taken, 20u << 20);
}

}  // namespace
}  // namespace ponte::server
