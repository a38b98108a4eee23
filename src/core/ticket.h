#pragma once
// Ticket: the canonical helpdesk ticket. TOTVS' standard has a Ticket message (CRM service
// calls); ponte follows its field names where they fit (Topic, RequestDescription, StartDate,
// Status) and adds, in the standard's convention, the customer reference as Code + InternalId
// and the origin record ponte made it from.

#include <string>
#include <string_view>
#include <vector>

#include "core/message.h"

namespace ponte {

struct Ticket {
  std::string internal_id;                  // InternalId in the origin system
  std::string source_message;               // "Task" or "InteractionRecord"
  std::string topic;                        // Topic: the subject
  std::string request_description;          // RequestDescription: plain text
  std::string customer_vendor_internal_id;  // CustomerVendorInternalId, origin system
  std::string category;                     // Category: the tag's name, e.g. "INSTALAÇÃO"
  std::string start_date;                   // StartDate, UTC ISO 8601
  std::string requester_name;
  std::string requester_email;
  std::string requester_phone;

  Json ToBusinessContent() const;
  static Result<Ticket> FromBusinessContent(const Json& content);
  friend bool operator==(const Ticket&, const Ticket&) = default;
};

// The Ticket fields a route may fill from a custom field of its source (docs/config.md), by
// their message names: Topic, RequestDescription, Category, RequesterName, RequesterEmail,
// RequesterPhone.
const std::vector<std::string>& TicketFieldNames();
// Sets one of them to `value`; false when `field` is none of them.
bool SetTicketField(Ticket& t, std::string_view field, std::string value);

}  // namespace ponte
