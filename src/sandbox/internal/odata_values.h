#pragma once
// Reading values out of the sandbox's records for OData: shared by $filter (odata_filter.cc) and
// $orderby (odata.cc).

#include <cstdint>
#include <optional>
#include <string_view>

#include "sandbox/odata.h"

namespace ponte::sandbox::detail {

// The value at a "/"-separated path of a record ("City/Name"), or nullptr.
const Json* Resolve(const Json& record, std::string_view path);

// An ISO date-time in microseconds since the epoch: ParseIsoInstant's milliseconds plus the
// fraction's fourth to sixth digits.
std::optional<int64_t> AsMicros(const Json& v);

// The wall-clock part of a date-time literal, without its offset or Z.
std::string_view WithoutOffset(std::string_view text);

}  // namespace ponte::sandbox::detail
