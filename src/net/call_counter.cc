#include "net/call_counter.h"

namespace ponte {

void CallCounter::Count(const CallKey& key) {
  std::lock_guard lock(mu_);
  ++counts_[key];
}

void CallCounter::CountRetry(const std::string& system) {
  std::lock_guard lock(mu_);
  ++retries_[system];
}

std::map<CallKey, int64_t> CallCounter::Snapshot() const {
  std::lock_guard lock(mu_);
  return counts_;
}

std::map<std::string, int64_t> CallCounter::Retries() const {
  std::lock_guard lock(mu_);
  return retries_;
}

int64_t CallCounter::Total(const std::string& system) const {
  std::lock_guard lock(mu_);
  int64_t n = 0;
  for (const auto& [k, v] : counts_) {
    if (system.empty() || k.system == system) n += v;
  }
  return n;
}

int64_t CallCounter::Throttled(const std::string& system) const {
  std::lock_guard lock(mu_);
  int64_t n = 0;
  for (const auto& [k, v] : counts_) {
    if ((system.empty() || k.system == system) && k.status == 429) n += v;
  }
  return n;
}

}  // namespace ponte
