#pragma once
// The delivery engine's state and steps, shared by its files: engine.cc (the public SyncEngine),
// engine_report.cc (counting and failing), engine_index.cc (what ponte knows of each system's
// customers), engine_journal.cc (claiming, delivering and the cursors), engine_customers.cc and
// engine_tickets.cc (the routes). Only the engine includes it.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/systems.h"
#include "core/message.h"
#include "core/time.h"
#include "store/store.h"
#include "sync/engine.h"
#include "sync/lease_keeper.h"

namespace ponte {

struct SyncEngine::Impl {
  static constexpr std::string_view kCustomer = kCustomerVendorTransaction;
  static constexpr std::string_view kTicket = kTicketTransaction;
  // Most deliveries claimed from the journal in one batch.
  static constexpr size_t kClaimBatch = 100;
  // Most inbox items claimed at once, and how long such a claim lasts without renewal: offering
  // an item is idempotent, so a claim that runs out is simply offered again.
  static constexpr size_t kInboxBatch = 20;
  static constexpr std::chrono::minutes kInboxLease{5};
  // With several workers sharing the journal, small batches spread the work evenly.
  static constexpr size_t kSharedClaimBatch = 4;
  // How long a route lock lasts without renewal (SQLite; PostgreSQL's ends with the connection).
  static constexpr std::chrono::minutes kRouteLockLease{10};
  // Longest wait between two delivery attempts.
  static constexpr std::chrono::hours kMaxRetryWait{1};
  // A ticket whose customer another worker is delivering waits this long, uncounted.
  static constexpr std::chrono::seconds kWaitForOtherWorker{2};
  // Error.system of "a record this one needs is held by another worker": not a failure.
  static constexpr std::string_view kHeldByAnotherWorker = "another worker";
  // A ticket whose customer has no usable document: a skip, however the record reached delivery.
  static constexpr std::string_view kCustomerNotDeliverable = "customer not deliverable";
  // How long before a delivery's first attempt a record it created may carry its creation date
  // (clock skew between ponte and the system).
  static constexpr std::chrono::minutes kCreateClockSkew{10};
  // How long an index from a complete listing answers for its system without a lookup.
  static constexpr std::chrono::minutes kIndexMaxAge{10};

  // Where a delivery went, for the report.
  struct Delivered {
    Outcome outcome;
    std::string target_id;
    std::string detail;
    std::string target_hash;  // the content hash of what a write left in the target, when known
  };

  static int64_t NumericOr0(const std::string& s) {
    try {
      return std::stoll(s);
    } catch (...) {
      return 0;
    }
  }

  // A text attribute of `system`'s member of an entity ("" when it has none).
  static std::string AttributeOf(const std::vector<LinkRow>& members, const std::string& system,
                                 std::string_view key) {
    for (const auto& m : members) {
      if (m.ref.system != system) continue;
      auto attrs = nlohmann::json::parse(m.attributes, nullptr, false);
      if (attrs.is_object() && attrs.contains(key) && attrs[key].is_string()) return attrs[key];
    }
    return "";
  }

  static const LinkRow* Member(const std::vector<LinkRow>& members, const std::string& system) {
    for (const auto& m : members) {
      if (m.ref.system == system) return &m;
    }
    return nullptr;
  }

  // Whether an earlier write of this delivery may have reached the target: an attempt was
  // counted, or it failed before (a replayed dead letter has its attempts reset but keeps its
  // last error, and a 500 after a POST may still have created the record).
  static bool MayHaveLanded(const Delivery& d) { return d.attempts > 0 || !d.last_error.empty(); }

  // How long a write ponte lost sight of (a timeout, a cut answer, a crash) may still land in
  // its system: a delivery in doubt is looked for only after this (DeliveryConfig).
  std::chrono::milliseconds Settle() const { return std::chrono::seconds(config.delivery.write_settle_seconds); }
  // Gives a natural key to the pending customer deliveries journaled before deliveries kept one,
  // so a write of theirs in doubt holds back the others of that customer (CustomerWriteInDoubt).
  void FillNaturalKeysOfOlderDeliveries();
  // Counts an attempt of `d` before its write is sent (the journal then knows the write may
  // land), and remembers that this process sent it.
  Status BeginAttempt(const Delivery& d, std::string_view crash_site);

