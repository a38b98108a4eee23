#pragma once
// What a system of kind totvs takes besides every system's settings ([systems.<name>] in
// docs/config.md). Its connector parses them (totvs_settings_reader.h), so the
// configuration names no ERP detail.

#include <string>

#include "core/connector_settings.h"

namespace ponte::totvs {

struct TotvsSettings : ConnectorSettings {
  std::string user;                          // HTTP Basic user; the system's key is its password
  std::string message_version = "2.000";     // the CustomerVendor version the ERP takes
  std::string source_application = "PONTE";  // how ponte introduces itself
  std::string company_id;
  std::string branch_id;
  int page_size = 50;  // contents listing page size
};

}  // namespace ponte::totvs
