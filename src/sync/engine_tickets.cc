// The ticket routes: records of one system that carry a route's tags (a CRM's tasks and
// interactions) become tickets in another, each on the target's customer of the record's
// customer, created or linked first.

#include "sync/internal/engine_impl.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/crash_point.h"
#include "core/document.h"
#include "core/log.h"
#include "core/internal_id.h"
#include "store/facts.h"

namespace ponte {

Result<SyncEngine::Impl::TicketSystems> SyncEngine::Impl::TicketSystemsOf(const std::string& route) {
  const RouteConfig& rc = config.routes.at(route);
  TicketSystems out;
  auto source = systems.ticket_sources.find(rc.from);
  auto target = systems.ticket_targets.find(rc.to);
  if (source == systems.ticket_sources.end() || target == systems.ticket_targets.end()) {
    return Fail(Error::FailedPrecondition(fmt::format(
        "the route {} carries tickets from {} to {}, and this run has no ticket connector for {}", route, rc.from,
        rc.to, source == systems.ticket_sources.end() ? rc.from : rc.to)));
  }
  out.source = source->second;
  out.target = target->second;
  auto from = SystemNamed(rc.from);
  if (!from) return Fail(from.error());
  auto to = SystemNamed(rc.to);
  if (!to) return Fail(to.error());
  out.source_customers = *from;
  out.target_customers = *to;
  return out;
}

// The customer route the customer of a ticket travels on: the one between the ticket route's
// two systems, when the configuration has it (its retries then carry it), else the ticket route.
static std::string CustomerRouteFor(const Config& config, const std::string& ticket_route) {
  const RouteConfig& rc = config.routes.at(ticket_route);
  for (const auto& route : RouteOrder(config)) {
    const RouteConfig& c = config.routes.at(route);
    if (c.message == kCustomerVendorTransaction && c.from == rc.from && c.to == rc.to) return route;
  }
  return ticket_route;
}

Result<SyncEngine::Impl::CustomerForTicket> SyncEngine::Impl::EnsureCustomer(const std::string& route,
                                                                           const std::string& customer_id,
                                                                           RouteReport& r, bool need_key) {
  auto on = TicketSystemsOf(route);
  if (!on) return Fail(on.error());
  const std::string& from = on->source_customers->name();
  const std::string& to = on->target_customers->name();
  const std::string key_name(on->target->customer_key());
  const SystemRef customer{from, customer_id};
  auto members = store.Entity(kCustomer, customer);
  if (!members) return Fail(members.error());
  if (const LinkRow* m = Member(*members, to)) {
    std::string key = AttributeOf(*members, to, key_name);
    if (key.empty() && need_key) {
      // Linked by an import: learn the key once, by document.
      if (auto doc = ParseDocument(m->info.natural_key)) {
        auto found = on->target->LookUpCustomerKey(m->ref.internal_id, *doc);
        if (!found) return Fail(found.error());
        key = *found;
        if (!key.empty() && !options.dry_run) MergeAttributes(m->ref, {{key_name, key}}, m);
      }
    }
    return CustomerForTicket{m->ref.internal_id, key, m->info.natural_key, ""};
  }
  const std::string noun(on->source_customers->record_noun());
  auto read = on->source_customers->ReadCustomer(customer_id);
  if (!read) {
    if (read.error().code == ErrorCode::kInvalidArgument) {
      return CustomerForTicket{"", "", "", fmt::format("{} {} has no valid CPF/CNPJ: {}", noun, customer_id,
                                                       read.error().message)};
    }
    return Fail(read.error());
  }
  if (!*read) return CustomerForTicket{"", "", "", fmt::format("{} {} does not exist in {}", noun, customer_id, from)};
  PONTE_RETURN_IF_ERROR(EnsureIndexOf(*on->target_customers));
  const CustomerVendor& cv = (*read)->record;
  Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, from, cv.ToBusinessContent());
  DeliveryIntent intent{CustomerRouteFor(config, route), std::string(kCustomer), customer, to,
                        m.ToJson().dump(), on->source_customers->ContentHash(cv), cv.document->canonical};
  if (options.dry_run) return CustomerForTicket{"", "", "", ""};
  auto claimed = Claim(intent);
  if (!claimed) return Fail(claimed.error());
  if (!*claimed) {
    return Fail(Error::Unavailable(fmt::format("{} {} is being delivered by another worker", noun, customer_id))
                    .WithSystem(std::string(kHeldByAnotherWorker)));
  }
  auto d = std::move(*claimed);
  CrashPoint("delivery.claimed");
  auto delivered = Conclude(*d, DeliverCustomerTo(*d, m, cv), r);
  if (!delivered) return Fail(delivered.error());
  if (need_key) return EnsureCustomer(route, customer_id, r, true);  // linked now: its key next
  auto again = store.Entity(kCustomer, customer);
  if (!again) return Fail(again.error());
  return CustomerForTicket{delivered->target_id, AttributeOf(*again, to, key_name), cv.document->canonical, ""};
}

