// `ponte sync`, `ponte config check` and `ponte dlq`: running the routes from ponte.toml and
// handling what failed.

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
#include "app/report_printer.h"
#include "app/runtime.h"
#include "app/signals.h"
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
  std::string dlq_id;
  bool all = false;
  bool online = false;
  std::string since;   // --since: read every source from this date or instant
  std::string record;  // --record: deliver this one record now
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

// `sync --record`: one Ploomes record read again and delivered now, with the route's rules.
// The id is the form ponte prints: ploomes:ID (a contact), ploomes:Task|ID, ploomes:InteractionRecord|ID.
void SyncOneRecord(SyncEngine& engine, const std::string& asked, bool json, int& exit_code) {
  const std::string id = BareInternalId(asked);
  if (asked.starts_with("milvus:")) {
    std::cerr << "ponte: Milvus has no way to read one client by id; use --since DATE to read a period again\n";
    exit_code = kExitUsage;
    return;
  }
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
  RouteReport r = engine.DeliverOne(entity_set, number);
  if (!r.ran) {
    std::cerr << fmt::format("ponte: the route {} is disabled\n", r.route);
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
}

void RunSync(GlobalOptions& g, SyncOptions& o, int& exit_code) {
  if (o.once && o.watch) {
    std::cerr << "ponte: choose --once or --watch, not both\n";
    exit_code = kExitUsage;
    return;
  }
  // The routes a file declares; a file that cannot be read is reported where it is needed.
  const auto config = LoadConfigFile(o.config).value_or(Config{});
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
  auto run_once = [&] {
    std::vector<RouteReport> reports;
    if (o.route.empty()) {
      reports = engine.RunAll();
    } else {
      reports.push_back(engine.RunRoute(o.route));
    }
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
    return ExitCodeFor(reports);
  };
  if (!o.watch) {
    exit_code = run_once();
    engine.Retire();
    return;
  }
  BlockTerminationSignals();
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  OnTerminationSignal([&] {
    std::lock_guard lock(mu);
    stop = true;
    cv.notify_all();
  });
  std::cerr << fmt::format("ponte sync --watch: every {} s; Ctrl-C or SIGTERM stops after the current run\n",
                           o.interval_seconds);
  while (true) {
    exit_code = run_once();
    std::unique_lock lock(mu);
    if (cv.wait_for(lock, std::chrono::seconds(o.interval_seconds), [&] { return stop; })) break;
  }
  engine.Retire();
  exit_code = kExitOk;
}

// One cheap authenticated read per system: a wrong key, URL or network shows here, not at 3 a.m.
void CheckOnline(GlobalOptions& g, const SyncOptions& o, int& exit_code) {
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  const std::pair<ApiClient*, ApiCall> calls[] = {
      {(*rt)->ploomes_api.get(), ApiCall{"GET", "GET /Contacts", "/Contacts?$top=1&$select=Id"}},
      // A search by a document nobody has: one call, nothing listed.
      {(*rt)->milvus_api.get(), ApiCall{"GET", "GET /api/cliente/busca", "/api/cliente/busca?documento=00000000000"}},
  };
  for (const auto& [api, call] : calls) {
    auto answer = api->Call(call);
    if (answer) {
      std::cout << fmt::format("  {}: online, the key is accepted\n", api->system());
      continue;
    }
    std::cout << fmt::format("  {}: {}\n", api->system(), answer.error().ToString());
    const bool auth = answer.error().code == ErrorCode::kUnauthenticated ||
                      answer.error().code == ErrorCode::kPermissionDenied;
    exit_code = std::max(exit_code, auth ? kExitUsage : kExitUnreachable);
  }
}

void ConfigCheck(GlobalOptions& g, const SyncOptions& o, int& exit_code) {
  auto config = LoadConfigOrReport(o.config, exit_code);
  if (!config) return;
  std::cout << fmt::format("{}: ok\n", o.config);
  bool keys_found = true;
  std::vector<std::pair<std::string, SystemConfig>> systems = {{"ploomes", config->ploomes}, {"milvus", config->milvus}};
  for (const auto& [name, s] : config->systems) systems.emplace_back(name, s);
  for (const auto& [name, s] : systems) {
    auto key = ReadApiKey(s, name);
    keys_found &= key.has_value();
    std::cout << fmt::format("  {}: {} {} (key: {})\n", name, SystemKind(*config, name), s.base_url,
                             key ? "found" : key.error().message);
  }
  for (const auto& route : RouteOrder(*config)) {
    const RouteConfig& rc = config->routes.at(route);
    std::string carries = rc.message;
    if (rc.message == "Ticket") {
      // Which records become tickets, and what the route fills from their custom fields.
      std::vector<std::string> tags = rc.tags;
      for (int64_t id : rc.tag_ids) tags.push_back(fmt::format("TagId {}", id));
      carries += fmt::format(": {} tagged {}", rc.records, fmt::join(tags, ", "));
      for (const auto& [key, field] : rc.fields) carries += fmt::format("; {} -> {}", key, field);
    }
    std::cout << fmt::format("  route {}: {} -> {} ({}): {}\n", route, rc.from, rc.to, carries,
                             rc.enabled ? "enabled" : "disabled");
  }
  if (!keys_found) {
    // A configuration ponte cannot run with is not "ok" for a script that checks the exit code.
    exit_code = kExitUsage;
    return;
  }
  if (o.online) CheckOnline(g, o, exit_code);
}

// Listing and showing dead letters needs the store, not the API keys.
void DlqList(GlobalOptions& g, SyncOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  auto letters = (*store)->ListDeadLetters(false);
  if (!ReportIfError(letters, exit_code)) return;
  for (const auto& d : *letters) {
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\n", d.id, d.route, d.origin.ToString(), FormatUtc(d.created_at), d.reason);
  }
  std::cerr << fmt::format("{} dead letter(s)\n", letters->size());
}

void DlqShow(GlobalOptions& g, SyncOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  auto d = (*store)->GetDeadLetter(std::atoll(o.dlq_id.c_str()));
  if (!ReportIfError(d, exit_code)) return;
  if (!*d) {
    std::cerr << fmt::format("ponte: no dead letter {}\n", o.dlq_id);
    exit_code = kExitSomeFailed;
    return;
  }
  const auto& l = **d;
  const std::string resolved =
      l.resolved_at ? fmt::format("{} (delivered by delivery {})", FormatUtc(*l.resolved_at), l.resolved_by.value_or(0))
                    : "no";
  std::cout << fmt::format("dead letter {} (delivery {})\nroute: {}\nrecord: {}\nwhen: {}\nreason: {}\nreplayed: {}\n"
                           "resolved: {}\nmessage:\n{}\n",
                           l.id, l.delivery_id, l.route, l.origin.ToString(), FormatUtc(l.created_at), l.reason,
                           l.replayed_at ? FormatUtc(*l.replayed_at) : "no", resolved,
                           nlohmann::json::parse(l.payload, nullptr, false).dump(2));
}

void DlqReplay(GlobalOptions& g, SyncOptions& o, int& exit_code) {
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  std::vector<int64_t> ids;
  if (o.all) {
    auto letters = (*rt)->store->ListDeadLetters(false);
    if (!ReportIfError(letters, exit_code)) return;
    for (const auto& l : *letters) ids.push_back(l.id);
  } else if (!o.dlq_id.empty()) {
    ids.push_back(std::atoll(o.dlq_id.c_str()));
  } else {
    std::cerr << "ponte: give a dead letter id or --all\n";
    exit_code = kExitUsage;
    return;
  }
  for (int64_t id : ids) {
    auto s = (*rt)->store->ReplayDeadLetter(id, SystemClock::Get().Now());
    if (!ReportIfError(s, exit_code)) return;
  }
  // Deliver them now.
  SyncEngine engine((*rt)->config, *(*rt)->store, (*rt)->Systems(), (*rt)->calls, SystemClock::Get());
  std::vector<RouteReport> reports;
  for (const auto& route : RouteOrder((*rt)->config)) {
    if (auto r = engine.RunDue(route); r.ran) reports.push_back(std::move(r));
  }
  std::cout << fmt::format("replayed {} dead letter(s)\n", ids.size());
  PrintReports(std::cout, reports);
  exit_code = ExitCodeFor(reports);
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
  sync->add_option("--explain", o->explain,
                  "Say what ponte did with a record (its InternalId, or ploomes:ID / milvus:ID as ponte prints it), "
                  "and why; needs only the store");
  sync->footer("Exit codes: 0 all delivered, 1 some went to the dead-letter queue, 2 config or usage error, "
               "3 a system or the store is unreachable.");
  sync->callback([&g, o, &exit_code] { RunSync(g, *o, exit_code); });

  auto* config = app.add_subcommand("config", "The configuration file");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate ponte.toml and say which key is wrong");
  check->add_option("--config", o->config, "Configuration file")->capture_default_str();
  check->add_flag("--online", o->online, "Also call each system once to test its key (exit 2 on a refused key, 3 when unreachable)");
  check->footer("Exit codes: 0 ok, 2 the file is wrong or a key is missing or refused, 3 a system is unreachable.");
  check->callback([&g, o, &exit_code] { ConfigCheck(g, *o, exit_code); });

  auto* dlq = app.add_subcommand("dlq", "The dead-letter queue: deliveries that failed for good");
  dlq->require_subcommand(1);
  dlq->add_option("--config", o->config, "Configuration file")->capture_default_str();
  auto* list = dlq->add_subcommand("list", "List dead letters with their reasons");
  list->add_option("--config", o->config, "Configuration file")->capture_default_str();
  list->callback([&g, o, &exit_code] { DlqList(g, *o, exit_code); });
  auto* show = dlq->add_subcommand("show", "Show one dead letter and its message");
  show->add_option("--config", o->config, "Configuration file")->capture_default_str();
  show->add_option("id", o->dlq_id, "Dead letter id")->required();
  show->callback([&g, o, &exit_code] { DlqShow(g, *o, exit_code); });
  auto* replay = dlq->add_subcommand("replay", "Deliver dead letters again (after fixing the cause)");
  replay->add_option("id", o->dlq_id, "Dead letter id");
  replay->add_flag("--all", o->all, "Replay every dead letter");
  replay->add_option("--config", o->config, "Configuration file")->capture_default_str();
  replay->callback([&g, o, &exit_code] { DlqReplay(g, *o, exit_code); });
}

}  // namespace ponte
