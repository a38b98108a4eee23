#pragma once
// A JSON Schema compiled once into a tree of checks, for validating every message ponte journals
// at pipeline speed. It understands the keywords ponte's schemas use (type, required,
// properties, additionalProperties: false, enum, minLength/maxLength in characters, pattern,
// format date/date-time, items, minItems, $ref to #/definitions) and refuses to compile a schema
// with any other keyword, so no rule is silently skipped. valijson, a complete validator, stays
// the reference in the tests, which check that both give the same verdicts.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ponte {

class CompiledSchema {
 public:
  // Compiles `document` (a schema file: definitions and, optionally, a root schema). With a
  // `definition` name, the root is #/definitions/<definition>.
  static Result<CompiledSchema> Compile(const nlohmann::json& document, std::string_view definition = "");

  // True when `value` is valid. Otherwise, when `violations` is given, it receives up to
  // `max_violations` lines "<json pointer>: <what is wrong>" (and `total`, if given, their count).
  bool Validate(const nlohmann::json& value, std::vector<std::string>* violations = nullptr,
                size_t max_violations = 8, size_t* total = nullptr) const;

  struct Node;
  struct Tree;

 private:
  explicit CompiledSchema(std::shared_ptr<const Tree> tree) : tree_(std::move(tree)) {}
  std::shared_ptr<const Tree> tree_;
};

}  // namespace ponte
