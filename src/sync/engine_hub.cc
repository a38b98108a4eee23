// The hub's routes: customers (CustomerVendor) from one named system to another through the
// CustomerSystem interface. The engine knows the route, the journal and the de/para; what the
// systems are is the connectors' business.

#include "sync/internal/engine_impl.h"

#include <fmt/format.h>

#include "core/log.h"
#include "store/facts.h"

namespace ponte {

Result<std::unique_ptr<SyncEngine::Impl::CustomerLock>> SyncEngine::Impl::LockCustomer(const Delivery& d,
                                                                                     const std::string& system,
                                                                                     const std::string& doc) {
  if (!options.share_work || options.dry_run) return nullptr;
  const std::string name = "customer:" + system + ":" + doc;
  auto held = store.TryLockRoute(name, options.worker, clock.Now(), kRouteLockLease);
  if (!held) return Fail(held.error());
  auto lock = *held ? std::make_unique<CustomerLock>(store, name, options.worker) : nullptr;
  // Held elsewhere, or the customer was linked there while this delivery waited for it: come
  // back later (and update what the other worker linked).
  bool linked_meanwhile = false;
  if (lock) {
    auto members = store.Entity(kCustomer, d.intent.origin);
    if (!members) return Fail(members.error());
    linked_meanwhile = Member(*members, system) != nullptr;
  }
  if (!lock || linked_meanwhile) {
    return Fail(Error::Unavailable(fmt::format("another worker is writing the customer {} to {}", doc, system))
                    .WithSystem(std::string(kHeldByAnotherWorker)));
  }
  return lock;
}

Result<CustomerSystem*> SyncEngine::Impl::SystemNamed(const std::string& name) {
  auto it = systems.find(name);
  if (it == systems.end() || !it->second) {
    return Fail(Error::FailedPrecondition(
        fmt::format("no connector for the system '{}' in this run; declare it under [systems.{}] with its kind", name,
                    name)));
  }
  return it->second;
}

Result<Listing<CustomerVendor>> SyncEngine::Impl::CustomersOf(CustomerSystem& system, std::optional<Instant> since) {
  if (system.KeepsChangeDates()) return system.CustomersChangedSince(since);
  if (auto it = undated_listings.find(system.name()); it != undated_listings.end()) return it->second;
  auto listing = system.CustomersChangedSince(std::nullopt);
  if (listing) undated_listings[system.name()] = *listing;
  return listing;
}

Status SyncEngine::Impl::EnsureIndexOf(CustomerSystem& system) {
  if (hub_indexed.count(system.name())) return {};
  const std::string key = "index:" + system.name();
  if (IndexFresh(key)) {
    hub_indexed[system.name()] = true;
    return {};
  }
  std::optional<Instant> since;
  if (system.KeepsChangeDates()) {
    // The changes since the last whole listing keep the index whole.
    auto before = LoadListingState(store, key);
    if (!before) return Fail(before.error());
    if (*before && (*before)->complete) since = (*before)->at - kCreateClockSkew;
  }
  auto listing = CustomersOf(system, since);
  if (!listing) return Fail(listing.error());
  Index(system.name(), *listing, [&system](const CustomerVendor& cv) { return system.ContentHash(cv); });
  hub_indexed[system.name()] = listing->complete;
  SaveIndexState(key, listing->complete, listing->incomplete_reason, listing->records.size());
  return {};
}

void SyncEngine::Impl::CustomersBetween(RouteReport& r, const std::string& route) {
  const RouteConfig& rc = config.routes.at(route);
  auto from = SystemNamed(rc.from);
  if (!from) return Failure(r, from.error());
  auto to = SystemNamed(rc.to);
  if (!to) return Failure(r, to.error());
  CustomerSystem& source = **from;
  RunPending(r, route);
  CursorState cursor = LoadCursor(route);
  const bool dated = source.KeepsChangeDates();
  auto listing = CustomersOf(source, dated ? cursor.since : std::nullopt);
  if (!listing) return Failure(r, listing.error());
  const auto hash_of = [&source](const CustomerVendor& cv) { return source.ContentHash(cv); };
  Index(rc.from, *listing, hash_of);
  r.read = static_cast<int>(listing->records.size() + listing->skipped.size());
  if (!listing->complete) {
    // Records it could not see are records it cannot deliver: the run says so and fails.
    r.complete = false;
    r.records_unseen = true;
    r.incomplete_reason = listing->incomplete_reason;
  }
  for (const auto& s : listing->skipped) Skip(r, route, {rc.from, s.internal_id}, "no valid CPF/CNPJ", s.reason);
  if (auto s = EnsureIndexOf(**to); !s) return Failure(r, s.error());
  const auto cutoff = dated ? Cutoff(route) : std::nullopt;
  int done = 0;
  for (const auto& rec : listing->records) {
    if (Stopping(r)) return;  // the cursor stays where it was: nothing is skipped
    Progress(route, ++done, static_cast<int>(listing->records.size()));
    const SystemRef origin{rc.from, rec.internal_id};
    if (dated && ReadBefore(cursor, rec)) continue;
    const std::string hash = hash_of(rec.record);
    auto members = store.Entity(kCustomer, origin);
    const bool linked = members && Member(*members, rc.to);
    if (!linked && cutoff && rec.created_at < *cutoff) {
      Skip(r, route, origin, "created before the cutoff",
           fmt::format("created {} (local), before the cutoff {}", FormatDate(LocalDateOf(rec.created_at)), rc.cutoff));
      continue;
    }
    if (linked && TargetHas(*members, rc.from, rc.to, hash)) {
      Count(r, origin.ToString(), {Outcome::kUnchanged, "", "no change since the last sync"});
      continue;
    }
    Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, rc.from, rec.record.ToBusinessContent());
    Process(r, {route, std::string(kCustomer), origin, rc.to, m.ToJson().dump(), hash});
  }
  if (dated) SaveCursor(r, route, cursor, *listing);
}

Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::DeliverCustomerTo(const Delivery& d, const Message& m,
                                                                        const CustomerVendor& cv) {
  const std::string& to_name = d.intent.target_system;
  auto to = SystemNamed(to_name);
  if (!to) return Fail(to.error());
  CustomerSystem& target = **to;
  const SystemRef& origin = d.intent.origin;
  const std::string doc = cv.document->canonical;
  auto members = store.Entity(kCustomer, origin);
  if (!members) return Fail(members.error());
  const LinkRow* linked = Member(*members, to_name);
  Delivered out;
  std::string attributes = "{}";
  std::unique_ptr<CustomerLock> hold;  // until the link is written
  if (linked) {
    if (options.dry_run) return Delivered{Outcome::kUpdated, linked->ref.internal_id, "would update the customer in " + to_name};
    PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
    auto written = target.WriteCustomer(m, LinkedRecord{linked->ref.internal_id, linked->attributes});
    if (!written) return Fail(written.error());
    out = {Outcome::kUpdated, written->internal_id, "customer updated in " + to_name, written->content_hash};
    attributes = written->attributes;
  } else {
    auto held = LockCustomer(d, to_name, doc);
    if (!held) return Fail(held.error());
    hold = std::move(*held);
    PONTE_RETURN_IF_ERROR(EnsureIndexOf(target));
    // Reconcile first: a customer with this document may be there (seen by the index, or
    // written by an attempt that crashed before it was recorded).
    const auto known = KnownCustomer(doc, to_name);
    std::optional<std::string> existing;
    std::string existing_hash;
    if (known) {
      existing = known->ref.internal_id;
      existing_hash = known->info.content_hash;
    }
    if (InDoubt(d, to_name, doc) || !hub_indexed[to_name]) {
      auto found = target.FindCustomers(*cv.document);
      if (!found) return Fail(found.error());
      if (!found->empty() && (!existing || *existing != found->front())) {
        existing = found->front();
        auto read = target.ReadCustomer(*existing);
        if (!read) return Fail(read.error());
        existing_hash = *read ? target.ContentHash((*read)->record) : "";
      }
    }
    if (existing) {
      if (options.dry_run) return Delivered{Outcome::kLinked, *existing, "would link to the customer with this CPF/CNPJ in " + to_name};
      auto adopted = target.AdoptCustomer(*existing, m);
      if (!adopted) return Fail(adopted.error());
      out = {Outcome::kLinked, *existing, fmt::format("already in {} (same CPF/CNPJ): linked", to_name), existing_hash};
      attributes = *adopted;
    } else {
      if (options.dry_run) return Delivered{Outcome::kCreated, "", "would create the customer in " + to_name};
      PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
      writes_in_doubt.insert({to_name, doc});
      auto written = target.WriteCustomer(m, std::nullopt);
      if (!written) return Fail(written.error());
      out = {Outcome::kCreated, written->internal_id, "customer created in " + to_name, written->content_hash};
      attributes = written->attributes;
    }
  }
  PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {to_name, out.target_id}, {doc, out.target_hash, d.intent.route},
                                               clock.Now()));
  writes_in_doubt.erase({to_name, doc});
  RecordVersions({to_name, out.target_id}, origin.system, d.intent.content_hash,
                 out.outcome == Outcome::kLinked ? "" : out.target_hash, attributes);
  return out;
}

}  // namespace ponte
