#include "connectors/ploomes/ploomes_customers.h"

namespace ponte::ploomes {

Result<CustomerWrite> PloomesCustomers::WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) {
  auto cv = CustomerVendor::FromBusinessContent(message.business_content);
  if (!cv) return Fail(cv.error());
  auto written = linked ? ploomes_.UpdateContact(linked->internal_id, *cv) : ploomes_.CreateContact(*cv);
  if (!written) return Fail(written.error());
  // The hash of the contact as Ploomes answered it: what the next read shows.
  return CustomerWrite{written->internal_id, CustomerHash(written->record), linked ? linked->attributes : "{}"};
}

}  // namespace ponte::ploomes
