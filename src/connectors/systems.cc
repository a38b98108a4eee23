#include "connectors/systems.h"

#include "connectors/milvus/milvus_customers.h"
#include "connectors/milvus/milvus_tickets.h"
#include "connectors/ploomes/ploomes_customers.h"
#include "connectors/ploomes/ploomes_tickets.h"

namespace ponte {

DefaultSystems::DefaultSystems(ploomes::PloomesConnector& ploomes, milvus::MilvusConnector& milvus)
    : ticket_source_(std::make_unique<ploomes::PloomesTickets>("ploomes", ploomes)),
      ticket_target_(std::make_unique<milvus::MilvusTickets>("milvus", milvus)) {
  customers_.push_back(std::make_unique<ploomes::PloomesCustomers>("ploomes", ploomes));
  customers_.push_back(std::make_unique<milvus::MilvusCustomers>("milvus", milvus));
}

DefaultSystems::~DefaultSystems() = default;

SystemsByName DefaultSystems::Systems(const SystemsByName& more) const {
  SystemsByName out = more;
  for (const auto& c : customers_) out.customers[c->name()] = c.get();
  out.ticket_sources[ticket_source_->name()] = ticket_source_.get();
  out.ticket_targets[ticket_target_->name()] = ticket_target_.get();
  return out;
}

}  // namespace ponte
