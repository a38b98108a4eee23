#include "core/compiled_schema.h"

#include <deque>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "core/utf8.h"

namespace ponte {
namespace {

using Json = nlohmann::json;

// JSON Schema's type names, as bits: a node accepts a value when its type's bit is set.
enum TypeBit : unsigned {
  kObject = 1, kArray = 2, kString = 4, kInteger = 8, kNumber = 16, kBoolean = 32, kNull = 64,
};

std::optional<unsigned> TypeBitOf(const std::string& name) {
  static const std::map<std::string, unsigned> kBits = {
      {"object", kObject}, {"array", kArray},     {"string", kString}, {"integer", kInteger},
      {"number", kNumber}, {"boolean", kBoolean}, {"null", kNull}};
  auto it = kBits.find(name);
  if (it == kBits.end()) return std::nullopt;
  return it->second;
}

bool HasType(const Json& v, unsigned types) {
  switch (v.type()) {
    case Json::value_t::object: return types & kObject;
    case Json::value_t::array: return types & kArray;
    case Json::value_t::string: return types & kString;
    case Json::value_t::boolean: return types & kBoolean;
    case Json::value_t::null: return types & kNull;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return types & (kInteger | kNumber);
    case Json::value_t::number_float: return types & kNumber;
    default: return false;
  }
}


// RFC 3339 full-date and date-time, the rule JSON Schema's "format" names.
constexpr const char* kDatePattern = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";
constexpr const char* kDateTimePattern =
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:"
    "([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

// "YYYY-MM-DD..." (already matched by the date pattern): whether that day exists, leap years
// included, as RFC 3339 requires of a full-date.
bool DayExists(const std::string& s) {
  const int year = std::stoi(s.substr(0, 4));
  const int month = std::stoi(s.substr(5, 2));
  const int day = std::stoi(s.substr(8, 2));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= kDays[month - 1] + (month == 2 && leap);
}

// Keywords that carry no rule.
const std::set<std::string>& Annotations() {
  static const std::set<std::string> kNames = {"description", "title", "$schema", "info",
                                               "version", "definitions", "examples", "$comment"};
  return kNames;
}

}  // namespace

struct CompiledSchema::Node {
  unsigned types = 0;  // 0: any type
  std::vector<std::string> required;
  std::map<std::string, const Node*, std::less<>> properties;
  bool closed = false;  // additionalProperties: false
  std::vector<Json> enum_values;
  std::optional<size_t> min_length, max_length;
  std::optional<std::regex> pattern;
  std::string pattern_text;  // the pattern, or the format it stands for, for messages
  bool calendar = false;     // a date format: the day must exist in its month
  std::optional<size_t> min_items;
  const Node* items = nullptr;
  const Node* ref = nullptr;
};

struct CompiledSchema::Tree {
  std::deque<Node> nodes;  // stable addresses
  const Node* root = nullptr;
};

namespace {

using Node = CompiledSchema::Node;
using Tree = CompiledSchema::Tree;

class Compiler {
 public:
  Compiler(const Json& document, Tree& tree) : document_(document), tree_(tree) {}

  Result<const Node*> Definition(const std::string& name) {
    if (auto it = definitions_.find(name); it != definitions_.end()) return it->second;
    auto defs = document_.find("definitions");
    if (defs == document_.end() || !defs->is_object() || !defs->contains(name)) {
      return Fail(Error::InvalidArgument(fmt::format("the schema has no definition {}", name)));
    }
    // Registered before it is compiled, so a definition may refer to itself.
    Node& node = tree_.nodes.emplace_back();
    definitions_[name] = &node;
    PONTE_RETURN_IF_ERROR(Fill(node, (*defs)[name], "#/definitions/" + name));
    return &node;
  }

  Result<const Node*> Compile(const Json& schema, const std::string& where) {
    Node& node = tree_.nodes.emplace_back();
    PONTE_RETURN_IF_ERROR(Fill(node, schema, where));
    return &node;
  }

 private:
  Status Fill(Node& node, const Json& schema, const std::string& where) {
    if (!schema.is_object()) {
      return Fail(Error::InvalidArgument(fmt::format("{}: a schema must be an object", where)));
    }
    for (const auto& [key, value] : schema.items()) {
      const std::string at = where + "/" + key;
      if (Annotations().count(key)) continue;
      if (key == "type") {
        std::vector<std::string> names;
        if (value.is_string()) names.push_back(value.get<std::string>());
        if (value.is_array()) {
          for (const auto& n : value) names.push_back(n.is_string() ? n.get<std::string>() : "");
        }
        if (names.empty()) return Fail(Error::InvalidArgument(at + ": not a type name"));
        for (const auto& n : names) {
          auto bit = TypeBitOf(n);
          if (!bit) return Fail(Error::InvalidArgument(fmt::format("{}: unknown type '{}'", at, n)));
          node.types |= *bit;
        }
      } else if (key == "required") {
        for (const auto& n : value) node.required.push_back(n.get<std::string>());
      } else if (key == "properties") {
        for (const auto& [name, sub] : value.items()) {
          auto child = Compile(sub, at + "/" + name);
          if (!child) return Fail(child.error());
          node.properties.emplace(name, *child);
        }
      } else if (key == "additionalProperties") {
        if (!value.is_boolean()) {
          return Fail(Error::InvalidArgument(at + ": only true or false is supported"));
        }
        node.closed = !value.get<bool>();
      } else if (key == "enum") {
        node.enum_values = value.get<std::vector<Json>>();
      } else if (key == "minLength") {
        node.min_length = value.get<size_t>();
      } else if (key == "maxLength") {
        node.max_length = value.get<size_t>();
      } else if (key == "minItems") {
        node.min_items = value.get<size_t>();
      } else if (key == "pattern" || key == "format") {
        std::string pattern = value.get<std::string>();
        std::string shown = pattern;
        if (key == "format") {
          if (pattern != "date" && pattern != "date-time") {
            return Fail(Error::InvalidArgument(fmt::format("{}: format '{}' is not supported", at, pattern)));
          }
          shown = "a " + pattern + " (RFC 3339)";
          node.calendar = true;
          pattern = pattern == "date" ? kDatePattern : kDateTimePattern;
        }
        if (node.pattern) return Fail(Error::InvalidArgument(at + ": both a pattern and a format"));
        node.pattern.emplace(pattern, std::regex::ECMAScript | std::regex::optimize);
        node.pattern_text = shown;
      } else if (key == "items") {
        auto child = Compile(value, at);
        if (!child) return Fail(child.error());
        node.items = *child;
      } else if (key == "$ref") {
        const std::string ref = value.get<std::string>();
        constexpr std::string_view kPrefix = "#/definitions/";
        if (!ref.starts_with(kPrefix)) {
          return Fail(Error::InvalidArgument(fmt::format("{}: only #/definitions/ references are supported", at)));
        }
        auto target = Definition(ref.substr(kPrefix.size()));
        if (!target) return Fail(target.error());
        node.ref = *target;
      } else {
        return Fail(Error::InvalidArgument(fmt::format("{}: the keyword is not supported", at)));
      }
    }
    return {};
  }

