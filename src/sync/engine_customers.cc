// The customer routes: Ploomes contacts to Milvus clients, and back.

#include "sync/internal/engine_impl.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/document.h"
#include "core/log.h"
#include "store/facts.h"
#include "connectors/milvus/milvus_mapping.h"
#include "connectors/ploomes/ploomes_mapping.h"

namespace ponte {

Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::DeliverCustomerToMilvus(const Delivery& d, const CustomerVendor& cv) {
  const SystemRef& origin = d.intent.origin;
  const std::string doc = cv.document->canonical;
  auto members = store.Entity(kCustomer, origin);
  if (!members) return Fail(members.error());
  const LinkRow* linked = Member(*members, "milvus");
  std::string token = linked ? TokenFrom(*members, "milvus") : "";
  Delivered out;
  std::string target_hash = milvus::CustomerHash(cv);
  std::unique_ptr<CustomerLock> hold;  // until the link is written
  if (linked) {
    if (options.dry_run) return Delivered{Outcome::kUpdated, linked->ref.internal_id, "would update Milvus client"};
    PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
    PONTE_RETURN_IF_ERROR(milvus.UpdateClient(linked->ref.internal_id, cv));
    out = {Outcome::kUpdated, linked->ref.internal_id, "Milvus client updated"};
  } else {
    auto held = LockCustomer(d, "milvus", doc);
    if (!held) return Fail(held.error());
    hold = std::move(*held);
    // Reconcile first: a client with this document may exist (seen in the index, or created
    // by an attempt that crashed before it was recorded).
    std::optional<ClientRef> existing;
    std::string existing_hash;
    const auto known = KnownCustomer(doc, "milvus");
    if (!InDoubt(d, "milvus", doc) && milvus_index_complete) {
      // A complete listing of this run (or a fresh one of another worker) answers it.
      if (known) {
        auto rows = store.Entity(kCustomer, known->ref);
        existing = ClientRef{known->ref.internal_id, rows ? TokenFrom(*rows, "milvus") : "", cv};
        existing_hash = known->info.content_hash;
      }
    } else {
      auto found = milvus.FindClientsByDocument(*cv.document);
      if (!found) return Fail(found.error());
      if (!found->empty()) {
        existing = found->front();
        existing_hash = milvus::CustomerHash(existing->customer);
      } else if (known) {
        // A listing saw this client, but busca does not find it by any form of the document
        // ponte can ask for (typed some other way): the listing's word is enough to link.
        auto rows = store.Entity(kCustomer, known->ref);
        existing = ClientRef{known->ref.internal_id, rows ? TokenFrom(*rows, "milvus") : "", cv};
        existing_hash = known->info.content_hash;
      }
    }
    if (existing) {
      if (options.dry_run) return Delivered{Outcome::kLinked, existing->id, "would link to the Milvus client with this CPF/CNPJ"};
      out = {Outcome::kLinked, existing->id, "already in Milvus (same CPF/CNPJ): linked"};
      token = existing->token;
      target_hash = existing_hash;  // in sync as it is: no write
    } else {
      if (options.dry_run) return Delivered{Outcome::kCreated, "", "would create a Milvus client"};
      PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
      writes_in_doubt.insert({"milvus", doc});
      // Its token comes later, with the others created in this run (ResolveTokens).
      auto created = milvus.CreateClient(cv, NumericOr0(origin.internal_id));
      if (!created) return Fail(created.error());
      out = {Outcome::kCreated, *created, "Milvus client created"};
      created_clients.push_back({*created, *cv.document});
    }
  }
  PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {"milvus", out.target_id},
                                               {doc, target_hash, d.intent.route}, clock.Now()));
  writes_in_doubt.erase({"milvus", doc});
  nlohmann::json attributes = nlohmann::json::object();
  if (!token.empty()) attributes["token"] = token;
  RecordVersions({"milvus", out.target_id}, origin.system, d.intent.content_hash,
                 out.outcome == Outcome::kLinked ? "" : target_hash, attributes.dump());
  return out;
}

// Creates the Ploomes contact of a customer (or says it would, on a dry run).
Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::CreatePloomesContact(const Delivery& d, const CustomerVendor& cv) {
  if (options.dry_run) {
    return Delivered{Outcome::kCreated, "", fmt::format("would create a Ploomes contact ({})",
                                                        cv.document->is_person() ? "person" : "company")};
  }
  PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
  writes_in_doubt.insert({"ploomes", cv.document->canonical});
  auto created = ploomes.CreateContact(cv);
  if (!created) return Fail(created.error());
  Delivered out{Outcome::kCreated, created->internal_id, "Ploomes contact created"};
  out.target_hash = ploomes::CustomerHash(created->record);
  return out;
}

