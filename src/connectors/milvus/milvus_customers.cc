#include "connectors/milvus/milvus_customers.h"

#include <nlohmann/json.hpp>

namespace ponte::milvus {
namespace {

// A 4xx that is about the record, not the key or the quota.
bool IsRefusal(const Error& e) {
  return e.http_status >= 400 && e.http_status < 500 && e.http_status != 401 && e.http_status != 403 &&
         e.http_status != 408 && e.http_status != 429;
}

}  // namespace

Result<std::optional<SourceRecord<CustomerVendor>>> MilvusCustomers::ReadCustomer(const std::string& internal_id) {
  auto listing = milvus_.ListClients();
  if (!listing) return Fail(listing.error());
  for (auto& rec : listing->records) {
    if (rec.internal_id == internal_id) return std::optional(std::move(rec));
  }
  return std::optional<SourceRecord<CustomerVendor>>();
}

Result<std::vector<SourceRecord<CustomerVendor>>> MilvusCustomers::FindCustomers(const Document& doc) {
  // An account known to refuse a document another client holds answers "is it there?" at the
  // create itself (WriteCustomer links the holder): no busca here, and no minute of the listing
  // quota.
  if (milvus_.CriarRefusesDuplicates()) return std::vector<SourceRecord<CustomerVendor>>();
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
  if (!created && cv->document && IsRefusal(created.error())) {
    // milvus.criar_duplicate_document = refused: Milvus may refuse a document a client already
    // holds, and ponte sends only valid documents, so a refused create is first taken for that.
    // The client holding the document becomes this record's, with what the message carries: the
    // create itself was the check, and nothing is made twice.
    auto holders = milvus_.FindClientsByDocument(*cv->document);
    if (holders && !holders->empty()) {
      const ClientRef& holder = holders->front();
      PONTE_RETURN_IF_ERROR(milvus_.UpdateClient(holder.id, *cv));
      milvus_.LearnThatCriarRefusesDuplicates(created.error().message);
      return CustomerWrite{holder.id, CustomerHash(*cv), nlohmann::json{{"token", holder.token}}.dump()};
    }
  }
  if (!created) return Fail(created.error());
  // Its token (what a ticket needs) comes later, from a listing or a lookup by document.
  return CustomerWrite{*created, CustomerHash(*cv), "{}", /*attributes_later=*/true};
}

}  // namespace ponte::milvus
