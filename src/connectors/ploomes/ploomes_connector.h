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
#include "core/findings.h"
#include "core/listing.h"
#include "connectors/ticket_system.h"
#include "core/ticket.h"

namespace ponte::ploomes {

// Ploomes EntityIds for webhooks [OFFICIAL].
inline constexpr int kContactEntity = 1;
inline constexpr int kTaskEntity = 12;
inline constexpr int kInteractionEntity = 36;

// A webhook registered in Ploomes.
struct Webhook {
  std::string id;
  int entity_id = 0;
  int action_id = 0;
  std::string callback_url;
};

struct PloomesOptions {
  // A listing from a cursor reads this much before it again, so a record whose change was
  // committed late (or whose timestamp shows rounded) is not passed over; what was already read
  // is dropped by the caller (Listing::reread).
  std::chrono::milliseconds cursor_overlap{30'000};
  // Where a written contact's CPF/CNPJ goes (ploomes.document_field): "auto" (what ponte found
  // about this account, else Register, where every independent writer puts it), "register",
  // "cnpj_cpf" or "both". Whatever the choice, a write whose document Ploomes did not keep is
  // repaired with the other placement and the finding is kept.
  std::string document_field = "auto";
  Findings* findings = nullptr;  // what ponte learned about this account; may be null
};

class PloomesConnector {
 public:
  explicit PloomesConnector(ApiClient& api, PloomesOptions options = {})
      : client_(api), options_(std::move(options)) {}

  // Contacts changed at or after `since` (all when nullopt), reading cursor_overlap before it.
  // Contacts without a valid CPF/CNPJ come back in `skipped` with the reason.
  Result<Listing<CustomerVendor>> ContactsChangedSince(std::optional<Instant> since);
  Result<std::optional<SourceRecord<CustomerVendor>>> GetContact(const std::string& id);
  // The contact ids whose CNPJ, CPF or Register holds this document: canonical, formatted,
  // without dropped leading zeros, or (alphanumeric CNPJ) in lower case.
  Result<std::vector<std::string>> FindContactsByDocument(const Document& doc);
  // Contacts named `name`, created at or after `since`, with no CPF/CNPJ anywhere: what a create
  // leaves behind when it is interrupted before Ploomes' document placement is repaired.
  Result<std::vector<std::string>> FindUndocumentedContacts(const std::string& name, Instant since);
  // Creates or updates a contact; returns the contact as Ploomes stored it, read again when the
  // answer holds only the fields sent (ploomes.post_echo), with its CPF/CNPJ where Ploomes keeps
  // it (see PloomesOptions::document_field).
  Result<SourceRecord<CustomerVendor>> CreateContact(const CustomerVendor& cv);
  Result<SourceRecord<CustomerVendor>> UpdateContact(const std::string& id, const CustomerVendor& cv);

  // Tag names -> TagIds for tasks (EntityId 12) and interactions (36), once per connector.
  // Names compare without case; unknown names are an error listing the known ones.
  Result<std::map<int64_t, std::string>> ResolveTags(const std::vector<std::string>& names);

  // Tasks / interactions changed since, with at least one of `tag_ids` (filtered by Ploomes).
  Result<Listing<TicketCandidate>> TasksChangedSince(std::optional<Instant> since,
                                                  const std::map<int64_t, std::string>& tags);
  Result<Listing<TicketCandidate>> InteractionsChangedSince(std::optional<Instant> since,
                                                         const std::map<int64_t, std::string>& tags);
  Result<std::optional<SourceRecord<TicketCandidate>>> GetTicketSource(
      const std::string& entity_set, const std::string& id, const std::map<int64_t, std::string>& tags);
  // The ticket source a webhook carried (`record`, JSON text of its New), when it holds the same
  // record with its tags and contact; else read by id (GetTicketSource).
  Result<std::optional<SourceRecord<TicketCandidate>>> TicketSourceFromWebhook(
      const std::string& entity_set, const std::string& id, const std::string& record,
      const std::map<int64_t, std::string>& tags);

  Result<std::vector<Webhook>> Webhooks();
  Result<std::string> RegisterWebhook(int entity_id, int action_id, const std::string& url,
                                      const std::string& validation_key);
  Status DeleteWebhook(const std::string& id);

  PloomesClient& client() { return client_; }

 private:
  Result<Listing<TicketCandidate>> TicketSourcesChangedSince(const std::string& entity_set,
                                                          std::optional<Instant> since,
                                                          const std::map<int64_t, std::string>& tags);
  Result<SourceRecord<TicketCandidate>> ToTicketSource(const std::string& entity_set, const Json& r,
                                                    const std::map<int64_t, std::string>& tags);
  Result<PlaceIds> Place(const Address& address);
  Result<SourceRecord<CustomerVendor>> ToSourceRecord(const Json& contact);
  // Where the next write puts the document.
  DocumentPlacement Placement() const;
  // A written contact as Ploomes keeps it: read again if the answer was partial, and its
  // document moved to the other placement if Ploomes dropped it.
  Result<Json> Settle(Json answer, const CustomerVendor& cv, DocumentPlacement written);
  void Learn(const std::string& key, const std::string& value, const std::string& evidence);

  PloomesClient client_;
  PloomesOptions options_;
  std::mutex mu_;
  std::optional<std::vector<Json>> tags_;
  std::map<std::string, int64_t> state_ids_;            // UF -> StateId
  std::map<std::string, std::optional<int64_t>> cities_;  // "name|UF" -> CityId
};

}  // namespace ponte::ploomes
