#pragma once
// What a system of kind milvus takes besides every system's settings ([systems.<name>] in
// docs/config.md) and the tickets it opens ([tickets]). Its connector parses them
// (milvus_settings_reader.h), so the configuration names no Milvus detail.

#include <string>

#include "connectors/milvus/milvus_mapping.h"
#include "core/connector_settings.h"

namespace ponte::milvus {

struct MilvusSettings : ConnectorSettings {
  int listing_budget = 200;  // most cliente/busca calls one full client listing may spend
  int busca_cap = 1000;      // how many clients a capped cliente/busca answers
  TicketDefaults tickets;    // [tickets]: the desk, sector, technician and categories of new tickets
};

}  // namespace ponte::milvus
