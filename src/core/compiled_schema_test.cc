#include "core/compiled_schema.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "core/customer_vendor.h"
#include "core/embedded_schemas.h"
#include "core/ticket.h"

namespace ponte {
namespace {

TEST(CompiledSchemaTest, RefusesKeywordsItDoesNotCheck) {
  auto one_of = CompiledSchema::Compile(Json{{"oneOf", Json::array()}});
  ASSERT_FALSE(one_of.has_value());
  EXPECT_NE(one_of.error().message.find("#/oneOf: the keyword is not supported"), std::string::npos)
      << one_of.error().message;
  EXPECT_FALSE(CompiledSchema::Compile(Json{{"format", "email"}}).has_value());
  EXPECT_FALSE(CompiledSchema::Compile(Json{{"$ref", "other.json#/x"}}).has_value());
  EXPECT_FALSE(CompiledSchema::Compile(Json{{"definitions", Json::object()}}, "Missing").has_value());
}

TEST(CompiledSchemaTest, ViolationsNameTheFieldAsAJsonPointer) {
  const Json schema = {{"type", "object"},
                       {"required", {"a"}},
                       {"additionalProperties", false},
                       {"properties",
                        {{"a", {{"type", "array"}, {"items", {{"type", "string"}, {"maxLength", 2}}}}},
                         {"d", {{"type", "string"}, {"format", "date"}}}}}};
  auto compiled = *CompiledSchema::Compile(schema);
  std::vector<std::string> violations;
  EXPECT_TRUE(compiled.Validate(Json{{"a", {"ok", "é!"}}, {"d", "2026-02-28"}}));
  EXPECT_TRUE(compiled.Validate(Json{{"a", Json::array()}, {"d", "2024-02-29"}}));
  EXPECT_FALSE(compiled.Validate(Json{{"a", Json::array()}, {"d", "2026-02-29"}}));  // no such day
  EXPECT_FALSE(compiled.Validate(Json{{"a", {"ok", "long"}}, {"d", "2026-13-01"}, {"x", 1}}, &violations));
  ASSERT_EQ(violations.size(), 3u);
  EXPECT_EQ(violations[0], "/a/1: is 4 characters long, more than the 2 allowed");
  EXPECT_EQ(violations[1], "/d: \"2026-13-01\" does not match a date (RFC 3339)");
  EXPECT_EQ(violations[2], "/: x is not a field of this schema");
}

// valijson, a complete JSON Schema validator, is the reference: on every embedded schema and on
// messages mutated at random from valid ones, both give the same verdict.
class Reference {
 public:
  Reference(const std::string& key, const std::string& definition) {
    Json doc = Json::parse(detail::EmbeddedSchemas().at(key));
    compiled_ = std::make_unique<CompiledSchema>(*CompiledSchema::Compile(doc, definition));
    if (!definition.empty()) doc["$ref"] = "#/definitions/" + definition;
    document_ = doc;
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document_);
    parser.populateSchema(adapter, schema_);
  }
  // valijson 1.0 throws on a "format" field holding a value that is not a string (it casts
  // before checking the type); such a value breaks the field's type, so the verdict is invalid.
  bool ByValijson(const Json& v) const {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::adapters::NlohmannJsonAdapter adapter(v);
    try {
      return validator.validate(schema_, adapter, nullptr);
    } catch (const std::runtime_error&) {
      return false;
    }
  }
  bool ByCompiled(const Json& v) const { return compiled_->Validate(v); }

 private:
  Json document_;
  valijson::Schema schema_;
  std::unique_ptr<CompiledSchema> compiled_;
};

Json FullCustomerContent() {
  CustomerVendor cv;
  cv.internal_id = "401234567";
  cv.name = "Padaria São João Ltda";
  cv.short_name = "Padaria";
  cv.document = *ParseDocument("12.345.678/0001-95");
  cv.email = "a@b.com.br";
  cv.phone = "(11) 91234-5678";
  cv.register_date = "2024-03-15";
  cv.address = {"Rua A", "1", "", "Centro", "São Paulo", "3550308", "SP", "01310100"};
  return cv.ToBusinessContent();
}

Json FullTicketContent() {
  Ticket t{"1", "Task", "Entrega", "Levar", "401234567", "ENTREGA", "2026-11-23T13:15:00.000Z"};
  return t.ToBusinessContent();
}

// Every place in a JSON value, as pointers to its members (objects and arrays, depth first).
void Places(Json& v, std::vector<Json*>& out) {
  out.push_back(&v);
  if (v.is_object()) {
    for (auto& [k, child] : v.items()) Places(child, out);
  } else if (v.is_array()) {
    for (auto& child : v) Places(child, out);
  }
}

Json RandomValue() {
  switch (*rc::gen::inRange(0, 9)) {
    case 0: return nullptr;
    case 1: return *rc::gen::arbitrary<bool>();
    case 2: return *rc::gen::inRange(-5, 5);
    case 3: return 1.5;
    case 4: return Json::array({"x"});
    case 5: return Json::object();
    case 6: return *rc::gen::element<std::string>("", "Person", "Company", "Federal", "CPF", "Task", "SP", "sp");
    case 7: return *rc::gen::element<std::string>("2024-02-30", "2024-13-01", "2026-11-23T13:15:00Z",
                                                 "2026-11-23 13:15:00", "01310100", "0131010");
    case 8: return std::string(*rc::gen::inRange(0, 120), 'a');
    default: return *rc::gen::element<std::string>("11144477735", "12ABC34501DE35", "123", "ÉÉ");
  }
}

void Mutate(Json& root) {
  std::vector<Json*> places;
  Places(root, places);
  Json& at = *places[*rc::gen::inRange<size_t>(0, places.size())];
  if (at.is_object() && !at.empty() && *rc::gen::arbitrary<bool>()) {
    std::vector<std::string> keys;
    for (auto& [k, v] : at.items()) keys.push_back(k);
    at.erase(keys[*rc::gen::inRange<size_t>(0, keys.size())]);
  } else if (at.is_object() && *rc::gen::arbitrary<bool>()) {
    at[*rc::gen::element<std::string>("Extra", "Name", "Type", "Id", "cityCode", "Topic")] = RandomValue();
  } else {
    at = RandomValue();
  }
}

void CheckAgreement(const Reference& ref, Json value) {
  const int mutations = *rc::gen::inRange(0, 4);
  for (int i = 0; i < mutations; ++i) Mutate(value);
  RC_ASSERT(ref.ByCompiled(value) == ref.ByValijson(value));
}

RC_GTEST_PROP(CompiledSchemaProperty, AgreesWithValijsonOnCustomers, ()) {
  static const Reference ref("CustomerVendor_2_007", "BusinessContentType");
  CheckAgreement(ref, FullCustomerContent());
}

RC_GTEST_PROP(CompiledSchemaProperty, AgreesWithValijsonOnTickets, ()) {
  static const Reference ref("Ticket_1_000", "BusinessContentType");
  CheckAgreement(ref, FullTicketContent());
}

RC_GTEST_PROP(CompiledSchemaProperty, AgreesWithValijsonOnEnvelopes, ()) {
  static const Reference ref("TotvsMessage", "");
  Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes", FullCustomerContent());
  m.return_content.push_back({"CustomerVendor", "1", "2"});
  CheckAgreement(ref, m.ToJson());
}

}  // namespace
}  // namespace ponte
