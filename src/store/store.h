#pragma once
// The store: ponte's memory. De/para links, the delivery journal, route cursors, dead letters
// and shared rate-limit buckets, behind one interface with two real back ends (SQLite by
// default, PostgreSQL for several workers). Open one with OpenStore(url).
//
// Thread safety: every method may be called from any thread; an implementation serializes
// calls on its connection. Several processes may share one PostgreSQL store (or, with SQLite's
// locking, one SQLite file).

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"

namespace ponte {

// An InternalId in one system: "ploomes:401234567".
struct SystemRef {
  std::string system;
  std::string internal_id;
  std::string ToString() const { return system + ":" + internal_id; }
  // Parses "system:id" (the id may itself hold ':' or '|').
  static Result<SystemRef> Parse(std::string_view text);
  friend bool operator==(const SystemRef&, const SystemRef&) = default;
};

// What a link records besides the two ids.
struct LinkInfo {
  std::string natural_key;   // normalized CPF/CNPJ when the entity has one
  std::string content_hash;  // hash of the last version ponte wrote (echo suppression)
  std::string route;         // the route (or "import", "manual") that made the link
};

// One member of a de/para entity.
struct LinkRow {
  int64_t entity_id = 0;
  std::string message;
  SystemRef ref;
  LinkInfo info;
  std::string attributes = "{}";  // JSON object of connector data, e.g. a Milvus client token
  Instant linked_at{};
};

enum class DeliveryState { kPending, kDone, kDead };
std::string_view DeliveryStateName(DeliveryState s);
Result<DeliveryState> ParseDeliveryState(std::string_view s);

// The intent to write one record to a target system.
struct DeliveryIntent {
  std::string route;
  std::string message;        // "CustomerVendor", "Ticket"
  SystemRef origin;           // the record that is being delivered
  std::string target_system;  // "milvus"
  std::string payload;        // the canonical message JSON
  std::string content_hash;
  // The record's natural key (a customer's canonical CPF/CNPJ; empty for tickets): a write of it
  // to the target that is in doubt holds back every other delivery of that key there.
  std::string natural_key = "";
};

struct Delivery {
  int64_t id = 0;
  DeliveryIntent intent;
  DeliveryState state = DeliveryState::kPending;
  int attempts = 0;
  std::string last_error;
  Instant next_attempt_at{};
  std::string claimed_by;
  Instant lease_until{};
  std::string target_id;  // the record's InternalId in the target, once done
  // Until when a write an earlier attempt sent, and lost sight of, may still land in the target
  // (a timeout, a cut answer, a worker that died mid-attempt); the epoch when none is in doubt.
  Instant settles_at{};
  Instant created_at{};
  Instant updated_at{};
};

// How many deliveries still wait, and when the first of them is due.
struct PendingCount {
  int64_t deliveries = 0;
  std::optional<Instant> next_due;  // the earliest next attempt (none when nothing waits)
};

// A record a system pushed (a Ploomes webhook, an ERP's BusinessMessage), kept in the inbox
// before ponte answers the push, until it was offered to its routes.
struct InboxItem {
  int64_t id = 0;
  std::string source;      // the system that pushed it, by its name in ponte.toml
  std::string kind;        // "webhook" (an event naming a record) or "message" (a record's content)
  std::string entity_set;  // webhook: "Contacts", "Tasks", "InteractionRecords"
  std::string record_id;   // the record's id in the source
  std::string body;        // what was pushed (JSON text): the webhook's record, the message's content
  int64_t version = 1;     // grows when a newer push of the record replaces this one
  Instant received_at{};
  int attempts = 0;
  std::string last_error;
  Instant next_attempt_at{};
};

struct DeadLetter {
  int64_t id = 0;
  int64_t delivery_id = 0;
  std::string route;
  SystemRef origin;
  std::string reason;
  std::string payload;
  Instant created_at{};
  std::optional<Instant> replayed_at;
  // Delivered later by another delivery of the same record (it left the queue on its own).
  std::optional<Instant> resolved_at;
  std::optional<int64_t> resolved_by;
};

// A route's durable watermark: the last server-side timestamp fully read, plus the records read
// near it as "id@time" (the next listing reads that window again and drops what it already
// read at the same time), so late commits and ties are neither lost nor repeated.
struct Cursor {
  std::string route;
  std::string value;                    // UTC ISO 8601 instant, e.g. 2026-11-23T13:15:00.120Z
  std::vector<std::string> boundary_ids;
  Instant updated_at{};
};

// A live (or recently seen) worker and what it holds, for `ponte workers`.
struct WorkerInfo {
  std::string name;                 // "host:pid", "host:pid/poll"
  Instant started_at{};
  Instant heartbeat_at{};
  std::vector<std::string> routes;  // routes whose source it is polling now
  int64_t claimed = 0;              // deliveries it holds a live lease on
};

// A record a route read and did not deliver, with the reason (for `ponte sync --explain`).
struct SkipRecord {
  std::string route;
  SystemRef origin;
  std::string reason;
  Instant seen_at{};
};

struct LinkFilter {
  std::string message;  // empty: all
  std::string system;   // empty: all
  size_t limit = 0;     // 0: no limit
  size_t offset = 0;
};

struct DeliveryFilter {
  std::optional<DeliveryState> state;
  std::string route;
  size_t limit = 100;
};

// A problem `ponte depara check` reports.
struct IntegrityProblem {
  std::string kind;  // "natural_key_mismatch", "entity_without_peer", "natural_key_shared"
  std::string message;
  std::string detail;
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- de/para ----
  // Links `a` and `b` as one entity of `message` (info applies to both members). Creates the
  // entity, joins one ref to the other's entity, merges their two entities when no system holds
  // an id in both (each side remembered apart from its own listing), or refreshes the info of an
  // existing link. AlreadyExists when the two entities hold different ids of one system, or the
  // entity already holds another id in that system.
  virtual Status Link(std::string_view message, const SystemRef& a, const SystemRef& b,
                      const LinkInfo& info) = 0;
  // The id in `to_system` of the entity `from` belongs to, if any.
  virtual Result<std::optional<std::string>> Lookup(std::string_view message,
                                                    const SystemRef& from,
                                                    std::string_view to_system) = 0;
  // Every member of the entity `ref` belongs to (empty when unlinked).
  virtual Result<std::vector<LinkRow>> Entity(std::string_view message, const SystemRef& ref) = 0;
  // Members of entities whose natural key is `natural_key` (e.g. every id known for a CNPJ).
  virtual Result<std::vector<LinkRow>> FindByNaturalKey(std::string_view message,
                                                        std::string_view natural_key) = 0;
  // Updates natural key, hash and route of one existing link; NotFound when unlinked.
  virtual Status UpdateLinkInfo(std::string_view message, const SystemRef& ref,
                                const LinkInfo& info) = 0;
  // Stores connector data (a JSON object) on one existing link; NotFound when unlinked.
  virtual Status SetAttributes(std::string_view message, const SystemRef& ref,
                               std::string_view attributes) = 0;
  virtual Result<std::vector<LinkRow>> ListLinks(const LinkFilter& filter) = 0;
  virtual Result<int64_t> CountLinks() = 0;
  // One record per pair, all or nothing: any bad pair rolls the whole import back and the
  // error names the pair's position (1-based).
  struct ImportPair {
    std::string message;
    SystemRef a;
    SystemRef b;
    LinkInfo info;
  };
  virtual Status ImportLinks(const std::vector<ImportPair>& pairs) = 0;
  // Records an id as known (e.g. a natural key seen in a migration) without a peer yet.
  virtual Status Remember(std::string_view message, const SystemRef& ref,
                          const LinkInfo& info) = 0;
  virtual Result<std::vector<IntegrityProblem>> CheckDePara() = 0;

