#pragma once
// The sync half of `ponte serve`: a poll thread that runs every route on an interval (the
// safety net), and a delivery thread that delivers what systems push (kept in the store's inbox
// before they are answered) and what the admin API queues. Each thread has its own engine and
// its own worker name, so the journal's claims keep them from writing one record twice. Stop()
// is graceful: each thread finishes the record in hand, gives its claims back and leaves
// cursors where they are sure; the inbox keeps what was not offered yet.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "connectors/milvus/milvus_connector.h"
#include "sync/engine.h"
#include "net/circuit.h"
#include "connectors/ploomes/ploomes_connector.h"
#include "core/time.h"
#include "net/call_counter.h"
#include "server/metrics.h"
#include "server/work_queue.h"
#include "store/store.h"
#include "sync/config.h"
#include "sync/report.h"

namespace ponte::server {

struct ServiceParts {
  const Config& config;
  Store& store;
  CallCounter& calls;
  const Clock& clock;
  // One per system: when one is open, the routes wait (they touch both systems) and /readyz,
  // the dashboard and /metrics say so.
  std::vector<const Circuit*> circuits = {};
  // Every system the routes reach, by name (the runtime's).
  ponte::SystemsByName systems = {};
};

struct RouteState {
  std::string route;
  bool enabled = false;
  std::optional<Instant> last_started;
  std::optional<Instant> last_finished;
  std::optional<RouteReport> last_report;  // of the last poll
  int64_t runs = 0;
  int64_t failed_runs = 0;
};

class SyncService {
 public:
  // worker: this process' name in the journal ("host:pid"); the threads add "/poll", "/webhook".
  SyncService(ServiceParts parts, std::string worker, bool poll = true);
  ~SyncService();

  void Start();
  void Stop();
  bool running() const { return running_; }

  WorkQueue::Push Submit(WorkItem item);
  // Keeps a pushed record in the inbox (durable before the caller answers the push) and wakes
  // the delivery thread. ResourceExhausted when the inbox holds its capacity already,
  // Unavailable while stopping or when the store fails: the caller answers 503.
  Result<int64_t> Keep(const InboxItem& item);
  void PollNow();  // wakes the poll thread before its interval ends

  std::vector<RouteState> Routes() const;
  // Deliveries reported by both threads, by route and outcome ("created", "dead", ...).
  std::map<std::pair<std::string, std::string>, int64_t> Outcomes() const;
  // Webhook requests by result: accepted, duplicate, ignored, unauthorized, malformed, ...
  void CountWebhook(const std::string& result);
  std::map<std::string, int64_t> Webhooks() const;
  const Histogram& latency() const { return latency_; }  // push received -> delivered, seconds
  size_t queue_depth() const;  // pushes in the inbox, not offered yet
  const std::string& worker() const { return worker_; }
  const std::vector<const Circuit*>& circuits() const { return parts_.circuits; }

 private:
  void PollLoop();
  void DeliveryLoop();
  void Record(const RouteReport& r);

  ServiceParts parts_;
  const std::string worker_;
  const bool poll_;
  WorkQueue queue_;
  Histogram latency_;
  std::atomic<bool> running_ = false;
  std::atomic<bool> stopping_ = false;

  mutable std::mutex mu_;
  std::condition_variable poll_cv_;
  bool poll_now_ = false;
  std::map<std::string, RouteState> routes_;
  std::map<std::pair<std::string, std::string>, int64_t> outcomes_;
  std::map<std::string, int64_t> webhooks_;

  std::thread poll_thread_;
  std::thread delivery_thread_;
};

}  // namespace ponte::server