Result<SyncEngine::Impl::ReferenceLinks> SyncEngine::Impl::LinkTicketsByReference(TicketTargetSystem& target,
                                                                                 const std::string& how) {
  auto found = target.TicketsByReference();
  if (!found) return Fail(found.error());
  ReferenceLinks out;
  out.found = found->size();
  for (const auto& [reference, ticket_id] : *found) {
    auto origin = TicketOriginOfReference(reference);
    if (!origin) continue;
    if (auto linked = store.Lookup(kTicket, *origin, target.name()); linked && *linked) continue;
    if (store.Link(kTicket, *origin, {target.name(), ticket_id}, {"", "", how})) {
      ++out.linked;
    } else {
      ++out.conflicts;
    }
  }
  ticket_links_checked.insert(target.name());
  return out;
}

Result<int> SyncEngine::Impl::RelinkTicketsIfStoreKnowsNone(TicketTargetSystem& target) {
  if (ticket_links_checked.count(target.name()) || options.dry_run) return 0;
  auto known = store.ListLinks({std::string(kTicket), "", 1, 0});
  if (!known) return Fail(known.error());
  if (!known->empty()) {
    ticket_links_checked.insert(target.name());
    return 0;
  }
  auto links = LinkTicketsByReference(target, "relinked from ponte's reference");
  if (!links) return Fail(links.error());
  log::Info("tickets_relinked", {{"system", target.name()},
                                 {"found", std::to_string(links->found)},
                                 {"relinked", std::to_string(links->linked)}});
  return links->linked;
}

Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::DeliverTicket(const Delivery& d, const Ticket& t, RouteReport& r) {
  const std::string& route = d.intent.route;
  auto on = TicketSystemsOf(route);
  if (!on) return Fail(on.error());
  TicketTargetSystem& target = *on->target;
  const std::string& to = target.name();
  auto relinked = RelinkTicketsIfStoreKnowsNone(target);
  if (!relinked) return Fail(relinked.error());
  // Linked since the intent was journaled (by a relink, or by another worker): nothing to write.
  if (auto linked = store.Lookup(kTicket, d.intent.origin, to); linked && *linked) {
    PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {to, **linked}, {"", "", route}, clock.Now()));
    return Delivered{Outcome::kLinked, **linked, fmt::format("already in {} (ponte's reference in it): linked again", to)};
  }
  auto customer = EnsureCustomer(route, t.customer_vendor_internal_id, r);
  if (!customer) return Fail(customer.error());
  if (!customer->skip_reason.empty()) {
    // The record is fine, its customer is not (yet): the skip a listing records when it meets
    // it (TicketFromCandidate). It reached delivery because its customer could not be read then
    // (a fault, a timeout), and must not become a dead letter for it.
    return Fail(Error::FailedPrecondition(customer->skip_reason).WithSystem(std::string(kCustomerNotDeliverable)));
  }
  if (options.dry_run) return Delivered{Outcome::kCreated, "", "would create a ticket in " + to};
  if (customer->key.empty()) {
    return Fail(Error::FailedPrecondition(fmt::format("the {} {} of {} has no {} known to ponte",
                                                      on->target_customers->record_noun(), customer->id, to,
                                                      target.customer_key()))
                    .WithSystem(to));
  }
  const std::string reference = target.TicketReference(on->source->name(), t.source_message, t.internal_id);
  if (MayHaveLanded(d)) {
    // An earlier attempt may have created it before a crash: look for ponte's reference.
    auto found = target.FindTicket(customer->key, reference);
    if (!found) return Fail(found.error());
    if (*found) {
      PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {to, **found}, {"", "", route}, clock.Now()));
      return Delivered{Outcome::kLinked, **found, "found the ticket an interrupted attempt created"};
    }
  }
  PONTE_RETURN_IF_ERROR(BeginAttempt(d, "ticket.before_write"));
  auto created = target.CreateTicket(t, customer->key, reference);
  if (!created) return Fail(created.error());
  CrashPoint("ticket.after_write");
  PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {to, *created}, {"", "", route}, clock.Now()));
  return Delivered{Outcome::kCreated, *created, fmt::format("ticket {} created in {}", *created, to)};
}

