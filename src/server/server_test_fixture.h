#pragma once
// The fixture of `ponte serve`'s server tests: an in-process sandbox with real connectors, the
// sync service and the HTTP server over loopback, and what the tests ask of them.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/base64.h"
#include "server/http_server.h"
#include "server/sync_service.h"
#include "support/sandbox_harness.h"

namespace ponte::server::test {


using Json = nlohmann::json;
using namespace std::chrono_literals;

inline constexpr const char* kHookKey = "hook-secret-7f3a";
inline constexpr const char* kAdminToken = "admin-token-91bc";
inline constexpr int64_t kTagEntrega = 40049715;

inline sandbox::SandboxOptions SmallWorld() {
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

}  // namespace ponte::server::test
