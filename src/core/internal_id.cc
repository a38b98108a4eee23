#include "core/internal_id.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ponte {
namespace {

// Built-in layouts. Ploomes and Milvus keys are one numeric id; the TOTVS ones follow the
// standard's examples so an ERP connector can plug in without touching the core.
const std::vector<KeyLayout>& Layouts() {
  static const std::vector<KeyLayout> kLayouts = {
      {"Item", {{"cod_empresa"}, {"cod_filial", false}, {"item"}}},
      {"CustomerVendor", {{"empresa"}, {"filial", false}, {"codigo"}, {"loja", false}}},
      {"Ploomes", {{"id"}}},
      {"Milvus", {{"id"}}},
  };
  return kLayouts;
}

Status CheckAgainstLayout(const KeyLayout& layout, std::span<const std::string> parts) {
  if (parts.size() != layout.fields.size()) {
    std::vector<std::string> names;
    for (const auto& f : layout.fields) names.push_back(f.name);
    return Fail(Error::InvalidArgument(
        fmt::format("InternalId for layout {} needs {} part(s) ({}), got {}", layout.name,
                    layout.fields.size(), fmt::join(names, "|"), parts.size())));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (layout.fields[i].required && parts[i].empty()) {
      return Fail(Error::InvalidArgument(fmt::format(
          "InternalId for layout {}: part {} ({}) is required but empty", layout.name, i + 1,
          layout.fields[i].name)));
    }
  }
  return {};
}

}  // namespace

Result<size_t> KeyLayout::IndexOf(std::string_view field) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field) return i;
  }
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  return Fail(Error::NotFound(fmt::format("layout {} has no field '{}'; its fields are: {}", name,
                                          field, fmt::join(names, ", "))));
}

Result<const KeyLayout*> FindKeyLayout(std::string_view name) {
  for (const auto& layout : Layouts()) {
    if (layout.name == name) return &layout;
  }
  return Fail(Error::NotFound(fmt::format("unknown InternalId layout '{}'; known layouts: {}",
                                          name, fmt::join(KeyLayoutNames(), ", "))));
}

std::vector<std::string> KeyLayoutNames() {
  std::vector<std::string> names;
  for (const auto& layout : Layouts()) names.push_back(layout.name);
  return names;
}

Result<std::string> ComposeInternalId(std::span<const std::string> parts) {
  if (parts.empty()) return Fail(Error::InvalidArgument("an InternalId needs at least one part"));
  bool all_empty = true;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].find(kInternalIdSeparator) != std::string::npos) {
      return Fail(Error::InvalidArgument(fmt::format(
          "InternalId part {} ('{}') contains the separator '|', so it could not be split back",
          i + 1, parts[i])));
    }
    if (!parts[i].empty()) all_empty = false;
  }
  if (all_empty) return Fail(Error::InvalidArgument("every InternalId part is empty"));
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += kInternalIdSeparator;
    out += parts[i];
  }
  return out;
}

Result<std::string> ComposeInternalId(const KeyLayout& layout,
                                      std::span<const std::string> parts) {
  PONTE_RETURN_IF_ERROR(CheckAgainstLayout(layout, parts));
  return ComposeInternalId(parts);
}

Result<std::vector<std::string>> SplitInternalId(std::string_view internal_id) {
  if (internal_id.empty()) return Fail(Error::InvalidArgument("the InternalId is empty"));
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t bar = internal_id.find(kInternalIdSeparator, start);
    parts.emplace_back(internal_id.substr(start, bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  if (std::all_of(parts.begin(), parts.end(), [](const auto& p) { return p.empty(); })) {
    return Fail(Error::InvalidArgument(
        fmt::format("the InternalId '{}' has only empty parts", internal_id)));
  }
  return parts;
}

Result<std::vector<std::string>> SplitInternalId(const KeyLayout& layout,
                                                 std::string_view internal_id) {
  auto parts = SplitInternalId(internal_id);
  if (!parts) return parts;
  PONTE_RETURN_IF_ERROR(CheckAgainstLayout(layout, *parts));
  return parts;
}

Result<std::string> InternalIdField(const KeyLayout& layout, std::string_view internal_id,
                                    std::string_view field) {
  auto index = layout.IndexOf(field);
  if (!index) return Fail(index.error());
  auto parts = SplitInternalId(layout, internal_id);
  if (!parts) return Fail(parts.error());
  return (*parts)[*index];
}

}  // namespace ponte
