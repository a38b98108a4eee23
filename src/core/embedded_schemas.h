#pragma once
// The JSON schemas from schemas/, compiled into the binary (see cmake/embed.cmake).

#include <map>
#include <string>
#include <string_view>

namespace ponte::detail {

// File stem ("CustomerVendor_2_007") -> schema text.
const std::map<std::string, std::string_view>& EmbeddedSchemas();

}  // namespace ponte::detail
