// ponte.toml as a person edits it: the loader returns a config or an error naming the key,
// never crashes.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ponte::ParseConfig(text, "fuzz.toml");
  return 0;
}