Result<TagMap> SyncEngine::Impl::Tags(const std::string& route) {
  if (auto it = tags_by_route.find(route); it != tags_by_route.end()) return it->second;
  auto on = TicketSystemsOf(route);
  if (!on) return Fail(on.error());
  const RouteConfig& rc = config.routes.at(route);
  auto resolved = on->source->ResolveTags(rc.tags);
  if (!resolved) return Fail(resolved.error());
  for (int64_t id : rc.tag_ids) (*resolved)[id] = fmt::format("Tag {}", id);
  return tags_by_route[route] = *resolved;
}

// A route's cutoff as an instant (the start of that local day); none when it has none.
std::optional<Instant> SyncEngine::Impl::Cutoff(const std::string& route) const {
  const RouteConfig& rc = config.routes.at(route);
  if (rc.cutoff.empty()) return std::nullopt;
  if (auto d = ParseDate(rc.cutoff)) return StartOfLocalDay(*d);
  return std::nullopt;
}

void SyncEngine::Impl::TicketsRoute(RouteReport& r, const std::string& route) {
  const RouteConfig& rc = config.routes.at(route);
  RunPending(r, route);
  auto on = TicketSystemsOf(route);
  if (!on) return Failure(r, on.error());
  auto tag_map = Tags(route);
  if (!tag_map) return Failure(r, tag_map.error());
  CursorState cursor = LoadCursor(route);
  auto listing = on->source->CandidatesChangedSince(rc.records, cursor.since, *tag_map);
  if (!listing) return Failure(r, listing.error());
  r.read = static_cast<int>(listing->records.size() + listing->skipped.size());
  for (const auto& s : listing->skipped) {
    Skip(r, route, {rc.from, TicketOriginId(rc.records, s.internal_id)}, "unreadable record", s.reason);
  }
  std::vector<const SourceRecord<TicketCandidate>*> fresh;
  for (const auto& rec : listing->records) {
    if (!ReadBefore(cursor, rec)) fresh.push_back(&rec);
  }
  // Customers first, their keys at once, tickets last: a ticket needs its customer's key, and
  // the target may tell a new customer's key only through a listing (which may cost a minute),
  // so one listing serves every customer this run creates.
  std::vector<AwaitedRecord> wanted;
  std::set<std::string> asked;
  int done = 0;
  for (const auto* rec : fresh) {
    if (Stopping(r)) return;  // the cursor stays where it was: nothing is skipped
    Progress(route + " (customers)", ++done, static_cast<int>(fresh.size()));
    const auto& c = rec->record;
    if (!WantsTicket(route, *rec, {rc.from, TicketOriginId(rc.records, c.ticket.internal_id)})) continue;
    auto customer = EnsureCustomer(route, *c.customer_id, r, /*need_key=*/false);
    if (!customer || !customer->skip_reason.empty() || !customer->key.empty() || customer->id.empty()) continue;
    auto doc = ParseDocument(customer->document);
    if (doc && asked.insert(customer->id).second) wanted.push_back({customer->id, *doc});
  }
  SettleLateAttributes(*on->target_customers, wanted, /*thorough=*/true);
  done = 0;
  for (const auto* rec : fresh) {
    if (Stopping(r)) return;
    Progress(route, ++done, static_cast<int>(fresh.size()));
    TicketFromCandidate(r, route, *rec);
  }
  CrashPoint("cursor.before_save");
  SaveCursor(r, route, cursor, *listing);
}

