// `ponte sync`: running the routes of ponte.toml, once or watching, and what ponte did with a
// record (`--explain`).

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/config_loader.h"
#include "app/default_config.h"
#include "app/report_printer.h"
#include "app/runtime.h"
#include "app/signals.h"
#include "core/shutdown.h"
#include "store/facts.h"
#include "sync/engine.h"

namespace ponte {
namespace {

struct SyncOptions {
  std::string config = kDefaultConfigPath;
  bool once = false;
  bool watch = false;
  std::string route;
  bool dry_run = false;
  bool full = false;
  bool json = false;
  std::string explain;
  int interval_seconds = 60;
  std::string since;   // --since: read every source from this date or instant
  std::string record;  // --record: deliver this one record now
  bool wait = false;   // --wait: with --once, until every delivery is done or dead
};

std::function<void(const std::string&, int, int)> ProgressPrinter() {
  const bool tty = isatty(STDERR_FILENO);
  auto last = std::make_shared<int>(-1);
  return [tty, last](const std::string& route, int done, int total) {
    if (tty) {
      std::cerr << fmt::format("\r{}: {}/{} ", route, done, total) << (done == total ? "\n" : "") << std::flush;
    } else if (done == total || done / 500 != *last) {
      *last = done / 500;
      std::cerr << fmt::format("{}: {}/{}\n", route, done, total);
    }
  };
}

// The id as the store keeps it: "ploomes:123" (the form ponte prints) and "123" are both asked.
std::string BareInternalId(const std::string& id) {
  for (const char* system : {"ploomes:", "milvus:"}) {
    if (id.starts_with(system)) return id.substr(std::string_view(system).size());
  }
  return id;
}

// Needs only the store: an operator asks "what happened to X" while a key is being fixed.
void Explain(Store& store, const std::vector<std::string>& routes, const std::string& asked, int& exit_code) {
  const std::string id = BareInternalId(asked);
  auto skips = store.FindSkips(id);
  auto deliveries = store.FindDeliveries(id);
  if (!ReportIfError(skips, exit_code) || !ReportIfError(deliveries, exit_code)) return;
  if (skips->empty() && deliveries->empty()) {
    std::cout << fmt::format("ponte has no record of {} (not read yet, or not on any route)\n", id);
    // A listing that could not see every record may be why.
    for (const auto& route : routes) {
      auto state = LoadListingState(store, route);
      if (state && *state && !(*state)->complete) {
        std::cout << fmt::format("the last listing of {} ({}) did not see every record, so it may be one of those: {}\n",
                                 route, FormatUtc((*state)->at), (*state)->reason);
      }
    }
    exit_code = kExitSomeFailed;
    return;
  }
  for (const auto& s : *skips) {
    std::cout << fmt::format("{} {}: skipped on {}: {}\n", s.route, s.origin.ToString(), FormatUtc(s.seen_at), s.reason);
  }
  for (const auto& d : *deliveries) {
    std::cout << fmt::format("{} {} -> {}:{}: delivery {} {} after {} attempt(s){}{}\n", d.intent.route,
                             d.intent.origin.ToString(), d.intent.target_system,
                             d.target_id.empty() ? "?" : d.target_id, d.id, DeliveryStateName(d.state),
                             d.attempts, d.last_error.empty() ? "" : "; last error: ", d.last_error);
  }
}

int ReportWaiting(SyncEngine& engine, const std::string& route, bool json);

// `sync --record`: one Ploomes record read again and delivered now, with the route's rules.
// The id is the form ponte prints: ploomes:ID (a contact), ploomes:Task|ID, ploomes:InteractionRecord|ID.
void SyncOneRecord(SyncEngine& engine, const std::string& asked, bool json, int& exit_code) {
  const std::string id = BareInternalId(asked);
  if (asked.starts_with("milvus:")) {
    std::cerr << "ponte: Milvus has no way to read one client by id; use --since DATE to read a period again\n";
    exit_code = kExitUsage;
    return;
  }
  const std::string system = "ploomes";
  std::string entity_set = "Contacts", number = id;
  for (const auto& [prefix, set] : {std::pair{"Task|", "Tasks"}, std::pair{"InteractionRecord|", "InteractionRecords"}}) {
    if (id.starts_with(prefix)) {
      entity_set = set;
      number = id.substr(std::string_view(prefix).size());
    }
  }
  if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) {
    std::cerr << fmt::format("ponte: --record wants ploomes:ID, ploomes:Task|ID or ploomes:InteractionRecord|ID, not '{}'\n", asked);
    exit_code = kExitUsage;
    return;
  }
  RouteReport r = engine.DeliverOne(system, entity_set, number);
  if (!r.ran) {
    std::cerr << fmt::format("ponte: no enabled route reads {} of {}\n", entity_set, system);
    exit_code = kExitUsage;
    return;
  }
  if (json) {
    std::cout << nlohmann::json::array({r.ToJson()}).dump() << std::endl;
  } else {
    for (const auto& rec : r.records) {
      std::cout << fmt::format("{} {}: {} {}\n", r.route, rec.origin, OutcomeName(rec.outcome), rec.detail);
    }
    if (r.read == 0 && r.error.empty()) std::cout << fmt::format("{} {} was not found in Ploomes\n", entity_set, number);
    PrintReports(std::cout, {r});
  }
  exit_code = r.read == 0 && r.error.empty() ? kExitSomeFailed : ExitCodeFor({r});
  // A delivery of it that waits for a retry is not delivered yet.
  if (exit_code == kExitOk) exit_code = ReportWaiting(engine, r.route, json);
}

// `sync --once --wait`: the deliveries a run left waiting (retries, writes whose answer was
// lost and must settle) are delivered as they come due, until every one is done or dead. A
// record they wrote may feed another route (a client created late is a customer for the ERP):
// the routes then run again, until a run leaves nothing behind.
void WaitForDeliveries(SyncEngine& engine, const Config& config, const std::string& route,
                       std::vector<RouteReport>& reports) {
  // Runs of every route after the first; each follows waits that wrote something.
  constexpr int kMaxRunsAgain = 5;
  auto add = [&reports](const RouteReport& r) {
    if (!r.ran) return;
    for (auto& into : reports) {
      if (into.route == r.route) return MergeReport(into, r);
    }
    reports.push_back(r);
  };
  bool wrote = false;
  int runs_again = 0;
  while (!ShutdownRequested()) {
    const SyncEngine::Waiting w = engine.Pending(route);
    if (!w.error.empty()) return;
    if (!w.any()) {
      if (!wrote || runs_again == kMaxRunsAgain) return;
      wrote = false;
      ++runs_again;
      for (const auto& r : route.empty() ? engine.RunAll() : std::vector<RouteReport>{engine.RunRoute(route)}) add(r);
      continue;
    }
    const auto now = SystemClock::Get().Now();
    if (w.next_due && *w.next_due > now && w.inbox == 0) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*w.next_due - now);
      std::cerr << fmt::format("ponte: {} delivery(ies) wait; the next is due in {} s\n", w.deliveries,
                               (wait.count() + 999) / 1000);
      (void)SleepUnlessShutdown(std::min<std::chrono::milliseconds>(wait, std::chrono::minutes(1)));
      continue;
    }
    std::vector<RouteReport> done = engine.DeliverInbox();
    for (const auto& name : route.empty() ? RouteOrder(config) : std::vector<std::string>{route}) {
      done.push_back(engine.RunDue(name));
    }
    for (const auto& r : done) {
      wrote |= r.Delivered() > 0;
      add(r);
    }
  }
}