  // ---- delivery journal ----
  // Records the intent to write (one transaction). If a pending delivery for the same route,
  // origin and target exists, its payload is refreshed and its id returned: never two.
  virtual Result<int64_t> RecordIntent(const DeliveryIntent& intent, Instant now) = 0;
  // RecordIntent and a claim of the delivery for `worker` until `now + lease`, in one
  // transaction. nullopt when another worker's lease holds it (that worker is delivering this
  // record right now): the caller must leave it alone, or two writes of one record could race.
  // A lease of 0 records the intent (unless another worker holds it) without claiming it, for
  // any worker's ClaimDue to take.
  // A pending delivery whose earlier write may still land is left to its retry (nullopt, its
  // payload refreshed): one not settled yet (settles_at) stays until its next attempt, and one
  // whose worker died during an attempt settles and is due `settle` from now, so that a write
  // the dead worker had in flight lands before anyone looks for it.
  virtual Result<std::optional<Delivery>> ClaimIntent(const DeliveryIntent& intent,
                                                      std::string_view worker, Instant now,
                                                      std::chrono::milliseconds lease,
                                                      std::chrono::milliseconds settle = {}) = 0;
  // In one transaction: links origin and target, marks done. The target member keeps
  // info.content_hash (what was written), the origin member the intent's content_hash (what was
  // read), so each side detects its own echo.
  virtual Status CompleteDelivery(int64_t delivery_id, const SystemRef& target,
                                  const LinkInfo& info, Instant now) = 0;
  // Counts an attempt before the write is sent. A delivery found pending with attempts > 0 may
  // have been written before a crash: the engine reconciles before writing again.
  virtual Status BeginAttempt(int64_t delivery_id, Instant now) = 0;
  // A failed attempt that will be retried at `next_attempt_at`.
  // `settles_at`: until when the write this attempt sent may still land (the epoch: it sent
  // none that can, and the earlier value stays).
  virtual Status RetryDelivery(int64_t delivery_id, std::string_view error,
                               Instant next_attempt_at, Instant now, Instant settles_at = {}) = 0;
  // Puts a claimed delivery back for later without counting a failure: what it needs (its
  // customer's delivery) is held by another worker right now.
  virtual Status DeferDelivery(int64_t delivery_id, Instant next_attempt_at, Instant now,
                               Instant settles_at = {}) = 0;
  // A failure for good: the delivery goes dead and a dead letter holds the reason.
  virtual Status KillDelivery(int64_t delivery_id, std::string_view reason, Instant now) = 0;
  // Claims up to `limit` due pending deliveries for `worker` until `now + lease`: ones never
  // claimed, or whose lease ran out (their worker died), of one route or (empty) any route.
  // Concurrent claimers never share one. A claim taken over from a worker that died after it
  // began an attempt is not delivered now: a write it sent may still land, so the delivery
  // settles and is due again `settle` later (see ClaimIntent).
  virtual Result<std::vector<Delivery>> ClaimDue(std::string_view worker, Instant now,
                                                 std::chrono::milliseconds lease, size_t limit,
                                                 std::string_view route = "",
                                                 std::chrono::milliseconds settle = {}) = 0;
  // The pending deliveries of `natural_key` to `target_system` whose write may have landed
  // (an attempt began), after taking over those of dead workers as ClaimDue does. A claimed one
  // is being written now; an unclaimed one's write may still land until its settles_at.
  virtual Result<std::vector<Delivery>> WritesInDoubt(std::string_view target_system,
                                                      std::string_view natural_key, Instant now,
                                                      std::chrono::milliseconds settle) = 0;
  // Sets the natural key of a delivery journaled before deliveries kept one (schema 6).
  virtual Status SetNaturalKey(int64_t delivery_id, std::string_view natural_key) = 0;
  // Pending deliveries (of one route, or all) and the earliest due.
  virtual Result<PendingCount> CountPending(std::string_view route = "") = 0;
  // Gives claimed deliveries back (graceful shutdown).
  virtual Status ReleaseClaims(std::string_view worker) = 0;
  // Extends to `until` the leases `worker` still holds among `ids` (a delivery taken over by
  // another worker, or finished, is left alone).
  virtual Status RenewClaims(const std::vector<int64_t>& ids, std::string_view worker, Instant until) = 0;
  virtual Result<std::optional<Delivery>> GetDelivery(int64_t id) = 0;
  virtual Result<std::vector<Delivery>> ListDeliveries(const DeliveryFilter& filter) = 0;
  virtual Result<int64_t> CountDeliveries(DeliveryState state) = 0;

