#pragma once
// Everything a run needs, built from Config: the store, the HTTP transport, and for each system
// in use its rate limiters, API client and connector.

#include <iosfwd>
#include <memory>

#include "connectors/customer_system.h"
#include "connectors/systems.h"
#include "connectors/ticket_system.h"
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
  Findings findings;  // what ponte learned of the default accounts, kept in the store
  std::unique_ptr<HttpTransport> transport;
  CallCounter calls;
  // Every rate bucket: one per system and key, one per class of call with a quota.
  std::vector<std::unique_ptr<RateLimiter>> limiters;
  // Each system some enabled route uses, by name: its API client. A system no enabled route
  // uses is not built (and needs no key).
  std::map<std::string, std::unique_ptr<ApiClient>> apis;
  std::map<std::string, std::unique_ptr<ploomes::PloomesConnector>> ploomes_accounts;
  std::map<std::string, std::unique_ptr<milvus::MilvusConnector>> milvus_accounts;
  std::map<std::string, std::unique_ptr<CustomerSystem>> customer_systems;
  // Each TOTVS ERP: the HTTP Basic authorization ponte calls it with (and takes its pushes
  // with), and how ponte signs the messages it sends and answers.
  struct ErpIdentity {
    std::string authorization;
    totvs::Sender sender;
  };
  std::map<std::string, ErpIdentity> erps;
  // Ploomes systems as ticket sources, Milvus systems as ticket targets.
  std::map<std::string, std::unique_ptr<TicketSourceSystem>> ticket_sources;
  std::map<std::string, std::unique_ptr<TicketTargetSystem>> ticket_targets;

  SystemsByName Systems() const;
  // The circuit of each system's API client (the server's readiness and metrics).
  std::vector<const Circuit*> Circuits() const;
  // The system `name` of its kind, for commands that speak to one account (probe, webhooks);
  // FailedPrecondition when no enabled route uses it.
  Result<ploomes::PloomesConnector*> Ploomes(const std::string& name = "ploomes") const;
  Result<milvus::MilvusConnector*> Milvus(const std::string& name = "milvus") const;
  Result<ApiClient*> Api(const std::string& name) const;
};

// Opens the store and builds a client and connector for each system an enabled route uses.
// Keys come from the environment or key files; `keys` (by system name: the sandbox's, for
// `ponte demo`) win over both. The store's findings feed the default accounts' connectors, and
// what they learn goes back to the store.
Result<std::unique_ptr<Runtime>> MakeRuntime(Config config, const std::string& store_override,
                                             const std::map<std::string, std::string>& keys = {});

// One cheap authenticated call to each system in use (KeyCheckCall), a line each on `out`: the
// exit code, 0 when every key is accepted, 2 when one is refused, 3 when a system is unreachable.
int CheckKeysOnline(Runtime& rt, std::ostream& out);

// For commands: loads the config file and builds the runtime, printing what is wrong and
// setting the exit code (usage error, or unreachable store) when that fails.
Result<Config> LoadConfigOrReport(const std::string& config_path, int& exit_code);
// The store is resolved as every command resolves it (ResolveStoreUrl in app/cli.h).
Result<std::unique_ptr<Runtime>> RuntimeOrReport(const GlobalOptions& g, const std::string& config_path,
                                                 int& exit_code);

}  // namespace ponte
