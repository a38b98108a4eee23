#include "core/schema_validator.h"

#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/embedded_schemas.h"

namespace ponte {
namespace {

// Only the first few violations go into an error message; the rest are counted.
constexpr size_t kMaxReportedViolations = 8;

// Parsed schemas, built once per key and kept for the process.
class SchemaCache {
 public:
  static SchemaCache& Get() {
    static SchemaCache cache;
    return cache;
  }

  // `key` is a schema file stem; `definition` (optional) picks #/definitions/<definition>.
  Result<std::shared_ptr<const valijson::Schema>> Find(const std::string& key,
                                                       const std::string& definition) {
    std::lock_guard lock(mu_);
    const std::string cache_key = key + "#" + definition;
    if (auto it = parsed_.find(cache_key); it != parsed_.end()) return it->second;
    const auto& all = detail::EmbeddedSchemas();
    auto text = all.find(key);
    if (text == all.end()) {
      return Fail(Error::NotFound(fmt::format("no schema {} (known: {})", key,
                                              fmt::join(SchemaNames(), ", "))));
    }
    Json doc = Json::parse(text->second);
    // ponte's schema files keep TOTVS' layout (info + definitions); point the root at the
    // wanted definition so valijson resolves the internal $refs in the same document.
    if (!definition.empty()) doc["$ref"] = "#/definitions/" + definition;
    auto schema = std::make_shared<valijson::Schema>();
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(doc);
    parser.populateSchema(adapter, *schema);
    parsed_[cache_key] = schema;
    return schema;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const valijson::Schema>> parsed_;
};

Status Validate(const valijson::Schema& schema, const Json& value, std::string_view what) {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(value);
  if (validator.validate(schema, adapter, &results)) return {};
  SchemaViolations violations;
  valijson::ValidationResults::Error e;
  size_t total = 0;
  while (results.popError(e)) {
    ++total;
    if (violations.size() >= kMaxReportedViolations) continue;
    std::string path;
    for (const auto& part : e.context) path += part == "<root>" ? "" : part;
    violations.push_back(fmt::format("{}: {}", path.empty() ? "/" : path, e.description));
  }
  std::string more =
      total > violations.size() ? fmt::format(" (and {} more)", total - violations.size()) : "";
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
