#include "app/init_plan.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "app/default_config.h"
#include "app/system_kinds.h"

namespace ponte {
namespace {

// A TOML basic string: the values init writes are URLs, paths and names, but a quote or a
// backslash typed at a prompt must not break the file.
std::string Quoted(const std::string& value) {
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) >= 0x20) out += ch;
  }
  return out + "\"";
}

std::string WhatKind(const std::string& kind) {
  const SystemKindInfo* info = FindKind(kind);
  return info ? std::string(info->what) : kind;
}

}  // namespace

InitSystem ProposedSystem(const std::string& name, const std::string& kind) {
  InitSystem s;
  s.name = name;
  s.kind = kind;
  // A default system keeps its address and variable (PONTE_MILVUS_TOKEN); others get the loader's.
  const Config defaults = DefaultConfig();
  s.key_env = DefaultKeyEnv(name);
  if (auto it = defaults.systems.find(name); it != defaults.systems.end() && it->second.kind == kind) {
    s.base_url = it->second.base_url;
    s.key_env = it->second.key_env;
  }
  return s;
}

Config PlannedConfig(const InitPlan& plan) {
  Config c = DefaultConfig();
  auto has = [&plan](const std::string& name) {
    return std::any_of(plan.systems.begin(), plan.systems.end(), [&](const InitSystem& s) { return s.name == name; });
  };
  for (const auto& s : plan.systems) {
    if (s.kind != "totvs") continue;
    c.systems[s.name] = DefaultSystem("totvs");
    AddErpRoutes(c, s.name);
  }
  // Routes whose systems are not both joined are not offered.
  std::vector<std::string> order;
  for (const auto& name : c.route_order) {
    const RouteConfig& rc = c.routes.at(name);
    if (has(rc.from) && has(rc.to)) order.push_back(name);
  }
  c.route_order = order;
  return c;
}

std::vector<std::string> OfferedRoutes(const InitPlan& plan) { return PlannedConfig(plan).route_order; }

std::string ConfigText(const InitPlan& plan) {
  const Config planned = PlannedConfig(plan);
  std::string out =
      "# ponte's configuration, written by `ponte init`. docs/config.md explains every key; check it with\n"
      "#   ponte config check --online --config <this file>\n"
      "# API keys are never written here: each system names the environment variable or the file that\n"
      "# holds its key.\n\n"
      "# Where ponte keeps its de/para, journal and cursors: sqlite:PATH for one process, or\n"
      "# postgres://user@host/db for several workers (docs/scaling.md).\n";
  out += fmt::format("store = {}\n", Quoted(plan.store));
  for (const auto& s : plan.systems) {
    out += fmt::format("\n# {}.\n[systems.{}]\n", WhatKind(s.kind), s.name);
    if (s.name != s.kind || (s.name != "ploomes" && s.name != "milvus")) out += fmt::format("kind = {}\n", Quoted(s.kind));
    out += fmt::format("base_url = {}\n", Quoted(s.base_url));
    if (!s.key_file.empty()) {
      out += fmt::format("key_file = {}  # first line: the key (keep it chmod 600)\n", Quoted(s.key_file));
    } else {
      out += fmt::format("key_env = {}  # the environment variable holding the key\n", Quoted(s.key_env));
    }
    if (s.kind == "totvs") {
      out += fmt::format("user = {}  # the ERP's REST user; the key is its password\n", Quoted(s.user));
      out += "message_version = \"2.000\"  # the CustomerVendor version the ERP takes (2.007 holds 80-character names)\n";
    }
  }
  out += "\n# The routes that run, in this order; remove an entry to stop a route. Each route's filters are\n"
         "# in docs/config.md.\n";
  for (const auto& name : plan.routes) {
    auto it = planned.routes.find(name);
    if (it == planned.routes.end()) continue;
    const RouteConfig& rc = it->second;
    out += fmt::format("[[routes]]\nname = {}\n", Quoted(name));
    if (!IsBuiltInRoute(name)) {
      out += fmt::format("from = {}\nto = {}\n", Quoted(rc.from), Quoted(rc.to));
    }
    if (!rc.cutoff.empty()) {
      out += fmt::format("cutoff = {}  # contacts created before this day are not carried\n", Quoted(rc.cutoff));
    }
    if (rc.message == "Ticket") {
      std::vector<std::string> tags;
      for (const auto& t : rc.tags) tags.push_back(Quoted(t));
      out += fmt::format("tags = [{}]  # {} with one of these tags become tickets\n", fmt::join(tags, ", "),
                         rc.records == "Task" ? "tasks" : "interaction records");
    }
    out += "\n";
  }
  out += "# `ponte serve` (webhooks, the ERP's pushes, the dashboard): docs/deploy.md.\n[server]\n"
         "listen = \"127.0.0.1:8400\"\n";
  return out;
}

std::string EnvironmentText(const InitPlan& plan) {
  std::string out = "# The keys ponte's service reads (EnvironmentFile of ponte.service); keep this file chmod 600.\n";
  for (const auto& s : plan.systems) {
    if (!s.key.empty() && s.key_file.empty()) out += fmt::format("{}={}\n", s.key_env, s.key);
  }
  return out;
}

}  // namespace ponte
