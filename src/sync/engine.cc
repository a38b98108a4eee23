// The public face of the delivery engine: running routes (with their locks), rebuilding the
// de/para from the systems, and delivering one record. The steps live in engine_*.cc, on the
// state in internal/engine_impl.h.

#include "sync/engine.h"

#include <unistd.h>

#include <fmt/format.h>

#include "core/internal_id.h"
#include "core/log.h"
#include "store/facts.h"
#include "connectors/milvus/milvus_mapping.h"
#include "connectors/ploomes/ploomes_mapping.h"
#include "sync/internal/engine_impl.h"

namespace ponte {
namespace {

std::string DefaultWorker() {
  char host[256] = "host";
  gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}", host, getpid());
}

}  // namespace

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

SyncEngine::SyncEngine(const Config& config, Store& store, ploomes::PloomesConnector& ploomes,
                       milvus::MilvusConnector& milvus, CallCounter& calls, const Clock& clock,
                       EngineOptions options, SystemsByName systems)
    : impl_(std::make_unique<Impl>(
          Impl{config, store, ploomes, milvus, calls, clock, std::move(options), std::move(systems)})) {
  if (impl_->options.worker.empty()) impl_->options.worker = DefaultWorker();
  if (!impl_->options.dry_run) {
    impl_->leases = std::make_unique<LeaseKeeper>(store, impl_->options.worker,
                                                  std::chrono::seconds(config.delivery.lease_seconds), clock);
  }
  impl_->LoadWritesInDoubt();
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
    if (route == kRouteCustomersToMilvus) {
      impl_->CustomersToMilvus(r);
    } else if (route == kRouteCustomersToPloomes) {
      impl_->CustomersToPloomes(r);
    } else if (route == kRouteTasks) {
      impl_->TicketsRoute(r, route, "Task");
    } else if (route == kRouteInteractions) {
      impl_->TicketsRoute(r, route, "InteractionRecord");
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
  impl_->milvus_index_loaded = false;  // fresh knowledge of Milvus for each full run
  impl_->milvus_listing.reset();
  impl_->ploomes_index_fresh = false;
  impl_->tags_by_route.clear();
  impl_->hub_indexed.clear();
  impl_->undated_listings.clear();
  impl_->LoadWritesInDoubt();
  std::vector<RouteReport> out;
  for (const auto& route : RouteOrder(impl_->config)) {
    if (impl_->options.stop_requested && impl_->options.stop_requested()) break;
    auto r = RunRoute(route);
    if (!r.ran) continue;
    if (impl_->options.route_finished) impl_->options.route_finished(r);
    out.push_back(std::move(r));
  }
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
  auto clients = im.milvus.ListClients(/*exhaustive=*/true);
  if (!clients) {
    out.error = clients.error().ToString();
    return done();
  }
  auto contacts = im.ploomes.ContactsChangedSince(std::nullopt);
  if (!contacts) {
    out.error = contacts.error().ToString();
    return done();
  }
  out.complete = clients->complete && contacts->complete;
  im.Index("milvus", *clients, milvus::CustomerHash);
  im.Index("ploomes", *contacts, ploomes::CustomerHash);
  std::map<std::string, const SourceRecord<CustomerVendor>*> contact_by_document;
  for (const auto& c : contacts->records) {
    if (c.record.document) contact_by_document.emplace(c.record.document->canonical, &c);
  }
  for (const auto& m : clients->records) {
    if (!m.record.document) continue;
    const std::string doc = m.record.document->canonical;
    auto it = contact_by_document.find(doc);
    if (it == contact_by_document.end()) continue;
    const SystemRef ploomes_ref{"ploomes", it->second->internal_id}, milvus_ref{"milvus", m.internal_id};
    if (auto linked = im.store.Lookup(Impl::kCustomer, milvus_ref, "ploomes"); linked && *linked) continue;
    // Each side keeps the hash of its own version, as a delivery that links leaves them: the
    // next sync finds both in sync and writes nothing.
    if (!im.store.Link(Impl::kCustomer, ploomes_ref, milvus_ref, {doc, ploomes::CustomerHash(it->second->record), "rebuild"})) {
      ++out.conflicts;
      continue;
    }
    (void)im.store.UpdateLinkInfo(Impl::kCustomer, milvus_ref, {doc, milvus::CustomerHash(m.record), "rebuild"});
    if (!m.token.empty()) im.MergeAttributes(milvus_ref, {{"token", m.token}});
    ++out.customers_linked;
  }
  auto tickets = im.LinkTicketsByReference("rebuild");
  if (!tickets) {
    out.error = tickets.error().ToString();
    return done();
  }
  out.tickets_linked = tickets->linked;
  out.conflicts += tickets->conflicts;
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

RouteReport SyncEngine::DeliverOne(const std::string& entity_set, const std::string& id, const std::string& record) {
  RouteReport r;
  const int64_t calls_before = impl_->calls.Total();
  const std::string route = entity_set == "Contacts" ? kRouteCustomersToMilvus
                            : entity_set == "Tasks"  ? kRouteTasks
                                                     : kRouteInteractions;
  if (!impl_->config.routes.at(route).enabled) {
    r.route = route;
    return r;
  }
  // A webhook comes at any time, long after the last listing of Milvus: the document index may
  // be stale, so every client is looked up by document before one is created (one busca, instead
  // of a full listing per event).
  impl_->milvus_index_loaded = true;
  impl_->milvus_index_complete = false;
  if (entity_set == "Contacts") {
    r.route = kRouteCustomersToMilvus;
    r.ran = true;
    auto contact = impl_->ploomes.GetContact(id);
    if (!contact && contact.error().code == ErrorCode::kInvalidArgument) {
      // The record is readable but has no usable document: the same skip a poll records.
      r.read = 1;
      impl_->Skip(r, r.route, {"ploomes", id}, "no valid CPF/CNPJ", contact.error().message);
    } else if (!contact) {
      impl_->Failure(r, contact.error());
    } else if (*contact) {
      r.read = 1;
      auto& rec = **contact;
      // The route's cutoff holds on the webhook path as on polling: an old contact edited today is
      // not created in Milvus (one already linked there is still updated).
      const SystemRef origin{"ploomes", rec.internal_id};
      auto linked = impl_->store.Lookup(Impl::kCustomer, origin, "milvus");
      if (auto cutoff = impl_->Cutoff(route); cutoff && rec.created_at < *cutoff && !(linked && *linked)) {
        impl_->Skip(r, r.route, origin, "created before the cutoff",
                    fmt::format("created {} (local), before the cutoff {}", FormatDate(LocalDateOf(rec.created_at)),
                                impl_->config.routes.at(route).cutoff));
      } else {
        Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes", rec.record.ToBusinessContent());
        impl_->Process(r, {r.route, std::string(Impl::kCustomer), origin, "milvus", m.ToJson().dump(),
                           ploomes::CustomerHash(rec.record)});
      }
    }
  } else {
    const bool task = entity_set == "Tasks";
    r.route = task ? kRouteTasks : kRouteInteractions;
    r.ran = true;
    auto tag_map = impl_->Tags(r.route);
    if (!tag_map) {
      impl_->Failure(r, tag_map.error());
    } else {
      auto src = impl_->ploomes.TicketSourceFromWebhook(entity_set, id, record, *tag_map);
      if (!src) {
        impl_->Failure(r, src.error());
      } else if (*src) {
        r.read = 1;
        impl_->TicketFromSource(r, r.route, task ? "Task" : "InteractionRecord", **src);
      }
    }
  }
  r.api_calls = impl_->calls.Total() - calls_before;
  return r;
}

}  // namespace ponte
