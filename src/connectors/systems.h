#pragma once
// The systems of a run by name, as the sync engine reaches them: the customers of each, the
// records that become tickets, and where tickets go. The engine names no system itself.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/customer_system.h"
#include "connectors/ticket_system.h"

namespace ponte {

namespace ploomes {
class PloomesConnector;
}
namespace milvus {
class MilvusConnector;
}

struct SystemsByName {
  std::map<std::string, CustomerSystem*> customers;
  std::map<std::string, TicketSourceSystem*> ticket_sources;
  std::map<std::string, TicketTargetSystem*> ticket_targets;
};

// The Ploomes and the Milvus account of the four default routes, as "ploomes" and "milvus":
// adapters over their connectors, owned here.
class DefaultSystems {
 public:
  DefaultSystems(ploomes::PloomesConnector& ploomes, milvus::MilvusConnector& milvus);
  ~DefaultSystems();

  // The two, and the systems of `more` (other named systems, the hub's).
  SystemsByName Systems(const SystemsByName& more = {}) const;

 private:
  std::vector<std::unique_ptr<CustomerSystem>> customers_;
  std::unique_ptr<TicketSourceSystem> ticket_source_;
  std::unique_ptr<TicketTargetSystem> ticket_target_;
};

}  // namespace ponte
