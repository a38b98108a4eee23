// The engine's bookkeeping: what a run reports, and what a failed delivery becomes.

#include "sync/internal/engine_impl.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/document.h"
#include "core/log.h"
#include "core/shutdown.h"
#include "store/facts.h"

namespace ponte {

// The report of a run of `route`; ran is false when the route is unknown or disabled.
RouteReport SyncEngine::Impl::NewReport(const std::string& route) const {
  RouteReport r;
  r.route = route;
  auto it = config.routes.find(route);
  r.ran = it != config.routes.end() && it->second.enabled;
  return r;
}

void SyncEngine::Impl::Skip(RouteReport& r, const std::string& route, const SystemRef& origin,
                            const std::string& kind, const std::string& reason) {
  ++r.skipped[kind];
  r.records.push_back({origin.ToString(), Outcome::kSkipped, reason});
  if (!options.dry_run) (void)store.RecordSkip({route, origin, reason, clock.Now()});
}

void SyncEngine::Impl::Count(RouteReport& r, const std::string& origin, const Delivered& d) {
  switch (d.outcome) {
    case Outcome::kCreated: ++r.created; break;
    case Outcome::kUpdated: ++r.updated; break;
    case Outcome::kLinked: ++r.linked; break;
    case Outcome::kUnchanged: ++r.unchanged; break;
    default: break;
  }
  if (d.outcome != Outcome::kUnchanged && log::Enabled(log::Level::kDebug)) {
    log::Debug("delivered", {{"route", r.route}, {"record", origin}, {"outcome", OutcomeName(d.outcome)},
                             {"target", d.target_id}, {"detail", d.detail}});
  }
  r.records.push_back({origin, d.outcome, d.detail});
}

// A failed delivery: retried later, or dead-lettered with the reason a person needs.
void SyncEngine::Impl::Failed(RouteReport& r, const Delivery& d, const Error& e) {
  const std::string origin = d.intent.origin.ToString();
  const Instant now = clock.Now();
  // This attempt sent a write that may have landed (a timeout, a cut answer, a 5xx after the
  // server read it): the next attempt looks for it, and only once it would have landed. A 4xx
  // proves the write was refused.
  const bool sent = attempted.count(d.id) > 0 && e.MayHaveBeenApplied();
  const Instant settled = sent ? now + Settle() : now;
  const Instant settles_at = sent ? settled : Instant{};
  const bool store_down = e.system == "store" && (e.code == ErrorCode::kUnavailable ||
                                                  e.code == ErrorCode::kDataLoss || e.code == ErrorCode::kInternal);
  if (e.code == ErrorCode::kCancelled) {
    // ponte is stopping: nothing is wrong with the record, which waits for the next start.
    (void)store.DeferDelivery(d.id, settled, now, settles_at);
    ++r.retrying;
    r.records.push_back({origin, Outcome::kRetrying, e.ToString()});
    r.complete = false;
    if (r.incomplete_reason.empty()) r.incomplete_reason = "stopped: the rest is delivered on the next start";
    return;
  }
  if (e.halts_system || store_down) {
    // The system refuses ponte as a whole (a refused key, an outage), or the store failed:
    // nothing is wrong with the record. It waits, uncounted, and the run stops.
    (void)store.DeferDelivery(d.id, std::max(settled, now + kWaitForOtherWorker), now, settles_at);
    ++r.retrying;
    r.records.push_back({origin, Outcome::kRetrying, e.ToString()});
    log::Warn("delivery_waits", {{"route", r.route}, {"delivery", std::to_string(d.id)}, {"record", origin},
                                 {"reason", e.ToString()}});
    Halt(r, e);
    return;
  }
  if (e.system == kHeldByAnotherWorker) {
    // Another worker writes the customer, or a write of it may still land: come back then.
    const auto wait = std::max<std::chrono::milliseconds>(kWaitForOtherWorker, e.retry_after.value_or(kWaitForOtherWorker));
    (void)store.DeferDelivery(d.id, std::max(settled, now + wait), now, settles_at);
    ++r.retrying;
    r.records.push_back({origin, Outcome::kRetrying, e.message});
    return;
  }
  if (e.system == kCustomerNotDeliverable) {
    // Skipped with its reason, as a listing skips it; the delivery ends in the dead-letter queue
    // (not pending, not counted dead), where `ponte dlq replay` delivers it once the customer has
    // a document.
    (void)store.KillDelivery(d.id, "skipped: " + e.message, now);
    Skip(r, d.intent.route, d.intent.origin, "contact without valid CPF/CNPJ", e.message);
    return;
  }
  const bool permanent = e.retry_class() == RetryClass::kDeadLetter;
  if (permanent || d.attempts + 1 >= config.delivery.max_attempts) {
    std::string reason = permanent ? e.ToString()
                                   : fmt::format("gave up after {} attempts: {}", d.attempts + 1,
                                                 e.ToString());
    (void)store.KillDelivery(d.id, reason, now);
    log::Error("dead_letter", {{"route", r.route}, {"delivery", std::to_string(d.id)}, {"record", origin},
                               {"attempts", std::to_string(d.attempts + 1)}, {"reason", reason}});
    ++r.dead;
    r.records.push_back({origin, Outcome::kDead, reason});
    return;
  }
  auto wait = std::chrono::seconds(config.delivery.retry_base_seconds) * (1 << std::min(d.attempts, 16));
  auto capped = std::min<std::chrono::milliseconds>(wait, kMaxRetryWait);
  const Instant next = std::max(now + capped, settled);
  (void)store.RetryDelivery(d.id, e.ToString(), next, now, settles_at);
  log::Warn("delivery_retry", {{"route", r.route}, {"delivery", std::to_string(d.id)}, {"record", origin},
                               {"attempt", std::to_string(d.attempts + 1)},
                               {"retry_in_s", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(next - now).count())},
                               {"reason", e.ToString()}});
  ++r.retrying;
  r.records.push_back({origin, Outcome::kRetrying, e.ToString()});
}

