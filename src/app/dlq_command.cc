// `ponte dlq list|show|replay`: the deliveries that failed for good, with their reasons, and
// delivering them again once the cause is fixed.

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/report_printer.h"
#include "app/runtime.h"
#include "sync/engine.h"

namespace ponte {
namespace {

struct DlqOptions {
  std::string config = kDefaultConfigPath;
  std::string dlq_id;
  bool all = false;
};

// Listing and showing dead letters needs the store, not the API keys.
void DlqList(GlobalOptions& g, DlqOptions& o, int& exit_code) {
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  auto letters = (*store)->ListDeadLetters(false);
  if (!ReportIfError(letters, exit_code)) return;
  for (const auto& d : *letters) {
    std::cout << fmt::format("{}\t{}\t{}\t{}\t{}\n", d.id, d.route, d.origin.ToString(), FormatUtc(d.created_at), d.reason);
  }
  std::cerr << fmt::format("{} dead letter(s)\n", letters->size());
}

void DlqShow(GlobalOptions& g, DlqOptions& o, int& exit_code) {
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

void DlqReplay(GlobalOptions& g, DlqOptions& o, int& exit_code) {
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

void AddDlqCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<DlqOptions>();
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
