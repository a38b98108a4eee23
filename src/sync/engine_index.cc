// What ponte knows of each system's customers, kept in the store: the indexes that answer
// "create or link?" without a lookup per record.

#include "sync/internal/engine_impl.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/document.h"
#include "core/log.h"
#include "store/facts.h"

namespace ponte {

// Whether an index was built from a complete listing recently (by this worker or another):
// within a run and a little beyond, it answers "is this customer there?" without a call.
bool SyncEngine::Impl::IndexFresh(const std::string& name) {
  auto state = LoadListingState(store, name);
  return state && *state && (*state)->complete && clock.Now() - (*state)->at < kIndexMaxAge;
}

void SyncEngine::Impl::SaveIndexState(const std::string& name, bool complete, const std::string& reason, size_t seen) {
  if (!options.dry_run) (void)SaveListingState(store, {name, complete, reason, static_cast<int>(seen), clock.Now()});
}

// Keeps each listed customer in the de/para as an index member (document, hash of what was
// read) unless it is there already; a member whose document changed gets the new one (its
// hash stays: it is what was last delivered, for echo suppression).
void SyncEngine::Impl::Index(const std::string& system, const Listing<CustomerVendor>& listing,
                             const CustomerHasher& hash) {
  if (options.dry_run) {
    // Nothing is written, but the plan must see what a real run would link: the listing is
    // kept in memory, so "would link" is told apart from "would create".
    for (const auto& c : listing.records) {
      if (!c.record.document) continue;
      LinkRow row;
      row.message = kCustomer;
      row.ref = {system, c.internal_id};
      row.info = {c.record.document->canonical, hash(c.record), "index"};
      dry_index.emplace(std::pair{system, c.record.document->canonical}, std::move(row));
    }
    return;
  }
  for (const auto& c : listing.records) {
    if (!c.record.document) continue;
    const SystemRef ref{system, c.internal_id};
    const std::string doc = c.record.document->canonical;
    auto members = store.Entity(kCustomer, ref);
    const LinkRow* self = members ? Member(*members, system) : nullptr;
    if (!self) {
      (void)store.Remember(kCustomer, ref, {doc, hash(c.record), "index"});
    } else if (self->info.natural_key != doc) {
      (void)store.UpdateLinkInfo(kCustomer, ref, {doc, self->info.content_hash, self->info.route});
    }
    if (!c.token.empty()) MergeAttributes(ref, {{"token", c.token}}, self);
  }
}

// The member of `system` the index holds for a document, if any.
std::optional<LinkRow> SyncEngine::Impl::KnownCustomer(const std::string& doc, const std::string& system) {
  auto rows = store.FindByNaturalKey(kCustomer, doc);
  if (rows) {
    for (const auto& m : *rows) {
      if (m.ref.system == system) return m;
    }
  }
  if (auto it = dry_index.find({system, doc}); it != dry_index.end()) return it->second;
  return std::nullopt;
}

void SyncEngine::Impl::MergeAttributes(const SystemRef& ref, const nlohmann::json& patch, const LinkRow* current) {
  if (options.dry_run) return;
  std::string before = current ? current->attributes : "";
  if (!current) {
    auto rows = store.Entity(kCustomer, ref);
    if (!rows) return;
    const LinkRow* self = Member(*rows, ref.system);
    if (!self || self->ref.internal_id != ref.internal_id) {
      for (const auto& m : *rows) {
        if (m.ref == ref) self = &m;
      }
    }
    if (!self) return;  // not linked: nothing to keep it on
    before = self->attributes;
  }
  auto attrs = nlohmann::json::parse(before, nullptr, false);
  if (!attrs.is_object()) attrs = nlohmann::json::object();
  auto after = attrs;
  after.merge_patch(patch);
  if (after != attrs) (void)store.SetAttributes(kCustomer, ref, after.dump());
}

bool SyncEngine::Impl::TargetHas(const std::vector<LinkRow>& members, const std::string& from, const std::string& to,
                                 const std::string& hash) {
  const LinkRow* self = Member(members, from);
  const LinkRow* target = Member(members, to);
  if (!target) return false;
  auto self_attrs = nlohmann::json::parse(self ? self->attributes : "{}", nullptr, false);
  if (self_attrs.is_object() && self_attrs.value("written", "") == hash) return true;  // ponte's own write
  auto attrs = nlohmann::json::parse(target->attributes, nullptr, false);
  if (attrs.is_object() && attrs.contains("seen") && attrs["seen"].is_object() && attrs["seen"].contains(from)) {
    return attrs["seen"][from] == hash;
  }
  return self && self->info.content_hash == hash;
}

void SyncEngine::Impl::RecordVersions(const SystemRef& target, const std::string& from, const std::string& origin_hash,
                                      const std::string& written_hash, const std::string& connector_attributes) {
  auto patch = nlohmann::json::parse(connector_attributes, nullptr, false);
  if (!patch.is_object()) patch = nlohmann::json::object();
  patch["seen"][from] = origin_hash;
  if (!written_hash.empty()) patch["written"] = written_hash;
  MergeAttributes(target, patch);
}

}  // namespace ponte
