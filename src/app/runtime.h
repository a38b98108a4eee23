#pragma once
// Everything a run needs, built from Config: the store, the HTTP transport, one rate limiter and
// one API client per system, and the two connectors.

#include <memory>

#include "connectors/customer_system.h"
#include "connectors/systems.h"
#include "connectors/totvs/eai_messages.h"
#include "connectors/milvus/milvus_connector.h"
#include "connectors/ploomes/ploomes_connector.h"
#include "core/findings.h"
#include "net/call_counter.h"
#include "net/http.h"
#include "net/rate_limiter.h"
#include "store/store.h"
#include "sync/config.h"
#include "sync/engine.h"

namespace ponte {
struct GlobalOptions;
}

namespace ponte {

struct Runtime {
  Config config;
  std::unique_ptr<Store> store;
  Findings findings;  // what ponte learned of the two accounts, kept in the store
  std::unique_ptr<HttpTransport> transport;
  CallCounter calls;
  std::unique_ptr<RateLimiter> ploomes_limiter;
  std::unique_ptr<RateLimiter> milvus_limiter;
  // Per class of call (quotas.listings_per_minute, writes_per_minute): ploomes, then milvus.
  std::vector<std::unique_ptr<RateLimiter>> class_limiters;
  std::unique_ptr<ApiClient> ploomes_api;
  std::unique_ptr<ApiClient> milvus_api;
  std::unique_ptr<ploomes::PloomesConnector> ploomes;
  std::unique_ptr<milvus::MilvusConnector> milvus;
  // The Ploomes and Milvus accounts of the four default routes, as the engine reaches them.
  std::unique_ptr<DefaultSystems> defaults;
  // Each named system ([systems.<name>]) with its own key, client, limiters and connector.
  std::map<std::string, std::unique_ptr<CustomerSystem>> customer_systems;
  std::vector<std::unique_ptr<ApiClient>> named_apis;
  std::vector<std::unique_ptr<RateLimiter>> named_limiters;
  std::vector<std::unique_ptr<ploomes::PloomesConnector>> named_ploomes;
  std::vector<std::unique_ptr<milvus::MilvusConnector>> named_milvus;
  // Each TOTVS ERP: the HTTP Basic authorization ponte calls it with (and takes its pushes
  // with), and how ponte signs the messages it sends and answers.
  struct ErpIdentity {
    std::string authorization;
    totvs::Sender sender;
  };
  std::map<std::string, ErpIdentity> erps;
  // Named Ploomes systems as ticket sources, named Milvus systems as ticket targets.
  std::map<std::string, std::unique_ptr<TicketSourceSystem>> ticket_sources;
  std::map<std::string, std::unique_ptr<TicketTargetSystem>> ticket_targets;

  SystemsByName Systems() const;
  // The circuit of each system's API client (the server's readiness and metrics).
  std::vector<const Circuit*> Circuits() const;
};

// Opens the store and builds the clients. Keys come from the environment or key files.
// The store's findings feed the connectors, and what they learn goes back to the store.
// Keys given here (the sandbox's, for `ponte demo`) win over the environment: ploomes_key,
// milvus_key, and named_keys by system name.
Result<std::unique_ptr<Runtime>> MakeRuntime(Config config, const std::string& store_override,
                                             const std::string& ploomes_key = "",
                                             const std::string& milvus_key = "",
                                             const std::map<std::string, std::string>& named_keys = {});

// For commands: loads the config file and builds the runtime, printing what is wrong and
// setting the exit code (usage error, or unreachable store) when that fails.
Result<Config> LoadConfigOrReport(const std::string& config_path, int& exit_code);
// The store is resolved as every command resolves it (ResolveStoreUrl in app/cli.h).
Result<std::unique_ptr<Runtime>> RuntimeOrReport(const GlobalOptions& g, const std::string& config_path,
                                                 int& exit_code);

}  // namespace ponte
