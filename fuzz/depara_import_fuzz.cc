// `ponte depara import` files: ponte's CSV and JSON Lines, and the old script's mongoexport.
// The first byte picks the format. Every pair read names its message.

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_check.h"
#include "store/depara_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ponte;
  if (size == 0) return 0;
  static constexpr DeParaFormat kFormats[] = {DeParaFormat::kCsv, DeParaFormat::kJsonl, DeParaFormat::kMongoexport};
  DeParaImportOptions options;
  options.format = kFormats[data[0] % 3];
  std::istringstream in(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  auto pairs = ReadDePara(in, options);
  if (!pairs) return 0;
  for (const auto& p : *pairs) {
    PONTE_FUZZ_CHECK(!p.message.empty());
  }
  return 0;
}
