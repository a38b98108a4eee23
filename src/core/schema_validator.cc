#include "core/schema_validator.h"

#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/compiled_schema.h"
#include "core/embedded_schemas.h"

namespace ponte {
namespace {

// Only the first few violations go into an error message; the rest are counted.
constexpr size_t kMaxReportedViolations = 8;

// Compiled schemas, built once per key and kept for the process. A compiled schema is
// immutable, so any thread validates with it.
class SchemaCache {
 public:
  static SchemaCache& Get() {
    static SchemaCache cache;
    return cache;
  }

  // `key` is a schema file stem; `definition` (optional) picks #/definitions/<definition>.
  Result<std::shared_ptr<const CompiledSchema>> Find(const std::string& key, const std::string& definition) {
    std::lock_guard lock(mu_);
    const std::string cache_key = key + "#" + definition;
    if (auto it = compiled_.find(cache_key); it != compiled_.end()) return it->second;
    const auto& all = detail::EmbeddedSchemas();
    auto text = all.find(key);
    if (text == all.end()) {
      return Fail(Error::NotFound(fmt::format("no schema {} (known: {})", key, fmt::join(SchemaNames(), ", "))));
    }
    auto schema = CompiledSchema::Compile(Json::parse(text->second), definition);
    if (!schema) {
      return Fail(Error::Internal(fmt::format("schema {} does not compile: {}", key, schema.error().message)));
    }
    auto shared = std::make_shared<const CompiledSchema>(std::move(*schema));
    compiled_[cache_key] = shared;
    return shared;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const CompiledSchema>> compiled_;
};

Status Validate(const CompiledSchema& schema, const Json& value, std::string_view what) {
  // The first pass stops at the first violation and builds no report.
  if (schema.Validate(value)) return {};
  SchemaViolations violations;
  size_t total = 0;
  schema.Validate(value, &violations, kMaxReportedViolations, &total);
  std::string more = total > violations.size() ? fmt::format(" (and {} more)", total - violations.size()) : "";
  return Fail(Error::InvalidArgument(
      fmt::format("{} does not match its schema: {}{}", what, fmt::join(violations, "; "), more)));
}

std::string SchemaKey(std::string_view transaction, std::string_view version) {
  std::string v(version);
  for (char& c : v) {
    if (c == '.') c = '_';
  }
  return fmt::format("{}_{}", transaction, v);
}

}  // namespace

std::vector<std::string> SchemaNames() {
  std::vector<std::string> names;
  for (const auto& [name, text] : detail::EmbeddedSchemas()) names.push_back(name);
  return names;
}

Status ValidateBusinessContent(std::string_view transaction, std::string_view version,
                               const Json& content) {
  auto schema = SchemaCache::Get().Find(SchemaKey(transaction, version), "BusinessContentType");
  if (!schema) return Fail(schema.error());
  return Validate(**schema, content, fmt::format("{} {} BusinessContent", transaction, version));
}

Status ValidateMessageJson(const Json& message) {
  auto envelope = SchemaCache::Get().Find("TotvsMessage", "");
  if (!envelope) return Fail(envelope.error());
  PONTE_RETURN_IF_ERROR(Validate(**envelope, message, "message envelope"));
  const auto& header = message["Header"];
  return ValidateBusinessContent(header["Transaction"].get<std::string>(),
                                 header["Version"].get<std::string>(),
                                 message["Content"]["BusinessContent"]);
}

Status ValidateMessage(const Message& message) { return ValidateMessageJson(message.ToJson()); }

}  // namespace ponte
