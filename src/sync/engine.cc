#include "sync/engine.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "core/document.h"
#include "core/internal_id.h"
#include "core/log.h"
#include "core/message.h"
#include "core/schema_validator.h"
#include "store/facts.h"
#include "sync/content_hash.h"
#include "sync/lease_keeper.h"

namespace ponte {
namespace {

using milvus::ClientRef;

constexpr std::string_view kCustomer = kCustomerVendorTransaction;
constexpr std::string_view kTicket = kTicketTransaction;
// Most deliveries claimed from the journal in one batch.
constexpr size_t kClaimBatch = 100;
// With several workers sharing the journal, small batches spread the work evenly.
constexpr size_t kSharedClaimBatch = 4;
// How long a route lock lasts without renewal (SQLite; PostgreSQL's ends with the connection).
constexpr std::chrono::minutes kRouteLockLease{10};
// Longest wait between two delivery attempts.
constexpr std::chrono::hours kMaxRetryWait{1};
// A ticket whose customer another worker is delivering waits this long, uncounted.
constexpr std::chrono::seconds kWaitForOtherWorker{2};
// Error.system of "a record this one needs is held by another worker": not a failure.
constexpr std::string_view kHeldByAnotherWorker = "another worker";
// How long before a delivery's first attempt a contact it created may carry its CreateDate
// (clock skew between ponte and Ploomes).
constexpr std::chrono::minutes kCreateClockSkew{10};
// How long an index from a complete listing answers for its system without a lookup.
constexpr std::chrono::minutes kIndexMaxAge{10};


std::string DefaultWorker() {
  char host[256] = "host";
  gethostname(host, sizeof host - 1);
  return fmt::format("{}:{}", host, getpid());
}

int64_t NumericOr0(const std::string& s) {
  try {
    return std::stoll(s);
  } catch (...) {
    return 0;
  }
}

std::string TokenFrom(const std::vector<LinkRow>& members, const std::string& system) {
  for (const auto& m : members) {
    if (m.ref.system != system) continue;
    auto attrs = nlohmann::json::parse(m.attributes, nullptr, false);
    if (attrs.is_object()) return attrs.value("token", "");
  }
  return "";
}

const LinkRow* Member(const std::vector<LinkRow>& members, const std::string& system) {
  for (const auto& m : members) {
    if (m.ref.system == system) return &m;
  }
  return nullptr;
}

// Whether an earlier write of this delivery may have reached the target: an attempt was
// counted, or it failed before (a replayed dead letter has its attempts reset but keeps its
// last error, and a 500 after a POST may still have created the record).
bool MayHaveLanded(const Delivery& d) { return d.attempts > 0 || !d.last_error.empty(); }

// Where a delivery went, for the report.
struct Delivered {
  Outcome outcome;
  std::string target_id;
  std::string detail;
  std::string target_hash;  // the content hash of what a write left in the target, when known
};

// The origin a ticket's reference names: "[ponte ploomes:Task:40500001]" -> ploomes:Task|40500001.
std::optional<SystemRef> TicketOriginOfReference(const std::string& reference);

}  // namespace

std::string TicketOriginId(const std::string& source_message, const std::string& id) {
  std::vector<std::string> parts = {source_message, id};
  return ComposeInternalId(parts).value_or(source_message + "|" + id);
}

namespace {

std::optional<SystemRef> TicketOriginOfReference(const std::string& reference) {
  if (!reference.starts_with("[ponte ") || !reference.ends_with("]")) return std::nullopt;
  const std::string inner = reference.substr(7, reference.size() - 8);
  const auto first = inner.find(':');
  const auto second = first == std::string::npos ? std::string::npos : inner.find(':', first + 1);
  if (second == std::string::npos) return std::nullopt;
  return SystemRef{inner.substr(0, first),
                   TicketOriginId(inner.substr(first + 1, second - first - 1), inner.substr(second + 1))};
}

}  // namespace

struct SyncEngine::Impl {
  const Config& config;
  Store& store;
  ploomes::PloomesConnector& ploomes;
  milvus::MilvusConnector& milvus;
  CallCounter& calls;
  const Clock& clock;
  EngineOptions options;
  // Each ticket route's tags (TagId -> name), resolved once a run: routes have their own tags.
  std::map<std::string, std::map<int64_t, std::string>> tags_by_route;
  bool milvus_index_complete = false;
  bool milvus_index_loaded = false;
  // This run's complete listing of Milvus clients, when it had one: the index's and
  // customers_milvus_to_ploomes' source both, so one listing serves the two.
  std::optional<Listing<CustomerVendor>> milvus_listing;
  // Milvus clients customers_ploomes_to_milvus created in this run, for their tokens.
  std::vector<milvus::MilvusConnector::WantedToken> created_clients;
  bool ploomes_index_fresh = false;  // this run's contact listing kept the Ploomes index whole
  bool halted = false;  // a system refused ponte or the store failed: the run stops
  bool ticket_links_checked = false;  // RelinkTicketsIfStoreKnowsNone ran in this engine
  // Renews the leases of what this worker claimed until each delivery is done (lease_keeper.h).
  std::unique_ptr<LeaseKeeper> leases;
  // --dry-run: the customers the listings showed (system, document) -> member, never stored.
  std::map<std::pair<std::string, std::string>, LinkRow> dry_index;

