#pragma once
// An in-process sandbox with everything a sync needs wired to it over loopback HTTP: a store,
// API clients with fast retries, both connectors and a default Config. Used by the tests and
// benchmarks that drive the engine or the server without the CLI.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/milvus/milvus_connector.h"
#include "connectors/ploomes/ploomes_connector.h"
#include "connectors/systems.h"
#include "connectors/totvs/totvs_connector.h"
#include "net/call_counter.h"
#include "net/http.h"
#include "net/http_client.h"
#include "sandbox/sandbox.h"
#include "store/store.h"
#include "app/default_config.h"
#include "app/system_kinds.h"
#include "connectors/totvs/totvs_settings.h"
#include "sync/config.h"
#include "sync/engine.h"

namespace ponte::testing {

class SandboxHarness {
 public:
  // Quotas are off unless the options set them; store_url empty: a new SQLite file.
  explicit SandboxHarness(sandbox::SandboxOptions options, std::string store_url = "");

  // A sandbox admin call (/_sandbox/...), as a person working in Ploomes or Milvus.
  nlohmann::json AdminPost(const std::string& path, const nlohmann::json& body);
  nlohmann::json Stats() const { return sandbox->Stats(); }

  std::unique_ptr<sandbox::Sandbox> sandbox;
  std::unique_ptr<Store> store;
  std::unique_ptr<HttpTransport> transport;
  CallCounter calls;
  std::unique_ptr<ApiClient> ploomes_api;
  std::unique_ptr<ApiClient> milvus_api;
  std::unique_ptr<ploomes::PloomesConnector> ploomes;
  std::unique_ptr<milvus::MilvusConnector> milvus;
  Config config = DefaultConfig();

  // Joins the sandbox's ERP to the hub as the system `name` (kind totvs), with its default
  // routes (AddErpRoutes): the three-system configuration.
  void JoinErp(const std::string& name = "erp", const std::string& message_version = "2.007");
  // Every system the engine's hub routes reach, by name.
  SystemsByName Systems();

  std::unique_ptr<ApiClient> totvs_api;
  std::unique_ptr<totvs::TotvsConnector> totvs;
  std::unique_ptr<DefaultSystems> defaults;  // over ploomes and milvus
};

}  // namespace ponte::testing
