// The customer routes: customers (CustomerVendor) from one system to another through the
// CustomerSystem interface, the four default routes' two and the hub's alike. The engine knows
// the route, the journal and the de/para; what the systems are is the connectors' business.

#include "sync/internal/engine_impl.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/crash_point.h"
#include "core/log.h"
#include "store/facts.h"

namespace ponte {

Result<std::unique_ptr<SyncEngine::Impl::CustomerLock>> SyncEngine::Impl::LockCustomer(const Delivery& d,
                                                                                     const std::string& system,
                                                                                     const std::string& doc) {
  if (!options.share_work || options.dry_run) return nullptr;
  const std::string name = std::string(kCustomerLockPrefix) + system + ":" + doc;
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
  auto it = systems.customers.find(name);
  if (it == systems.customers.end() || !it->second) {
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

Status SyncEngine::Impl::EnsureIndexOf(CustomerSystem& system, size_t lookups_ahead) {
  if (indexed.count(system.name())) return {};
  const std::string key = IndexKey(system.name());
  if (IndexFresh(key)) {
    indexed[system.name()] = true;
    return {};
  }
  std::optional<Instant> since;
  if (system.KeepsChangeDates()) {
    // The changes since the last whole listing keep the index whole.
    auto before = LoadListingState(store, key);
    if (!before) return Fail(before.error());
    if (*before && (*before)->complete) since = (*before)->at - kCreateClockSkew;
  }
  const auto cached = undated_listings.find(system.name());
  auto listing = cached != undated_listings.end() ? Result<Listing<CustomerVendor>>(cached->second)
                                                  : system.CustomersToIndex(since, lookups_ahead);
  if (!listing) return Fail(listing.error());
  Index(system.name(), *listing, [&system](const CustomerVendor& cv) { return system.ContentHash(cv); });
  indexed[system.name()] = listing->complete;
  SaveIndexState(key, listing->complete, listing->incomplete_reason, listing->records.size());
  // A whole listing of a system without change dates is the one its routes read in this run.
  if (!system.KeepsChangeDates() && listing->complete) undated_listings[system.name()] = std::move(*listing);
  return {};
}

void SyncEngine::Impl::IndexSource(CustomerSystem& source, const Listing<CustomerVendor>& listing, bool read_all) {
  Index(source.name(), listing, [&source](const CustomerVendor& cv) { return source.ContentHash(cv); });
  const std::string key = IndexKey(source.name());
  bool whole = listing.complete;
  if (source.KeepsChangeDates() && !read_all) {
    // Changes since the cursor keep an index whole that was.
    auto before = LoadListingState(store, key);
    whole = whole && before && *before && (*before)->complete;
  }
  SaveIndexState(key, whole, whole ? "" : (listing.complete ? "no whole listing yet" : listing.incomplete_reason),
                 listing.records.size());
  // Not whole: a later EnsureIndexOf lists what the index lacks (a dated source), or the
  // customers it does not know are looked up (a listing of all that could not see all).
  if (whole || !source.KeepsChangeDates()) indexed[source.name()] = whole;
}

void SyncEngine::Impl::SettleLateAttributes(CustomerSystem& system, const std::vector<AwaitedRecord>& also,
                                            bool thorough) {
  auto& due = attributes_due[system.name()];
  std::vector<AwaitedRecord> records = std::move(due);
  due.clear();
  std::set<std::string> asked;
  for (const auto& r : records) asked.insert(r.internal_id);
  for (const auto& r : also) {
    if (asked.insert(r.internal_id).second) records.push_back(r);
  }
  if (records.empty() || options.dry_run) return;
  auto answered = system.LateAttributes(records, thorough);
  if (!answered) return;  // each record's user (a ticket) then asks for its own
  CrashPoint("attributes.before_save");
  for (const auto& [id, attributes] : *answered) {
    auto patch = nlohmann::json::parse(attributes, nullptr, false);
    if (patch.is_object()) MergeAttributes({system.name(), id}, patch);
  }
}

void SyncEngine::Impl::CustomersBetween(RouteReport& r, const std::string& route) {
  const RouteConfig& rc = config.routes.at(route);
  auto from = SystemNamed(rc.from);
  if (!from) return Failure(r, from.error());
  auto to = SystemNamed(rc.to);
  if (!to) return Failure(r, to.error());
  CustomerSystem& source = **from;
  CustomerSystem& target = **to;
  RunPending(r, route);
  CursorState cursor = LoadCursor(route);
  const bool dated = source.KeepsChangeDates();
  auto listing = CustomersOf(source, dated ? cursor.since : std::nullopt);
  if (!listing) return Failure(r, listing.error());
  // Every customer read goes to the index (those before the cutoff too).
  IndexSource(source, *listing, !dated || cursor.full);
  r.read = static_cast<int>(listing->records.size() + listing->skipped.size());
  if (!listing->complete) {
    // Records it could not see are records it cannot deliver: the run says so and fails.
    r.complete = false;
    r.records_unseen = true;
    r.incomplete_reason = listing->incomplete_reason;
  }
  if (!options.dry_run) {
    (void)SaveListingState(store, {route, listing->complete, listing->incomplete_reason,
                                   static_cast<int>(listing->records.size() + listing->skipped.size()), clock.Now()});
  }
  for (const auto& s : listing->skipped) Skip(r, route, {rc.from, s.internal_id}, "no valid CPF/CNPJ", s.reason);
  // No cutoff: none is before it (a source without creation dates has none).
  const Instant cutoff = (dated ? Cutoff(route) : std::nullopt).value_or(Instant::min());
  // How many customers the target's index will be asked about (not linked there yet): a
  // system whose whole listing is dear lists it all only when that costs less than the lookups.
  size_t lookups_ahead = 0;
  for (const auto& rec : listing->records) {
    if (rec.created_at < cutoff) continue;
    auto members = store.Entity(kCustomer, {rc.from, rec.internal_id});
    lookups_ahead += members && !Member(*members, rc.to);
  }
  if (auto s = EnsureIndexOf(target, lookups_ahead); !s) return Failure(r, s.error());
  int done = 0;
  for (const auto& rec : listing->records) {
    if (Stopping(r)) return;  // the cursor stays where it was: nothing is skipped
    Progress(route, ++done, static_cast<int>(listing->records.size()));
    if (dated && ReadBefore(cursor, rec)) continue;
    OfferCustomer(r, route, source, rec);
  }
  CrashPoint("cursor.before_save");
  if (dated) SaveCursor(r, route, cursor, *listing);
  // What the target tells only after its writes (a new client's token), for every record this
  // route wrote, at once. A listing of the target taken before the writes still serves a route
  // out of it: it holds them (KeepListingCurrent).
  SettleLateAttributes(target);
}

void SyncEngine::Impl::OfferCustomer(RouteReport& r, const std::string& route, CustomerSystem& source,
                                      const SourceRecord<CustomerVendor>& rec) {
  const RouteConfig& rc = config.routes.at(route);
  const SystemRef origin{source.name(), rec.internal_id};
  if (!rec.record.document) {
    return Skip(r, route, origin, "no valid CPF/CNPJ", "the customer has no CPF/CNPJ");
  }
  const std::string hash = source.ContentHash(rec.record);
  auto members = store.Entity(kCustomer, origin);
  const bool linked = members && Member(*members, rc.to);
  // The cutoff keeps a first sync from creating every customer of past years; one already
  // linked is still updated. A source without creation dates has no cutoff.
  if (auto cutoff = source.KeepsChangeDates() ? Cutoff(route) : std::nullopt;
      cutoff && !linked && rec.created_at < *cutoff) {
    return Skip(r, route, origin, "created before the cutoff",
                fmt::format("created {} (local), before the cutoff {}", FormatDate(LocalDateOf(rec.created_at)),
                            rc.cutoff));
  }
  if (linked && TargetHas(*members, source.name(), rc.to, hash)) {
    return Count(r, origin.ToString(), {Outcome::kUnchanged, "", "no change since the last sync"});
  }
  Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, source.name(), rec.record.ToBusinessContent());
  Process(r, {route, std::string(kCustomer), origin, rc.to, m.ToJson().dump(), hash, rec.record.document->canonical});
}

Result<bool> SyncEngine::Impl::CustomerWriteInDoubt(const Delivery& d, const std::string& system,
                                                    const std::string& doc) {
  bool in_doubt = MayHaveLanded(d);
  if (options.dry_run) return in_doubt;
  auto others = store.WritesInDoubt(system, doc, clock.Now(), Settle());
  if (!others) return Fail(others.error());
  for (const auto& other : *others) {
    if (other.id == d.id) continue;
    // Claimed by another worker: it is writing the customer now. Not settled: a write it sent
    // may still land. Either way this delivery waits, uncounted, and finds it linked later (or,
    // once it settled, looks for what it left).
    const bool writing = !other.claimed_by.empty() && other.claimed_by != options.worker;
    if (writing || other.settles_at > clock.Now()) {
      Error e = Error::Unavailable(fmt::format("a write of the customer {} to {} (delivery {}) may still land", doc,
                                               system, other.id))
                    .WithSystem(std::string(kHeldByAnotherWorker));
      if (!writing) {
        e.retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(other.settles_at - clock.Now());
      }
      return Fail(std::move(e));
    }
    in_doubt = true;  // it settled: whatever it wrote is there to be found
  }
  return in_doubt;
}

Result<std::optional<SyncEngine::Impl::Existing>> SyncEngine::Impl::FindExisting(CustomerSystem& target,
                                                                                  const Delivery& d,
                                                                                  const Message& m,
                                                                                  const Document& doc, bool in_doubt) {
  const std::string& name = target.name();
  std::optional<Existing> existing;
  const auto known = KnownCustomer(doc.canonical, name);
  if (known) existing = Existing{known->ref.internal_id, known->info.content_hash, ""};
  if (!in_doubt && indexed[name]) return existing;  // a whole index answers it
  auto found = target.FindCustomers(doc);
  if (!found) return Fail(found.error());
  if (found->empty() && in_doubt) {
    // An earlier attempt may have written half of the record before it was cut off.
    auto recovered = target.RecoverInterruptedWrite(m, d.created_at - kCreateClockSkew);
    if (!recovered) return Fail(recovered.error());
    if (*recovered) found->push_back(std::move(**recovered));
  }
  // Nothing found: a listing saw the customer, but the system's own search does not find it by
  // any form of the document ponte can ask for (typed some other way); the listing's word is
  // enough to link.
  if (found->empty()) return existing;
  const auto& rec = found->front();
  return Existing{rec.internal_id, target.ContentHash(rec.record), rec.token};
}

Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::DeliverCustomerTo(const Delivery& d, const Message& m,
                                                                        const CustomerVendor& cv) {
  const std::string& to_name = d.intent.target_system;
  auto to = SystemNamed(to_name);
  if (!to) return Fail(to.error());
  CustomerSystem& target = **to;
  const std::string noun(target.record_noun());
  const SystemRef& origin = d.intent.origin;
  const std::string doc = cv.document->canonical;
  auto members = store.Entity(kCustomer, origin);
  if (!members) return Fail(members.error());
  const LinkRow* linked = Member(*members, to_name);
  Delivered out;
  std::string attributes = "{}";
  bool attributes_later = false;
  std::unique_ptr<CustomerLock> hold;  // until the link is written
  if (linked) {
    if (options.dry_run) return Delivered{Outcome::kUpdated, linked->ref.internal_id, fmt::format("would update the {} in {}", noun, to_name)};
    PONTE_RETURN_IF_ERROR(BeginAttempt(d, "customer.before_write"));
    auto written = target.WriteCustomer(m, LinkedRecord{linked->ref.internal_id, linked->attributes});
    if (!written) return Fail(written.error());
    CrashPoint("customer.after_write");
    out = {Outcome::kUpdated, written->internal_id, fmt::format("{} updated in {}", noun, to_name), written->content_hash};
    attributes = written->attributes;
  } else {
    auto held = LockCustomer(d, to_name, doc);
    if (!held) return Fail(held.error());
    hold = std::move(*held);
    auto in_doubt = CustomerWriteInDoubt(d, to_name, doc);
    if (!in_doubt) return Fail(in_doubt.error());
    PONTE_RETURN_IF_ERROR(EnsureIndexOf(target));
    // Reconcile first: a customer with this document may be there (seen by the index, or
    // written by an attempt that crashed before it was recorded).
    auto existing = FindExisting(target, d, m, *cv.document, *in_doubt);
    if (!existing) return Fail(existing.error());
    if (*existing) {
      const std::string& id = (*existing)->internal_id;
      if (options.dry_run) return Delivered{Outcome::kLinked, id, fmt::format("would link to the {} with this CPF/CNPJ in {}", noun, to_name)};
      auto adopted = target.AdoptCustomer(id, m);
      if (!adopted) return Fail(adopted.error());
      CrashPoint("customer.after_adopt");
      out = {Outcome::kLinked, id, fmt::format("already in {} (same CPF/CNPJ): linked", to_name), (*existing)->content_hash};
      attributes = *adopted;
      if (!(*existing)->token.empty()) {
        auto with_token = nlohmann::json::parse(attributes, nullptr, false);
        if (!with_token.is_object()) with_token = nlohmann::json::object();
        with_token["token"] = (*existing)->token;
        attributes = with_token.dump();
      }
    } else {
      if (options.dry_run) return Delivered{Outcome::kCreated, "", fmt::format("would create the {} in {}", noun, to_name)};
      PONTE_RETURN_IF_ERROR(BeginAttempt(d, "customer.before_write"));
      auto written = target.WriteCustomer(m, std::nullopt);
      if (!written) return Fail(written.error());
      CrashPoint("customer.after_write");
      out = {Outcome::kCreated, written->internal_id, fmt::format("{} created in {}", noun, to_name), written->content_hash};
      attributes = written->attributes;
      attributes_later = written->attributes_later;
    }
  }
  PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {to_name, out.target_id}, {doc, out.target_hash, d.intent.route},
                                               clock.Now()));
  CrashPoint("customer.after_link");
  RecordVersions({to_name, out.target_id}, origin.system, d.intent.content_hash,
                 out.outcome == Outcome::kLinked ? "" : out.target_hash, attributes);
  if (attributes_later) attributes_due[to_name].push_back({out.target_id, *cv.document});
  if (out.outcome != Outcome::kLinked) KeepListingCurrent(target, out.target_id, cv, out.target_hash);
  return out;
}

void SyncEngine::Impl::KeepListingCurrent(CustomerSystem& system, const std::string& internal_id,
                                          const CustomerVendor& cv, const std::string& written_hash) {
  auto listing = undated_listings.find(system.name());
  if (listing == undated_listings.end()) return;
  SourceRecord<CustomerVendor> written;
  written.record = cv;
  written.record.internal_id = internal_id;
  written.internal_id = internal_id;
  if (system.ContentHash(written.record) != written_hash) {
    // The system keeps the record otherwise than it was sent: only a new listing tells how.
    undated_listings.erase(listing);
    return;
  }
  auto& records = listing->second.records;
  auto same = std::find_if(records.begin(), records.end(), [&](const auto& r) { return r.internal_id == internal_id; });
  if (same == records.end()) {
    records.push_back(std::move(written));
  } else {
    written.token = same->token;
    *same = std::move(written);
  }
}

}  // namespace ponte