  // ---- bookkeeping ----

  // The report of a run of `route`; ran is false when the route is unknown or disabled.
  RouteReport NewReport(const std::string& route) const {
    RouteReport r;
    r.route = route;
    auto it = config.routes.find(route);
    r.ran = it != config.routes.end() && it->second.enabled;
    return r;
  }

  void Skip(RouteReport& r, const std::string& route, const SystemRef& origin,
            const std::string& kind, const std::string& reason) {
    ++r.skipped[kind];
    r.records.push_back({origin.ToString(), Outcome::kSkipped, reason});
    if (!options.dry_run) (void)store.RecordSkip({route, origin, reason, clock.Now()});
  }

  void Count(RouteReport& r, const std::string& origin, const Delivered& d) {
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
  void Failed(RouteReport& r, const Delivery& d, const Error& e) {
    const std::string origin = d.intent.origin.ToString();
    const bool store_down = e.system == "store" && (e.code == ErrorCode::kUnavailable ||
                                                    e.code == ErrorCode::kDataLoss || e.code == ErrorCode::kInternal);
    if (e.halts_system || store_down) {
      // The system refuses ponte as a whole (a refused key, an outage), or the store failed:
      // nothing is wrong with the record. It waits, uncounted, and the run stops.
      (void)store.DeferDelivery(d.id, clock.Now() + kWaitForOtherWorker, clock.Now());
      ++r.retrying;
      r.records.push_back({origin, Outcome::kRetrying, e.ToString()});
      log::Warn("delivery_waits", {{"route", r.route}, {"delivery", std::to_string(d.id)}, {"record", origin},
                                   {"reason", e.ToString()}});
      Halt(r, e);
      return;
    }
    if (e.system == kHeldByAnotherWorker) {
      (void)store.DeferDelivery(d.id, clock.Now() + kWaitForOtherWorker, clock.Now());
      ++r.retrying;
      r.records.push_back({origin, Outcome::kRetrying, e.message});
      return;
    }
    const bool permanent = e.retry_class() == RetryClass::kDeadLetter;
    if (permanent || d.attempts + 1 >= config.delivery.max_attempts) {
      std::string reason = permanent ? e.ToString()
                                     : fmt::format("gave up after {} attempts: {}", d.attempts + 1,
                                                   e.ToString());
      (void)store.KillDelivery(d.id, reason, clock.Now());
      log::Error("dead_letter", {{"route", r.route}, {"delivery", std::to_string(d.id)}, {"record", origin},
                                 {"attempts", std::to_string(d.attempts + 1)}, {"reason", reason}});
      ++r.dead;
      r.records.push_back({origin, Outcome::kDead, reason});
      return;
    }
    auto wait = std::chrono::seconds(config.delivery.retry_base_seconds) * (1 << std::min(d.attempts, 16));
    auto capped = std::min<std::chrono::milliseconds>(wait, kMaxRetryWait);
    (void)store.RetryDelivery(d.id, e.ToString(), clock.Now() + capped, clock.Now());
    log::Warn("delivery_retry", {{"route", r.route}, {"delivery", std::to_string(d.id)}, {"record", origin},
                                 {"attempt", std::to_string(d.attempts + 1)},
                                 {"retry_in_s", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(capped).count())},
                                 {"reason", e.ToString()}});
    ++r.retrying;
    r.records.push_back({origin, Outcome::kRetrying, e.ToString()});
  }