  // The origin a ticket's reference names: "[ponte crm:Task:40500001]" -> crm:Task|40500001.
  static std::optional<SystemRef> TicketOriginOfReference(const std::string& reference);

  const Config& config;
  Store& store;
  SystemsByName systems;  // every system the routes name
  CallCounter& calls;
  const Clock& clock;
  EngineOptions options;
  // Each ticket route's tags (TagId -> name), resolved once a run: routes have their own tags.
  std::map<std::string, std::map<int64_t, std::string>> tags_by_route;
  bool halted = false;  // a system refused ponte or the store failed: the run stops
  std::set<std::string> ticket_links_checked;  // targets RelinkTicketsIfStoreKnowsNone ran for
  // Renews the leases of what this worker claimed until each delivery is done (lease_keeper.h).
  std::unique_ptr<LeaseKeeper> leases;
  // --dry-run: the customers the listings showed (system, document) -> member, never stored.
  std::map<std::pair<std::string, std::string>, LinkRow> dry_index;
  // The indexes brought up to date in this run: system -> whether they are whole (false: every
  // customer they do not know is looked up in the system).
  std::map<std::string, bool> indexed;
  // Records written in this run whose link attributes their system tells later, by system.
  std::map<std::string, std::vector<AwaitedRecord>> attributes_due;
  // Deliveries whose current attempt sent (or may have sent) a write from this process: if it
  // fails, the retry waits for Settle() so the write, if it landed, is found.
  std::set<int64_t> attempted;
  // This run's whole listings of systems without change dates, for the next route reading one.
  // ponte's writes into such a system are written into its listing too (KeepListingCurrent):
  // a route out of it must neither miss a record created since (a client made for a ticket)
  // nor send an old version back over an update.
  std::map<std::string, Listing<CustomerVendor>> undated_listings;

  // ---- bookkeeping ----

  // The report of a run of `route`; ran is false when the route is unknown or disabled.
  RouteReport NewReport(const std::string& route) const;

  void Skip(RouteReport& r, const std::string& route, const SystemRef& origin,
            const std::string& kind, const std::string& reason);

  void Count(RouteReport& r, const std::string& origin, const Delivered& d);

  // A failed delivery: retried later, or dead-lettered with the reason a person needs.
  void Failed(RouteReport& r, const Delivery& d, const Error& e);

  // The run stops calling a system that refuses ponte (or cannot be reached), or a failing
  // store: what is left waits for the next run. The report says which, for the exit code.
  void Halt(RouteReport& r, const Error& e);

  // ---- indexes: what ponte knows of each system's customers, kept in the store ----

  static std::string IndexKey(const std::string& system) { return "index:" + system; }

  // Whether an index was built from a complete listing recently (by this worker or another):
  // within a run and a little beyond, it answers "is this customer there?" without a call.
  bool IndexFresh(const std::string& name);

  void SaveIndexState(const std::string& name, bool complete, const std::string& reason, size_t seen);

  // Keeps each listed customer in the de/para as an index member (document, hash of what was
  // read) unless it is there already; a member whose document changed gets the new one (its
  // hash stays: it is what was last delivered, for echo suppression).
  using CustomerHasher = std::function<std::string(const CustomerVendor&)>;
  void Index(const std::string& system, const Listing<CustomerVendor>& listing, const CustomerHasher& hash);

  // ---- versions: what each member last received, so several routes leave one system ----

  // Merges `patch` into a customer link's attributes (RFC 7396), writing only on a change.
  // `current`: the link's row when the caller has it (saves a read).
  void MergeAttributes(const SystemRef& ref, const nlohmann::json& patch, const LinkRow* current = nullptr);
  // Whether the record of `from` at version `hash` needs no delivery to `to`: ponte wrote that
  // version into `from` itself (an echo), or `to` received it already. Links made before ponte
  // kept these (and by `depara import`) fall back to the origin's last delivered hash.
  static bool TargetHas(const std::vector<LinkRow>& members, const std::string& from, const std::string& to,
                        const std::string& hash);
  // After a delivery: the target received the origin's version `origin_hash`, and holds
  // `written_hash` when ponte wrote it (empty for a link without a write).
  void RecordVersions(const SystemRef& target, const std::string& from, const std::string& origin_hash,
                      const std::string& written_hash, const std::string& connector_attributes = "{}");

