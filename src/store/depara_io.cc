#include "store/depara_io.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/document.h"
#include "core/utf8.h"

namespace ponte {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kCsvHeader = "message,system_a,id_a,system_b,id_b,natural_key";
constexpr std::string_view kLegacySystem = "legacy";
// Longest line accepted: a de/para line is short; anything bigger is not one.
constexpr size_t kMaxLineBytes = 64 * 1024;

Error LineError(size_t line, std::string_view reason) {
  return Error::InvalidArgument(fmt::format("line {}: {}", line, reason));
}

// Splits one CSV line (RFC 4180: quotes around fields, "" for a quote inside).
Result<std::vector<std::string>> SplitCsv(std::string_view line, size_t number) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return Fail(LineError(number, "unterminated quoted field"));
  return fields;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// A natural key, if given, must be a valid CPF/CNPJ; it is stored canonical.
Result<std::string> NaturalKey(const std::string& raw, size_t number) {
  if (raw.empty()) return std::string();
  auto doc = ParseDocument(raw);
  if (!doc) return Fail(LineError(number, doc.error().message));
  return doc->canonical;
}

Result<SystemRef> Ref(const std::string& system, const std::string& id, size_t number) {
  if (system.empty() || id.empty()) {
    return Fail(LineError(number, "a system and an id are both required"));
  }
  // An id is text every export and the admin API put in JSON: valid UTF-8, no NUL (before: such
  // an id was imported, and `depara export --format jsonl` then aborted).
  if (!IsValidUtf8(id) || id.find('\0') != std::string::npos) {
    return Fail(LineError(number, "the id is not valid UTF-8 text (or holds a NUL byte)"));
  }
  for (char c : system) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return Fail(LineError(number, fmt::format("'{}' is not a system name (lower case letters, "
                                                "digits and _, e.g. ploomes, milvus)",
                                                system)));
    }
  }
  return SystemRef{system, id};
}

Result<Store::ImportPair> CsvPair(std::string_view line, size_t number) {
  auto fields = SplitCsv(line, number);
  if (!fields) return Fail(fields.error());
  if (fields->size() != 6) {
    return Fail(LineError(number, fmt::format("expected 6 fields ({}), got {}", kCsvHeader,
                                              fields->size())));
  }
  auto& f = *fields;
  if (f[0].empty()) return Fail(LineError(number, "the message name is empty"));
  auto a = Ref(f[1], f[2], number);
  if (!a) return Fail(a.error());
  auto b = Ref(f[3], f[4], number);
  if (!b) return Fail(b.error());
  auto key = NaturalKey(f[5], number);
  if (!key) return Fail(key.error());
  return Store::ImportPair{f[0], *a, *b, {*key, "", "import"}};
}

Result<Json> JsonLine(std::string_view line, size_t number) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded()) return Fail(LineError(number, "not valid JSON"));
  if (!j.is_object()) return Fail(LineError(number, "expected a JSON object"));
  return j;
}