Result<SyncEngine::Impl::Delivered> SyncEngine::Impl::DeliverCustomerToPloomes(const Delivery& d, const CustomerVendor& cv) {
  const SystemRef& origin = d.intent.origin;
  const std::string doc = cv.document->canonical;
  auto members = store.Entity(kCustomer, origin);
  if (!members) return Fail(members.error());
  const LinkRow* linked = Member(*members, "ploomes");
  Delivered out;
  std::string target_hash;
  std::unique_ptr<CustomerLock> hold;  // until the link is written
  if (!linked) {
    auto held = LockCustomer(d, "ploomes", doc);
    if (!held) return Fail(held.error());
    hold = std::move(*held);
  }
  if (linked) {
    if (options.dry_run) return Delivered{Outcome::kUpdated, linked->ref.internal_id, "would update Ploomes contact"};
    PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
    auto updated = ploomes.UpdateContact(linked->ref.internal_id, cv);
    if (!updated) return Fail(updated.error());
    out = {Outcome::kUpdated, linked->ref.internal_id, "Ploomes contact updated"};
    target_hash = ploomes::CustomerHash(updated->record);
  } else if (auto fresh = EnsurePloomesIndex(); !fresh) {
    return Fail(fresh.error());
  } else if (const auto known = KnownCustomer(doc, "ploomes"); !InDoubt(d, "ploomes", doc) && known) {
    // The index, up to date, answers it: link without asking Ploomes again.
    if (options.dry_run) return Delivered{Outcome::kLinked, known->ref.internal_id, "would link to the Ploomes contact with this CPF/CNPJ"};
    out = {Outcome::kLinked, known->ref.internal_id, "already in Ploomes (same CPF/CNPJ): linked"};
    target_hash = known->info.content_hash;
  } else if (!InDoubt(d, "ploomes", doc)) {
    // ... and says there is none: create without asking.
    auto created = CreatePloomesContact(d, cv);
    if (!created) return Fail(created.error());
    if (options.dry_run) return *created;
    out = *created;
    target_hash = out.target_hash;
  } else {
    // An earlier attempt may have written: Ploomes itself is asked, by the forms of the
    // document ponte writes, then the index by canonical form.
    auto found = ploomes.FindContactsByDocument(*cv.document);
    if (!found) return Fail(found.error());
    if (found->empty()) {
      // An earlier attempt may have created the contact and been cut off before its document
      // was moved to where Ploomes keeps it: a contact of this name, made since, with none.
      auto undocumented = ploomes.FindUndocumentedContacts(cv.short_name.empty() ? cv.name : cv.short_name,
                                                           d.created_at - kCreateClockSkew);
      if (!undocumented) return Fail(undocumented.error());
      if (undocumented->size() == 1) {
        auto repaired = ploomes.UpdateContact(undocumented->front(), cv);
        if (!repaired) return Fail(repaired.error());
        found->push_back(undocumented->front());
      }
    }
    if (found->empty()) {
      if (known) found->push_back(known->ref.internal_id);  // the index, refreshed above
    }
    std::optional<SourceRecord<CustomerVendor>> contact;
    if (!found->empty()) {
      auto read = ploomes.GetContact(found->front());
      if (!read) return Fail(read.error());
      contact = std::move(*read);
    }
    if (contact) {
      if (options.dry_run) return Delivered{Outcome::kLinked, found->front(), "would link to the Ploomes contact with this CPF/CNPJ"};
      out = {Outcome::kLinked, found->front(), "already in Ploomes (same CPF/CNPJ): linked"};
      target_hash = ploomes::CustomerHash(contact->record);
    } else {
      auto created = CreatePloomesContact(d, cv);
      if (!created) return Fail(created.error());
      if (options.dry_run) return *created;
      out = *created;
      target_hash = out.target_hash;
    }
  }
  PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {"ploomes", out.target_id},
                                               {doc, target_hash, d.intent.route}, clock.Now()));
  writes_in_doubt.erase({"ploomes", doc});
  RecordVersions({"ploomes", out.target_id}, origin.system, d.intent.content_hash,
                 out.outcome == Outcome::kLinked ? "" : target_hash);
  return out;
}

