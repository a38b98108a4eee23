#include "connectors/ploomes/ploomes_customers.h"

namespace ponte::ploomes {

Result<std::vector<SourceRecord<CustomerVendor>>> PloomesCustomers::FindCustomers(const Document& doc) {
  auto ids = ploomes_.FindContactsByDocument(doc);
  if (!ids) return Fail(ids.error());
  std::vector<SourceRecord<CustomerVendor>> found;
  for (const auto& id : *ids) {
    auto read = ploomes_.GetContact(id);
    if (!read) return Fail(read.error());
    if (*read) found.push_back(std::move(**read));
  }
  return found;
}

Result<std::optional<SourceRecord<CustomerVendor>>> PloomesCustomers::RecoverInterruptedWrite(const Message& message,
                                                                                              Instant since) {
  auto cv = CustomerVendor::FromBusinessContent(message.business_content);
  if (!cv) return Fail(cv.error());
  // A create moves the document to where the account keeps it after the contact exists: one
  // cut off between the two is a contact of this name, made since, without a document. Only a
  // single such contact is taken for it; two are left to a person.
  auto undocumented = ploomes_.FindUndocumentedContacts(cv->short_name.empty() ? cv->name : cv->short_name, since);
  if (!undocumented) return Fail(undocumented.error());
  if (undocumented->size() != 1) return std::optional<SourceRecord<CustomerVendor>>();
  auto repaired = ploomes_.UpdateContact(undocumented->front(), *cv);
  if (!repaired) return Fail(repaired.error());
  return std::optional(std::move(*repaired));
}

Result<CustomerWrite> PloomesCustomers::WriteCustomer(const Message& message, const std::optional<LinkedRecord>& linked) {
  auto cv = CustomerVendor::FromBusinessContent(message.business_content);
  if (!cv) return Fail(cv.error());
  auto written = linked ? ploomes_.UpdateContact(linked->internal_id, *cv) : ploomes_.CreateContact(*cv);
  if (!written) return Fail(written.error());
  // The hash of the contact as Ploomes answered it: what the next read shows.
  return CustomerWrite{written->internal_id, CustomerHash(written->record), linked ? linked->attributes : "{}"};
}

}  // namespace ponte::ploomes
