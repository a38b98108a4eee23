#include "server/work_queue.h"

namespace ponte::server {

std::string WorkItem::Key() const { return kind == Kind::kDue ? "due:" + route : "inbox"; }

WorkQueue::Push WorkQueue::Enqueue(WorkItem item) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return Push::kClosed;
    if (keys_.count(item.Key())) return Push::kAlreadyQueued;
    if (items_.size() >= capacity_) return Push::kFull;
    keys_.insert(item.Key());
    items_.push_back(std::move(item));
  }
  cv_.notify_one();
  return Push::kQueued;
}

std::optional<WorkItem> WorkQueue::Take() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
  if (closed_) return std::nullopt;
  WorkItem item = std::move(items_.front());
  items_.pop_front();
  keys_.erase(item.Key());
  return item;
}

std::optional<WorkItem> WorkQueue::TakeWithin(std::chrono::milliseconds max_wait) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, max_wait, [&] { return closed_ || !items_.empty(); }) || closed_) return std::nullopt;
  WorkItem item = std::move(items_.front());
  items_.pop_front();
  keys_.erase(item.Key());
  return item;
}

bool WorkQueue::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void WorkQueue::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

size_t WorkQueue::size() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

}  // namespace ponte::server