  // The run stops calling a system that refuses ponte (or cannot be reached), or a failing
  // store: what is left waits for the next run. The report says which, for the exit code.
  void Halt(RouteReport& r, const Error& e) {
    halted = true;
    if (r.error.empty()) r.error = e.ToString();
    r.complete = false;
    r.auth_failed |= e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied;
    r.unreachable |= !r.auth_failed;
  }

  // ---- indexes: what ponte knows of each system's customers, kept in the store ----

  static constexpr const char* kMilvusIndex = "index:milvus";
  static constexpr const char* kPloomesIndex = "index:ploomes";

  // Whether an index was built from a complete listing recently (by this worker or another):
  // within a run and a little beyond, it answers "is this customer there?" without a call.
  bool IndexFresh(const std::string& name) {
    auto state = LoadListingState(store, name);
    return state && *state && (*state)->complete && clock.Now() - (*state)->at < kIndexMaxAge;
  }

  void SaveIndexState(const std::string& name, bool complete, const std::string& reason, size_t seen) {
    if (!options.dry_run) (void)SaveListingState(store, {name, complete, reason, static_cast<int>(seen), clock.Now()});
  }

  // Keeps each listed customer in the de/para as an index member (document, hash of what was
  // read) unless it is there already; a member whose document changed gets the new one (its
  // hash stays: it is what was last delivered, for echo suppression).
  void Index(const std::string& system, const Listing<CustomerVendor>& listing,
             std::string (*hash)(const CustomerVendor&)) {
    if (options.dry_run) {
      // Nothing is written, but the plan must see what a real run would link: the listing is
      // kept in memory, so "would link" is told apart from "would create".
      for (const auto& c : listing.records) {
        if (!c.record.document) continue;
        LinkRow row;
        row.message = kCustomer;
        row.ref = {system, c.internal_id};
        row.info = {c.record.document->canonical, hash(c.record), "index"};
        dry_index.emplace(std::pair{system, c.record.document->canonical}, std::move(row));
      }
      return;
    }
    for (const auto& c : listing.records) {
      if (!c.record.document) continue;
      const SystemRef ref{system, c.internal_id};
      const std::string doc = c.record.document->canonical;
      auto members = store.Entity(kCustomer, ref);
      const LinkRow* self = members ? Member(*members, system) : nullptr;
      if (!self) {
        (void)store.Remember(kCustomer, ref, {doc, hash(c.record), "index"});
      } else if (self->info.natural_key != doc) {
        (void)store.UpdateLinkInfo(kCustomer, ref, {doc, self->info.content_hash, self->info.route});
      }
      if (!c.token.empty()) (void)store.SetAttributes(kCustomer, ref, nlohmann::json{{"token", c.token}}.dump());
    }
  }

  // Lists Milvus clients once per run (one busca) and keeps them in the index, so most customers
  // are linked or created without a per-document lookup. An index that is not complete loses
  // nothing: every customer it does not know is then looked up by document. Past busca's cap,
  // when more customers wait for a lookup than milvus::kListingBeatsLookups, the whole listing
  // (name partitions) is cheaper than one busca each. A fresh complete index (another worker's
  // listing) saves the listing.
  Status EnsureMilvusIndex(int lookups_ahead = 0) {
    if (milvus_index_loaded) return {};
    if (IndexFresh(kMilvusIndex)) {
      milvus_index_loaded = milvus_index_complete = true;
      return {};
    }
    auto listing = milvus.ListClients(/*exhaustive=*/false);
    if (listing && !listing->complete && lookups_ahead >= static_cast<int>(milvus::kListingBeatsLookups)) {
      listing = milvus.ListClients(/*exhaustive=*/true);
    }
    if (!listing) return Fail(listing.error());
    Index("milvus", *listing, MilvusCustomerHash);
    milvus_index_loaded = true;
    milvus_index_complete = listing->complete;
    SaveIndexState(kMilvusIndex, listing->complete, listing->incomplete_reason, listing->records.size());
    if (listing->complete) milvus_listing = std::move(*listing);
    return {};
  }