  // The member of `system` the index holds for a document, if any. Customers are matched by
  // canonical document, so a CPF typed "261 461 003 82" or without its leading zero links
  // instead of being created again.
  std::optional<LinkRow> KnownCustomer(const std::string& doc, const std::string& system);

  // The late attributes (a ticket system's key of a new customer) of the records written into `system` in
  // this run and of `also`, asked all at once (CustomerSystem::LateAttributes) and kept on their
  // links: every answer for a record ponte knows (SetAttributes refuses the others). A failure
  // leaves them for a later ask.
  void SettleLateAttributes(CustomerSystem& system, const std::vector<AwaitedRecord>& also = {},
                            bool thorough = false);

  // ---- several workers: one at a time writes a customer into a system ----

  // Releases a customer lock when the delivery holding it ends.
  class CustomerLock {
   public:
    CustomerLock(Store& store, std::string name, std::string worker)
        : store_(store), name_(std::move(name)), worker_(std::move(worker)) {}
    ~CustomerLock() { (void)store_.UnlockRoute(name_, worker_); }
    CustomerLock(const CustomerLock&) = delete;
    CustomerLock& operator=(const CustomerLock&) = delete;

   private:
    Store& store_;
    std::string name_, worker_;
  };
  // With several workers (share_work), two routes may carry one customer from two systems into
  // a third at the same moment (a CRM contact and the ERP customer of one CNPJ, both bound
  // for the helpdesk): the worker that holds "customer:<system>:<document>" decides "create or link";
  // another is deferred, uncounted, and finds the link when it comes back. Null when one worker
  // runs alone.
  Result<std::unique_ptr<CustomerLock>> LockCustomer(const Delivery& d, const std::string& system, const std::string& doc);

  // ---- customers (CustomerVendor) from one system to another (engine_customers.cc) ----

  Result<CustomerSystem*> SystemNamed(const std::string& name);
  // The route a record `system` pushed as one of `entity_set` feeds (SyncEngine::DeliverOne).
  std::optional<std::string> RouteOfPush(const std::string& system, const std::string& entity_set);
  // Brings a system's customers into the index once per run, before it answers "is this
  // customer there?" `lookups_ahead` times: the changes since its last whole listing when it
  // keeps change dates, else a listing of all (one this run took already, or another worker's
  // complete one within kIndexMaxAge, serves). An index that is not whole loses nothing: every
  // customer it does not know is looked up in the system.
  Status EnsureIndexOf(CustomerSystem& system, size_t lookups_ahead = 0);
  // The system's customers for a route: since the cursor when it keeps change dates, else the
  // whole listing, taken once per run (the index's, when it was whole, serves).
  Result<Listing<CustomerVendor>> CustomersOf(CustomerSystem& system, std::optional<Instant> since);
  // Keeps a route's source listing in the index; `read_all`: the listing began at no cursor.
  // The index is whole when the listing was (or continued a whole index, for a dated source).
  void IndexSource(CustomerSystem& source, const Listing<CustomerVendor>& listing, bool read_all);
  void CustomersBetween(RouteReport& r, const std::string& route);
  // After a write of `cv` into `system` as `internal_id`: the run's listing of that system, if
  // it keeps one, holds the record as written (or is dropped when that cannot be told).
  void KeepListingCurrent(CustomerSystem& system, const std::string& internal_id, const CustomerVendor& cv,
                          const std::string& written_hash);
  // Reconcile (link what has this document) or write, then link and done.
  Result<Delivered> DeliverCustomerTo(const Delivery& d, const Message& m, const CustomerVendor& cv);
  // Whether `target` holds a customer with the delivery's document: what the index knows, or,
  // when the index is not whole or a write of it may have landed (`in_doubt`), what the system
  // answers.
  struct Existing {
    std::string internal_id;
    std::string content_hash;
    std::string token;
  };
  Result<std::optional<Existing>> FindExisting(CustomerSystem& target, const Delivery& d, const Message& m,
                                               const Document& doc, bool in_doubt);
  // Whether a write of customer `doc` to `system` may still land: another delivery of it was
  // sent and has not settled (fails: wait), or one has settled (true: ask the system before
  // writing), or none (false, unless `d` itself began an attempt before).
  Result<bool> CustomerWriteInDoubt(const Delivery& d, const std::string& system, const std::string& doc);
  // Offers one customer of `source` to `route`, wherever it was read (a listing, a webhook, a
  // push): the route's rules (its cutoff, an unchanged version) decide, and what passes is
  // journaled and delivered. The one rule every way in uses.
  void OfferCustomer(RouteReport& r, const std::string& route, CustomerSystem& source,
                     const SourceRecord<CustomerVendor>& rec);

