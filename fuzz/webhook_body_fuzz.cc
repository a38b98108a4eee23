// What anyone on the network can POST to /webhooks/ploomes: the body parser and the routing
// decision. A parsed event always names a known shape: digits-only Id.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "server/webhook.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto event = ponte::server::ParseWebhookBody(body);
  if (!event) return 0;
  PONTE_FUZZ_CHECK(!event->id.empty() && event->id.find_first_not_of("0123456789") == std::string::npos);
  std::string reason;
  (void)ponte::server::IsRoutable(*event, &reason);
  // An empty key never matches (a webhook without one is refused); any other matches itself only.
  const std::string& key = event->validation_key;
  PONTE_FUZZ_CHECK(ponte::server::SecretsEqual(key, key) == !key.empty());
  PONTE_FUZZ_CHECK(!ponte::server::SecretsEqual(key, key + "x"));
  return 0;
}
