// The inbox side of the engine: what systems pushed and ponte kept before answering, offered to
// the routes as a listing's records are; and what is still waiting, for an honest exit code.

#include "sync/internal/engine_impl.h"

#include <algorithm>

#include "core/crash_point.h"
#include "core/log.h"

namespace ponte {

std::vector<RouteReport> SyncEngine::DeliverInbox() {
  Impl& im = *impl_;
  std::vector<RouteReport> out;
  if (im.options.dry_run) return out;
  auto add = [&out](RouteReport r) {
    auto same = std::find_if(out.begin(), out.end(), [&](const RouteReport& o) { return o.route == r.route; });
    if (same == out.end()) {
      out.push_back(std::move(r));
    } else {
      MergeReport(*same, r);
    }
  };
  im.halted = false;
  while (!im.StopAsked() && !im.halted) {
    auto batch = im.store.ClaimInbox(im.options.worker, im.clock.Now(), Impl::kInboxLease, Impl::kInboxBatch);
    if (!batch) {
      log::Error("inbox_unreadable", {{"error", batch.error().ToString()}});
      break;
    }
    if (batch->empty()) break;
    for (const auto& item : *batch) {
      if (im.StopAsked() || im.halted) break;  // the rest is claimed again after the lease (or at once, on restart)
      std::vector<RouteReport> reports;
      if (item.kind == "message") {
        reports = DeliverReceived(item.source, item.body);
      } else {
        reports.push_back(DeliverOne(item.source, item.entity_set, item.record_id, item.body));
      }
      std::string error;
      for (auto& r : reports) {
        if (!r.error.empty()) error = r.error;
        if (r.ran) add(std::move(r));
      }
      if (im.StopAsked()) {
        // A stop may have cut its offer short: it is offered again on the next start.
        (void)im.store.RetryInbox(item.id, "ponte stopped while offering it", im.clock.Now());
        break;
      }
      if (!error.empty()) {
        // Its source could not be read (or the store failed): offered again later.
        const auto wait = std::min<std::chrono::milliseconds>(
            std::chrono::seconds(std::max(1, im.config.delivery.retry_base_seconds)) * (1 << std::min(item.attempts, 12)),
            Impl::kMaxRetryWait);
        (void)im.store.RetryInbox(item.id, error, im.clock.Now() + wait);
        continue;
      }
      CrashPoint("inbox.before_done");
      if (auto done = im.store.FinishInbox(item); !done) {
        log::Error("inbox_unreadable", {{"error", done.error().ToString()}});
      }
    }
  }
  return out;
}

SyncEngine::Waiting SyncEngine::Pending(const std::string& route) {
  Waiting w;
  auto pending = impl_->store.CountPending(route);
  auto inbox = impl_->store.CountInbox();
  if (!pending || !inbox) {
    w.error = (!pending ? pending.error() : inbox.error()).ToString();
    return w;
  }
  w.deliveries = pending->deliveries;
  w.next_due = pending->next_due;
  w.inbox = *inbox;
  return w;
}

}  // namespace ponte
