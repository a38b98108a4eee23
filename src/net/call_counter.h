#pragma once
// Counts every API call by system, endpoint and status, for /metrics and for the
// "API calls per record" figure. Thread-safe; shared by all clients of a process.

#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace ponte {

struct CallKey {
  std::string system;    // "ploomes"
  std::string endpoint;  // "GET /Contacts"
  int status = 0;        // HTTP status, or 0 for a transport failure
  auto operator<=>(const CallKey&) const = default;
};

class CallCounter {
 public:
  void Count(const CallKey& key);
  void CountRetry(const std::string& system);
  std::map<CallKey, int64_t> Snapshot() const;
  std::map<std::string, int64_t> Retries() const;
  int64_t Total(const std::string& system = "") const;
  int64_t Throttled(const std::string& system = "") const;  // 429s answered

 private:
  mutable std::mutex mu_;
  std::map<CallKey, int64_t> counts_;
  std::map<std::string, int64_t> retries_;
};

}  // namespace ponte
