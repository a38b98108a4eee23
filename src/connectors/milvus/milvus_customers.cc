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

Result<std::vector<std::string>> MilvusCustomers::FindCustomers(const Document& doc) {
  auto found = milvus_.FindClientsByDocument(doc);
  if (!found) return Fail(found.error());
  std::vector<std::string> ids;
  for (const auto& c : *found) ids.push_back(c.id);
  return ids;
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
  return CustomerWrite{*created, CustomerHash(*cv), "{}"};
}

}  // namespace ponte::milvus
