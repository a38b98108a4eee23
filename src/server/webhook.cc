#include "server/webhook.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "core/json_fields.h"

namespace ponte::server {
namespace {

using Json = nlohmann::json;

// Ploomes ids are positive integers; the body may carry them as numbers or strings.
Result<std::string> IdOf(const Json& record, const char* where) {
  if (!record.is_object()) return Fail(Error::InvalidArgument(fmt::format("{} is not an object", where)));
  auto it = record.find("Id");
  if (it == record.end()) return Fail(Error::InvalidArgument(fmt::format("{} has no Id", where)));
  // nlohmann reads non-negative numbers as unsigned: one beyond int64 is no Ploomes id.
  if (auto id = IntField(record, "Id"); id && *id > 0) return std::to_string(*id);
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    const bool digits = !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos;
    if (digits && s.find_first_not_of('0') != std::string::npos) return s;
  }
  return Fail(Error::InvalidArgument(fmt::format("{}.Id is not a positive whole number", where)));
}

}  // namespace

Result<WebhookEvent> ParseWebhookBody(std::string_view body) {
  // Depth is bounded by nlohmann's recursive parser only; a depth check keeps a hostile body of
  // nested arrays from exhausting the stack.
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
    else if (c == '}' || c == ']') --depth;
  }
  if (max_depth > 64) return Fail(Error::InvalidArgument("the body nests deeper than 64 levels"));
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded()) return Fail(Error::InvalidArgument("the body is not valid JSON"));
  if (!j.is_object()) return Fail(Error::InvalidArgument("the body is not a JSON object"));
  WebhookEvent e;
  auto entity = j.find("Entity");
  if (entity == j.end() || !entity->is_string() || entity->get_ref<const std::string&>().empty()) {
    return Fail(Error::InvalidArgument("the body has no Entity (the entity set, such as \"Tasks\")"));
  }
  e.entity_set = entity->get<std::string>();
  if (e.entity_set.size() > 64) return Fail(Error::InvalidArgument("Entity is too long"));
  if (auto action = j.find("Action"); action != j.end() && action->is_string()) {
    e.action = action->get<std::string>().substr(0, 64);
  }
  if (auto key = j.find("ValidationKey"); key != j.end() && key->is_string()) {
    e.validation_key = key->get<std::string>();
  }
  auto fresh = j.find("New");
  const bool has_new = fresh != j.end() && !fresh->is_null();
  auto old = j.find("Old");
  if (!has_new && (old == j.end() || old->is_null())) {
    return Fail(Error::InvalidArgument("the body has neither New nor Old"));
  }
  auto id = has_new ? IdOf(*fresh, "New") : IdOf(*old, "Old");
  if (!id) return Fail(id.error());
  e.id = *id;
  // Kept as ASCII-escaped text: a webhook may carry bytes that are not UTF-8, and dump() would
  // throw on them.
  if (has_new) e.record = fresh->dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  return e;
}

bool IsRoutable(const WebhookEvent& event, std::string* reason) {
  if (event.entity_set != "Contacts" && event.entity_set != "Tasks" && event.entity_set != "InteractionRecords") {
    if (reason) *reason = fmt::format("no route reads {}", event.entity_set.substr(0, 64));
    return false;
  }
  if (event.action == "Delete") {
    if (reason) *reason = "deletes are not propagated";
    return false;
  }
  return true;
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  // Runs over the longer input whatever the contents; only the length of the expected key leaks.
  const size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0 && n > 0;
}

}  // namespace ponte::server
