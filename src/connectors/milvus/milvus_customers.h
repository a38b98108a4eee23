#pragma once
// A Milvus account as a CustomerSystem: its clients, for the hub's routes between named
// systems. Milvus has no change dates and no read by id: listings are whole (within the
// busca cap, which the listing reports), and a read by id is a lookup in one listing.

#include "connectors/customer_system.h"
#include "connectors/milvus/milvus_connector.h"

namespace ponte::milvus {

class MilvusCustomers : public CustomerSystem {
 public:
  MilvusCustomers(std::string name, MilvusConnector& milvus) : name_(std::move(name)), milvus_(milvus) {}

  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "milvus"; }
  Result<Listing<CustomerVendor>> CustomersChangedSince(std::optional<Instant>) override { return milvus_.ListClients(); }
  bool KeepsChangeDates() const override { return false; }
  Result<std::optional<SourceRecord<CustomerVendor>>> ReadCustomer(const std::string& internal_id) override;
  Result<std::vector<std::string>> FindCustomers(const Document& doc) override;
  Result<CustomerWrite> WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) override;
  Result<std::string> AdoptCustomer(const std::string&, const Message&) override { return std::string("{}"); }
  std::string ContentHash(const CustomerVendor& cv) const override { return CustomerHash(cv); }

 private:
  std::string name_;
  MilvusConnector& milvus_;
};

}  // namespace ponte::milvus
