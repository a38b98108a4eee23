#pragma once
// InternalId, as the TOTVS "Mensagem Única" specification defines it: a record's key in its own
// system as one string, its key parts joined by '|'. Connector adapters are the only callers that
// compose or split one; everybody else passes the string along untouched.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ponte {

inline constexpr char kInternalIdSeparator = '|';

// The named parts of one message's InternalId, in order, e.g. Item: cod_empresa|cod_filial|item.
struct KeyField {
  std::string name;
  bool required = true;  // a required part may not be empty
};

struct KeyLayout {
  std::string name;
  std::vector<KeyField> fields;

  // The index of `field`, or NotFound naming the layout's fields.
  Result<size_t> IndexOf(std::string_view field) const;
};

// The layouts ponte knows by name ("Item", "CustomerVendor", "Ploomes", "Milvus", ...), or
// NotFound listing them.
Result<const KeyLayout*> FindKeyLayout(std::string_view name);
std::vector<std::string> KeyLayoutNames();

// Joins parts with '|'. Fails when there are no parts, a part holds '|' (it could never be
// split back), or every part is empty.
Result<std::string> ComposeInternalId(std::span<const std::string> parts);
// As above, and the parts must match the layout: the same count, required parts non-empty.
Result<std::string> ComposeInternalId(const KeyLayout& layout, std::span<const std::string> parts);

// Splits an InternalId back into its parts. Fails on an empty id.
Result<std::vector<std::string>> SplitInternalId(std::string_view internal_id);
// As above, checked against the layout (count, required parts).
Result<std::vector<std::string>> SplitInternalId(const KeyLayout& layout,
                                                 std::string_view internal_id);

// Reads one part by its field name: InternalIdField(item, "50|10|123456", "item") == "123456".
Result<std::string> InternalIdField(const KeyLayout& layout, std::string_view internal_id,
                                    std::string_view field);

}  // namespace ponte
