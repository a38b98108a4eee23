#pragma once
// A Milvus account as a CustomerSystem: its clients, for every customer route. Milvus has no
// change dates and no read by id: listings are whole (past busca's cap, name partitions; the
// listing says when it could not see all), a read by id is a lookup in one listing, and a new
// client's token (what a ticket needs) shows only in a later listing (LateAttributes).

#include "connectors/customer_system.h"
#include "connectors/milvus/milvus_connector.h"

namespace ponte::milvus {

class MilvusCustomers : public CustomerSystem {
 public:
  MilvusCustomers(std::string name, MilvusConnector& milvus) : name_(std::move(name)), milvus_(milvus) {}

  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "milvus"; }
  Result<Listing<CustomerVendor>> CustomersChangedSince(std::optional<Instant>) override { return milvus_.ListClients(); }
  // One busca (capped) unless enough lookups wait that the whole listing costs less.
  Result<Listing<CustomerVendor>> CustomersToIndex(std::optional<Instant> since, size_t lookups_ahead) override;
  Result<std::map<std::string, std::string>> LateAttributes(const std::vector<AwaitedRecord>& records,
                                                             bool thorough) override;
  std::string_view record_noun() const override { return "client"; }
  bool KeepsChangeDates() const override { return false; }
  Result<std::optional<SourceRecord<CustomerVendor>>> ReadCustomer(const std::string& internal_id) override;
  Result<std::vector<SourceRecord<CustomerVendor>>> FindCustomers(const Document& doc) override;
  Result<CustomerWrite> WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) override;
  Result<std::string> AdoptCustomer(const std::string&, const Message&) override { return std::string("{}"); }
  std::string ContentHash(const CustomerVendor& cv) const override { return CustomerHash(cv); }

 private:
  std::string name_;
  MilvusConnector& milvus_;
};

}  // namespace ponte::milvus
