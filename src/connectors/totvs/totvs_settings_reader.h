#pragma once
// Reading a totvs system's own settings from its [systems.<name>] table (and the file's other
// tables its kind owns), for the configuration loader.

#include <memory>
#include <set>
#include <string>

#include <toml++/toml.h>

#include "connectors/totvs/totvs_settings.h"
#include "core/error.h"

namespace ponte::totvs {

const std::set<std::string>& SettingKeys();
Result<std::shared_ptr<const ConnectorSettings>> ParseSettings(const toml::table& system, const toml::table& root,
                                                              const std::string& where, const std::string& source);

}  // namespace ponte::totvs
