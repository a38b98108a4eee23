#pragma once
// The sync engine: the routes of a configuration (the four of DESIGN.md section 1 and the
// hub's), each a source listing read from a durable cursor, route rules, and deliveries through
// the journal (intent, reconcile, write, link + done) so a crash at any point neither
// duplicates nor loses a record. It reaches every system through the connector interfaces
// (SystemsByName) and names none.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "connectors/systems.h"
#include "core/time.h"
#include "net/call_counter.h"
#include "store/store.h"
#include "sync/config.h"
#include "sync/report.h"

namespace ponte {

// The lock a worker holds while it writes one customer into one system (share_work):
// "customer:<system>:<document>", kept with the route locks.
inline constexpr std::string_view kCustomerLockPrefix = "customer:";

struct EngineOptions {
  bool dry_run = false;     // read, decide and report; write nothing (no journal either)
  bool full = false;        // read every source from the beginning, not from its cursor
  // Read every source from this instant instead of its cursor (`sync --since`): a period is
  // read again; the saved cursors never move back.
  std::optional<Instant> since;
  std::string worker = "";  // claims in the journal; default host:pid
  // Progress of a long listing: (route, records done, records total).
  std::function<void(const std::string&, int, int)> progress;
  // Asked between records; true ends the run early (graceful shutdown) without moving cursors.
  // A process-wide stop (core/shutdown.h) ends it too.
  std::function<bool()> stop_requested;
  // Several workers on one store: the worker holding a route's lock only journals what its
  // listing finds, and every worker delivers from the journal (claims with leases), so the
  // deliveries spread over all of them. Off: the reader delivers each record as it reads it.
  bool share_work = false;
  // Called by RunAll as each route ends (the server's status page shows it at once).
  std::function<void(const RouteReport&)> route_finished;
};

class SyncEngine {
 public:
  // `systems`: every system the configuration's routes name, by name (DefaultSystems gives the
  // two of the four default routes).
  SyncEngine(const Config& config, Store& store, SystemsByName systems, CallCounter& calls, const Clock& clock,
             EngineOptions options = {});
  ~SyncEngine();

  // Runs one route once: its due pending deliveries first, then its source from the cursor.
  // When another worker holds the route's lock, only the due deliveries (polled_elsewhere).
  RouteReport RunRoute(const std::string& route);
  // Every enabled route, in RouteOrder().
  std::vector<RouteReport> RunAll();
  // Only the route's due pending deliveries (retries, replayed dead letters); no listing.
  RouteReport RunDue(const std::string& route);
  // Delivers one record now (a webhook's): applies the route rules. A task or interaction
  // is taken from `record` (the webhook's JSON, once its key was checked) when it carries its
  // tags and contact; otherwise, and for contacts, the record is read again by id.
  // `system` pushed it as one of `entity_set` (its own name for those records, as its
  // connector's PushedEntitySet says). It feeds the first enabled route, in run order, that
  // reads those records of that system; when none does, nothing happens (ran is false).
  RouteReport DeliverOne(const std::string& system, const std::string& entity_set, const std::string& id,
                         const std::string& record = "");
  // Delivers one customer a system pushed (an ERP's BusinessMessage; `business_content`:
  // its CustomerVendor content) on every enabled customer route out of that system, as a
  // listing of it would: a report per route.
  std::vector<RouteReport> DeliverReceived(const std::string& system, const std::string& business_content);
  // What systems pushed and ponte kept in its inbox (webhooks, an ERP's messages),
  // offered to their routes now: a report per route that had some. An item whose source cannot
  // be read now stays for a later attempt. RunAll starts with it; `ponte serve` calls it as
  // pushes arrive. A dry run leaves the inbox as it is.
  std::vector<RouteReport> DeliverInbox();
  // What is still to deliver (of one route, or all): pending deliveries, with the earliest due,
  // and inbox items. A run that leaves some did not deliver everything.
  struct Waiting {
    int64_t deliveries = 0;
    int64_t inbox = 0;
    std::optional<Instant> next_due;
    std::string error;  // the store could not tell
    bool any() const { return deliveries > 0 || inbox > 0; }
  };
  Waiting Pending(const std::string& route = "");
  // A graceful end of this worker: its claims go back to the journal for the others, and it
  // leaves the list of live workers. A crashed worker gets the same, later: its leases end.
  void Retire();

  // `ponte depara rebuild`: the de/para found again from the systems themselves, for a store
  // that was lost or started anew. Customers are paired by CPF/CNPJ from one listing of each
  // system; tickets by ponte's reference in their description. Writes nothing to the systems.
  struct RebuildReport {
    int customers_linked = 0;  // pairs linked now
    int tickets_linked = 0;
    int conflicts = 0;         // pairs the de/para refused (an id already linked elsewhere)
    bool complete = true;      // both listings saw every record
    std::string error;         // a listing failed: nothing more was linked
    int64_t api_calls = 0;
  };
  RebuildReport RebuildDePara();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Composes the Ticket de/para InternalId of a record that became a ticket: "Task|40500001".
std::string TicketOriginId(const std::string& source_message, const std::string& id);

}  // namespace ponte