  const Json& document_;
  Tree& tree_;
  std::map<std::string, const Node*> definitions_;
};

class Checker {
 public:
  Checker(std::vector<std::string>* violations, size_t max) : violations_(violations), max_(max) {}

  // Checks every rule when violations are collected, and stops at the first otherwise.
  bool Check(const Node& node, const Json& v, std::string& path) {
    bool ok = true;
    auto fail = [&](std::string what) {
      ok = false;
      ++total;
      if (violations_ && violations_->size() < max_) {
        violations_->push_back(fmt::format("{}: {}", path.empty() ? "/" : path, what));
      }
      return violations_ != nullptr;  // whether to go on
    };
    if (node.ref && !Check(*node.ref, v, path)) {
      ok = false;
      if (!violations_) return false;
    }
    if (node.types && !HasType(v, node.types)) {
      fail(fmt::format("is {}, not of the type the schema names", v.type_name()));
      return false;  // the other rules assume the type
    }
    if (!node.enum_values.empty() &&
        std::find(node.enum_values.begin(), node.enum_values.end(), v) == node.enum_values.end()) {
      if (!fail(fmt::format("{} is not one of {}", v.dump(), Json(node.enum_values).dump()))) return false;
    }
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (node.min_length || node.max_length) {
        const size_t n = Utf8Length(s);
        if (node.min_length && n < *node.min_length &&
            !fail(fmt::format("is {} characters long, fewer than the {} required", n, *node.min_length))) {
          return false;
        }
        if (node.max_length && n > *node.max_length &&
            !fail(fmt::format("is {} characters long, more than the {} allowed", n, *node.max_length))) {
          return false;
        }
      }
      if (node.pattern && !(std::regex_search(s, *node.pattern) && (!node.calendar || DayExists(s))) &&
          !fail(fmt::format("{} does not match {}", v.dump(), node.pattern_text))) {
        return false;
      }
    }
    if (v.is_object()) {
      for (const auto& name : node.required) {
        if (!v.contains(name) && !fail(fmt::format("{} is required", name))) return false;
      }
      for (const auto& [name, value] : v.items()) {
        auto it = node.properties.find(name);
        if (it == node.properties.end()) {
          if (node.closed && !fail(fmt::format("{} is not a field of this schema", name))) return false;
          continue;
        }
        const size_t mark = path.size();
        path += "/";
        path += name;
        const bool good = Check(*it->second, value, path);
        path.resize(mark);
        if (!good) {
          ok = false;
          if (!violations_) return false;
        }
      }
    }
    if (v.is_array()) {
      if (node.min_items && v.size() < *node.min_items &&
          !fail(fmt::format("has {} items, fewer than the {} required", v.size(), *node.min_items))) {
        return false;
      }
      if (node.items) {
        for (size_t i = 0; i < v.size(); ++i) {
          const size_t mark = path.size();
          path += "/" + std::to_string(i);
          const bool good = Check(*node.items, v[i], path);
          path.resize(mark);
          if (!good) {
            ok = false;
            if (!violations_) return false;
          }
        }
      }
    }
    return ok;
  }

  size_t total = 0;

 private:
  std::vector<std::string>* violations_;
  size_t max_;
};

}  // namespace

Result<CompiledSchema> CompiledSchema::Compile(const Json& document, std::string_view definition) {
  auto tree = std::make_shared<Tree>();
  Compiler compiler(document, *tree);
  Result<const Node*> root = definition.empty() ? compiler.Compile(document, "#")
                                                : compiler.Definition(std::string(definition));
  if (!root) return Fail(root.error());
  tree->root = *root;
  return CompiledSchema(std::move(tree));
}

bool CompiledSchema::Validate(const Json& value, std::vector<std::string>* violations, size_t max_violations,
                              size_t* total) const {
  Checker checker(violations, max_violations);
  std::string path;
  const bool ok = checker.Check(*tree_->root, value, path);
  if (total) *total = checker.total;
  return ok;
}

}  // namespace ponte
