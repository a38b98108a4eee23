#pragma once
// The subset of OData v4 query options Ploomes clients use, for the sandbox's Ploomes emulator:
// $filter (eq ne gt ge lt le, and/or/not, parentheses, contains/startswith/endswith,
// Collection/any(x: x/Field op value)), $orderby, $top, $skip, $select and $expand.
// Written from ../shared/api/ploomes.md, not from ponte's connector.

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ponte::sandbox {

using Json = nlohmann::json;

class FilterExpr {
 public:
  virtual ~FilterExpr() = default;
  // Whether `record` satisfies the expression. `scope` binds a lambda variable of any().
  virtual bool Matches(const Json& record, const Json* scope = nullptr) const = 0;
};

struct FilterOptions {
  // ploomes.filter_offset=ignored: a date-time literal's offset (or Z) is dropped and the wall
  // time is read as São Paulo local time.
  bool ignore_date_offsets = false;
};

// Parses a $filter; InvalidArgument says where the text stopped making sense.
Result<std::unique_ptr<FilterExpr>> ParseFilter(std::string_view text, FilterOptions options = {});

struct OrderKey {
  std::string path;  // e.g. "CreateDate" or "City/Name"
  bool descending = false;
};
Result<std::vector<OrderKey>> ParseOrderBy(std::string_view text);

// Orders records by the keys (stable).
void SortRecords(std::vector<const Json*>& records, const std::vector<OrderKey>& keys);

// Compares two JSON values the way OData does for the sandbox: numbers numerically, ISO dates
// as instants (to the microsecond, so a stored ".7266667" differs from a literal ".727"),
// strings lexicographically; null sorts first. Returns <0, 0, >0.
int CompareValues(const Json& a, const Json& b);

// "Phones,Tags($expand=Tag),City" -> the top-level navigation names.
std::vector<std::string> ParseExpandNames(std::string_view text);
std::vector<std::string> SplitTopLevel(std::string_view text, char separator);

}  // namespace ponte::sandbox