// The run stops calling a system that refuses ponte (or cannot be reached), or a failing
// store: what is left waits for the next run. The report says which, for the exit code.
void SyncEngine::Impl::Halt(RouteReport& r, const Error& e) {
  halted = true;
  if (r.error.empty()) r.error = e.ToString();
  r.complete = false;
  r.auth_failed |= e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied;
  r.unreachable |= !r.auth_failed;
}

// A shutdown was asked for: the run ends after the record in hand, without moving its cursor,
// so the next run (or another worker) reads on from where this one was sure of.
bool SyncEngine::Impl::StopAsked() const {
  return ShutdownRequested() || (options.stop_requested && options.stop_requested());
}

bool SyncEngine::Impl::Stopping(RouteReport& r) {
  if (halted) return true;  // the route's report already says why
  if (!StopAsked()) return false;
  r.complete = false;
  r.incomplete_reason = "stopped before the end of the listing; the next run reads on from the saved cursor";
  return true;
}

void SyncEngine::Impl::Progress(const std::string& route, int done, int total) {
  if (options.progress) options.progress(route, done, total);
}

void SyncEngine::Impl::Failure(RouteReport& r, const Error& e) {
  if (e.code == ErrorCode::kCancelled) {
    // A stop cut a call short: the route ends here, its cursor where it was sure of.
    halted = true;
    r.complete = false;
    r.incomplete_reason = "stopped before the end of the listing; the next run reads on from the saved cursor";
    return;
  }
  if (e.halts_system || e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied) {
    return Halt(r, e);
  }
  r.error = e.ToString();
  r.complete = false;
  // A 429 that outlasted its retries is a busy system, not an unreachable one.
  r.unreachable = e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kDeadlineExceeded ||
                  e.code == ErrorCode::kDataLoss;
}

}  // namespace ponte
