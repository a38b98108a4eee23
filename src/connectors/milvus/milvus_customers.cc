#include "connectors/milvus/milvus_customers.h"

#include <nlohmann/json.hpp>

namespace ponte::milvus {

Result<std::optional<SourceRecord<CustomerVendor>>> MilvusCustomers::ReadCustomer(const std::string& internal_id) {
  auto listing = milvus_.ListClients();
  if (!listing) return Fail(listing.error());
  for (auto& rec : listing->records) {
    if (rec.internal_id == internal_id) return std::optional(std::move(rec));
  }
  return std::optional<SourceRecord<CustomerVendor>>();
}

Result<std::vector<SourceRecord<CustomerVendor>>> MilvusCustomers::FindCustomers(const Document& doc) {
  auto found = milvus_.FindClientsByDocument(doc);
  if (!found) return Fail(found.error());
  std::vector<SourceRecord<CustomerVendor>> records;
  for (auto& c : *found) {
    SourceRecord<CustomerVendor> rec;
    rec.record = std::move(c.customer);
    rec.internal_id = c.id;
    rec.token = c.token;
    records.push_back(std::move(rec));
  }
  return records;
}

Result<Listing<CustomerVendor>> MilvusCustomers::CustomersToIndex(std::optional<Instant>, size_t lookups_ahead) {
  auto listing = milvus_.ListClients(/*exhaustive=*/false);
  // Past busca's cap, when more customers wait for a lookup than kListingBeatsLookups, the whole
  // listing (name partitions) is cheaper than one busca each.
  if (listing && !listing->complete && lookups_ahead >= kListingBeatsLookups) {
    listing = milvus_.ListClients(/*exhaustive=*/true);
  }
  return listing;
}

Result<std::map<std::string, std::string>> MilvusCustomers::LateAttributes(const std::vector<AwaitedRecord>& records,
                                                                            bool thorough) {
  std::vector<MilvusConnector::WantedToken> wanted;
  for (const auto& r : records) wanted.push_back({r.internal_id, r.document});
  auto tokens = milvus_.Tokens(wanted, /*one_listing=*/!thorough);
  if (!tokens) return Fail(tokens.error());
  std::map<std::string, std::string> out;
  for (const auto& [id, token] : *tokens) out[id] = nlohmann::json{{"token", token}}.dump();
  return out;
}

Result<CustomerWrite> MilvusCustomers::WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) {
  auto cv = CustomerVendor::FromBusinessContent(message.business_content);
  if (!cv) return Fail(cv.error());
  if (linked) {
    PONTE_RETURN_IF_ERROR(milvus_.UpdateClient(linked->internal_id, *cv));
    return CustomerWrite{linked->internal_id, CustomerHash(*cv), linked->attributes};
  }
  // cliente_id_integracao takes a number: an origin InternalId that is one (a Ploomes Id).
  int64_t integration_id = 0;
  try {
    integration_id = std::stoll(cv->internal_id);
  } catch (...) {
  }
  auto created = milvus_.CreateClient(*cv, integration_id);
  if (!created) return Fail(created.error());
  // Its token (what a ticket needs) comes later, from a listing or a lookup by document.
  return CustomerWrite{*created, CustomerHash(*cv), "{}", /*attributes_later=*/true};
}

}  // namespace ponte::milvus
