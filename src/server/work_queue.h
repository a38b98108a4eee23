#pragma once
// What webhooks and the admin API hand to the delivery thread: a record to deliver now, or a
// route's due deliveries to run (after a replay). Bounded, and a record already waiting is not
// queued twice (Ploomes may deliver one event more than once).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace ponte::server {

struct WorkItem {
  enum class Kind { kRecord, kDue };
  Kind kind = Kind::kRecord;
  std::string entity_set;  // kRecord: "Tasks", ...
  std::string id;          // kRecord: the record's Id
  std::string route;       // kDue
  std::string record;      // kRecord: the record as the webhook carried it (JSON text), if any
  std::chrono::steady_clock::time_point received{};
  // kRecord sent by a system that pushes its changes (a TOTVS ERP's BusinessMessage): its name;
  // `record` is then the message's BusinessContent and entity_set is empty.
  std::string system;

  std::string Key() const;
};

class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity) : capacity_(capacity) {}

  enum class Push { kQueued, kAlreadyQueued, kFull, kClosed };
  Push Enqueue(WorkItem item);
  // Blocks until an item is there or the queue is closed (then nullopt).
  std::optional<WorkItem> Take();
  // Wakes Take() for good; items still queued are dropped (the poll covers them).
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
