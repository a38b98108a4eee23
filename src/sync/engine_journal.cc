// The journal side of the engine: claiming deliveries, delivering them, and where each
// route's reading stands (its cursor).

#include "sync/internal/engine_impl.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/crash_point.h"
#include "core/document.h"
#include "core/log.h"
#include "core/schema_validator.h"
#include "core/internal_id.h"
#include "store/facts.h"

namespace ponte {

Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::Deliver(const Delivery& d, RouteReport& r) {
  auto json = nlohmann::json::parse(d.intent.payload, nullptr, false);
  auto message = Message::FromJson(json);
  if (!message) return Fail(message.error());
  // Every message is checked against its schema before anything is written: a record that
  // cannot travel as a valid message (a name past the 80 characters of CustomerVendor 2.007)
  // is a dead letter that says which field, never a half-valid write. Messages journaled
  // before an upgrade, in an older version, are delivered as they were.
  if (IsCurrentVersion(*message)) {
    if (auto valid = ValidateMessageJson(json); !valid) {
      return Fail(Error::InvalidArgument(fmt::format(
          "{}; correct the record in {} and ponte sends it again on its next change",
          valid.error().message, d.intent.origin.system)));
    }
  }
  if (d.intent.message == kTicket) {
    auto t = Ticket::FromBusinessContent(message->business_content);
    if (!t) return Fail(t.error());
    return DeliverTicket(d, *t, r);
  }
  auto cv = CustomerVendor::FromBusinessContent(message->business_content);
  if (!cv) return Fail(cv.error());
  if (!cv->document) return Fail(Error::InvalidArgument("the customer has no CPF/CNPJ"));
  return DeliverCustomerTo(d, *message, *cv);
}

void SyncEngine::Impl::FillNaturalKeysOfOlderDeliveries() {
  // Pending deliveries are few (retries, and what a crash left): all of them.
  auto pending = store.ListDeliveries({DeliveryState::kPending, "", 1'000'000});
  if (!pending) return;
  for (const auto& d : *pending) {
    if (d.intent.message != kCustomer || !d.intent.natural_key.empty()) continue;
    auto message = Message::FromJson(nlohmann::json::parse(d.intent.payload, nullptr, false));
    if (!message) continue;
    auto cv = CustomerVendor::FromBusinessContent(message->business_content);
    if (cv && cv->document) (void)store.SetNaturalKey(d.id, cv->document->canonical);
  }
}

Status SyncEngine::Impl::BeginAttempt(const Delivery& d, std::string_view crash_site) {
  PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
  attempted.insert(d.id);
  CrashPoint(crash_site);
  return {};
}

Result<std::optional<Delivery>> SyncEngine::Impl::Claim(const DeliveryIntent& intent) {
  return store.ClaimIntent(intent, options.worker, clock.Now(), std::chrono::seconds(config.delivery.lease_seconds),
                           Settle());
}

Result<std::vector<Delivery>> SyncEngine::Impl::ClaimDue(const std::string& route, size_t limit) {
  return store.ClaimDue(options.worker, clock.Now(), std::chrono::seconds(config.delivery.lease_seconds), limit, route,
                        Settle());
}

Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::Conclude(const Delivery& d, Result<Delivered> delivered,
                                                               RouteReport& r) {
  if (delivered) {
    Count(r, d.intent.origin.ToString(), *delivered);
  } else {
    Failed(r, d, delivered.error());
  }
  attempted.erase(d.id);
  return delivered;
}

// Records the intent and delivers at once (or, in a dry run, only decides).
void SyncEngine::Impl::Process(RouteReport& r, DeliveryIntent intent) {
  const std::string origin = intent.origin.ToString();
  Delivery d;
  d.intent = std::move(intent);
  if (options.share_work && !options.dry_run) {
    // Journal it for whichever worker claims it first (RunPending here or elsewhere).
    (void)store.ClearSkip(d.intent.route, d.intent.origin);
    auto row = store.ClaimIntent(d.intent, options.worker, clock.Now(), std::chrono::milliseconds(0), Settle());
    if (!row) {
      r.error = row.error().ToString();
      r.unreachable = true;
    } else if (!*row) {
      Count(r, origin, {Outcome::kUnchanged, "", "being delivered by another worker, or waiting for its retry"});
    } else {
      ++r.queued;
    }
    return;
  }
  if (!options.dry_run) {
    (void)store.ClearSkip(d.intent.route, d.intent.origin);
    // The claim makes this worker the only writer of the record until the lease ends; a
    // pending delivery left by a crash comes back with its attempts, so an interrupted write
    // is reconciled, not repeated.
    auto row = Claim(d.intent);
    if (!row) {
      r.error = row.error().ToString();
      r.unreachable = true;
      return;
    }
    if (!*row) {
      Count(r, origin, {Outcome::kUnchanged, "", "being delivered by another worker, or waiting for its retry"});
      return;
    }
    d = std::move(**row);
    CrashPoint("delivery.claimed");
  }
  if (leases) leases->Hold(d.id);
  auto delivered = Deliver(d, r);
  if (leases) leases->Drop(d.id);
  if (options.dry_run) {
    if (delivered) {
      Count(r, origin, *delivered);
    } else {
      r.records.push_back({origin, Outcome::kSkipped, delivered.error().ToString()});
    }
    return;
  }
  (void)Conclude(d, std::move(delivered), r);
}

// Deliveries of `route` that are due (retries, and ones a crash left behind).
void SyncEngine::Impl::RunPending(RouteReport& r, const std::string& route) {
  if (options.dry_run) return;
  while (true) {
    auto batch = ClaimDue(route, options.share_work ? kSharedClaimBatch : kClaimBatch);
    if (!batch) {
      r.error = batch.error().ToString();
      r.unreachable = true;
      return;
    }
    if (batch->empty()) return;
    (void)store.Heartbeat(options.worker, clock.Now());
    // The whole batch is held: its last delivery may start long after the claim.
    for (const auto& d : *batch) leases->Hold(d.id);
    for (const auto& d : *batch) {
      if (Stopping(r)) {
        leases->DropAll();
        (void)store.ReleaseClaims(options.worker);
        return;
      }
      CrashPoint("delivery.claimed");
      auto delivered = Deliver(d, r);
      leases->Drop(d.id);
      (void)Conclude(d, std::move(delivered), r);
    }
  }
}

// --full, or the route's full_listing_hours have passed since its last whole listing.
bool SyncEngine::Impl::FullListingDue(const std::string& route) {
  if (options.full) return true;
  const int hours = config.routes.at(route).full_listing_hours;
  if (hours <= 0) return false;
  auto last = store.GetFact(FullListingKey(route));
  if (!last || !*last) return true;
  auto at = ParseIsoInstant(**last);
  return !at || clock.Now() - *at >= std::chrono::hours(hours);
}

SyncEngine::Impl::CursorState SyncEngine::Impl::LoadCursor(const std::string& route) {
  CursorState c;
  auto cursor = store.GetCursor(route);
  if (cursor && *cursor) c.text = (*cursor)->value;
  if (options.since) {
    c.since = *options.since;  // every record of the period, those read before included
    if (cursor && *cursor) {
      if (auto t = ParseIsoInstant((*cursor)->value)) c.floor = *t;
    }
    return c;
  }
  if (FullListingDue(route)) {
    c.full = true;  // from the beginning; the saved cursor still never moves back
    if (cursor && *cursor) {
      if (auto t = ParseIsoInstant((*cursor)->value)) c.floor = *t;
    }
    return c;
  }
  if (cursor && *cursor) {
    c.text = (*cursor)->value;
    if (auto t = ParseIsoInstant((*cursor)->value)) c.since = *t;
    c.read.insert((*cursor)->boundary_ids.begin(), (*cursor)->boundary_ids.end());
  }
  return c;
}

}  // namespace ponte
