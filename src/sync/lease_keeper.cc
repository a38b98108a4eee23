#include "sync/lease_keeper.h"

#include <vector>

#include "core/log.h"

namespace ponte {

LeaseKeeper::LeaseKeeper(Store& store, std::string worker, std::chrono::seconds lease, const Clock& clock)
    : store_(store), worker_(std::move(worker)), lease_(lease), clock_(clock) {}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::Hold(int64_t delivery_id) {
  std::lock_guard lock(mu_);
  held_.insert(delivery_id);
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
}

void LeaseKeeper::Drop(int64_t delivery_id) {
  std::lock_guard lock(mu_);
  held_.erase(delivery_id);
}

void LeaseKeeper::DropAll() {
  std::lock_guard lock(mu_);
  held_.clear();
}

int64_t LeaseKeeper::renewals() const {
  std::lock_guard lock(mu_);
  return renewals_;
}

void LeaseKeeper::Loop() {
  // A third of a lease: two renewals may fail (a busy store) before the lease runs out.
  const auto period = std::max<std::chrono::milliseconds>(lease_ / 3, std::chrono::milliseconds(500));
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
    if (held_.empty()) continue;
    const std::vector<int64_t> ids(held_.begin(), held_.end());
    lock.unlock();
    const Instant now = clock_.Now();
    auto renewed = store_.RenewClaims(ids, worker_, now + lease_);
    if (!renewed) log::Warn("lease_renewal_failed", {{"worker", worker_}, {"error", renewed.error().ToString()}});
    lock.lock();
    if (renewed) ++renewals_;
  }
}

}  // namespace ponte
