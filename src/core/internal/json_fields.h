#pragma once
// Small helpers for reading and writing optional string fields of canonical messages.

#include <string>

#include <nlohmann/json.hpp>

namespace ponte::detail {

inline void PutIfSet(nlohmann::json& obj, const char* key, const std::string& value) {
  if (!value.empty()) obj[key] = value;
}

// The string at `key`, or "" when absent or not a string.
inline std::string GetString(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace ponte::detail
