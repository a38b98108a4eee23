#include "support/sandbox_harness.h"

#include <stdexcept>

#include <httplib.h>

#include "core/base64.h"
#include "support/temp_postgres.h"

namespace ponte::testing {

using std::chrono::milliseconds;

SandboxHarness::SandboxHarness(sandbox::SandboxOptions o, std::string store_url) {
  o.port = 0;
  auto started = sandbox::Sandbox::Start(o);
  if (!started) throw std::runtime_error(started.error().ToString());
  sandbox = std::move(*started);
  auto opened = OpenStore(store_url.empty() ? "sqlite:" + NewSqlitePath() : store_url);
  if (!opened) throw std::runtime_error(opened.error().ToString());
  store = std::move(*opened);
  transport = MakeCurlTransport({});
  RetryPolicy fast;
  fast.base_backoff = milliseconds(10);
  fast.max_backoff = milliseconds(100);
  fast.quota_wait_floor = milliseconds(20);
  fast.budget = milliseconds(5000);
  ploomes_api = std::make_unique<ApiClient>(
      ApiClientOptions{"ploomes", sandbox->ploomes_url(), "User-Key", "sandbox-ploomes-key", "PONTE_PLOOMES_KEY",
                       milliseconds(2000), fast},
      *transport, nullptr, calls, SystemClock::Get());
  milvus_api = std::make_unique<ApiClient>(
      ApiClientOptions{"milvus", sandbox->milvus_url(), "Authorization", "sandbox-milvus-token", "PONTE_MILVUS_TOKEN",
                       milliseconds(2000), fast},
      *transport, nullptr, calls, SystemClock::Get());
  ploomes = std::make_unique<ploomes::PloomesConnector>(*ploomes_api);
  milvus = std::make_unique<milvus::MilvusConnector>(*milvus_api, milvus::TicketDefaults{});
  config.delivery.retry_base_seconds = 0;
  // A write in doubt is looked for a second later (60 s by default).
  config.delivery.write_settle_seconds = 1;
  defaults = std::make_unique<DefaultSystems>(*ploomes, *milvus);
}

void SandboxHarness::JoinErp(const std::string& name, const std::string& message_version) {
  RetryPolicy fast;
  fast.base_backoff = milliseconds(10);
  fast.max_backoff = milliseconds(100);
  fast.budget = milliseconds(5000);
  const auto& o = sandbox->options();
  totvs_api = std::make_unique<ApiClient>(
      ApiClientOptions{name, sandbox->totvs_url(), "Authorization",
                       "Basic " + Base64Encode(o.totvs_user + ":" + o.totvs_password), "PONTE_ERP_KEY",
                       milliseconds(2000), fast},
      *transport, nullptr, calls, SystemClock::Get());
  totvs::TotvsOptions to;
  to.name = name;
  to.message_version = message_version;
  totvs = std::make_unique<totvs::TotvsConnector>(*totvs_api, to);
  SystemConfig& erp = config.systems[name] = DefaultSystem("totvs");
  erp.base_url = sandbox->totvs_url();
  auto settings = std::make_shared<totvs::TotvsSettings>();
  settings->user = o.totvs_user;
  settings->message_version = message_version;
  erp.settings = settings;
  AddErpRoutes(config, name);
}

SystemsByName SandboxHarness::Systems() {
  SystemsByName named;
  if (totvs) named.customers[totvs->name()] = totvs.get();
  return defaults->Systems(named);
}

nlohmann::json SandboxHarness::AdminPost(const std::string& path, const nlohmann::json& body) {
  httplib::Client client(sandbox->base_url());
  auto r = client.Post(path, body.dump(), "application/json");
  if (!r || r->status != 200) {
    throw std::runtime_error("sandbox " + path + ": " + (r ? std::to_string(r->status) + " " + r->body : "no answer"));
  }
  return nlohmann::json::parse(r->body);
}

}  // namespace ponte::testing
