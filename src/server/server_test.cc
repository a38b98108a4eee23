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
#include "server/server_test_fixture.h"
#include "support/sandbox_harness.h"
#include "sync/engine.h"


namespace ponte::server {
namespace {

using namespace test;

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
}  // namespace
}  // namespace ponte::server
