#pragma once
// Tickets as the engine sees them, in canonical terms: the records of one system that become
// tickets (a CRM's tasks and interactions carrying a route's tags), and the system that keeps
// the tickets, each ticket on a customer of that system. What is peculiar to a system (Ploomes'
// tag ids and webhook bodies, Milvus' client tokens and description search) stays behind these.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/document.h"
#include "core/listing.h"
#include "core/error.h"
#include "core/ticket.h"
#include "core/time.h"

namespace ponte {

// A record that may become a ticket, and what a route asks of it.
struct TicketCandidate {
  Ticket ticket;
  bool tagged = false;                     // carries one of the route's tags
  std::optional<std::string> customer_id;  // the customer it is on, in the same system
  // Its custom fields with a value, as text, by the source's key (a Ploomes FieldKey): what a
  // route's `fields` maps into the ticket.
  std::map<std::string, std::string> fields;
};

// Tag ids -> names, as a route's tags resolved in the source.
using TagMap = std::map<int64_t, std::string>;

class TicketSourceSystem {
 public:
  virtual ~TicketSourceSystem() = default;

  virtual const std::string& name() const = 0;
  // A route's tag names, resolved; an unknown name is an error that lists the known ones.
  virtual Result<TagMap> ResolveTags(const std::vector<std::string>& names) = 0;
  // The records of kind `records` ("Task", "InteractionRecord") changed since `since`.
  virtual Result<Listing<TicketCandidate>> CandidatesChangedSince(std::string_view records,
                                                                  std::optional<Instant> since,
                                                                  const TagMap& tags) = 0;
  // The name its pushes (webhooks) give records of kind `records`, "" when it pushes none.
  virtual std::string PushedEntitySet(std::string_view records) const {
    (void)records;
    return {};
  }
  // One record, as an event (a webhook's body, `body`, when it carries what a route asks)
  // told of it, else read by id; nullopt when the system has none.
  virtual Result<std::optional<SourceRecord<TicketCandidate>>> CandidateFromEvent(std::string_view records,
                                                                                  const std::string& id,
                                                                                  const std::string& body,
                                                                                  const TagMap& tags) = 0;
};

class TicketTargetSystem {
 public:
  virtual ~TicketTargetSystem() = default;

  virtual const std::string& name() const = 0;
  // The attribute of a customer's link that a ticket names its customer by (a Milvus client's
  // token); its customers' system tells it late (CustomerSystem::LateAttributes).
  virtual std::string_view customer_key() const = 0;
  // That key for one customer, asked of the system by document (no listing).
  virtual Result<std::string> LookUpCustomerKey(const std::string& customer_id, const Document& doc) = 0;

  // The marker ponte writes into a ticket so a ticket created just before a crash is found
  // again instead of created twice; it names the origin record.
  virtual std::string TicketReference(const std::string& origin_system, const std::string& records,
                                      const std::string& internal_id) const = 0;
  // Every ticket ponte wrote, by the reference in it: reference -> ticket id.
  virtual Result<std::map<std::string, std::string>> TicketsByReference() = 0;
  // The ticket of this customer holding `reference`, if any.
  virtual Result<std::optional<std::string>> FindTicket(const std::string& customer_key,
                                                        const std::string& reference) = 0;
  // Creates the ticket with `reference` in it; its id.
  virtual Result<std::string> CreateTicket(const Ticket& ticket, const std::string& customer_key,
                                           const std::string& reference) = 0;
};

}  // namespace ponte