std::string StringField(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

Result<Store::ImportPair> JsonlPair(std::string_view line, size_t number) {
  auto j = JsonLine(line, number);
  if (!j) return Fail(j.error());
  std::string message = StringField(*j, "message");
  if (message.empty()) return Fail(LineError(number, "\"message\" is missing"));
  auto a = SystemRef::Parse(StringField(*j, "a"));
  if (!a) return Fail(LineError(number, "\"a\": " + a.error().message));
  auto b = SystemRef::Parse(StringField(*j, "b"));
  if (!b) return Fail(LineError(number, "\"b\": " + b.error().message));
  auto checked_a = Ref(a->system, a->internal_id, number);
  if (!checked_a) return Fail(checked_a.error());
  auto checked_b = Ref(b->system, b->internal_id, number);
  if (!checked_b) return Fail(checked_b.error());
  auto key = NaturalKey(StringField(*j, "natural_key"), number);
  if (!key) return Fail(key.error());
  return Store::ImportPair{message, *a, *b, {*key, "", "import"}};
}

Result<Store::ImportPair> MongoPair(std::string_view line, size_t number,
                                    const DeParaImportOptions& o) {
  auto j = JsonLine(line, number);
  if (!j) return Fail(j.error());
  auto it = j->find(o.document_field);
  if (it == j->end()) {
    return Fail(LineError(number, fmt::format("no field \"{}\" (set the CPF/CNPJ field name "
                                              "with --document-field)",
                                              o.document_field)));
  }
  std::string raw;
  if (it->is_string()) {
    raw = it->get<std::string>();
  } else if (it->is_number_integer()) {
    if (it->get<int64_t>() < 0) {
      return Fail(LineError(number, fmt::format("\"{}\" is a negative number, not a CPF/CNPJ", o.document_field)));
    }
    raw = std::to_string(it->get<int64_t>());  // a number loses leading zeros; parsing restores them
  } else if (it->is_object() && it->contains("$numberLong")) {
    raw = StringField(*it, "$numberLong");  // mongoexport's extended JSON for 64-bit integers
  } else {
    return Fail(LineError(number, fmt::format("\"{}\" is not a string or number", o.document_field)));
  }
  auto doc = ParseDocument(raw);
  if (!doc) return Fail(LineError(number, doc.error().message));
  return Store::ImportPair{o.message, {std::string(kLegacySystem), doc->canonical}, {},
                           {doc->canonical, "", "mongoexport"}};
}

}  // namespace

Result<DeParaFormat> ParseDeParaFormat(std::string_view name) {
  if (name == "csv") return DeParaFormat::kCsv;
  if (name == "jsonl") return DeParaFormat::kJsonl;
  if (name == "mongoexport") return DeParaFormat::kMongoexport;
  return Fail(Error::InvalidArgument(
      fmt::format("unknown format '{}' (csv, jsonl or mongoexport)", name)));
}

Result<std::vector<Store::ImportPair>> ReadDePara(std::istream& in,
                                                  const DeParaImportOptions& options) {
  std::vector<Store::ImportPair> pairs;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.size() > kMaxLineBytes) {
      return Fail(LineError(number, fmt::format("longer than {} bytes", kMaxLineBytes)));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Excel and Notepad begin a UTF-8 file with a byte order mark.
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Result<Store::ImportPair> pair;
    switch (options.format) {
      case DeParaFormat::kCsv:
        if (number == 1 && line == kCsvHeader) continue;
        pair = CsvPair(line, number);
        break;
      case DeParaFormat::kJsonl:
        pair = JsonlPair(line, number);
        break;
      case DeParaFormat::kMongoexport:
        pair = MongoPair(line, number, options);
        break;
    }
    if (!pair) return Fail(pair.error());
    pairs.push_back(std::move(*pair));
  }
  return pairs;
}

Result<size_t> WriteDePara(std::ostream& out, DeParaFormat format,
                           const std::vector<LinkRow>& links) {
  if (format == DeParaFormat::kMongoexport) {
    return Fail(Error::InvalidArgument("export writes csv or jsonl, not mongoexport"));
  }
  std::map<int64_t, std::vector<const LinkRow*>> entities;
  for (const auto& l : links) entities[l.entity_id].push_back(&l);
  if (format == DeParaFormat::kCsv) out << kCsvHeader << "\n";
  size_t rows = 0;
  for (const auto& [id, members] : entities) {
    const LinkRow& first = *members.front();
    for (size_t i = 1; i < members.size(); ++i) {
      const LinkRow& other = *members[i];
      const std::string& key =
          first.info.natural_key.empty() ? other.info.natural_key : first.info.natural_key;
      if (format == DeParaFormat::kCsv) {
        out << CsvField(first.message) << ',' << CsvField(first.ref.system) << ','
            << CsvField(first.ref.internal_id) << ',' << CsvField(other.ref.system) << ','
            << CsvField(other.ref.internal_id) << ',' << CsvField(key) << "\n";
      } else {
        out << Json{{"message", first.message},
                    {"a", first.ref.ToString()},
                    {"b", other.ref.ToString()},
                    {"natural_key", key}}
                   .dump()
            << "\n";
      }
      ++rows;
    }
  }
  if (!out) return Fail(Error::Unavailable("could not write the export"));
  return rows;
}

}  // namespace ponte
