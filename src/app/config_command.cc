// `ponte config check`: the configuration file and its keys, checked before a run needs them.

#include <algorithm>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/cli.h"
#include "app/config_loader.h"
#include "app/runtime.h"

namespace ponte {
namespace {

struct ConfigOptions {
  std::string config = kDefaultConfigPath;
  bool online = false;
};

// One cheap authenticated read per system: a wrong key, URL or network shows here, not at 3 a.m.
void CheckOnline(GlobalOptions& g, const ConfigOptions& o, int& exit_code) {
  auto rt = RuntimeOrReport(g, o.config, exit_code);
  if (!rt) return;
  exit_code = std::max(exit_code, CheckKeysOnline(**rt, std::cout));
}

void ConfigCheck(GlobalOptions& g, const ConfigOptions& o, int& exit_code) {
  auto config = LoadConfigOrReport(o.config, exit_code);
  if (!config) return;
  std::cout << fmt::format("{}: ok\n", o.config);
  bool keys_found = true;
  const auto in_use = SystemsInUse(*config);
  for (const auto& [name, s] : config->systems) {
    if (std::find(in_use.begin(), in_use.end(), name) == in_use.end()) {
      // A system no enabled route uses needs no key.
      std::cout << fmt::format("  {}: {} {} (not used by an enabled route)\n", name, s.kind, s.base_url);
      continue;
    }
    auto key = ReadApiKey(s, name);
    keys_found &= key.has_value();
    std::cout << fmt::format("  {}: {} {} (key: {})\n", name, s.kind, s.base_url, key ? "found" : key.error().message);
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

}  // namespace

void AddConfigCommands(CLI::App& app, GlobalOptions& g, int& exit_code) {
  auto o = std::make_shared<ConfigOptions>();
  auto* config = app.add_subcommand("config", "The configuration file");
  config->require_subcommand(1);
  auto* check = config->add_subcommand("check", "Validate ponte.toml and say which key is wrong");
  check->add_option("--config", o->config, "Configuration file")->capture_default_str();
  check->add_flag("--online", o->online, "Also call each system once to test its key (exit 2 on a refused key, 3 when unreachable)");
  check->footer("Exit codes: 0 ok, 2 the file is wrong or a key is missing or refused, 3 a system is unreachable.");
  check->callback([&g, o, &exit_code] { ConfigCheck(g, *o, exit_code); });
}

}  // namespace ponte
