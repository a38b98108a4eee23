// The public face of the delivery engine: running routes (with their locks), rebuilding the
// de/para from the systems, and delivering one record. The steps live in engine_*.cc, on the
// state in internal/engine_impl.h.

#include "sync/engine.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/internal_id.h"
#include "core/log.h"
#include "store/facts.h"
#include "sync/received.h"
#include "sync/internal/engine_impl.h"

namespace ponte {

std::string TicketOriginId(const std::string& source_message, const std::string& id) {
  std::vector<std::string> parts = {source_message, id};
  return ComposeInternalId(parts).value_or(source_message + "|" + id);
}

std::optional<SystemRef> SyncEngine::Impl::TicketOriginOfReference(const std::string& reference) {
  if (!reference.starts_with("[ponte ") || !reference.ends_with("]")) return std::nullopt;
  const std::string inner = reference.substr(7, reference.size() - 8);
  const auto first = inner.find(':');
  const auto second = first == std::string::npos ? std::string::npos : inner.find(':', first + 1);
  if (second == std::string::npos) return std::nullopt;
  return SystemRef{inner.substr(0, first),
                   TicketOriginId(inner.substr(first + 1, second - first - 1), inner.substr(second + 1))};
}

SyncEngine::SyncEngine(const Config& config, Store& store, SystemsByName systems, CallCounter& calls,
                       const Clock& clock, EngineOptions options)
    : impl_(std::make_unique<Impl>(Impl{config, store, std::move(systems), calls, clock, std::move(options)})) {
  if (impl_->options.worker.empty()) impl_->options.worker = ThisWorkerName();
  if (!impl_->options.dry_run) {
    impl_->leases = std::make_unique<LeaseKeeper>(store, impl_->options.worker,
                                                  std::chrono::seconds(config.delivery.lease_seconds), clock);
    impl_->FillNaturalKeysOfOlderDeliveries();
  }
}

SyncEngine::~SyncEngine() = default;

RouteReport SyncEngine::RunRoute(const std::string& route) {
  RouteReport r = impl_->NewReport(route);
  if (!r.ran) return r;
  impl_->halted = false;  // each route finds out for itself (an open circuit answers at once)
  const int64_t calls_before = impl_->calls.Total();
  Store& store = impl_->store;
  const std::string& worker = impl_->options.worker;
  const bool writes = !impl_->options.dry_run;
  if (writes) (void)store.Heartbeat(worker, impl_->clock.Now());
  // One worker at a time reads the route's source; the others only deliver what is due.
  auto locked = writes ? store.TryLockRoute(route, worker, impl_->clock.Now(), Impl::kRouteLockLease) : Result<bool>(true);
  if (!locked) {
    impl_->Failure(r, locked.error());
  } else if (!*locked) {
    r.polled_elsewhere = true;
    impl_->RunPending(r, route);
  } else {
    if (impl_->config.routes.at(route).message == kTicketTransaction) {
      impl_->TicketsRoute(r, route);
    } else {
      impl_->CustomersBetween(r, route);
    }
    if (writes) (void)store.UnlockRoute(route, worker);
    if (writes && r.complete && r.error.empty()) (void)SaveCompleteRun(store, route, impl_->clock.Now());
    // Shared work: deliver what the listing journaled, side by side with the other workers.
    if (impl_->options.share_work) impl_->RunPending(r, route);
  }
  r.api_calls = impl_->calls.Total() - calls_before;
  LogRouteRun(r);
  return r;
}

std::vector<RouteReport> SyncEngine::RunAll() {
  impl_->indexed.clear();  // fresh knowledge of every system for each full run
  impl_->tags_by_route.clear();
  impl_->undated_listings.clear();
  // What was pushed and kept (by this process before a crash, or by `ponte serve`) goes first:
  // each route's report then counts it with what its listing found.
  std::map<std::string, RouteReport> pushed;
  for (auto& r : DeliverInbox()) pushed[r.route] = std::move(r);
  std::vector<RouteReport> out;
  for (const auto& route : RouteOrder(impl_->config)) {
    if (impl_->StopAsked()) break;
    auto r = RunRoute(route);
    if (auto p = pushed.find(route); p != pushed.end()) {
      MergeReport(r, p->second);
      pushed.erase(p);
    }
    if (!r.ran) continue;
    if (impl_->options.route_finished) impl_->options.route_finished(r);
    out.push_back(std::move(r));
  }
  for (auto& [route, r] : pushed) out.push_back(std::move(r));  // a route a stop cut short
  return out;
}

SyncEngine::RebuildReport SyncEngine::RebuildDePara() {
  RebuildReport out;
  Impl& im = *impl_;
  const int64_t calls_before = im.calls.Total();
  auto done = [&]() -> RebuildReport {
    out.api_calls = im.calls.Total() - calls_before;
    return out;
  };
  // Every system a customer route reads or writes, in the routes' order.
  std::vector<CustomerSystem*> systems;
  for (const auto& route : RouteOrder(im.config)) {
    const RouteConfig& rc = im.config.routes.at(route);
    if (rc.message != kCustomerVendorTransaction) continue;
    for (const auto& name : {rc.from, rc.to}) {
      auto system = im.SystemNamed(name);
      if (system && std::find(systems.begin(), systems.end(), *system) == systems.end()) systems.push_back(*system);
    }
  }
  // One whole listing of each, into the index; then the customers of one document in several
  // systems are linked to the first system's record.
  std::map<std::string, std::vector<std::pair<CustomerSystem*, SourceRecord<CustomerVendor>>>> by_document;
  for (CustomerSystem* system : systems) {
    auto listing = system->CustomersChangedSince(std::nullopt);
    if (!listing) {
      out.error = listing.error().ToString();
      return done();
    }
    out.complete = out.complete && listing->complete;
    im.Index(system->name(), *listing, [system](const CustomerVendor& cv) { return system->ContentHash(cv); });
    for (auto& rec : listing->records) {
      if (!rec.record.document) continue;
      auto& found = by_document[rec.record.document->canonical];
      const bool seen_here = std::any_of(found.begin(), found.end(), [&](const auto& f) { return f.first == system; });
      if (!seen_here) found.emplace_back(system, std::move(rec));
    }
  }
  for (const auto& [doc, found] : by_document) {
    const auto& [first_system, first] = found.front();
    const SystemRef anchor{first_system->name(), first.internal_id};
    for (size_t i = 1; i < found.size(); ++i) {
      const auto& [system, rec] = found[i];
      const SystemRef ref{system->name(), rec.internal_id};
      if (auto linked = im.store.Lookup(Impl::kCustomer, ref, anchor.system); linked && *linked) continue;
      // Each side keeps the hash of its own version, as a delivery that links leaves them: the
      // next sync finds both in sync and writes nothing.
      if (!im.store.Link(Impl::kCustomer, anchor, ref, {doc, first_system->ContentHash(first.record), "rebuild"})) {
        ++out.conflicts;
        continue;
      }
      (void)im.store.UpdateLinkInfo(Impl::kCustomer, ref, {doc, system->ContentHash(rec.record), "rebuild"});
      if (!rec.token.empty()) im.MergeAttributes(ref, {{"token", rec.token}});
      ++out.customers_linked;
    }
  }
  // Tickets, by ponte's reference in them, in every system a ticket route writes.
  std::set<std::string> targets;
  for (const auto& route : RouteOrder(im.config)) {
    const RouteConfig& rc = im.config.routes.at(route);
    auto target = im.systems.ticket_targets.find(rc.to);
    if (rc.message != kTicketTransaction || target == im.systems.ticket_targets.end()) continue;
    if (!targets.insert(rc.to).second) continue;
    auto tickets = im.LinkTicketsByReference(*target->second, "rebuild");
    if (!tickets) {
      out.error = tickets.error().ToString();
      return done();
    }
    out.tickets_linked += tickets->linked;
    out.conflicts += tickets->conflicts;
  }
  return done();
}

void SyncEngine::Retire() {
  if (impl_->options.dry_run) return;
  (void)impl_->store.ReleaseClaims(impl_->options.worker);
  (void)impl_->store.RemoveWorker(impl_->options.worker);
}

RouteReport SyncEngine::RunDue(const std::string& route) {
  RouteReport r = impl_->NewReport(route);
  if (!r.ran) return r;
  const int64_t calls_before = impl_->calls.Total();
  impl_->RunPending(r, route);
  r.api_calls = impl_->calls.Total() - calls_before;
  return r;
}

std::vector<RouteReport> SyncEngine::DeliverReceived(const std::string& system, const std::string& business_content) {
  Impl& im = *impl_;
  std::vector<RouteReport> out;
  auto source = im.SystemNamed(system);
  auto rec = ReadPushedCustomer(system, nlohmann::json::parse(business_content, nullptr, false));
  for (const auto& route : RouteOrder(im.config)) {
    const RouteConfig& rc = im.config.routes.at(route);
    if (rc.from != system || rc.message != kCustomerVendorTransaction || !rc.enabled) continue;
    RouteReport r = im.NewReport(route);
    const int64_t calls_before = im.calls.Total();
    // Pushed at any time: the target's index may be stale, so the customer is looked up.
    im.indexed[rc.to] = false;
    if (!source) {
      im.Failure(r, source.error());
    } else if (!rec) {
      // The receiver refuses what this refuses; a message kept before an upgrade may still be.
      r.read = 1;
      im.Skip(r, route, {system, ""}, "not a deliverable customer", rec.error().message);
    } else {
      r.read = 1;
      im.OfferCustomer(r, route, **source, *rec);
    }
    r.api_calls = im.calls.Total() - calls_before;
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<std::string> SyncEngine::Impl::RouteOfPush(const std::string& system, const std::string& entity_set) {
  for (const auto& name : RouteOrder(config)) {
    const RouteConfig& rc = config.routes.at(name);
    if (!rc.enabled || rc.from != system) continue;
    if (rc.message == kCustomerVendorTransaction) {
      auto source = SystemNamed(system);
      if (source && (*source)->PushedEntitySet() == entity_set) return name;
    } else if (auto on = TicketSystemsOf(name); on && on->source->PushedEntitySet(rc.records) == entity_set) {
      return name;
    }
  }
  return std::nullopt;
}

RouteReport SyncEngine::DeliverOne(const std::string& system, const std::string& entity_set, const std::string& id,
                                   const std::string& record) {
  RouteReport r;
  const int64_t calls_before = impl_->calls.Total();
  const auto fed = impl_->RouteOfPush(system, entity_set);
  if (!fed) return r;
  const std::string route = *fed;
  const RouteConfig& rc = impl_->config.routes.at(route);
  // A webhook comes at any time, long after the last listing of the target: its index may be
  // stale, so every customer is looked up by document before one is created (one lookup,
  // instead of a whole listing per event).
  impl_->indexed[rc.to] = false;
  if (rc.message == kCustomerVendorTransaction) {
    r.route = route;
    r.ran = true;
    auto source = impl_->SystemNamed(rc.from);
    auto contact = source ? (*source)->ReadCustomer(id) : Result<std::optional<SourceRecord<CustomerVendor>>>(Fail(source.error()));
    if (!contact && contact.error().code == ErrorCode::kInvalidArgument) {
      // The record is readable but has no usable document: the same skip a poll records.
      r.read = 1;
      impl_->Skip(r, r.route, {rc.from, id}, "no valid CPF/CNPJ", contact.error().message);
    } else if (!contact) {
      impl_->Failure(r, contact.error());
    } else if (*contact) {
      r.read = 1;
      impl_->OfferCustomer(r, route, **source, **contact);
    }
  } else {
    r.route = route;
    r.ran = true;
    auto on = impl_->TicketSystemsOf(route);
    auto tag_map = on ? impl_->Tags(route) : Result<TagMap>(Fail(on.error()));
    if (!tag_map) {
      impl_->Failure(r, tag_map.error());
    } else {
      auto candidate = on->source->CandidateFromEvent(rc.records, id, record, *tag_map);
      if (!candidate) {
        impl_->Failure(r, candidate.error());
      } else if (*candidate) {
        r.read = 1;
        impl_->TicketFromCandidate(r, route, **candidate);
      }
    }
  }
  r.api_calls = impl_->calls.Total() - calls_before;
  return r;
}

}  // namespace ponte
