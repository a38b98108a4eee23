#pragma once
// A Milvus account as where tickets go: chamados, each on a client named by its token, with
// ponte's reference in the description (how a ticket created before a crash is found again).

#include "connectors/milvus/milvus_connector.h"
#include "connectors/milvus/milvus_mapping.h"
#include "connectors/ticket_system.h"

namespace ponte::milvus {

class MilvusTickets : public TicketTargetSystem {
 public:
  MilvusTickets(std::string name, MilvusConnector& milvus) : name_(std::move(name)), milvus_(milvus) {}

  const std::string& name() const override { return name_; }
  std::string_view customer_key() const override { return "token"; }
  Result<std::string> LookUpCustomerKey(const std::string& customer_id, const Document& doc) override {
    auto found = milvus_.FindClientsByDocument(doc);
    if (!found) return Fail(found.error());
    for (const auto& c : *found) {
      if (c.id == customer_id) return c.token;
    }
    return std::string();
  }
  std::string TicketReference(const std::string& origin_system, const std::string& records,
                              const std::string& internal_id) const override {
    return milvus::TicketReference(origin_system, records, internal_id);
  }
  Result<std::map<std::string, std::string>> TicketsByReference() override { return milvus_.TicketsByReference(); }
  Result<std::optional<std::string>> FindTicket(const std::string& customer_key, const std::string& reference) override {
    return milvus_.FindTicketByReference(customer_key, reference);
  }
  Result<std::string> CreateTicket(const Ticket& ticket, const std::string& customer_key,
                                   const std::string& reference) override {
    return milvus_.CreateTicket(ticket, customer_key, reference);
  }

 private:
  std::string name_;
  MilvusConnector& milvus_;
};

}  // namespace ponte::milvus
