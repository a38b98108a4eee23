#pragma once
// Reading a ploomes system's own settings from its [systems.<name>] table (and the file's other
// tables its kind owns), for the configuration loader.

#include <memory>
#include <set>
#include <string>

#include <toml++/toml.h>

#include "connectors/ploomes/ploomes_settings.h"
#include "core/error.h"

namespace ponte::ploomes {

const std::set<std::string>& SettingKeys();
// `system`: the [systems.<name>] table; `where`: "systems.<name>." for error messages.
Result<std::shared_ptr<const ConnectorSettings>> ParseSettings(const toml::table& system, const toml::table& root,
                                                              const std::string& where, const std::string& source);

}  // namespace ponte::ploomes
