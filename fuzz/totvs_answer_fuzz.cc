// A TOTVS ERP's words as they come off the wire: a ResponseMessage to a BusinessMessage (any
// spelling, or a bare acknowledgement), a contents page of customers, with the composite
// InternalIds in both, and a BusinessMessage the ERP pushes (answered with a ResponseMessage
// ponte itself reads back). Errors are fine; crashes are not, and a key that splits composes back.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/totvs/eai_messages.h"
#include "core/customer_vendor.h"
#include "fuzz_check.h"

namespace {

void CheckKey(const std::string& id) {
  auto key = ponte::totvs::SplitCustomerId(id);
  if (key) PONTE_FUZZ_CHECK(ponte::totvs::ComposeCustomerId(*key) == id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ponte;
  const std::string body(reinterpret_cast<const char*>(data), size);
  if (auto answer = totvs::ReadAnswer(body)) {
    PONTE_FUZZ_CHECK(answer->responded || answer->internal_ids.empty());
    for (const auto& pair : answer->internal_ids) CheckKey(pair.destination);
  }
  if (auto received = totvs::ReadBusinessMessage(body)) {
    PONTE_FUZZ_CHECK(!received->uuid.empty() && !received->transaction.empty());
    const auto response = totvs::ResponseMessage({}, *received, {{"CustomerVendor", "a|b", "CNPJ|1"}}, {});
    auto again = totvs::ReadAnswer(response.dump());
    PONTE_FUZZ_CHECK(again && again->ok() && again->internal_ids.size() == 1);
  }
  const auto page = nlohmann::json::parse(body, nullptr, false);
  const auto* items = page.is_discarded() ? nullptr : totvs::Member(page, "Items");
  if (!items || !items->is_array()) return 0;
  for (const auto& item : *items) {
    (void)CustomerVendor::FromBusinessContent(item);
    if (item.is_object() && item.contains("InternalId") && item["InternalId"].is_string()) CheckKey(item["InternalId"]);
    (void)totvs::Text(item, "BranchId");
  }
  return 0;
}
