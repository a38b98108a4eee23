#pragma once
// Reading ponte.toml's values: typed reads that name the key on a wrong type, and the check for
// unknown keys. Shared by the configuration loader and the connectors that parse their own
// settings.

#include <limits>
#include <set>
#include <string>
#include <type_traits>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "core/error.h"

namespace ponte::config_read {

inline Error KeyError(const std::string& source, const std::string& key, const std::string& problem) {
  return Error::InvalidArgument(fmt::format("{}: {}: {}", source, key, problem));
}

inline Status CheckKeys(const toml::table& t, const std::set<std::string>& allowed, const std::string& where,
                        const std::string& source) {
  for (const auto& [k, v] : t) {
    if (!allowed.count(std::string(k.str()))) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Fail(KeyError(source, where.empty() ? std::string(k.str()) : where + "." + std::string(k.str()),
                           "unknown key (known here: " + list + ")"));
    }
  }
  return {};
}

template <typename T>
Status Read(const toml::table& t, const char* key, T& out, const std::string& where, const std::string& source) {
  auto node = t.get(key);
  if (!node) return {};
  if constexpr (std::is_same_v<T, std::string>) {
    if (auto v = node->value<std::string>()) { out = *v; return {}; }
    return Fail(KeyError(source, where + key, "expected a string"));
  } else if constexpr (std::is_same_v<T, bool>) {
    if (auto v = node->value<bool>()) { out = *v; return {}; }
    return Fail(KeyError(source, where + key, "expected true or false"));
  } else if constexpr (std::is_same_v<T, double>) {
    if (auto v = node->value<double>()) { out = *v; return {}; }
    return Fail(KeyError(source, where + key, "expected a number"));
  } else {
    // value_exact: a float is not silently truncated (and one beyond int64_t is no undefined
    // behaviour: fuzz/config_fuzz found `timeout_ms = 1e25`).
    if (auto v = node->value_exact<int64_t>()) {
      if (*v < std::numeric_limits<T>::min() || *v > std::numeric_limits<T>::max()) {
        return Fail(KeyError(source, where + key, "out of range"));
      }
      out = static_cast<T>(*v);
      return {};
    }
    return Fail(KeyError(source, where + key, "expected a whole number"));
  }
}

}  // namespace ponte::config_read
