#include "app/default_config.h"

#include "app/system_kinds.h"

namespace ponte {

Config DefaultConfig() {
  Config c;
  SystemConfig ploomes = DefaultSystem("ploomes");
  ploomes.base_url = "https://api2.ploomes.com";
  ploomes.key_env = "PONTE_PLOOMES_KEY";
  ploomes.requests_per_minute = 120;
  SystemConfig milvus = DefaultSystem("milvus");
  milvus.base_url = "https://apiintegracao.milvus.com.br";
  milvus.key_env = "PONTE_MILVUS_TOKEN";
  c.systems = {{"ploomes", ploomes}, {"milvus", milvus}};
  auto route = [](std::string from, std::string message, std::string to, std::string records = "") {
    RouteConfig r;
    r.from = std::move(from);
    r.message = std::move(message);
    r.to = std::move(to);
    r.records = std::move(records);
    if (r.message == "Ticket") r.tags = {"INSTALAÇÃO", "ENTREGA"};
    return r;
  };
  c.routes = {{kRouteCustomersToMilvus, route("ploomes", "CustomerVendor", "milvus")},
              {kRouteCustomersToPloomes, route("milvus", "CustomerVendor", "ploomes")},
              {kRouteTasks, route("ploomes", "Ticket", "milvus", "Task")},
              {kRouteInteractions, route("ploomes", "Ticket", "milvus", "InteractionRecord")}};
  c.routes[kRouteCustomersToMilvus].cutoff = "2024-02-24";
  // Customers before the tickets that need them.
  c.route_order = {kRouteCustomersToMilvus, kRouteCustomersToPloomes, kRouteTasks, kRouteInteractions};
  return c;
}

bool IsBuiltInRoute(std::string_view name) {
  return name == kRouteCustomersToMilvus || name == kRouteCustomersToPloomes || name == kRouteTasks ||
         name == kRouteInteractions;
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
    // The hub's routes come last: a ticket route may create the Milvus client of a contact, and
    // a route from Milvus to another system then carries that customer in the same run.
    if (config.routes.emplace(name, route).second) config.route_order.push_back(name);
  }
}

}  // namespace ponte
