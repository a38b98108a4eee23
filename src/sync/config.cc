// The routes and systems of a configuration, as the engine asks about them. The defaults (which
// systems and routes a configuration starts with) are the app's data, not the engine's.

#include "sync/config.h"

#include <algorithm>
#include <set>

namespace ponte {

std::vector<std::string> RouteOrder(const Config& config) { return config.route_order; }

bool IsRoute(const Config& config, std::string_view name) {
  return std::find(config.route_order.begin(), config.route_order.end(), name) != config.route_order.end();
}

std::vector<std::string> SystemsInUse(const Config& config) {
  std::set<std::string> used;
  for (const auto& name : config.route_order) {
    auto it = config.routes.find(name);
    if (it == config.routes.end() || !it->second.enabled) continue;
    used.insert(it->second.from);
    used.insert(it->second.to);
  }
  return {used.begin(), used.end()};
}

const SystemConfig* FindSystem(const Config& config, std::string_view system) {
  auto it = config.systems.find(std::string(system));
  return it == config.systems.end() ? nullptr : &it->second;
}

std::string SystemKind(const Config& config, std::string_view system) {
  const SystemConfig* s = FindSystem(config, system);
  return s ? s->kind : "";
}

}  // namespace ponte
