// The ticket routes: Ploomes tasks and interactions to Milvus tickets, with their clients.

#include "sync/internal/engine_impl.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/document.h"
#include "core/log.h"
#include "core/internal_id.h"
#include "store/facts.h"
#include "connectors/milvus/milvus_mapping.h"
#include "connectors/ploomes/ploomes_mapping.h"

namespace ponte {

// The Milvus client of a Ploomes contact, linking or creating it first if needed. With
// need_token, a client whose token ponte does not know yet is looked up by document (one
// listing); without, the token may be empty (ResolveTokens asks for many at once).
Result<SyncEngine::Impl::ClientForTicket> SyncEngine::Impl::EnsureClient(const std::string& contact_id, RouteReport& r, bool need_token) {
  SystemRef contact{"ploomes", contact_id};
  auto members = store.Entity(kCustomer, contact);
  if (!members) return Fail(members.error());
  if (const LinkRow* m = Member(*members, "milvus")) {
    std::string token = TokenFrom(*members, "milvus");
    if (token.empty() && need_token) {
      // Linked by an import: learn the token once by document.
      auto doc = ParseDocument(m->info.natural_key);
      if (doc) {
        auto found = milvus.FindClientsByDocument(*doc);
        if (!found) return Fail(found.error());
        for (const auto& c : *found) {
          if (c.id == m->ref.internal_id) token = c.token;
        }
        if (!token.empty() && !options.dry_run) {
          MergeAttributes(m->ref, {{"token", token}}, m);
        }
      }
    }
    return ClientForTicket{m->ref.internal_id, token, m->info.natural_key, ""};
  }
  auto read = ploomes.GetContact(contact_id);
  if (!read) {
    if (read.error().code == ErrorCode::kInvalidArgument) {
      return ClientForTicket{"", "", "", fmt::format("contact {} has no valid CPF/CNPJ: {}", contact_id,
                                                     read.error().message)};
    }
    return Fail(read.error());
  }
  if (!*read) return ClientForTicket{"", "", "", fmt::format("contact {} does not exist in Ploomes", contact_id)};
  auto clients = SystemNamed("milvus");
  if (!clients) return Fail(clients.error());
  PONTE_RETURN_IF_ERROR(EnsureIndexOf(**clients));
  const CustomerVendor& cv = (*read)->record;
  Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes", cv.ToBusinessContent());
  DeliveryIntent intent{kRouteCustomersToMilvus, std::string(kCustomer), contact, "milvus",
                        m.ToJson().dump(), ploomes::CustomerHash(cv)};
  if (options.dry_run) return ClientForTicket{"", "", "", ""};
  auto claimed = Claim(intent);
  if (!claimed) return Fail(claimed.error());
  if (!*claimed) {
    return Fail(Error::Unavailable(fmt::format("contact {} is being delivered by another worker", contact_id))
                    .WithSystem(std::string(kHeldByAnotherWorker)));
  }
  auto d = std::move(*claimed);
  auto delivered = DeliverCustomerTo(*d, m, cv);
  if (!delivered) {
    Failed(r, *d, delivered.error());
    return Fail(delivered.error());
  }
  Count(r, contact.ToString(), *delivered);
  if (need_token) return EnsureClient(contact_id, r, true);  // linked now: its token next
  auto again = store.Entity(kCustomer, contact);
  if (!again) return Fail(again.error());
  return ClientForTicket{delivered->target_id, TokenFrom(*again, "milvus"), cv.document->canonical, ""};
}

// A store that knows no ticket (new, emptied, lost, restored from an old backup) may face a
// Milvus that holds ponte's tickets. Before the first ticket is created, every ticket ponte
// wrote is found by the reference in its description (one listing) and linked again, so none
// is created twice.
Result<SyncEngine::Impl::ReferenceLinks> SyncEngine::Impl::LinkTicketsByReference(const std::string& how) {
  auto found = milvus.TicketsByReference();
  if (!found) return Fail(found.error());
  ReferenceLinks out;
  out.found = found->size();
  for (const auto& [reference, codigo] : *found) {
    auto origin = TicketOriginOfReference(reference);
    if (!origin) continue;
    if (auto linked = store.Lookup(kTicket, *origin, "milvus"); linked && *linked) continue;
    if (store.Link(kTicket, *origin, {"milvus", codigo}, {"", "", how})) {
      ++out.linked;
    } else {
      ++out.conflicts;
    }
  }
  ticket_links_checked = true;
  return out;
}

Result<int> SyncEngine::Impl::RelinkTicketsIfStoreKnowsNone() {
  if (ticket_links_checked || options.dry_run) return 0;
  auto known = store.ListLinks({std::string(kTicket), "", 1, 0});
  if (!known) return Fail(known.error());
  if (!known->empty()) {
    ticket_links_checked = true;
    return 0;
  }
  auto links = LinkTicketsByReference("relinked from ponte's reference");
  if (!links) return Fail(links.error());
  log::Info("tickets_relinked", {{"found", std::to_string(links->found)}, {"relinked", std::to_string(links->linked)}});
  return links->linked;
}

Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::DeliverTicket(const Delivery& d, const Ticket& t, RouteReport& r) {
  auto relinked = RelinkTicketsIfStoreKnowsNone();
  if (!relinked) return Fail(relinked.error());
  // Linked since the intent was journaled (by a relink, or by another worker): nothing to write.
  if (auto linked = store.Lookup(kTicket, d.intent.origin, "milvus"); linked && *linked) {
    PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {"milvus", **linked}, {"", "", d.intent.route}, clock.Now()));
    return Delivered{Outcome::kLinked, **linked, "already in Milvus (ponte's reference in it): linked again"};
  }
  auto client = EnsureClient(t.customer_vendor_internal_id, r);
  if (!client) return Fail(client.error());
  if (!client->skip_reason.empty()) {
    return Fail(Error::FailedPrecondition(client->skip_reason).WithSystem("ploomes"));
  }
  if (options.dry_run) return Delivered{Outcome::kCreated, "", "would create a Milvus ticket"};
  if (client->token.empty()) {
    return Fail(Error::FailedPrecondition(fmt::format(
                    "the Milvus client {} has no token known to ponte", client->id))
                    .WithSystem("milvus"));
  }
  const std::string reference = milvus::TicketReference("ploomes", t.source_message, t.internal_id);
  if (MayHaveLanded(d)) {
    // An earlier attempt may have created it before a crash: look for ponte's reference.
    auto found = milvus.FindTicketByReference(client->token, reference);
    if (!found) return Fail(found.error());
    if (*found) {
      PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {"milvus", **found}, {"", "", d.intent.route}, clock.Now()));
      return Delivered{Outcome::kLinked, **found, "found the ticket an interrupted attempt created"};
    }
  }
  PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
  auto codigo = milvus.CreateTicket(t, client->token, reference);
  if (!codigo) return Fail(codigo.error());
  PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {"milvus", *codigo}, {"", "", d.intent.route}, clock.Now()));
  return Delivered{Outcome::kCreated, *codigo, fmt::format("Milvus ticket {} created", *codigo)};
}

