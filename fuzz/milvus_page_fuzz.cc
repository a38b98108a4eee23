// A Milvus answer as it comes off the wire: a "lista" page of clients, and the bare ids its
// create endpoints answer. Errors are fine; crashes are not.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/milvus/milvus_client.h"
#include "connectors/milvus/milvus_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ponte;
  const std::string body(reinterpret_cast<const char*>(data), size);
  (void)milvus::ParseBareId(body, "POST /api/chamado/criar");
  const auto page = nlohmann::json::parse(body, nullptr, false);
  if (page.is_discarded() || !page.is_object() || !page.contains("lista") || !page["lista"].is_array()) return 0;
  for (const auto& client : page["lista"]) {
    (void)milvus::ClientInternalId(client);
    (void)milvus::ClientToCustomer(client);
    (void)milvus::TokenOf(client);
  }
  return 0;
}
