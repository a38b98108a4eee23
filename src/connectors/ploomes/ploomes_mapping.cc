#include "connectors/ploomes/ploomes_mapping.h"

#include <fmt/format.h>

#include "core/fnv.h"
#include "core/json_fields.h"
#include "core/internal_id.h"

namespace ponte::ploomes {
namespace {

// Longest ticket subject made from an interaction's text.
constexpr size_t kMaxSubjectChars = 80;

std::string Str(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

Error FieldError(const Json& record, std::string_view field, std::string_view problem) {
  return Error::InvalidArgument(fmt::format("field {} {}", field, problem))
      .WithSystem("ploomes")
      .WithRecord(record.contains("Id") ? record["Id"].dump() : "?");
}

std::string TrimUtf8(std::string s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not mid-char
  return s.substr(0, cut) + "…";
}

Result<Ticket> ToTicket(const Json& r, const std::map<int64_t, std::string>& tag_names,
                        std::string source, std::string topic, std::string description,
                        const char* date_field) {
  auto id = InternalIdOf(r);
  if (!id) return Fail(id.error());
  Ticket t;
  t.internal_id = *id;
  t.source_message = std::move(source);
  t.topic = std::move(topic);
  t.request_description = std::move(description);
  t.customer_vendor_internal_id = ContactIdOf(r).value_or("");
  if (auto tags = r.find("Tags"); tags != r.end() && tags->is_array()) {
    for (const auto& tag : *tags) {
      auto it = tag_names.find(IntField(tag, "TagId").value_or(0));
      if (it != tag_names.end()) {
        t.category = it->second;
        break;
      }
    }
  }
  if (auto when = ParseIsoInstant(Str(r, date_field)); when) t.start_date = FormatUtc(*when);
  return t;
}

}  // namespace

Result<std::string> InternalIdOf(const Json& record) {
  if (!record.is_object() || !record.contains("Id") || !record["Id"].is_number_integer()) {
    return Fail(Error::InvalidArgument("a Ploomes record has no numeric Id").WithSystem("ploomes"));
  }
  std::vector<std::string> parts = {std::to_string(record["Id"].get<int64_t>())};
  return ComposeInternalId(**FindKeyLayout("Ploomes"), parts);
}

Result<CustomerVendor> ContactToCustomer(const Json& c) {
  auto id = InternalIdOf(c);
  if (!id) return Fail(id.error());
  CustomerVendor cv;
  cv.internal_id = *id;
  std::string tried;
  for (const char* field : {"CNPJ", "CPF", "Register"}) {
    const std::string raw = Str(c, field);
    if (raw.empty()) continue;
    auto doc = ParseDocument(raw);
    if (doc) {
      cv.document = *doc;
      break;
    }
    tried += fmt::format("{}{}: {}", tried.empty() ? "" : "; ", field, doc.error().message);
  }
  if (!cv.document) {
    return Fail(FieldError(c, "CNPJ/CPF", tried.empty() ? "is empty: the contact has no CPF or CNPJ"
                                                        : "holds no valid document (" + tried + ")"));
  }
  // TypeId 1 is a company; a missing or malformed TypeId (a float past int64 came from the
  // fuzzer) reads as the default, 1, never as undefined behaviour.
  const bool company = IntField(c, "TypeId").value_or(1) == 1;
  const std::string name = Str(c, "Name");
  const std::string legal = Str(c, "LegalName");
  cv.name = company && !legal.empty() ? legal : name;
  cv.short_name = name;
  if (cv.name.empty()) return Fail(FieldError(c, "Name", "is empty"));
  cv.email = Str(c, "Email");
  if (auto phones = c.find("Phones"); phones != c.end() && phones->is_array() && !phones->empty()) {
    cv.phone = Str((*phones)[0], "PhoneNumber");
  }
  cv.comments = Str(c, "Note");
  cv.address.street = Str(c, "StreetAddress");
  cv.address.number = Str(c, "StreetAddressNumber");
  cv.address.complement = Str(c, "StreetAddressLine2");
  cv.address.district = Str(c, "Neighborhood");
  // ZipCode is a number in Ploomes: the CEP's leading zero comes back here.
  if (auto zip = c.find("ZipCode"); zip != c.end() && zip->is_number_integer() && zip->get<int64_t>() > 0) {
    cv.address.zip_code = fmt::format("{:08d}", zip->get<int64_t>());
  }
  if (auto city = c.find("City"); city != c.end() && city->is_object()) {
    cv.address.city_name = Str(*city, "Name");
    cv.address.city_code = Str(*city, "IBGECode");
  }
  if (auto state = c.find("State"); state != c.end() && state->is_object()) {
    cv.address.state = Str(*state, "Short");
  }
  if (auto created = CreatedOf(c); created) cv.register_date = FormatDate(LocalDateOf(*created));
  return cv;
}

std::string_view DocumentPlacementName(DocumentPlacement p) {
  switch (p) {
    case DocumentPlacement::kRegister: return "register";
    case DocumentPlacement::kCnpjCpf: return "cnpj_cpf";
    case DocumentPlacement::kBoth: return "both";
  }
  return "register";
}

std::optional<DocumentPlacement> ParseDocumentPlacement(std::string_view name) {
  if (name == "register") return DocumentPlacement::kRegister;
  if (name == "cnpj_cpf") return DocumentPlacement::kCnpjCpf;
  if (name == "both") return DocumentPlacement::kBoth;
  return std::nullopt;
}

Json DocumentOnly(const Document& doc, DocumentPlacement placement) {
  Json body = Json::object();
  if (placement != DocumentPlacement::kRegister) body[doc.is_person() ? "CPF" : "CNPJ"] = doc.canonical;
  if (placement != DocumentPlacement::kCnpjCpf) body["Register"] = doc.canonical;
  return body;
}

Json CustomerToContact(const CustomerVendor& cv, const PlaceIds& place, bool create,
                       DocumentPlacement placement) {
  const bool person = cv.document && cv.document->is_person();
  Json body = {{"Name", cv.short_name.empty() ? cv.name : cv.short_name}};
  if (create) body["TypeId"] = person ? 2 : 1;
  if (!person) body["LegalName"] = cv.name;
  if (cv.document) body.update(DocumentOnly(*cv.document, placement));
  if (!cv.email.empty()) body["Email"] = cv.email;
  if (!cv.phone.empty()) body["Phones"] = Json::array({{{"PhoneNumber", cv.phone}}});
  if (!cv.comments.empty()) body["Note"] = cv.comments;
  if (!cv.address.street.empty()) body["StreetAddress"] = cv.address.street;
  if (!cv.address.number.empty()) body["StreetAddressNumber"] = cv.address.number;
  if (!cv.address.complement.empty()) body["StreetAddressLine2"] = cv.address.complement;
  if (!cv.address.district.empty()) body["Neighborhood"] = cv.address.district;
  if (!cv.address.zip_code.empty()) body["ZipCode"] = std::stoll(cv.address.zip_code);
  if (place.city_id) body["CityId"] = *place.city_id;
  if (place.state_id) body["StateId"] = *place.state_id;
  return body;
}

Result<Ticket> TaskToTicket(const Json& task, const std::map<int64_t, std::string>& tag_names) {
  return ToTicket(task, tag_names, "Task", Str(task, "Title"), Str(task, "Description"),
                  "CreateDate");
}

Result<Ticket> InteractionToTicket(const Json& ir, const std::map<int64_t, std::string>& tag_names) {
  const std::string text = HtmlToText(Str(ir, "Content"));
  std::string subject = text.empty() ? fmt::format("Registro de contato {}", Str(ir, "Id"))
                                     : TrimUtf8(text, kMaxSubjectChars);
  return ToTicket(ir, tag_names, "InteractionRecord", subject, text, "CreateDate");
}

bool HasAnyTag(const Json& record, const std::map<int64_t, std::string>& tag_names) {
  auto tags = record.find("Tags");
  if (tags == record.end() || !tags->is_array()) return false;
  for (const auto& t : *tags) {
    if (tag_names.count(IntField(t, "TagId").value_or(0))) return true;
  }
  return false;
}

std::optional<std::string> ContactIdOf(const Json& record) {
  auto it = record.find("ContactId");
  if (it == record.end() || !it->is_number_integer()) return std::nullopt;
  return std::to_string(it->get<int64_t>());
}

namespace {

// A custom field's value as text; "" for none.
std::string FieldText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number()) return v.dump();
  return "";
}

}  // namespace

