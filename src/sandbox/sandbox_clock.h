#pragma once
// The sandbox's clock: real time sped up by --time-scale, plus manual jumps, so tests can run a
// minute-long quota window in a second or "come back three hours later" at once. Timestamps of
// created records and the quota windows both use it.

#include <chrono>
#include <mutex>

#include "core/time.h"

namespace ponte::sandbox {

class SandboxClock final : public Clock {
 public:
  SandboxClock(Instant start, double scale);
  Instant Now() const override;
  void Advance(std::chrono::milliseconds by);
  void Set(Instant t);
  double scale() const { return scale_; }
  // Real time that passes while sandbox time moves by `d`.
  std::chrono::milliseconds ToReal(std::chrono::milliseconds d) const;

 private:
  mutable std::mutex mu_;
  Instant base_;
  std::chrono::steady_clock::time_point real_base_;
  double scale_;
};

}  // namespace ponte::sandbox