  // ---- inbox: what systems push, kept before ponte answers ----
  // Keeps a pushed record. A record of the same source, kind, set and id still waiting is
  // replaced by this newer push (its version grows). Answers the item's id.
  virtual Result<int64_t> AppendInbox(const InboxItem& item, Instant now) = 0;
  // Claims up to `limit` due items for `worker` until `now + lease` (oldest first); items of a
  // worker that is gone or whose lease ran out are taken over.
  virtual Result<std::vector<InboxItem>> ClaimInbox(std::string_view worker, Instant now,
                                                    std::chrono::milliseconds lease, size_t limit) = 0;
  // The item was offered to its routes: it leaves the inbox, unless a newer push replaced it
  // meanwhile (its version grew): then it waits for the next claim.
  virtual Status FinishInbox(const InboxItem& item) = 0;
  // The item could not be offered now (its source unreachable): again at `next_attempt_at`.
  virtual Status RetryInbox(int64_t id, std::string_view error, Instant next_attempt_at) = 0;
  virtual Result<int64_t> CountInbox() = 0;
  virtual Result<std::vector<InboxItem>> ListInbox(size_t limit) = 0;

  // ---- dead letters ----
  // Open dead letters; include_replayed adds those replayed or resolved by a later delivery.
  virtual Result<std::vector<DeadLetter>> ListDeadLetters(bool include_replayed) = 0;
  virtual Result<std::optional<DeadLetter>> GetDeadLetter(int64_t id) = 0;
  // Puts the dead letter's delivery back to pending (attempts reset) and marks it replayed.
  virtual Status ReplayDeadLetter(int64_t id, Instant now) = 0;

