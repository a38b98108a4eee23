#pragma once
// The kinds of system ponte has a connector for: their names, defaults and key checks. What each
// kind reads from ponte.toml is in app/internal/kind_readers.h (the loader's).

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "net/http_client.h"
#include "sync/config.h"

namespace ponte {

struct SystemKindInfo {
  std::string_view name;  // "ploomes", "milvus", "totvs"
  std::string_view what;  // for prompts and errors: "Ploomes CRM"
};

const SystemKindInfo* FindKind(std::string_view kind);
std::string KindNames();  // "ploomes, milvus or totvs"

// The variable a named system's key is read from unless key_env says otherwise: PONTE_<NAME>_KEY.
std::string DefaultKeyEnv(const std::string& name);

// A system of `kind` with that kind's default settings and quotas, and no address or key.
SystemConfig DefaultSystem(const std::string& kind);

// One cheap authenticated read of a system of this kind (nothing listed, nothing written): a
// wrong key, URL or network shows at `config check --online` and `init`, not at 3 a.m.
ApiCall KeyCheckCall(const SystemConfig& system);

// The settings of the kind a system was configured with (defaults when none were parsed).
template <typename Settings>
const Settings& SettingsOf(const SystemConfig& s) {
  static const Settings defaults;
  const auto* typed = dynamic_cast<const Settings*>(s.settings.get());
  return typed ? *typed : defaults;
}

}  // namespace ponte
