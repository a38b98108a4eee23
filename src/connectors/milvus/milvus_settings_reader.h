#pragma once
// Reading a milvus system's own settings from its [systems.<name>] table (and the file's other
// tables its kind owns), for the configuration loader.

#include <memory>
#include <set>
#include <string>

#include <toml++/toml.h>

#include "connectors/milvus/milvus_settings.h"
#include "core/error.h"

namespace ponte::milvus {

const std::set<std::string>& SettingKeys();
// `system`: the [systems.<name>] table; `root`: the whole file, for [tickets].
Result<std::shared_ptr<const ConnectorSettings>> ParseSettings(const toml::table& system, const toml::table& root,
                                                              const std::string& where, const std::string& source);

}  // namespace ponte::milvus
