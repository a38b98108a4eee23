#pragma once
// Ploomes webhook events as ponte reads them. Everything here treats the body and headers as
// hostile input. Once the validation key is checked, the body is Ploomes' word: a task or
// interaction in it that carries what a ticket needs is delivered as it is (one call instead of
// two); anything else is read again by Id.

#include <string>
#include <string_view>

#include "core/error.h"

namespace ponte::server {

struct WebhookEvent {
  std::string entity_set;  // "Contacts", "Tasks" or "InteractionRecords"
  std::string action;      // "Create", "Update", "Delete", ... as Ploomes names it
  std::string id;          // the record's Id, digits only
  std::string validation_key;  // from the body, when Ploomes sends it there (else empty)
  std::string record;          // the New record as JSON text, when there is one
};

// Parses a webhook body. InvalidArgument (with what is wrong) for anything that is not a JSON
// object naming an entity set and a record Id: New.Id, or Old.Id when New is absent.
Result<WebhookEvent> ParseWebhookBody(std::string_view body);

// Whether ponte acts on this event: a set one of its routes reads, and not a delete (deletes are
// not propagated). The reason says why not.
bool IsRoutable(const WebhookEvent& event, std::string* reason);

// Compares secrets in time that does not depend on where they differ.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace ponte::server
