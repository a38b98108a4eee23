#pragma once
// What is not known about the real Ploomes and Milvus APIs (../shared/api/unknowns.md), as one
// vocabulary shared by the sandbox (each unknown is a switch with every plausible value) and by
// `ponte probe` (which reports the value it finds on a live account under the same key). The
// sandbox and ponte's connectors share only these names, never behaviour.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ponte {

struct Unknown {
  std::string key;                  // "<system>.<unknown>", e.g. "milvus.busca_name_match"
  std::vector<std::string> values;  // every plausible value
  std::string documented;           // what the sandbox did before it became a switch
  std::string pessimistic;          // the value that breaks a naive client most quietly
  std::string breaks;               // what a wrong guess breaks, for docs and probe output
};

// Every unknown, in the order of unknowns.md.
const std::vector<Unknown>& Unknowns();
const Unknown* FindUnknown(std::string_view key);

// One value for every unknown: which of the plausible worlds a sandbox emulates.
class Reality {
 public:
  // Every unknown at its documented value.
  Reality();

  // "documented", "pessimistic", or "<system>.<unknown>=<value>", comma-separated and applied
  // left to right ("pessimistic,milvus.listing_quota=none"). InvalidArgument names the unknown
  // key or value and lists the valid ones.
  static Result<Reality> Parse(std::string_view spec);

  const std::string& Get(std::string_view key) const;
  bool Is(std::string_view key, std::string_view value) const { return Get(key) == value; }
  Status Set(std::string_view key, std::string_view value);
  // The settings that differ from documented, as a spec ("documented" when none do).
  std::string ToString() const;
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace ponte
