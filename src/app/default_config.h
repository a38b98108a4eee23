#pragma once
// The configuration ponte starts from before ponte.toml is read: a Ploomes and a Milvus
// system, named ploomes and milvus, and the four routes of ponte 0.1 between them. Data for
// the engine, which knows no system by name.

#include <string>
#include <string_view>

#include "sync/config.h"

namespace ponte {

inline constexpr const char* kRouteCustomersToMilvus = "customers_ploomes_to_milvus";
inline constexpr const char* kRouteCustomersToPloomes = "customers_milvus_to_ploomes";
inline constexpr const char* kRouteTasks = "tasks_ploomes_to_milvus";
inline constexpr const char* kRouteInteractions = "interactions_ploomes_to_milvus";

Config DefaultConfig();
// One of the four routes of ponte 0.1 (they keep their systems; [[routes]] may only switch
// them on and set their filters).
bool IsBuiltInRoute(std::string_view name);

// The default routes of an ERP system joined to the hub (`ponte demo --systems`): customers
// from Ploomes and Milvus to it and from it to both, named customers_<from>_to_<to>.
void AddErpRoutes(Config& config, const std::string& erp);

}  // namespace ponte
