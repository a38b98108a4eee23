// `ponte inbox`: what systems pushed (Ploomes webhooks, an ERP's messages) that ponte answered and
// kept, and has not offered to its routes yet. Needs only the store; `ponte sync` and
// `ponte serve` deliver it.

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/cli.h"
#include "core/time.h"
#include "store/store.h"

namespace ponte {
namespace {

// Most items listed: an inbox that holds more is waiting for a system that does not answer.
constexpr size_t kListed = 1000;

void List(GlobalOptions& g, const std::string& config, int& exit_code) {
  auto store = OpenStoreOrReport(g, config, exit_code, StoreUse::kRead);
  if (!store) return;
  auto items = (*store)->ListInbox(kListed);
  auto count = (*store)->CountInbox();
  if (!ReportIfError(items, exit_code) || !ReportIfError(count, exit_code)) return;
  for (const auto& i : *items) {
    std::cout << fmt::format("{}\t{}\t{}\t{}{}\t{}\t{}\n", i.id, FormatUtc(i.received_at), i.source,
                             i.entity_set.empty() ? "" : i.entity_set + " ", i.record_id,
                             i.attempts > 0 ? fmt::format("{} attempt(s)", i.attempts) : "waiting", i.last_error);
  }
  std::cerr << fmt::format("{} push(es) kept and not delivered yet{}\n", *count,
                           *count > 0 ? " (ponte sync or ponte serve delivers them)" : "");
}

}  // namespace

void AddInboxCommand(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto config = std::make_shared<std::string>(kDefaultConfigPath);
  auto* inbox = app.add_subcommand("inbox", "What systems pushed (webhooks, ERP messages) and ponte has not delivered yet");
  inbox->add_option("--config", *config, "Configuration file (for its store)")->capture_default_str();
  inbox->footer("A push is kept here before ponte answers it, so a crash after the answer loses nothing; "
                "`ponte sync` and `ponte serve` offer what it holds to the routes.");
  inbox->callback([&g, config, &exit_code] { List(g, *config, exit_code); });
}

}  // namespace ponte
