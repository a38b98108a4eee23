#pragma once
// What ponte has learned about the real services it talks to, one finding per unknown of
// core/realities.h ("milvus.busca_name_match" = "substring", with the evidence). `ponte probe`
// settles them on purpose; connectors also learn some as they work (a listing that proves how
// names match, a write whose echo shows where Ploomes keeps the CPF/CNPJ). A finding that is
// absent means "unknown": code must then take the path that is correct under every value.
//
// Thread-safe. Whoever owns the store subscribes with OnLearn and persists each finding, so
// the next run starts with what this one learned.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace ponte {

struct Finding {
  std::string key;       // an Unknown's key
  std::string value;     // one of its values
  std::string evidence;  // what was observed, for a person to judge
  Instant observed_at{};
};

class Findings {
 public:
  // The value found for `key`, if any.
  std::optional<std::string> Value(std::string_view key) const;
  bool Is(std::string_view key, std::string_view value) const;
  // Records a finding (replacing an earlier one) and tells the subscribers when it changed.
  void Learn(Finding finding);
  // Loads findings without telling the subscribers (they came from where they would go).
  void Load(const std::vector<Finding>& findings);
  std::vector<Finding> All() const;
  void OnLearn(std::function<void(const Finding&)> subscriber);

 private:
  mutable std::mutex mu_;
  std::map<std::string, Finding, std::less<>> findings_;
  std::vector<std::function<void(const Finding&)>> subscribers_;
};

}  // namespace ponte