  // ---- tickets (engine_tickets.cc) ----

  // A ticket route's systems: where its records come from (and their customers), and where
  // the tickets go (and their customers).
  struct TicketSystems {
    TicketSourceSystem* source = nullptr;
    CustomerSystem* source_customers = nullptr;
    TicketTargetSystem* target = nullptr;
    CustomerSystem* target_customers = nullptr;
  };
  Result<TicketSystems> TicketSystemsOf(const std::string& route);

  struct CustomerForTicket {
    std::string id;           // in the ticket target
    std::string key;          // what a ticket names it by (TicketTargetSystem::customer_key)
    std::string document;     // canonical CPF/CNPJ
    std::string skip_reason;  // set when the ticket cannot have a customer
  };

  // The target's customer of a source record's customer, linking or creating it first if
  // needed. With need_key, a customer whose key ponte does not know yet is looked up by
  // document; without, the key may be empty (SettleLateAttributes asks for many at once).
  Result<CustomerForTicket> EnsureCustomer(const std::string& route, const std::string& customer_id, RouteReport& r,
                                           bool need_key = true);

  // A store that knows no ticket (new, emptied, lost, restored from an old backup) may face a
  // target that holds ponte's tickets. Before the first ticket is created, every ticket ponte
  // wrote is found by the reference in it (one listing) and linked again, so none is created
  // twice.
  Result<int> RelinkTicketsIfStoreKnowsNone(TicketTargetSystem& target);

  // Links every ticket of `target` with ponte's reference in it to the record the reference
  // names, unless that record is linked already (`how` goes in the link's route).
  struct ReferenceLinks {
    size_t found = 0;   // tickets with a reference
    int linked = 0;     // links written now
    int conflicts = 0;  // links the de/para refused (an id linked elsewhere)
  };
  Result<ReferenceLinks> LinkTicketsByReference(TicketTargetSystem& target, const std::string& how);

  Result<Delivered> DeliverTicket(const Delivery& d, const Ticket& t, RouteReport& r);

  // ---- dispatch ----

  Result<Delivered> Deliver(const Delivery& d, RouteReport& r);
  // Counts a delivery's outcome, or fails it (retry or dead letter), and ends its attempt.
  Result<Delivered> Conclude(const Delivery& d, Result<Delivered> delivered, RouteReport& r);

  Result<std::optional<Delivery>> Claim(const DeliveryIntent& intent);

  // Records the intent and delivers at once (or, in a dry run, only decides).
  void Process(RouteReport& r, DeliveryIntent intent);

  // Deliveries of `route` that are due (retries, and ones a crash left behind).
  void RunPending(RouteReport& r, const std::string& route);
  // Claims due deliveries (of one route, or all), taking over dead workers' claims.
  Result<std::vector<Delivery>> ClaimDue(const std::string& route, size_t limit);

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
  bool FullListingDue(const std::string& route);

  // "40100001@2026-11-23T13:15:00.120Z": a record as read at one LastUpdateDate.
  static std::string ReadMark(const std::string& id, Instant at) { return id + "@" + FormatUtc(at); }

  CursorState LoadCursor(const std::string& route);

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
  bool Stopping(RouteReport& r);
  // The caller's stop_requested, or a stop of the whole process (core/shutdown.h).
  bool StopAsked() const;

  void Progress(const std::string& route, int done, int total);

  // ---- routes ----

  Result<TagMap> Tags(const std::string& route);

  // A route's cutoff as an instant (the start of that local day); none when it has none.
  std::optional<Instant> Cutoff(const std::string& route) const;

  void TicketsRoute(RouteReport& r, const std::string& route);

  // Whether a record still needs a ticket: tagged, on a customer, not before the cutoff, and
  // not ticketed yet.
  bool WantsTicket(const std::string& route, const SourceRecord<TicketCandidate>& rec, const SystemRef& origin);

  void TicketFromCandidate(RouteReport& r, const std::string& route, const SourceRecord<TicketCandidate>& rec);

  void Failure(RouteReport& r, const Error& e);
};

}  // namespace ponte
