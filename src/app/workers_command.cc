// `ponte workers`: the ponte processes sharing this store, and what each holds now.

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/runtime.h"

namespace ponte {
namespace {

struct WorkersOptions {
  std::string config = kDefaultConfigPath;
  int window_seconds = 300;
  bool json = false;
};

// A worker's locks: the routes it polls, and the customers it is writing ("milvus:<document>").
struct HeldLocks {
  std::vector<std::string> routes;
  std::vector<std::string> customers;
};

HeldLocks Split(const std::vector<std::string>& locks) {
  HeldLocks out;
  for (const auto& l : locks) {
    if (l.starts_with(kCustomerLockPrefix)) {
      out.customers.push_back(l.substr(kCustomerLockPrefix.size()));
    } else {
      out.routes.push_back(l);
    }
  }
  return out;
}

void ListWorkers(GlobalOptions& g, const WorkersOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  const Instant now = SystemClock::Get().Now();
  auto workers = (*store)->ListWorkers(now, std::chrono::seconds(o.window_seconds));
  if (!ReportIfError(workers, exit_code)) return;
  if (o.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& w : *workers) {
      const HeldLocks held = Split(w.routes);
      list.push_back({{"name", w.name}, {"started_at", FormatUtc(w.started_at)}, {"heartbeat_at", FormatUtc(w.heartbeat_at)},
                      {"routes", held.routes}, {"customers", held.customers}, {"claimed", w.claimed}});
    }
    std::cout << list.dump() << "\n";
    return;
  }
  std::cout << fmt::format("{:<32} {:>10} {:>8}  {}\n", "WORKER", "LAST SEEN", "CLAIMED", "POLLING");
  for (const auto& w : *workers) {
    const auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - w.heartbeat_at).count();
    const HeldLocks held = Split(w.routes);
    std::string routes;
    for (const auto& r : held.routes) routes += (routes.empty() ? "" : ", ") + r;
    if (routes.empty()) routes = "-";
    if (!held.customers.empty()) routes += fmt::format(" (writing {} customer(s))", held.customers.size());
    std::cout << fmt::format("{:<32} {:>8} s {:>8}  {}\n", w.name, ago, w.claimed, routes);
  }
  std::cerr << fmt::format("{} worker(s) seen in the last {} s on {}\n", workers->size(), o.window_seconds,
                           (*store)->Describe());
}

}  // namespace

void AddWorkersCommand(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<WorkersOptions>();
  auto* cmd = app.add_subcommand("workers", "List the ponte processes sharing the store: routes they poll, deliveries they hold");
  cmd->add_option("--config", o->config, "Configuration file (for its store)")->capture_default_str();
  cmd->add_option("--window", o->window_seconds, "Show workers seen within this many seconds")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print JSON");
  cmd->callback([&g, o, &exit_code] { ListWorkers(g, *o, exit_code); });
}

}  // namespace ponte
