#pragma once
// FNV-1a 64 as 16 hex digits: a content hash stable across runs, machines and versions
// (std::hash is none of these), for echo suppression.

#include <string>
#include <string_view>

namespace ponte {

std::string Fnv1aHex(std::string_view text);

}  // namespace ponte