  // Brings the Ploomes index up to date before it answers "is this customer in Ploomes?": the
  // contacts changed since its last listing (all of them when there never was a whole one).
  // Contacts are matched by canonical document, so a CPF typed "261 461 003 82" or with its
  // leading zero lost links instead of being created again; Ploomes' own filter can only be
  // asked for the forms ponte knows to ask for. Once per run; the contacts route's listing of
  // this run counts.
  Status EnsurePloomesIndex() {
    if (ploomes_index_fresh) return {};
    auto before = LoadListingState(store, kPloomesIndex);
    if (!before) return Fail(before.error());
    const bool was_whole = *before && (*before)->complete;
    std::optional<Instant> since;
    if (was_whole) since = (*before)->at - kCreateClockSkew;
    const Instant started = clock.Now();
    auto listing = ploomes.ContactsChangedSince(since);
    if (!listing) return Fail(listing.error());
    Index("ploomes", *listing, PloomesCustomerHash);
    if (!options.dry_run) {
      (void)SaveListingState(store, {kPloomesIndex, true, "", static_cast<int>(listing->records.size()), started});
    }
    ploomes_index_fresh = true;
    return {};
  }

  // The member of `system` the index holds for a document, if any.
  std::optional<LinkRow> KnownCustomer(const std::string& doc, const std::string& system) {
    auto rows = store.FindByNaturalKey(kCustomer, doc);
    if (rows) {
      for (const auto& m : *rows) {
        if (m.ref.system == system) return m;
      }
    }
    if (auto it = dry_index.find({system, doc}); it != dry_index.end()) return it->second;
    return std::nullopt;
  }

  // Tokens of linked Milvus clients that have none yet, all at once (one listing). Every token
  // the listing showed is kept for a client ponte knows (SetAttributes refuses the others).
  void ResolveTokens(const std::vector<milvus::MilvusConnector::WantedToken>& wanted, bool one_listing = false) {
    if (wanted.empty() || options.dry_run) return;
    auto tokens = milvus.Tokens(wanted, one_listing);
    if (!tokens) return;  // each ticket then asks for its own client's token
    for (const auto& [id, token] : *tokens) {
      (void)store.SetAttributes(kCustomer, {"milvus", id}, nlohmann::json{{"token", token}}.dump());
    }
  }

  // ---- customers ploomes -> milvus ----

  Result<Delivered> DeliverCustomerToMilvus(const Delivery& d, const CustomerVendor& cv) {
    const SystemRef& origin = d.intent.origin;
    const std::string doc = cv.document->canonical;
    auto members = store.Entity(kCustomer, origin);
    if (!members) return Fail(members.error());
    const LinkRow* linked = Member(*members, "milvus");
    std::string token = linked ? TokenFrom(*members, "milvus") : "";
    Delivered out;
    std::string target_hash = MilvusCustomerHash(cv);
    if (linked) {
      if (options.dry_run) return Delivered{Outcome::kUpdated, linked->ref.internal_id, "would update Milvus client"};
      PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
      PONTE_RETURN_IF_ERROR(milvus.UpdateClient(linked->ref.internal_id, cv));
      out = {Outcome::kUpdated, linked->ref.internal_id, "Milvus client updated"};
    } else {
      // Reconcile first: a client with this document may exist (seen in the index, or created
      // by an attempt that crashed before it was recorded).
      std::optional<ClientRef> existing;
      std::string existing_hash;
      const auto known = KnownCustomer(doc, "milvus");
      if (!MayHaveLanded(d) && milvus_index_complete) {
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
          existing_hash = MilvusCustomerHash(existing->customer);
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
        // Its token comes later, with the others created in this run (ResolveTokens).
        auto created = milvus.CreateClient(cv, NumericOr0(origin.internal_id));
        if (!created) return Fail(created.error());
        out = {Outcome::kCreated, *created, "Milvus client created"};
        created_clients.push_back({*created, *cv.document});
      }
    }
    PONTE_RETURN_IF_ERROR(store.CompleteDelivery(d.id, {"milvus", out.target_id},
                                                 {doc, target_hash, d.intent.route}, clock.Now()));
    if (!token.empty()) {
      (void)store.SetAttributes(kCustomer, {"milvus", out.target_id},
                                nlohmann::json{{"token", token}}.dump());
    }
    return out;
  }

  // ---- customers milvus -> ploomes ----

  // Creates the Ploomes contact of a customer (or says it would, on a dry run).
  Result<Delivered> CreatePloomesContact(const Delivery& d, const CustomerVendor& cv) {
    if (options.dry_run) {
      return Delivered{Outcome::kCreated, "", fmt::format("would create a Ploomes contact ({})",
                                                          cv.document->is_person() ? "person" : "company")};
    }
    PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
    auto created = ploomes.CreateContact(cv);
    if (!created) return Fail(created.error());
    Delivered out{Outcome::kCreated, created->internal_id, "Ploomes contact created"};
    out.target_hash = PloomesCustomerHash(created->record);
    return out;
  }

