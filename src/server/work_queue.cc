#include "server/work_queue.h"

namespace ponte::server {

std::string WorkItem::Key() const {
  if (kind == Kind::kDue) return "due:" + route;
  return system.empty() ? entity_set + "(" + id + ")" : system + ":" + id;
}

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
