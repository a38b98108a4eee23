#pragma once
// Fault injection for the sandbox: each kind fires with a probability, drawn from one seeded
// generator so a run is repeatable for the same order of requests.
//
// Spec: comma-separated KIND=PROBABILITY items, optionally scoped to one API with a prefix:
//   "429=0.05,500=0.02,milvus:timeout=0.01,slow=0.1"
// Kinds: 429, 500, 502, 503, slow (answers after slow_ms), slow_write (a write, not a read, is
// applied and answered only after slow_ms: a client that gave up on it, or died, sees it land
// later), timeout (answers after timeout_ms, longer than any sane client timeout), reset (drops
// the connection mid-answer), truncated (cuts the JSON body short), malformed (answers 200 with
// broken JSON), duplicate_page (Ploomes listings: repeats the previous page's records).

#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "core/error.h"

namespace ponte::sandbox {

enum class FaultKind {
  kTooManyRequests, kInternal, kBadGateway, kUnavailable, kSlow, kSlowWrite, kTimeout, kReset, kTruncated,
  kMalformed, kDuplicatePage,
};

std::string_view FaultKindName(FaultKind kind);

struct FaultSpec {
  // (api, kind) -> probability; api is "" for all, "ploomes", "milvus" or "totvs".
  std::map<std::pair<std::string, FaultKind>, double> probabilities;
  int slow_ms = 1500;
  int timeout_ms = 30'000;

  static Result<FaultSpec> Parse(std::string_view text);
  std::string ToString() const;
};

class FaultInjector {
 public:
  explicit FaultInjector(uint64_t seed) : rng_(seed) {}
  void Set(FaultSpec spec);
  FaultSpec Get() const;
  // The fault to inject into this request of `api`, if any (at most one per request). A
  // slow_write drawn for a read is none.
  std::optional<FaultKind> Draw(std::string_view api, bool write = true);

 private:
  mutable std::mutex mu_;
  FaultSpec spec_;
  std::mt19937_64 rng_;
};

}  // namespace ponte::sandbox
