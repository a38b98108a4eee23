// InternalIds typed by people (`ponte internalid split`, `ponte depara get`) and read from
// the de/para: split must never crash, and what splits composes back to the same id.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/internal_id.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view id(reinterpret_cast<const char*>(data), size);
  auto parts = ponte::SplitInternalId(id);
  if (parts) {
    auto again = ponte::ComposeInternalId(*parts);
    if (again) PONTE_FUZZ_CHECK(*again == id);
  }
  for (const auto& name : ponte::KeyLayoutNames()) {
    auto layout = ponte::FindKeyLayout(name);
    PONTE_FUZZ_CHECK(layout.has_value());
    auto checked = ponte::SplitInternalId(**layout, id);
    if (checked) {
      PONTE_FUZZ_CHECK(parts.has_value() && *checked == *parts);
      for (const auto& field : (*layout)->fields) (void)ponte::InternalIdField(**layout, id, field.name);
    }
  }
  return 0;
}
