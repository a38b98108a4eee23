#include "core/ticket.h"
#include "core/internal/json_fields.h"

namespace ponte {
using detail::GetString;
using detail::PutIfSet;

Json Ticket::ToBusinessContent() const {
  Json c = {{"InternalId", internal_id},
            {"SourceMessage", source_message},
            {"Topic", topic},
            {"CustomerVendorInternalId", customer_vendor_internal_id}};
  PutIfSet(c, "RequestDescription", request_description);
  PutIfSet(c, "Category", category);
  PutIfSet(c, "StartDate", start_date);
  PutIfSet(c, "RequesterName", requester_name);
  PutIfSet(c, "RequesterEmail", requester_email);
  PutIfSet(c, "RequesterPhone", requester_phone);
  return c;
}

const std::vector<std::string>& TicketFieldNames() {
  static const std::vector<std::string> names = {"Topic", "RequestDescription", "Category",
                                                 "RequesterName", "RequesterEmail", "RequesterPhone"};
  return names;
}

bool SetTicketField(Ticket& t, std::string_view field, std::string value) {
  std::string* target = field == "Topic"                ? &t.topic
                        : field == "RequestDescription" ? &t.request_description
                        : field == "Category"           ? &t.category
                        : field == "RequesterName"      ? &t.requester_name
                        : field == "RequesterEmail"     ? &t.requester_email
                        : field == "RequesterPhone"     ? &t.requester_phone
                                                        : nullptr;
  if (!target) return false;
  *target = std::move(value);
  return true;
}

Result<Ticket> Ticket::FromBusinessContent(const Json& c) {
  if (!c.is_object()) return Fail(Error::InvalidArgument("Ticket content is not an object"));
  Ticket t;
  t.internal_id = GetString(c, "InternalId");
  t.source_message = GetString(c, "SourceMessage");
  t.topic = GetString(c, "Topic");
  t.request_description = GetString(c, "RequestDescription");
  t.customer_vendor_internal_id = GetString(c, "CustomerVendorInternalId");
  t.category = GetString(c, "Category");
  t.start_date = GetString(c, "StartDate");
  t.requester_name = GetString(c, "RequesterName");
  t.requester_email = GetString(c, "RequesterEmail");
  t.requester_phone = GetString(c, "RequesterPhone");
  return t;
}

}  // namespace ponte
