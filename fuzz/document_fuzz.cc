// CPF/CNPJ as people type them and as both APIs send them: parsing never crashes, and a
// parsed document's canonical and formatted forms parse back to itself.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/document.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto doc = ponte::ParseDocument(raw);
  if (!doc) return 0;
  PONTE_FUZZ_CHECK(doc->canonical.size() == (doc->is_person() ? 11u : 14u));
  auto again = ponte::ParseDocument(doc->canonical);
  PONTE_FUZZ_CHECK(again && *again == *doc);
  auto formatted = ponte::ParseDocument(doc->Formatted(), doc->kind);
  PONTE_FUZZ_CHECK(formatted && *formatted == *doc);
  return 0;
}
