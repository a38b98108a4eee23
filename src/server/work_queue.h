#pragma once
// What the HTTP side hands to the delivery thread: "the inbox has new pushes" (the pushes
// themselves are kept in the store's inbox before they are answered, so nothing here needs to
// survive a crash), or a route's due deliveries to run (after a replay). Bounded, and an item
// already waiting is not queued twice: one wake-up serves every push that came meanwhile.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace ponte::server {

struct WorkItem {
  enum class Kind { kInbox, kDue };
  Kind kind = Kind::kInbox;
  std::string route;  // kDue
  std::chrono::steady_clock::time_point received{};

  std::string Key() const;
};

class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}

  enum class Push { kQueued, kAlreadyQueued, kFull, kClosed };
  Push Enqueue(WorkItem item);
  // Blocks until an item is there or the queue is closed (then nullopt).
  std::optional<WorkItem> Take();
  // Take, waiting at most `max_wait` (then nullopt, as when closed).
  std::optional<WorkItem> TakeWithin(std::chrono::milliseconds max_wait);
  bool closed() const;
  // Wakes Take() for good; items still queued are dropped (the inbox and the journal keep
  // what they stood for).
  void Close();
  size_t size() const;

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WorkItem> items_;
  std::set<std::string> keys_;
  bool closed_ = false;
};

}  // namespace ponte::server