  Result<Delivered> DeliverCustomerToPloomes(const Delivery& d, const CustomerVendor& cv) {
    const SystemRef& origin = d.intent.origin;
    const std::string doc = cv.document->canonical;
    auto members = store.Entity(kCustomer, origin);
    if (!members) return Fail(members.error());
    const LinkRow* linked = Member(*members, "ploomes");
    Delivered out;
    std::string target_hash;
    if (linked) {
      if (options.dry_run) return Delivered{Outcome::kUpdated, linked->ref.internal_id, "would update Ploomes contact"};
      PONTE_RETURN_IF_ERROR(store.BeginAttempt(d.id, clock.Now()));
      auto updated = ploomes.UpdateContact(linked->ref.internal_id, cv);
      if (!updated) return Fail(updated.error());
      out = {Outcome::kUpdated, linked->ref.internal_id, "Ploomes contact updated"};
      target_hash = PloomesCustomerHash(updated->record);
    } else if (auto fresh = EnsurePloomesIndex(); !fresh) {
      return Fail(fresh.error());
    } else if (const auto known = KnownCustomer(doc, "ploomes"); !MayHaveLanded(d) && known) {
      // The index, up to date, answers it: link without asking Ploomes again.
      if (options.dry_run) return Delivered{Outcome::kLinked, known->ref.internal_id, "would link to the Ploomes contact with this CPF/CNPJ"};
      out = {Outcome::kLinked, known->ref.internal_id, "already in Ploomes (same CPF/CNPJ): linked"};
      target_hash = known->info.content_hash;
    } else if (!MayHaveLanded(d)) {
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
        target_hash = PloomesCustomerHash(contact->record);
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
    return out;
  }

  // ---- tickets ----

  struct ClientForTicket {
    std::string id;
    std::string token;
    std::string document;     // canonical CPF/CNPJ
    std::string skip_reason;  // set when the ticket cannot have a client
  };

  // The Milvus client of a Ploomes contact, linking or creating it first if needed. With
  // need_token, a client whose token ponte does not know yet is looked up by document (one
  // listing); without, the token may be empty (ResolveTokens asks for many at once).
  Result<ClientForTicket> EnsureClient(const std::string& contact_id, RouteReport& r, bool need_token = true) {
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
            (void)store.SetAttributes(kCustomer, m->ref, nlohmann::json{{"token", token}}.dump());
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
    PONTE_RETURN_IF_ERROR(EnsureMilvusIndex());
    const CustomerVendor& cv = (*read)->record;
    Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes", cv.ToBusinessContent());
    DeliveryIntent intent{kRouteCustomersToMilvus, std::string(kCustomer), contact, "milvus",
                          m.ToJson().dump(), PloomesCustomerHash(cv)};
    if (options.dry_run) return ClientForTicket{"", "", "", ""};
    auto claimed = Claim(intent);
    if (!claimed) return Fail(claimed.error());
    if (!*claimed) {
      return Fail(Error::Unavailable(fmt::format("contact {} is being delivered by another worker", contact_id))
                      .WithSystem(std::string(kHeldByAnotherWorker)));
    }
    auto d = std::move(*claimed);
    auto delivered = DeliverCustomerToMilvus(*d, cv);
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
  Result<int> RelinkTicketsIfStoreKnowsNone() {
    if (ticket_links_checked || options.dry_run) return 0;
    auto known = store.ListLinks({std::string(kTicket), "", 1, 0});
    if (!known) return Fail(known.error());
    if (!known->empty()) {
      ticket_links_checked = true;
      return 0;
    }
    auto found = milvus.TicketsByReference();
    if (!found) return Fail(found.error());
    int relinked = 0;
    for (const auto& [reference, codigo] : *found) {
      auto origin = TicketOriginOfReference(reference);
      if (!origin) continue;
      if (store.Link(kTicket, *origin, {"milvus", codigo}, {"", "", "relinked from ponte's reference"})) ++relinked;
    }
    ticket_links_checked = true;
    log::Info("tickets_relinked", {{"found", std::to_string(found->size())}, {"relinked", std::to_string(relinked)}});
    return relinked;
  }

  Result<Delivered> DeliverTicket(const Delivery& d, const Ticket& t, RouteReport& r) {
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

  // ---- dispatch ----

  Result<Delivered> Deliver(const Delivery& d, RouteReport& r) {
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
    if (d.intent.target_system == "milvus") return DeliverCustomerToMilvus(d, *cv);
    return DeliverCustomerToPloomes(d, *cv);
  }

  Result<std::optional<Delivery>> Claim(const DeliveryIntent& intent) {
    return store.ClaimIntent(intent, options.worker, clock.Now(),
                             std::chrono::seconds(config.delivery.lease_seconds));
  }

  // Records the intent and delivers at once (or, in a dry run, only decides).
  void Process(RouteReport& r, DeliveryIntent intent) {
    const std::string origin = intent.origin.ToString();
    Delivery d;
    d.intent = std::move(intent);
    if (options.share_work && !options.dry_run) {
      // Journal it for whichever worker claims it first (RunPending here or elsewhere).
      (void)store.ClearSkip(d.intent.route, d.intent.origin);
      auto row = store.ClaimIntent(d.intent, options.worker, clock.Now(), std::chrono::milliseconds(0));
      if (!row) {
        r.error = row.error().ToString();
        r.unreachable = true;
      } else if (!*row) {
        Count(r, origin, {Outcome::kUnchanged, "", "another worker is delivering it now"});
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
        Count(r, origin, {Outcome::kUnchanged, "", "another worker is delivering it now"});
        return;
      }
      d = std::move(**row);
    }
    if (leases) leases->Hold(d.id);
    auto delivered = Deliver(d, r);
    if (leases) leases->Drop(d.id);
    if (delivered) {
      Count(r, origin, *delivered);
    } else if (options.dry_run) {
      r.records.push_back({origin, Outcome::kSkipped, delivered.error().ToString()});
    } else {
      Failed(r, d, delivered.error());
    }
  }

  // Deliveries of `route` that are due (retries, and ones a crash left behind).
  void RunPending(RouteReport& r, const std::string& route) {
    if (options.dry_run) return;
    while (true) {
      auto batch = store.ClaimDue(options.worker, clock.Now(),
                                  std::chrono::seconds(config.delivery.lease_seconds),
                                  options.share_work ? kSharedClaimBatch : kClaimBatch, route);
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
        auto delivered = Deliver(d, r);
        leases->Drop(d.id);
        if (delivered) {
          Count(r, d.intent.origin.ToString(), *delivered);
        } else {
          Failed(r, d, delivered.error());
        }
      }
    }
  }

  // ---- cursors ----

  struct CursorState {
    std::optional<Instant> since;
    std::set<std::string> read;  // "id@time" of the records read last time near the cursor
    std::string text;
    bool full = false;           // this run reads the whole source
    std::optional<Instant> floor;  // a full run's cursor before it: the new one is not older
  };

  static std::string FullListingKey(const std::string& route) { return "full_listing:" + route; }

  // --full, or the route's full_listing_hours have passed since its last whole listing.
  bool FullListingDue(const std::string& route) {
    if (options.full) return true;
    const int hours = config.routes.at(route).full_listing_hours;
    if (hours <= 0) return false;
    auto last = store.GetFact(FullListingKey(route));
    if (!last || !*last) return true;
    auto at = ParseIsoInstant(**last);
    return !at || clock.Now() - *at >= std::chrono::hours(hours);
  }

  // "40100001@2026-11-23T13:15:00.120Z": a record as read at one LastUpdateDate.
  static std::string ReadMark(const std::string& id, Instant at) { return id + "@" + FormatUtc(at); }

  CursorState LoadCursor(const std::string& route) {
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

  // The new watermark: the newest server timestamp read, with every record read within the
  // listing's reread window of it, so the next run (which reads that window again) drops them.
  template <typename T>
  void SaveCursor(RouteReport& r, const std::string& route, const CursorState& before, const Listing<T>& listing) {
    r.cursor_before = before.text;
    r.cursor_after = before.text;
    if (options.dry_run) return;
    if (before.full) (void)store.PutFact(FullListingKey(route), FormatUtc(clock.Now()), clock.Now());
    if (listing.records.empty()) return;
    Instant newest = listing.records.front().updated_at;
    for (const auto& rec : listing.records) newest = std::max(newest, rec.updated_at);
    if (before.floor && *before.floor > newest) return;  // a whole listing never moves the cursor back
    const Instant window = newest - listing.reread;
    Cursor c{route, FormatUtc(newest), {}, {}};
    std::set<std::string> marks;
    for (const auto& rec : listing.records) {
      if (rec.updated_at >= window) marks.insert(ReadMark(rec.internal_id, rec.updated_at));
    }
    for (const auto& mark : before.read) {
      auto at = ParseIsoInstant(std::string_view(mark).substr(mark.rfind('@') + 1));
      if (at && *at >= window) marks.insert(mark);
    }
    c.boundary_ids.assign(marks.begin(), marks.end());
    if (store.SaveCursor(c, clock.Now())) r.cursor_after = c.value;
  }

  // Read in an earlier run at this very LastUpdateDate: nothing changed since.
  template <typename T>
  bool ReadBefore(const CursorState& c, const SourceRecord<T>& rec) {
    return c.read.count(ReadMark(rec.internal_id, rec.updated_at)) > 0;
  }

  // A shutdown was asked for: the run ends after the record in hand, without moving its cursor,
  // so the next run (or another worker) reads on from where this one was sure of.
  bool Stopping(RouteReport& r) {
    if (halted) return true;  // the route's report already says why
    if (!options.stop_requested || !options.stop_requested()) return false;
    r.complete = false;
    r.incomplete_reason = "stopped before the end of the listing; the next run reads on from the saved cursor";
    return true;
  }

  void Progress(const std::string& route, int done, int total) {
    if (options.progress) options.progress(route, done, total);
  }

  // ---- routes ----

  void CustomersToMilvus(RouteReport& r) {
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
    Index("ploomes", *listing, PloomesCustomerHash);
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
      const std::string hash = PloomesCustomerHash(rec.record);
      auto members = store.Entity(kCustomer, origin);
      const bool linked = members && Member(*members, "milvus");
      // The cutoff keeps old contacts from being created in Milvus; one already linked there
      // (a ticket needed its client) gets its updates like any other.
      if (!linked && cutoff && rec.created_at < *cutoff) {
        Skip(r, route, origin, "created before the cutoff",
             fmt::format("created {} (local), before the cutoff {}", FormatDate(LocalDateOf(rec.created_at)), rc.cutoff));
        continue;
      }
      if (linked) {
        const LinkRow* self = Member(*members, "ploomes");
        if (self && self->info.content_hash == hash) {
          Count(r, origin.ToString(), {Outcome::kUnchanged, "", "no change since the last sync"});
          continue;
        }
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

  void CustomersToPloomes(RouteReport& r) {
    const std::string route = kRouteCustomersToPloomes;
    RunPending(r, route);
    // Milvus clients carry no change timestamp: each run reads them all (within the cap) and
    // compares content hashes with the de/para. The index's listing of this run serves, when it
    // was complete.
    Result<Listing<CustomerVendor>> listing =
        milvus_listing ? Result<Listing<CustomerVendor>>(std::move(*milvus_listing)) : milvus.ListClients();
    milvus_listing.reset();
    if (!listing) return Failure(r, listing.error());
    Index("milvus", *listing, MilvusCustomerHash);
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
      const std::string hash = MilvusCustomerHash(rec.record);
      auto members = store.Entity(kCustomer, origin);
      if (members) {
        const LinkRow* self = Member(*members, "milvus");
        if (self && self->info.content_hash == hash && Member(*members, "ploomes")) {
          Count(r, origin.ToString(), {Outcome::kUnchanged, "", "no change since the last sync"});
          continue;
        }
      }
      Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "milvus",
                             rec.record.ToBusinessContent());
      Process(r, {route, std::string(kCustomer), origin, "ploomes", m.ToJson().dump(), hash});
      if (!rec.token.empty() && !options.dry_run) {
        (void)store.SetAttributes(kCustomer, origin, nlohmann::json{{"token", rec.token}}.dump());
      }
    }
  }

  Result<std::map<int64_t, std::string>> Tags(const std::string& route) {
    if (auto it = tags_by_route.find(route); it != tags_by_route.end()) return it->second;
    const RouteConfig& rc = config.routes.at(route);
    auto resolved = ploomes.ResolveTags(rc.tags);
    if (!resolved) return Fail(resolved.error());
    for (int64_t id : rc.tag_ids) (*resolved)[id] = fmt::format("Tag {}", id);
    return tags_by_route[route] = *resolved;
  }

  // A route's cutoff as an instant (the start of that local day); none when it has none.
  std::optional<Instant> Cutoff(const std::string& route) const {
    const RouteConfig& rc = config.routes.at(route);
    if (rc.cutoff.empty()) return std::nullopt;
    if (auto d = ParseDate(rc.cutoff)) return StartOfLocalDay(*d);
    return std::nullopt;
  }

  void TicketsRoute(RouteReport& r, const std::string& route, const std::string& source_message) {
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
    std::vector<milvus::MilvusConnector::WantedToken> wanted;
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
    ResolveTokens(wanted);
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
  bool WantsTicket(const std::string& route, const SourceRecord<ploomes::TicketSource>& rec, const SystemRef& origin) {
    const auto& src = rec.record;
    if (!src.tagged || !src.contact_id) return false;
    if (auto cutoff = Cutoff(route); cutoff && rec.created_at < *cutoff) return false;
    auto linked = store.Lookup(kTicket, origin, "milvus");
    return !(linked && *linked);
  }

  void TicketFromSource(RouteReport& r, const std::string& route, const std::string& source_message,
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

  void Failure(RouteReport& r, const Error& e) {
    if (e.halts_system || e.code == ErrorCode::kUnauthenticated || e.code == ErrorCode::kPermissionDenied) {
      return Halt(r, e);
    }
    r.error = e.ToString();
    r.complete = false;
    // A 429 that outlasted its retries is a busy system, not an unreachable one.
    r.unreachable = e.code == ErrorCode::kUnavailable || e.code == ErrorCode::kDeadlineExceeded ||
                    e.code == ErrorCode::kDataLoss;
  }
};

SyncEngine::SyncEngine(const Config& config, Store& store, ploomes::PloomesConnector& ploomes,
                       milvus::MilvusConnector& milvus, CallCounter& calls, const Clock& clock,
                       EngineOptions options)
    : impl_(std::make_unique<Impl>(Impl{config, store, ploomes, milvus, calls, clock, std::move(options)})) {
  if (impl_->options.worker.empty()) impl_->options.worker = DefaultWorker();
  if (!impl_->options.dry_run) {
    impl_->leases = std::make_unique<LeaseKeeper>(store, impl_->options.worker,
                                                  std::chrono::seconds(config.delivery.lease_seconds), clock);
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
  auto locked = writes ? store.TryLockRoute(route, worker, impl_->clock.Now(), kRouteLockLease) : Result<bool>(true);
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
  std::vector<RouteReport> out;
  for (const auto& route : RouteOrder()) {
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
  im.Index("milvus", *clients, MilvusCustomerHash);
  im.Index("ploomes", *contacts, PloomesCustomerHash);
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
    if (auto linked = im.store.Lookup(kCustomer, milvus_ref, "ploomes"); linked && *linked) continue;
    // Each side keeps the hash of its own version, as a delivery that links leaves them: the
    // next sync finds both in sync and writes nothing.
    if (!im.store.Link(kCustomer, ploomes_ref, milvus_ref, {doc, PloomesCustomerHash(it->second->record), "rebuild"})) {
      ++out.conflicts;
      continue;
    }
    (void)im.store.UpdateLinkInfo(kCustomer, milvus_ref, {doc, MilvusCustomerHash(m.record), "rebuild"});
    if (!m.token.empty()) (void)im.store.SetAttributes(kCustomer, milvus_ref, nlohmann::json{{"token", m.token}}.dump());
    ++out.customers_linked;
  }
  auto tickets = im.milvus.TicketsByReference();
  if (!tickets) {
    out.error = tickets.error().ToString();
    return done();
  }
  for (const auto& [reference, codigo] : *tickets) {
    auto origin = TicketOriginOfReference(reference);
    if (!origin) continue;
    if (auto linked = im.store.Lookup(kTicket, *origin, "milvus"); linked && *linked) continue;
    if (im.store.Link(kTicket, *origin, {"milvus", codigo}, {"", "", "rebuild"})) {
      ++out.tickets_linked;
    } else {
      ++out.conflicts;
    }
  }
  im.ticket_links_checked = true;
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
      auto linked = impl_->store.Lookup(kCustomer, origin, "milvus");
      if (auto cutoff = impl_->Cutoff(route); cutoff && rec.created_at < *cutoff && !(linked && *linked)) {
        impl_->Skip(r, r.route, origin, "created before the cutoff",
                    fmt::format("created {} (local), before the cutoff {}", FormatDate(LocalDateOf(rec.created_at)),
                                impl_->config.routes.at(route).cutoff));
      } else {
        Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes", rec.record.ToBusinessContent());
        impl_->Process(r, {r.route, std::string(kCustomer), origin, "milvus", m.ToJson().dump(),
                           PloomesCustomerHash(rec.record)});
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
