#pragma once
// The TOTVS ERP connector (kind "totvs"): customers as CustomerVendor BusinessMessages posted to
// the ERP's REST EAI (/totvseai/standardmessage/v1/transactions under the REST base, e.g.
// http://host:8085/rest for Protheus), read back from /contents/customervendor_2_000.
//
// The ERP keeps its own de/para: it knows ponte's records by the InternalId ponte sends (the
// customer's CPF/CNPJ, "CNPJ|11222333000181", kept on the link as "sender_id" so a corrected
// document still updates the same record), and answers with its own (company|branch|code|store) in
// ReturnContent.ListOfInternalId. A record ponte links without writing is loaded into the
// ERP's de/para with InternalIdLoad, so an update later reaches it instead of creating another.
// Unconfirmed (../shared/totvs.md): whether a write is answered at once or only acknowledged
// (then the record is found by document), the spelling of ListOfInternalId, and whether the
// ERP takes CustomerVendor 2.000 (Name up to 40) or 2.007 (80): message_version says which.

#include <optional>
#include <string>
#include <vector>

#include "connectors/customer_system.h"
#include "connectors/totvs/eai_messages.h"
#include "net/http_client.h"

namespace ponte::totvs {

struct TotvsOptions {
  std::string name = "totvs";             // the configured instance (ProductName of what it sends ponte)
  std::string message_version = "2.000";  // CustomerVendor version the ERP takes
  Sender sender;
  int page_size = 50;                     // contents listing page size
};

class TotvsConnector : public CustomerSystem {
 public:
  TotvsConnector(ApiClient& api, TotvsOptions options);

  const std::string& name() const override { return options_.name; }
  std::string_view kind() const override { return "totvs"; }
  Result<Listing<CustomerVendor>> CustomersChangedSince(std::optional<Instant> since) override;
  bool KeepsChangeDates() const override { return false; }
  Result<std::optional<SourceRecord<CustomerVendor>>> ReadCustomer(const std::string& internal_id) override;
  Result<std::vector<SourceRecord<CustomerVendor>>> FindCustomers(const Document& doc) override;
  Result<CustomerWrite> WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) override;
  Result<std::string> AdoptCustomer(const std::string& internal_id, const Message& message) override;
  std::string ContentHash(const CustomerVendor& cv) const override;

  // InternalIdLoad: the ERP's de/para learns that ponte's `sender_id` names its record
  // `internal_id`, for each pair. Fails naming the pairs the ERP refused.
  Status LoadInternalIds(const std::vector<std::pair<std::string, std::string>>& sender_to_own);
  // The InternalId ponte sends for a customer with this CPF/CNPJ: "CNPJ|11222333000181".
  static std::string SenderIdOf(const Document& doc);

 private:
  // The InternalId ponte sends for a customer: the one it sent before (kept on the link), or
  // its CPF/CNPJ.
  static std::string SenderId(const Message& message, const std::optional<LinkedRecord>& linked);
  Result<Answer> Post(const Json& message, const std::string& what);

  ApiClient& api_;
  TotvsOptions options_;
};

}  // namespace ponte::totvs