  // ---- skipped records ----
  virtual Status RecordSkip(const SkipRecord& skip) = 0;  // replaces an earlier reason
  virtual Status ClearSkip(std::string_view route, const SystemRef& origin) = 0;
  // Skips and deliveries of a record, by its InternalId in any system.
  virtual Result<std::vector<SkipRecord>> FindSkips(std::string_view internal_id) = 0;
  virtual Result<std::vector<Delivery>> FindDeliveries(std::string_view internal_id) = 0;

  // ---- cursors ----
  virtual Result<std::optional<Cursor>> GetCursor(std::string_view route) = 0;
  virtual Status SaveCursor(const Cursor& cursor, Instant now) = 0;

  // ---- shared rate limiting ----
  // Token bucket per (system, key_id): takes one token if available and returns 0, else
  // returns how long until one is. key_id is a fingerprint, never the key itself.
  virtual Result<std::chrono::milliseconds> TakeToken(std::string_view system,
                                                      std::string_view key_id, double capacity,
                                                      double refill_per_second, Instant now) = 0;
  // Empties a bucket (the API answered 429: its quota is spent, whatever the bucket thought).
  virtual Status DrainTokens(std::string_view system, std::string_view key_id, Instant now) = 0;

  // ---- several workers ----
  // One worker at a time reads a route's source. PostgreSQL: a session advisory lock, released
  // when the worker's connection ends (exit, crash, network loss). SQLite: a lease row, taken
  // over when it ran out or its holder's process on this host is gone. Re-locking a route one
  // already holds succeeds (and renews the lease).
  virtual Result<bool> TryLockRoute(std::string_view route, std::string_view worker, Instant now,
                                    std::chrono::milliseconds lease) = 0;
  virtual Status UnlockRoute(std::string_view route, std::string_view worker) = 0;
  // Records that `worker` is alive now (first call: started).
  virtual Status Heartbeat(std::string_view worker, Instant now) = 0;
  virtual Status RemoveWorker(std::string_view worker) = 0;
  // Workers seen within `window` of `now`, with the routes and deliveries they hold.
  virtual Result<std::vector<WorkerInfo>> ListWorkers(Instant now, std::chrono::milliseconds window) = 0;

  // ---- facts ----
  // A small key-value table of JSON texts for what ponte learns about the systems and its own
  // runs: probe findings ("finding:<unknown>"), a route's last listing ("listing:<route>").
  virtual Status PutFact(std::string_view key, std::string_view value, Instant now) = 0;
  virtual Result<std::optional<std::string>> GetFact(std::string_view key) = 0;
  // Every fact whose key starts with `prefix`, ordered by key.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListFacts(std::string_view prefix) = 0;

  // ---- maintenance ----
  virtual Result<std::string> IntegrityCheck() = 0;  // "ok" or the back end's findings
  // A consistent copy of the whole store in a new file, while other processes keep working
  // (SQLite only: PostgreSQL has pg_dump). AlreadyExists when the file exists.
  virtual Status Backup(const std::string& path) = 0;
  virtual Result<int> SchemaVersion() = 0;
  virtual std::string Describe() const = 0;  // "sqlite:ponte.db" (never a password)
};

// The name this process works under in the journal and the locks: "host:pid@start", where the
// start time of the process tells it apart from a later process given the same pid (a restarted
// container), so a restart takes over what its predecessor held, as it must.
std::string ThisWorkerName();

// Whether several processes are meant to share this store (PostgreSQL): then routes share the
// work and the rate-limit buckets through it.
inline bool IsSharedStore(const Store& store) { return store.Describe().starts_with("postgres"); }

// How a command uses the store. Reading commands open it read-only: they never create a file,
// never migrate, and work on a copy on read-only media.
enum class StoreAccess { kReadWrite, kReadOnly };

// "sqlite:PATH" (or a bare path), "sqlite::memory:", "postgres://..." / "postgresql://...".
// Opens, applies pending migrations (read-only: requires the schema to be current), and returns
// the store; Unavailable when the database cannot be reached, InvalidArgument for an unknown URL
// scheme, FailedPrecondition when a read-only open finds a schema it cannot read as it is.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, StoreAccess access = StoreAccess::kReadWrite);

}  // namespace ponte
