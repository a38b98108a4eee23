#pragma once
// A Ploomes account as a CustomerSystem: its contacts, for every customer route. Contacts
// keep change and creation dates; the document lives in a configured field, and a create cut
// off before the document was set leaves a contact without one (RecoverInterruptedWrite).

#include "connectors/customer_system.h"
#include "connectors/ploomes/ploomes_connector.h"

namespace ponte::ploomes {

class PloomesCustomers : public CustomerSystem {
 public:
  PloomesCustomers(std::string name, PloomesConnector& ploomes) : name_(std::move(name)), ploomes_(ploomes) {}

  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "ploomes"; }
  Result<Listing<CustomerVendor>> CustomersChangedSince(std::optional<Instant> since) override {
    return ploomes_.ContactsChangedSince(since);
  }
  bool KeepsChangeDates() const override { return true; }
  Result<std::optional<SourceRecord<CustomerVendor>>> ReadCustomer(const std::string& internal_id) override {
    return ploomes_.GetContact(internal_id);
  }
  Result<std::vector<SourceRecord<CustomerVendor>>> FindCustomers(const Document& doc) override;
  Result<std::optional<SourceRecord<CustomerVendor>>> RecoverInterruptedWrite(const Message& message,
                                                                              Instant since) override;
  std::string_view PushedEntitySet() const override { return "Contacts"; }
  std::string_view record_noun() const override { return "contact"; }
  Result<CustomerWrite> WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) override;
  Result<std::string> AdoptCustomer(const std::string&, const Message&) override { return std::string("{}"); }
  std::string ContentHash(const CustomerVendor& cv) const override { return CustomerHash(cv); }

 private:
  std::string name_;
  PloomesConnector& ploomes_;
};

}  // namespace ponte::ploomes
