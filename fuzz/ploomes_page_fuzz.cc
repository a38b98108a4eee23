// A Ploomes answer as it comes off the wire: the page reader and every record mapping the
// routes apply to Contacts, Tasks and InteractionRecords. Errors are fine; crashes are not.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/ploomes/ploomes_client.h"
#include "connectors/ploomes/ploomes_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ponte;
  HttpResponse response;
  response.status = 200;
  response.body.assign(reinterpret_cast<const char*>(data), size);
  auto values = ploomes::PloomesClient::Values(response, "GET /Contacts");
  (void)ploomes::HtmlToText(response.body);
  if (!values) return 0;
  const std::map<int64_t, std::string> tags = {{40049715, "ENTREGA"}, {40049716, "INSTALAÇÃO"}};
  for (const auto& record : *values) {
    (void)ploomes::InternalIdOf(record);
    (void)ploomes::ContactToCustomer(record);
    (void)ploomes::TaskToTicket(record, tags);
    (void)ploomes::InteractionToTicket(record, tags);
    (void)ploomes::HasAnyTag(record, tags);
    (void)ploomes::ContactIdOf(record);
    (void)ploomes::LastUpdateOf(record);
    (void)ploomes::CreatedOf(record);
  }
  return 0;
}