bool SyncEngine::Impl::WantsTicket(const std::string& route, const SourceRecord<TicketCandidate>& rec,
                                   const SystemRef& origin) {
  const auto& c = rec.record;
  if (!c.tagged || !c.customer_id) return false;
  if (auto cutoff = Cutoff(route); cutoff && rec.created_at < *cutoff) return false;
  auto linked = store.Lookup(kTicket, origin, config.routes.at(route).to);
  return !(linked && *linked);
}

void SyncEngine::Impl::TicketFromCandidate(RouteReport& r, const std::string& route,
                                           const SourceRecord<TicketCandidate>& rec) {
  const RouteConfig& rc = config.routes.at(route);
  const auto& c = rec.record;
  SystemRef origin{rc.from, TicketOriginId(rc.records, c.ticket.internal_id)};
  if (!c.tagged) {
    Skip(r, route, origin, "no configured tag", "carries none of the configured tags");
    return;
  }
  // The cutoff keeps a first sync from ticketing every tagged task of past years (polling and
  // webhooks alike); a ticket already created stays linked.
  if (auto cutoff = Cutoff(route); cutoff && rec.created_at < *cutoff) {
    auto linked = store.Lookup(kTicket, origin, rc.to);
    if (!(linked && *linked)) {
      Skip(r, route, origin, "created before the cutoff",
           fmt::format("created {} (local), before the cutoff {}", FormatDate(LocalDateOf(rec.created_at)), rc.cutoff));
      return;
    }
  }
  if (!c.customer_id) {
    Skip(r, route, origin, "no contact",
         fmt::format("the {} is not linked to a contact, and {} needs a customer for a ticket",
                     rc.records == "Task" ? "task" : "interaction", rc.to));
    return;
  }
  auto linked = store.Lookup(kTicket, origin, rc.to);
  if (linked && *linked) {
    // A ticket is created once: the helpdesk has no endpoint to update a ticket's fields.
    Count(r, origin.ToString(), {Outcome::kUnchanged, **linked, "ticket already created"});
    return;
  }
  Ticket t = c.ticket;
  // The route's custom fields fill their Ticket fields (the loader checked the names).
  for (const auto& [key, field] : rc.fields) {
    if (auto value = c.fields.find(key); value != c.fields.end()) SetTicketField(t, field, value->second);
  }
  Message m = NewMessage(kTicketTransaction, kTicketVersion, rc.from, t.ToBusinessContent());
  DeliveryIntent intent{route, std::string(kTicket), origin, rc.to, m.ToJson().dump(), ""};
  // A customer without a usable document is a skip, not a dead letter: the record is fine,
  // its customer is not (yet).
  if (auto customer = EnsureCustomer(route, t.customer_vendor_internal_id, r);
      customer && !customer->skip_reason.empty()) {
    Skip(r, route, origin, "contact without valid CPF/CNPJ", customer->skip_reason);
    return;
  }
  Process(r, intent);
}

}  // namespace ponte
