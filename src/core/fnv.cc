#include "core/fnv.h"

#include <cstdint>

#include <fmt/format.h>

namespace ponte {

std::string Fnv1aHex(std::string_view text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

}  // namespace ponte
