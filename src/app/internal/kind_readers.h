#pragma once
// What each kind of system reads from ponte.toml: the keys of its [systems.<name>] table besides
// the common ones, and its connector's parser. For the configuration loader only (it pulls in
// toml++).

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "core/connector_settings.h"
#include "core/error.h"

namespace ponte {

struct KindReader {
  std::string_view name;
  const std::set<std::string>& (*setting_keys)();
  Result<std::shared_ptr<const ConnectorSettings>> (*parse)(const toml::table& system, const toml::table& root,
                                                            const std::string& where, const std::string& source);
};

const KindReader* FindKindReader(std::string_view kind);

}  // namespace ponte
