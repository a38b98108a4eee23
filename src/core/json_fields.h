#pragma once
// Fields of JSON that came from outside (API answers, webhooks, import files). nlohmann's
// value() throws when the field or the object has another type, and converting an out-of-range
// floating-point number to an integer is undefined behaviour; these read such fields as absent.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ponte {

// The field as an integer: a JSON integer that fits int64_t, else nullopt (a string, a float,
// a missing field, or `object` not an object).
std::optional<int64_t> IntField(const nlohmann::json& object, std::string_view key);

// The field as text: a JSON string, else "".
std::string StringField(const nlohmann::json& object, std::string_view key);

}  // namespace ponte
