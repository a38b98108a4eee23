#pragma once
// A customer a system pushed (an ERP's BusinessMessage: its CustomerVendor content),
// checked as ponte checks every message before it writes it. What passes is what ponte can
// deliver, so the receiver answers OK only for it and ERROR, with the reason, for the rest.

#include <string>

#include "core/customer_vendor.h"
#include "core/error.h"
#include "core/listing.h"

namespace ponte {

// The pushed customer as a record of `system` (no dates: a push carries none), or
// InvalidArgument saying what a person must correct: no InternalId, no valid CPF/CNPJ, or a
// field the canonical message's schema refuses (an empty or over-long Name).
Result<SourceRecord<CustomerVendor>> ReadPushedCustomer(const std::string& system, const Json& business_content);

}  // namespace ponte
