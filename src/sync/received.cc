#include "sync/received.h"

#include <fmt/format.h>

#include "core/schema_validator.h"

namespace ponte {

Result<SourceRecord<CustomerVendor>> ReadPushedCustomer(const std::string& system, const Json& business_content) {
  auto cv = CustomerVendor::FromBusinessContent(business_content);
  if (!cv) return Fail(Error::InvalidArgument(cv.error().message));
  if (cv->internal_id.empty()) return Fail(Error::InvalidArgument("the CustomerVendor has no InternalId"));
  if (!cv->document) {
    return Fail(Error::InvalidArgument(
        "the customer has no valid CPF/CNPJ (GovernmentalInformation): ponte joins customers by it"));
  }
  // The message ponte would journal, checked now: a value the schema refuses (a Name that is an
  // array, empty or past 80 characters) is refused at the door, never answered OK and then
  // dead-lettered.
  const Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, system, cv->ToBusinessContent());
  if (auto valid = ValidateMessageJson(m.ToJson()); !valid) {
    return Fail(Error::InvalidArgument(fmt::format("{}; correct the customer in {} and send it again",
                                                   valid.error().message, system)));
  }
  SourceRecord<CustomerVendor> rec;
  rec.internal_id = cv->internal_id;
  rec.record = std::move(*cv);
  return rec;
}

}  // namespace ponte