Result<std::map<int64_t, std::string>> SyncEngine::Impl::Tags(const std::string& route) {
  if (auto it = tags_by_route.find(route); it != tags_by_route.end()) return it->second;
  const RouteConfig& rc = config.routes.at(route);
  auto resolved = ploomes.ResolveTags(rc.tags);
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

void SyncEngine::Impl::TicketsRoute(RouteReport& r, const std::string& route, const std::string& source_message) {
  RunPending(r, route);
  auto tag_map = Tags(route);
  if (!tag_map) return Failure(r, tag_map.error());
  CursorState cursor = LoadCursor(route);
  auto listing = source_message == "Task" ? ploomes.TasksChangedSince(cursor.since, *tag_map)
                                          : ploomes.InteractionsChangedSince(cursor.since, *tag_map);
  if (!listing) return Failure(r, listing.error());
  r.read = static_cast<int>(listing->records.size() + listing->skipped.size());
  for (const auto& s : listing->skipped) {
    Skip(r, route, {"ploomes", TicketOriginId(source_message, s.internal_id)}, "unreadable record", s.reason);
  }
  std::vector<const SourceRecord<ploomes::TicketSource>*> fresh;
  for (const auto& rec : listing->records) {
    if (!ReadBefore(cursor, rec)) fresh.push_back(&rec);
  }
  // Clients first, their tokens at once, tickets last: a ticket needs its client's token, and
  // Milvus tells a new client's token only through a listing (which may cost a minute), so
  // one listing serves every client this run creates.
  std::vector<AwaitedRecord> wanted;
  std::set<std::string> asked;
  int done = 0;
  for (const auto* rec : fresh) {
    if (Stopping(r)) return;  // the cursor stays where it was: nothing is skipped
    Progress(route + " (clients)", ++done, static_cast<int>(fresh.size()));
    const auto& src = rec->record;
    if (!WantsTicket(route, *rec, {"ploomes", TicketOriginId(source_message, src.ticket.internal_id)})) continue;
    auto client = EnsureClient(*src.contact_id, r, /*need_token=*/false);
    if (!client || !client->skip_reason.empty() || !client->token.empty() || client->id.empty()) continue;
    auto doc = ParseDocument(client->document);
    if (doc && asked.insert(client->id).second) wanted.push_back({client->id, *doc});
  }
  if (auto clients = SystemNamed("milvus")) SettleLateAttributes(**clients, wanted, /*thorough=*/true);
  done = 0;
  for (const auto* rec : fresh) {
    if (Stopping(r)) return;
    Progress(route, ++done, static_cast<int>(fresh.size()));
    TicketFromSource(r, route, source_message, *rec);
  }
  SaveCursor(r, route, cursor, *listing);
}

// Whether a ticket source still needs a ticket: tagged, on a contact, not before the cutoff,
// and not ticketed yet.
bool SyncEngine::Impl::WantsTicket(const std::string& route, const SourceRecord<ploomes::TicketSource>& rec, const SystemRef& origin) {
  const auto& src = rec.record;
  if (!src.tagged || !src.contact_id) return false;
  if (auto cutoff = Cutoff(route); cutoff && rec.created_at < *cutoff) return false;
  auto linked = store.Lookup(kTicket, origin, "milvus");
  return !(linked && *linked);
}

void SyncEngine::Impl::TicketFromSource(RouteReport& r, const std::string& route, const std::string& source_message,
                                        const SourceRecord<ploomes::TicketSource>& rec) {
  const auto& src = rec.record;
  SystemRef origin{"ploomes", TicketOriginId(source_message, src.ticket.internal_id)};
  if (!src.tagged) {
    Skip(r, route, origin, "no configured tag", "carries none of the configured tags");
    return;
  }
  // The cutoff keeps a first sync from ticketing every tagged task of past years (polling and
  // webhooks alike); a ticket already created stays linked.
  if (auto cutoff = Cutoff(route); cutoff && rec.created_at < *cutoff) {
    auto linked = store.Lookup(kTicket, origin, "milvus");
    if (!(linked && *linked)) {
      Skip(r, route, origin, "created before the cutoff",
           fmt::format("created {} (local), before the cutoff {}", FormatDate(LocalDateOf(rec.created_at)),
                       config.routes.at(route).cutoff));
      return;
    }
  }
  if (!src.contact_id) {
    Skip(r, route, origin, "no contact",
         fmt::format("the {} is not linked to a contact, and Milvus needs a client for a ticket",
                     source_message == "Task" ? "task" : "interaction"));
    return;
  }
  auto linked = store.Lookup(kTicket, origin, "milvus");
  if (linked && *linked) {
    // Milvus has no endpoint to update a ticket's fields: a ticket is created once.
    Count(r, origin.ToString(), {Outcome::kUnchanged, **linked, "ticket already created"});
    return;
  }
  Ticket t = src.ticket;
  Message m = NewMessage(kTicketTransaction, kTicketVersion, "ploomes", t.ToBusinessContent());
  Delivery probe;
  probe.intent = {route, std::string(kTicket), origin, "milvus", m.ToJson().dump(), ""};
  // A contact without a usable document is a skip, not a dead letter: the record is fine,
  // its customer is not (yet).
  if (auto client = EnsureClient(t.customer_vendor_internal_id, r);
      client && !client->skip_reason.empty()) {
    Skip(r, route, origin, "contact without valid CPF/CNPJ", client->skip_reason);
    return;
  }
  Process(r, probe.intent);
}

}  // namespace ponte
