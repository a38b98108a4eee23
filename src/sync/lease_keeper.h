#pragma once
// Keeps the leases of the deliveries a worker holds while it works on them. A claim lasts
// [delivery] lease_seconds; a delivery can take longer (a slow API, its retries, a batch claimed
// at once and delivered one by one). Without renewal another worker would take it when the
// lease ran out and write the same record a second time. A worker that dies stops renewing, so
// its deliveries still pass to the others after one lease.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "core/time.h"
#include "store/store.h"

namespace ponte {

class LeaseKeeper {
 public:
  LeaseKeeper(Store& store, std::string worker, std::chrono::seconds lease, const Clock& clock);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Renewed every third of a lease from now on, until Drop.
  void Hold(int64_t delivery_id);
  void Drop(int64_t delivery_id);
  void DropAll();
  int64_t renewals() const;  // for tests and the log

 private:
  void Loop();

  Store& store_;
  const std::string worker_;
  const std::chrono::seconds lease_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<int64_t> held_;
  bool stop_ = false;
  int64_t renewals_ = 0;
  std::thread thread_;
};

}  // namespace ponte