// What a run left to deliver: 0 when nothing waits, else 1 and what waits and until when.
int ReportWaiting(SyncEngine& engine, const std::string& route, bool json) {
  const SyncEngine::Waiting w = engine.Pending(route);
  if (!w.error.empty()) {
    std::cerr << "ponte: could not count the deliveries still waiting: " << w.error << "\n";
    return kExitUnreachable;
  }
  if (!w.any()) return kExitOk;
  std::string when;
  if (w.next_due) {
    const auto in = std::chrono::duration_cast<std::chrono::seconds>(*w.next_due - SystemClock::Get().Now());
    when = in.count() > 0 ? fmt::format("; the next attempt is due at {} (in {} s)", FormatUtc(*w.next_due), in.count())
                          : "; the next attempt is due now";
  }
  std::ostream& out = json ? std::cerr : std::cout;
  out << fmt::format("NOT DONE: {} delivery(ies) wait for a retry{}{}. `ponte sync --once --wait` waits for them; "
                     "the next run delivers them otherwise\n",
                     w.deliveries, when, w.inbox > 0 ? fmt::format(", and {} push(es) in the inbox", w.inbox) : "");
  return kExitSomeFailed;
}

void RunSync(GlobalOptions& g, SyncOptions& o, int& exit_code) {
  if (o.once && o.watch) {
    std::cerr << "ponte: choose --once or --watch, not both\n";
    exit_code = kExitUsage;
    return;
  }
  // The routes a file declares; a file that cannot be read is reported where it is needed.
  const auto config = LoadConfigFile(o.config).value_or(DefaultConfig());
  if (!o.route.empty() && !IsRoute(config, o.route)) {
    std::cerr << fmt::format("ponte: unknown route '{}' ({})\n", o.route, fmt::join(RouteOrder(config), ", "));
    exit_code = kExitUsage;
    return;
  }
  if (!o.explain.empty()) {
    auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
    if (store) Explain(**store, RouteOrder(config), o.explain, exit_code);
    return;
  }
  if (!o.watch) QuietLogUnlessChosen();  // the report says it all; --watch is a service
  BlockTerminationSignals();
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  EngineOptions eo;
  eo.dry_run = o.dry_run;
  eo.full = o.full;
  if (!o.since.empty()) {
    auto since = ParseDateOrInstant(o.since);
    if (!since) {
      std::cerr << "ponte: --since: " << since.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    eo.since = *since;
  }
  eo.share_work = IsSharedStore(*(*rt)->store);
  if (!o.json) eo.progress = ProgressPrinter();
  SyncEngine engine((*rt)->config, *(*rt)->store, (*rt)->Systems(), (*rt)->calls, SystemClock::Get(), eo);
  if (!o.record.empty()) {
    SyncOneRecord(engine, o.record, o.json, exit_code);
    engine.Retire();
    return;
  }
  // SIGTERM and Ctrl-C stop every wait at once (core/shutdown.h); the record in hand is
  // finished or given back, and the next start reads on. (The signals were blocked before any
  // thread started, so only the one that waits for them sees them.)
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  OnTerminationSignal([&] {
    RequestShutdown();
    std::lock_guard lock(mu);
    stop = true;
    cv.notify_all();
  });
  auto run_once = [&] {
    std::vector<RouteReport> reports;
    if (o.route.empty()) {
      reports = engine.RunAll();
    } else {
      reports.push_back(engine.RunRoute(o.route));
    }
    if (o.wait && !o.dry_run) WaitForDeliveries(engine, (*rt)->config, o.route, reports);
    if (o.json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& r : reports) j.push_back(r.ToJson());
      std::cout << j.dump() << std::endl;
    } else {
      if (o.dry_run) {
        std::cout << "DRY RUN: nothing was written\n";
        for (const auto& r : reports) {
          for (const auto& rec : r.records) {
            static const char* kWords[] = {"create", "update", "link", "unchanged", "skip", "retry", "dead"};
            if (rec.outcome == Outcome::kUnchanged) continue;
            std::cout << fmt::format("  {} {} {}: {}\n", r.route, kWords[static_cast<int>(rec.outcome)], rec.origin, rec.detail);
          }
        }
      }
      PrintReports(std::cout, reports);
    }
    int code = ExitCodeFor(reports);
    if (!o.dry_run) code = std::max(code, ReportWaiting(engine, o.route, o.json));
    if (ShutdownRequested()) {
      std::cerr << "ponte: stopped by a signal; the next run reads on from where this one was sure of\n";
      code = std::max(code, kExitSomeFailed);
    }
    return code;
  };
  if (!o.watch) {
    exit_code = run_once();
    engine.Retire();
    return;
  }
  std::cerr << fmt::format("ponte sync --watch: every {} s; Ctrl-C or SIGTERM stops within seconds\n",
                           o.interval_seconds);
  while (!ShutdownRequested()) {
    exit_code = run_once();
    std::unique_lock lock(mu);
    if (cv.wait_for(lock, std::chrono::seconds(o.interval_seconds), [&] { return stop; })) break;
  }
  engine.Retire();
  exit_code = kExitOk;
}

}  // namespace

void AddSyncCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<SyncOptions>();
  auto* sync = app.add_subcommand("sync", "Run the routes of ponte.toml: once (default) or watching");
  sync->add_option("--config", o->config, "Configuration file")->capture_default_str();
  sync->add_flag("--once", o->once, "Run every route once and exit (the default)");
  sync->add_flag("--watch", o->watch, "Run again every --interval seconds until SIGTERM");
  sync->add_option("--interval", o->interval_seconds, "Seconds between runs with --watch")->capture_default_str();
  sync->add_option("--route", o->route, "Run only this route");
  sync->add_flag("--dry-run", o->dry_run, "Show what would be created, updated, linked and skipped; write nothing");
  sync->add_flag("--full", o->full,
                 "Read every source from the beginning, not from its cursor (each route also does so every "
                 "routes.<name>.full_listing_hours, 24 by default)");
  sync->add_option("--since", o->since,
                   "Read every source from this date (YYYY-MM-DD, local) or ISO 8601 instant instead of its "
                   "cursor: a period read again (what is already delivered is not written twice)");
  sync->add_option("--record", o->record,
                   "Read one Ploomes record again and deliver it now: ploomes:ID (contact), ploomes:Task|ID, "
                   "ploomes:InteractionRecord|ID");
  sync->add_flag("--json", o->json, "Print the reports as JSON");
  sync->add_flag("--wait", o->wait,
                 "With --once: wait for the deliveries left to retry (and writes whose answer was lost, which "
                 "settle first) until each is delivered or dead-lettered, instead of exiting 1 with them waiting");
  sync->add_option("--explain", o->explain,
                  "Say what ponte did with a record (its InternalId, or ploomes:ID / milvus:ID as ponte prints it), "
                  "and why; needs only the store");
  sync->footer("Exit codes: 0 all delivered, 1 some went to the dead-letter queue, wait for a retry (the count and "
               "when are printed), were not seen, or a signal stopped the run, 2 config or usage error, 3 a system or "
               "the store is unreachable. SIGTERM or Ctrl-C stops within seconds: the record in hand is finished or "
               "given back, and the next run reads on.");
  sync->callback([&g, o, &exit_code] { RunSync(g, *o, exit_code); });
}

}  // namespace ponte