void SyncEngine::Impl::CustomersToMilvus(RouteReport& r) {
  const std::string route = kRouteCustomersToMilvus;
  const auto& rc = config.routes.at(route);
  created_clients.clear();
  std::optional<Instant> cutoff;
  if (!rc.cutoff.empty()) {
    if (auto d = ParseDate(rc.cutoff)) cutoff = StartOfLocalDay(*d);
  }
  RunPending(r, route);
  CursorState cursor = LoadCursor(route);
  auto listing = ploomes.ContactsChangedSince(cursor.since);
  if (!listing) return Failure(r, listing.error());
  // Every contact read goes to the Ploomes index (those before the cutoff too): the index is
  // whole when this listing read everything, or continued one that was.
  Index("ploomes", *listing, ploomes::CustomerHash);
  {
    auto before = LoadListingState(store, kPloomesIndex);
    const bool whole = cursor.full || (before && *before && (*before)->complete);
    SaveIndexState(kPloomesIndex, whole, whole ? "" : "no whole listing of contacts yet", listing->records.size());
    ploomes_index_fresh = whole;
  }
  int lookups_ahead = 0;
  for (const auto& rec : listing->records) {
    if (cutoff && rec.created_at < *cutoff) continue;
    auto members = store.Entity(kCustomer, {"ploomes", rec.internal_id});
    lookups_ahead += members && !Member(*members, "milvus");
  }
  if (auto s = EnsureMilvusIndex(lookups_ahead); !s) return Failure(r, s.error());
  r.read = static_cast<int>(listing->records.size() + listing->skipped.size());
  for (const auto& s : listing->skipped) {
    Skip(r, route, {"ploomes", s.internal_id}, "no valid CPF/CNPJ", s.reason);
  }
  int done = 0;
  for (const auto& rec : listing->records) {
    if (Stopping(r)) return;  // the cursor stays where it was: nothing is skipped
    Progress(route, ++done, static_cast<int>(listing->records.size()));
    SystemRef origin{"ploomes", rec.internal_id};
    if (ReadBefore(cursor, rec)) continue;
    const std::string hash = ploomes::CustomerHash(rec.record);
    auto members = store.Entity(kCustomer, origin);
    const bool linked = members && Member(*members, "milvus");
    // The cutoff keeps old contacts from being created in Milvus; one already linked there
    // (a ticket needed its client) gets its updates like any other.
    if (!linked && cutoff && rec.created_at < *cutoff) {
      Skip(r, route, origin, "created before the cutoff",
           fmt::format("created {} (local), before the cutoff {}", FormatDate(LocalDateOf(rec.created_at)), rc.cutoff));
      continue;
    }
    if (linked && TargetHas(*members, "ploomes", "milvus", hash)) {
      Count(r, origin.ToString(), {Outcome::kUnchanged, "", "no change since the last sync"});
      continue;
    }
    Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes",
                           rec.record.ToBusinessContent());
    Process(r, {route, std::string(kCustomer), origin, "milvus", m.ToJson().dump(), hash});
  }
  SaveCursor(r, route, cursor, *listing);
  // The clients created now get their tokens (which tickets, and webhooks later, need) from one
  // listing; those it does not show, a ticket asks for when it needs them. The listing taken
  // before the creates still serves customers_milvus_to_ploomes: the clients it lacks are
  // ponte's own, linked already.
  ResolveTokens(created_clients, /*one_listing=*/true);
}

void SyncEngine::Impl::CustomersToPloomes(RouteReport& r) {
  const std::string route = kRouteCustomersToPloomes;
  RunPending(r, route);
  // Milvus clients carry no change timestamp: each run reads them all (within the cap) and
  // compares content hashes with the de/para. The index's listing of this run serves, when it
  // was complete.
  Result<Listing<CustomerVendor>> listing =
      milvus_listing ? Result<Listing<CustomerVendor>>(std::move(*milvus_listing)) : milvus.ListClients();
  milvus_listing.reset();
  if (!listing) return Failure(r, listing.error());
  Index("milvus", *listing, milvus::CustomerHash);
  SaveIndexState(kMilvusIndex, listing->complete, listing->incomplete_reason, listing->records.size());
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
  for (const auto& s : listing->skipped) {
    Skip(r, route, {"milvus", s.internal_id}, "no valid CPF/CNPJ", s.reason);
  }
  int done = 0;
  for (const auto& rec : listing->records) {
    if (Stopping(r)) return;  // the cursor stays where it was: nothing is skipped
    Progress(route, ++done, static_cast<int>(listing->records.size()));
    SystemRef origin{"milvus", rec.internal_id};
    const std::string hash = milvus::CustomerHash(rec.record);
    auto members = store.Entity(kCustomer, origin);
    if (members && TargetHas(*members, "milvus", "ploomes", hash)) {
      Count(r, origin.ToString(), {Outcome::kUnchanged, "", "no change since the last sync"});
      continue;
    }
    Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "milvus",
                           rec.record.ToBusinessContent());
    Process(r, {route, std::string(kCustomer), origin, "ploomes", m.ToJson().dump(), hash});
    if (!rec.token.empty()) MergeAttributes(origin, {{"token", rec.token}});
  }
}

}  // namespace ponte