std::map<std::string, std::string> CustomFieldsOf(const Json& record) {
  std::map<std::string, std::string> out;
  auto props = record.find("OtherProperties");
  if (props == record.end()) return out;
  if (props->is_object()) {
    for (const auto& [key, value] : props->items()) {
      if (auto text = FieldText(value); !text.empty()) out[key] = text;
    }
    return out;
  }
  if (!props->is_array()) return out;
  static const char* kValues[] = {"ObjectValueName", "StringValue", "BigStringValue", "IntegerValue",
                                  "DecimalValue", "DateTimeValue", "BoolValue"};
  for (const auto& p : *props) {
    if (!p.is_object() || !p.contains("FieldKey") || !p["FieldKey"].is_string()) continue;
    for (const char* name : kValues) {
      if (!p.contains(name)) continue;
      if (auto text = FieldText(p[name]); !text.empty()) {
        out[p["FieldKey"].get<std::string>()] = text;
        break;
      }
    }
  }
  return out;
}

Result<Instant> LastUpdateOf(const Json& record) {
  return ParseIsoInstant(Str(record, "LastUpdateDate"));
}

Result<Instant> CreatedOf(const Json& record) { return ParseIsoInstant(Str(record, "CreateDate")); }

std::string HtmlToText(std::string_view html) {
  static const std::pair<std::string_view, std::string_view> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "}};
  std::string out;
  bool in_tag = false;
  for (size_t i = 0; i < html.size(); ++i) {
    char c = html[i];
    if (c == '<') {
      in_tag = true;
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (c == '>') {
      in_tag = false;
      continue;
    }
    if (in_tag) continue;
    if (c == '&') {
      bool replaced = false;
      for (const auto& [entity, text] : kEntities) {
        if (html.substr(i, entity.size()) == entity) {
          out += text;
          i += entity.size() - 1;
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string CustomerHash(const CustomerVendor& cv) {
  nlohmann::json j = {{"doc", cv.document ? cv.document->canonical : ""},
                      {"name", cv.name},
                      {"short", cv.short_name},
                      {"email", cv.email},
                      {"phone", cv.phone},
                      {"comments", cv.comments},
                      {"street", cv.address.street},
                      {"number", cv.address.number},
                      {"complement", cv.address.complement},
                      {"district", cv.address.district},
                      {"zip", cv.address.zip_code},
                      {"city", cv.address.city_name},
                      {"state", cv.address.state}};
  return Fnv1aHex(j.dump());
}

}  // namespace ponte::ploomes
