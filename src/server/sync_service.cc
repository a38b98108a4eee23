#include "server/sync_service.h"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "core/log.h"
#include "sync/engine.h"

namespace ponte::server {
namespace {

// Most wake-ups and replays waiting at once (one wake-up serves every push meanwhile).
constexpr size_t kQueueCapacity = 1'000;
// Most pushes kept in the inbox and not yet offered; beyond it a system gets 503 and sends the
// push again later (Ploomes retries its webhooks, an ERP its messages).
constexpr int64_t kInboxCapacity = 100'000;

// How long the delivery thread sleeps when nothing waits, and at least between two looks at
// what came due.
constexpr std::chrono::milliseconds kMaxIdle{60'000};
constexpr std::chrono::milliseconds kMinIdle{100};

// Latency buckets (seconds) from a fast local delivery to a slow, rate-limited one.
std::vector<double> LatencyBounds() { return {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300}; }

}  // namespace

SyncService::SyncService(ServiceParts parts, std::string worker, bool poll)
    : parts_(parts), worker_(std::move(worker)), poll_(poll), queue_(kQueueCapacity), latency_(LatencyBounds()) {
  for (const auto& route : RouteOrder(parts_.config)) {
    auto it = parts_.config.routes.find(route);
    routes_[route] = RouteState{route, it != parts_.config.routes.end() && it->second.enabled, {}, {}, {}, 0, 0};
  }
}

SyncService::~SyncService() { Stop(); }

void SyncService::Start() {
  if (running_.exchange(true)) return;
  stopping_ = false;
  if (poll_) poll_thread_ = std::thread([this] { PollLoop(); });
  delivery_thread_ = std::thread([this] { DeliveryLoop(); });
}

void SyncService::Stop() {
  if (!running_) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  poll_cv_.notify_all();
  queue_.Close();
  if (poll_thread_.joinable()) poll_thread_.join();
  if (delivery_thread_.joinable()) delivery_thread_.join();
  if (auto left = parts_.store.CountInbox(); left && *left > 0) {
    log::Info("inbox_left", {{"count", std::to_string(*left)}, {"note", "kept in the store: offered on the next start"}});
  }
  running_ = false;
}

WorkQueue::Push SyncService::Submit(WorkItem item) {
  item.received = std::chrono::steady_clock::now();
  return queue_.Enqueue(std::move(item));
}

Result<int64_t> SyncService::Keep(const InboxItem& item) {
  if (stopping_) return Fail(Error::Unavailable("ponte is stopping; send it again in a moment"));
  auto waiting = parts_.store.CountInbox();
  if (!waiting) return Fail(waiting.error());
  if (*waiting >= kInboxCapacity) {
    return Fail(Error{ErrorCode::kResourceExhausted,
                      fmt::format("{} pushes wait to be delivered; send it again later", *waiting)});
  }
  auto kept = parts_.store.AppendInbox(item, parts_.clock.Now());
  if (!kept) return Fail(kept.error());
  (void)Submit({WorkItem::Kind::kInbox, "", {}});
  return kept;
}

size_t SyncService::queue_depth() const {
  auto waiting = parts_.store.CountInbox();
  return waiting ? static_cast<size_t>(*waiting) : 0;
}

void SyncService::PollNow() {
  {
    std::lock_guard lock(mu_);
    poll_now_ = true;
  }
  poll_cv_.notify_all();
}

std::vector<RouteState> SyncService::Routes() const {
  std::lock_guard lock(mu_);
  std::vector<RouteState> out;
  for (const auto& route : RouteOrder(parts_.config)) out.push_back(routes_.at(route));
  return out;
}

std::map<std::pair<std::string, std::string>, int64_t> SyncService::Outcomes() const {
  std::lock_guard lock(mu_);
  return outcomes_;
}

void SyncService::CountWebhook(const std::string& result) {
  std::lock_guard lock(mu_);
  ++webhooks_[result];
}

std::map<std::string, int64_t> SyncService::Webhooks() const {
  std::lock_guard lock(mu_);
  return webhooks_;
}

void SyncService::Record(const RouteReport& r) {
  std::lock_guard lock(mu_);
  auto add = [&](const char* outcome, int64_t n) {
    if (n > 0) outcomes_[{r.route, outcome}] += n;
  };
  add("created", r.created);
  add("updated", r.updated);
  add("linked", r.linked);
  add("unchanged", r.unchanged);
  add("retrying", r.retrying);
  add("dead", r.dead);
  add("skipped", r.Skipped());
}

void SyncService::PollLoop() {
  EngineOptions options;
  options.worker = worker_ + "/poll";
  options.share_work = IsSharedStore(parts_.store);
  options.stop_requested = [this] { return stopping_.load(); };
  options.route_finished = [this](const RouteReport& r) {
    Record(r);
    std::lock_guard lock(mu_);
    auto& state = routes_[r.route];
    state.last_finished = parts_.clock.Now();
    state.last_report = r;
    state.last_report->records.clear();  // the counts are what the status shows
    ++state.runs;
    if (!r.error.empty()) ++state.failed_runs;
    // The next enabled route starts now.
    const auto order = RouteOrder(parts_.config);
    for (auto it = std::find(order.begin(), order.end(), r.route); it != order.end(); ++it) {
      if (*it != r.route && routes_[*it].enabled) {
        routes_[*it].last_started = parts_.clock.Now();
        break;
      }
    }
  };
  SyncEngine engine(parts_.config, parts_.store, parts_.systems, parts_.calls, parts_.clock, options);
  const auto interval = std::chrono::seconds(parts_.config.server.poll_interval_seconds);
  while (!stopping_) {
    {
      std::lock_guard lock(mu_);
      for (const auto& route : RouteOrder(parts_.config)) {
        if (routes_[route].enabled) {
          routes_[route].last_started = parts_.clock.Now();
          break;
        }
      }
    }
    engine.RunAll();
    std::unique_lock lock(mu_);
    poll_cv_.wait_for(lock, interval, [this] { return stopping_.load() || poll_now_; });
    poll_now_ = false;
  }
  engine.Retire();
}

void SyncService::DeliveryLoop() {
  EngineOptions options;
  options.worker = worker_ + "/webhook";
  options.stop_requested = [this] { return stopping_.load(); };
  SyncEngine engine(parts_.config, parts_.store, parts_.systems, parts_.calls, parts_.clock, options);
  auto deliver_inbox = [&](std::chrono::steady_clock::time_point since) {
    for (const auto& r : engine.DeliverInbox()) {
      if (!r.error.empty()) log::Error("push_delivery_failed", {{"route", r.route}, {"error", r.error}});
      if (r.Delivered() > 0 && since != std::chrono::steady_clock::time_point{}) {
        latency_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
      }
      Record(r);
    }
  };
  // Pushes a stopped or crashed server answered and did not deliver come first.
  deliver_inbox({});
  while (!queue_.closed()) {
    // Idle, it wakes when the first waiting delivery comes due (a retry, a write that had to
    // settle), instead of leaving it to the next poll.
    auto wait = kMaxIdle;
    if (auto w = engine.Pending(); w.deliveries > 0 && w.next_due) {
      wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(*w.next_due - parts_.clock.Now()),
                        kMinIdle, kMaxIdle);
    }
    auto item = queue_.TakeWithin(wait);
    if (queue_.closed()) break;
    if (!item) {
      for (const auto& route : RouteOrder(parts_.config)) {
        if (auto r = engine.RunDue(route); r.ran && (r.Delivered() > 0 || r.retrying > 0 || r.dead > 0)) Record(r);
      }
    } else if (item->kind == WorkItem::Kind::kDue) {
      if (auto r = engine.RunDue(item->route); r.ran) Record(r);
    } else {
      deliver_inbox(item->received);
    }
  }
  engine.Retire();
}

}  // namespace ponte::server
