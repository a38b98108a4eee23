// The routes of a configuration and the default ones: the four of ponte 0.1 between Ploomes and
// Milvus, and those an ERP joined to the hub gets. The only place in src/sync that names
// systems.

#include "sync/config.h"

#include <algorithm>

namespace ponte {

std::vector<std::string> RouteOrder(const Config& config) {
  // The hub's routes come last: a ticket route may create the Milvus client of a contact, and a
  // route from Milvus to another system then carries that customer in the same run.
  std::vector<std::string> order = {kRouteCustomersToMilvus, kRouteCustomersToPloomes, kRouteTasks, kRouteInteractions};
  order.insert(order.end(), config.hub_routes.begin(), config.hub_routes.end());
  return order;
}

bool IsRoute(const Config& config, std::string_view name) {
  const auto order = RouteOrder(config);
  return std::find(order.begin(), order.end(), name) != order.end();
}

std::string RouteOfWebhook(std::string_view entity_set) {
  if (entity_set == "Contacts") return kRouteCustomersToMilvus;
  return entity_set == "Tasks" ? kRouteTasks : kRouteInteractions;
}

bool IsBuiltInRoute(std::string_view name) {
  return name == kRouteCustomersToMilvus || name == kRouteCustomersToPloomes || name == kRouteTasks ||
         name == kRouteInteractions;
}

const SystemConfig* FindSystem(const Config& config, std::string_view system) {
  if (system == "ploomes") return &config.ploomes;
  if (system == "milvus") return &config.milvus;
  auto it = config.systems.find(std::string(system));
  return it == config.systems.end() ? nullptr : &it->second;
}

std::string SystemKind(const Config& config, std::string_view system) {
  if (system == "ploomes" || system == "milvus") return std::string(system);
  const SystemConfig* s = FindSystem(config, system);
  return s ? s->kind : "";
}

void AddErpRoutes(Config& config, const std::string& erp) {
  const std::string cutoff = config.routes.at(kRouteCustomersToMilvus).cutoff;
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"ploomes", erp}, {erp, "ploomes"},
                                 {erp, "milvus"}, {"milvus", erp}}) {
    const std::string name = "customers_" + from + "_to_" + to;
    RouteConfig route;
    route.from = from;
    route.to = to;
    // Contacts from Ploomes keep the cutoff of the route to Milvus: the same customers reach both.
    if (from == "ploomes") route.cutoff = cutoff;
    if (config.routes.emplace(name, route).second) config.hub_routes.push_back(name);
  }
}

}  // namespace ponte
