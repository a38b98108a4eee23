#include "server/sync_service.h"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "core/log.h"
#include "sync/engine.h"

namespace ponte::server {
namespace {

// Most webhook hints waiting at once; beyond it Ploomes gets 503 and retries, and the poll
// still covers the record.
constexpr size_t kQueueCapacity = 10'000;

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
  const size_t left = queue_.size();
  queue_.Close();
  if (poll_thread_.joinable()) poll_thread_.join();
  if (delivery_thread_.joinable()) delivery_thread_.join();
  if (left > 0) {
    log::Info("webhooks_left", {{"count", std::to_string(left)}, {"note", "the next poll reads them"}});
  }
  running_ = false;
}

WorkQueue::Push SyncService::Submit(WorkItem item) {
  item.received = std::chrono::steady_clock::now();
  return queue_.Enqueue(std::move(item));
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
  while (auto item = queue_.Take()) {
    RouteReport r;
    if (item->kind == WorkItem::Kind::kDue) {
      r = engine.RunDue(item->route);
    } else if (!item->system.empty()) {
      // A customer a system pushed: every route out of it.
      for (const auto& received : engine.DeliverReceived(item->system, item->record)) {
        if (!received.error.empty()) {
          log::Error("received_delivery_failed", {{"route", received.route}, {"item", item->Key()}, {"error", received.error}});
        }
        if (received.ran) Record(received);
      }
      continue;
    } else {
      r = engine.DeliverOne(item->entity_set, item->id, item->record);
      if (r.Delivered() > 0) {
        latency_.Observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - item->received).count());
      }
    }
    if (!r.error.empty()) {
      log::Error("webhook_delivery_failed", {{"route", r.route}, {"item", item->Key()}, {"error", r.error}});
    }
    if (r.ran) Record(r);
  }
  engine.Retire();
}

}  // namespace ponte::server
