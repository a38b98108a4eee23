// `ponte cursor show|reset`: where each route reads on from, and moving it by hand (to read a
// period again, or from the beginning). Needs only the store.

#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/cli.h"
#include "app/config_loader.h"
#include "app/default_config.h"
#include "core/time.h"
#include "store/facts.h"
#include "store/store.h"
#include "sync/config.h"

namespace ponte {
namespace {

struct CursorOptions {
  std::string config = kDefaultConfigPath;
  std::string route;
  std::string to;  // empty: from the beginning
};

void Show(GlobalOptions& g, const CursorOptions& o, int& exit_code) {
  // The routes the file declares (a store given by --store needs no file).
  const auto config = LoadConfigFile(o.config).value_or(DefaultConfig());
  auto store = OpenStoreOrReport(g, o.config, exit_code, StoreUse::kRead);
  if (!store) return;
  std::cout << fmt::format("{:<34} {:<26} {}\n", "ROUTE", "CURSOR", "LAST COMPLETE RUN");
  for (const auto& route : RouteOrder(config)) {
    auto cursor = (*store)->GetCursor(route);
    if (!ReportIfError(cursor, exit_code)) return;
    auto complete = LastCompleteRun(**store, route);
    const std::string value = *cursor && !(*cursor)->value.empty() ? (*cursor)->value : "(from the beginning)";
    std::cout << fmt::format("{:<34} {:<26} {}\n", route, value,
                             complete && *complete ? FormatUtc(**complete) : "never");
  }
}

void Reset(GlobalOptions& g, const CursorOptions& o, int& exit_code) {
  const auto config = LoadConfigFile(o.config).value_or(DefaultConfig());
  if (!IsRoute(config, o.route)) {
    std::cerr << fmt::format("ponte: unknown route '{}' ({})\n", o.route, fmt::join(RouteOrder(config), ", "));
    exit_code = kExitUsage;
    return;
  }
  std::string value;
  if (!o.to.empty()) {
    auto at = ParseDateOrInstant(o.to);
    if (!at) {
      std::cerr << "ponte: --to: " << at.error().message << "\n";
      exit_code = kExitUsage;
      return;
    }
    value = FormatUtc(*at);
  }
  auto store = OpenStoreOrReport(g, o.config, exit_code);
  if (!store) return;
  const Instant now = SystemClock::Get().Now();
  if (!ReportIfError((*store)->SaveCursor({o.route, value, {}, now}, now), exit_code)) return;
  // The next run reads from there; nothing is delivered twice (the de/para and the content
  // hashes say what is already there), so moving a cursor back only costs calls.
  std::cout << fmt::format("{}: the next run reads {}\n", o.route,
                           value.empty() ? "from the beginning" : "from " + value);
}

}  // namespace

void AddCursorCommand(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<CursorOptions>();
  auto* cursor = app.add_subcommand("cursor", "Where each route reads on from (its cursor)");
  cursor->require_subcommand(1);
  auto* show = cursor->add_subcommand("show", "Each route's cursor and its last complete run");
  show->add_option("--config", o->config, "Configuration file (for its store)")->capture_default_str();
  show->callback([&g, o, &exit_code] { Show(g, *o, exit_code); });
  auto* reset = cursor->add_subcommand(
      "reset", "Move a route's cursor: the next run reads from there (records already delivered are not written again)");
  reset->add_option("route", o->route, "The route")->required();
  reset->add_option("--to", o->to, "YYYY-MM-DD (local date) or an ISO 8601 instant; default: the beginning");
  reset->add_option("--config", o->config, "Configuration file (for its store)")->capture_default_str();
  reset->callback([&g, o, &exit_code] { Reset(g, *o, exit_code); });
}

}  // namespace ponte
