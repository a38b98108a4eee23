#pragma once
// The Ploomes connector: what the sync routes ask of Ploomes, in canonical terms.

#include <map>
#include <mutex>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "connectors/ploomes/ploomes_client.h"
#include "connectors/ploomes/ploomes_mapping.h"
#include "core/customer_vendor.h"
#include "core/listing.h"
#include "core/ticket.h"

namespace ponte::ploomes {

// A ticket source record with the raw data the route rules need.
struct TicketSource {
  Ticket ticket;
  bool tagged = false;                   // carries one of the configured tags
  std::optional<std::string> contact_id;
};

// Ploomes EntityIds for webhooks [OFFICIAL].
inline constexpr int kContactEntity = 1;
inline constexpr int kTaskEntity = 12;
inline constexpr int kInteractionEntity = 36;

class PloomesConnector {
 public:
  explicit PloomesConnector(ApiClient& api) : client_(api) {}

  // Contacts changed at or after `since` (all when nullopt). Contacts without a valid CPF/CNPJ
  // come back in `skipped` with the reason.
  Result<Listing<CustomerVendor>> ContactsChangedSince(std::optional<Instant> since);
  Result<std::optional<SourceRecord<CustomerVendor>>> GetContact(const std::string& id);
  // The contact ids whose CNPJ, CPF or Register holds this document (canonical or formatted).
  Result<std::vector<std::string>> FindContactsByDocument(const Document& doc);
  // Creates or updates a contact; returns the contact as Ploomes stored it.
  Result<SourceRecord<CustomerVendor>> CreateContact(const CustomerVendor& cv);
  Result<SourceRecord<CustomerVendor>> UpdateContact(const std::string& id, const CustomerVendor& cv);

  // Tag names -> TagIds for tasks (EntityId 12) and interactions (36), once per connector.
  // Names compare without case; unknown names are an error listing the known ones.
  Result<std::map<int64_t, std::string>> ResolveTags(const std::vector<std::string>& names);

  // Tasks / interactions changed since, with at least one of `tag_ids` (filtered by Ploomes).
  Result<Listing<TicketSource>> TasksChangedSince(std::optional<Instant> since,
                                                  const std::map<int64_t, std::string>& tags);
  Result<Listing<TicketSource>> InteractionsChangedSince(std::optional<Instant> since,
                                                         const std::map<int64_t, std::string>& tags);
  Result<std::optional<SourceRecord<TicketSource>>> GetTicketSource(
      const std::string& entity_set, const std::string& id, const std::map<int64_t, std::string>& tags);

  // Webhooks already registered for this callback URL, as (EntityId, ActionId) pairs.
  Result<std::set<std::pair<int, int>>> WebhooksFor(const std::string& url);
  Result<std::string> RegisterWebhook(int entity_id, int action_id, const std::string& url,
                                      const std::string& validation_key);

 private:
  Result<Listing<TicketSource>> TicketSourcesChangedSince(const std::string& entity_set,
                                                          std::optional<Instant> since,
                                                          const std::map<int64_t, std::string>& tags);
  Result<SourceRecord<TicketSource>> ToTicketSource(const std::string& entity_set, const Json& r,
                                                    const std::map<int64_t, std::string>& tags);
  Result<PlaceIds> Place(const Address& address);
  Result<SourceRecord<CustomerVendor>> ToSourceRecord(const Json& contact);

  PloomesClient client_;
  std::mutex mu_;
  std::optional<std::vector<Json>> tags_;
  std::map<std::string, int64_t> state_ids_;            // UF -> StateId
  std::map<std::string, std::optional<int64_t>> cities_;  // "name|UF" -> CityId
};

}  // namespace ponte::ploomes
