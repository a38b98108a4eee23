#include "core/realities.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ponte {

const std::vector<Unknown>& Unknowns() {
  static const std::vector<Unknown> kUnknowns = {
      {"milvus.busca_name_match", {"substring", "prefix", "exact", "ignored"}, "substring", "exact",
       "name partitions of a capped client listing look complete while they are not"},
      {"milvus.busca_cap_order", {"lowest_ids", "newest_first", "unspecified"}, "lowest_ids",
       "unspecified", "which clients stay invisible past the 1000 cap"},
      {"milvus.document_storage", {"digits", "as_typed"}, "digits", "as_typed",
       "a digits-only cliente/busca?documento= misses a client typed with punctuation"},
      {"milvus.criar_check_digits", {"validated", "not_validated"}, "validated", "not_validated",
       "a wrong document either fails loudly or lands in Milvus"},
      {"milvus.criar_duplicate_document", {"accepted", "refused"}, "accepted", "accepted",
       "if accepted, a create without a proven-complete index duplicates; if refused, a create ponte "
       "thought new fails"},
      {"milvus.listing_quota", {"all", "listagem", "none"}, "all", "all",
       "with cliente/busca under the one-a-minute listing quota, every lookup costs a minute"},
      {"ploomes.timestamp_precision", {"ms", "1/300"}, "ms", "1/300",
       "keyset paging on LastUpdateDate eq <ms> never matches; ties past a page are skipped"},
      {"ploomes.filter_offset", {"honoured", "ignored"}, "honoured", "ignored",
       "a date literal in UTC shifts the watermark by three hours"},
      {"ploomes.forbidden_blocks", {"none", "occasional"}, "none", "occasional",
       "a passing 403 on a read becomes a dead letter"},
      {"ploomes.webhook_key", {"header", "other_header", "body", "not_sent"}, "header", "not_sent",
       "every webhook is refused (polling still delivers, later)"},
      {"ploomes.tags_paging", {"one_answer", "paged"}, "one_answer", "paged",
       "tag names past the first page are not found; both ticket routes stop"},
      {"ploomes.document_field", {"both", "register", "cnpj_cpf"}, "both", "cnpj_cpf",
       "contacts created without a findable CPF/CNPJ, or a 400 on every write"},
      {"ploomes.post_echo", {"full", "sent_fields"}, "full", "sent_fields",
       "the hash of what Ploomes stored differs from the next read: an echo write"},
      {"ploomes.default_order", {"id", "create_date_desc", "unspecified"}, "id", "unspecified",
       "a listing without $orderby pages over a moving order"},
      {"ploomes.tag_touches_task", {"yes", "no"}, "yes", "no",
       "a task tagged after it was created is never seen by polling"},
      {"ploomes.webhook_entity_36", {"accepted", "refused"}, "accepted", "refused",
       "webhooks register stops at interaction records"},
  };
  return kUnknowns;
}

const Unknown* FindUnknown(std::string_view key) {
  for (const auto& u : Unknowns()) {
    if (u.key == key) return &u;
  }
  return nullptr;
}

Reality::Reality() {
  for (const auto& u : Unknowns()) values_[u.key] = u.documented;
}

const std::string& Reality::Get(std::string_view key) const {
  static const std::string kNone;
  auto it = values_.find(key);
  return it == values_.end() ? kNone : it->second;
}

Status Reality::Set(std::string_view key, std::string_view value) {
  const Unknown* u = FindUnknown(key);
  if (!u) {
    std::vector<std::string> keys;
    for (const auto& k : Unknowns()) keys.push_back(k.key);
    return Fail(Error::InvalidArgument(
        fmt::format("'{}' is not an unknown the sandbox emulates (known: {})", key, fmt::join(keys, ", "))));
  }
  if (std::find(u->values.begin(), u->values.end(), value) == u->values.end()) {
    return Fail(Error::InvalidArgument(fmt::format("{}: '{}' is not one of its plausible values ({})", key,
                                                   value, fmt::join(u->values, ", "))));
  }
  values_[u->key] = std::string(value);
  return {};
}

Result<Reality> Reality::Parse(std::string_view spec) {
  Reality r;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string_view item = spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "documented") {
      r = Reality();
    } else if (item == "pessimistic") {
      for (const auto& u : Unknowns()) r.values_[u.key] = u.pessimistic;
    } else if (!item.empty()) {
      auto eq = item.find('=');
      if (eq == std::string_view::npos) {
        return Fail(Error::InvalidArgument(fmt::format(
            "'{}' is not a reality: use documented, pessimistic or SYSTEM.UNKNOWN=VALUE", item)));
      }
      PONTE_RETURN_IF_ERROR(r.Set(item.substr(0, eq), item.substr(eq + 1)));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return r;
}

std::string Reality::ToString() const {
  std::vector<std::string> changed;
  for (const auto& u : Unknowns()) {
    const std::string& v = Get(u.key);
    if (v != u.documented) changed.push_back(u.key + "=" + v);
  }
  return changed.empty() ? "documented" : fmt::format("{}", fmt::join(changed, ","));
}

}  // namespace ponte
