// De/para: entities and their members.

#include <fmt/format.h>

#include "store/internal/sql_store.h"
#include "store/internal/sql_store_tx.h"
#include "store/internal/sql_store_util.h"

namespace ponte::detail {

Result<std::optional<int64_t>> SqlStore::EntityOfLocked(std::string_view message,
                                                        const SystemRef& ref) {
  const SqlValue p[] = {Text(message), ref.system, ref.internal_id};
  auto rows = conn_->Query(
      "SELECT entity_id FROM links WHERE message = ? AND system = ? AND internal_id = ?", p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows->front().Int(0));
}

Status SqlStore::InsertMemberLocked(std::string_view message, const SystemRef& ref,
                                    int64_t entity, const LinkInfo& info, Instant now) {
  const SqlValue p[] = {Text(message),   ref.system, ref.internal_id, entity,
                        info.natural_key, info.content_hash, info.route, Millis(now)};
  auto r = conn_->Query(
      "INSERT INTO links (message, system, internal_id, entity_id, natural_key, content_hash, "
      "route, linked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      p);
  if (!r) {
    if (conn_->IsUniqueViolation(r.error())) {
      // The PK cannot collide here (the caller checked), so the entity has another id there.
      return Fail(Error::AlreadyExists(fmt::format(
                      "{} de/para: the entity of this record already has another {} id; "
                      "{} cannot join it",
                      message, ref.system, ref.ToString()))
                      .WithSystem("store"));
    }
    return Fail(r.error());
  }
  return {};
}

Status SqlStore::LinkLocked(std::string_view message, const SystemRef& a, const SystemRef& b,
                            const LinkInfo& info, Instant now) {
  if (a.system == b.system) {
    return Fail(Error::InvalidArgument(fmt::format(
        "cannot link {} to {}: both are in {}", a.ToString(), b.ToString(), a.system)));
  }
  auto ea = EntityOfLocked(message, a);
  if (!ea) return Fail(ea.error());
  auto eb = EntityOfLocked(message, b);
  if (!eb) return Fail(eb.error());
  if (*ea && *eb) {
    if (**ea != **eb) {
      // Two entities known apart (each from its own system's listing, say) are one when nothing
      // in them disagrees: no system holds an id in both. Then b's joins a's.
      const SqlValue both[] = {**ea, **eb};
      auto shared = conn_->Query(
          "SELECT x.system FROM links x JOIN links y ON x.system = y.system "
          "WHERE x.entity_id = ? AND y.entity_id = ? LIMIT 1",
          both);
      if (!shared) return Fail(shared.error());
      if (!shared->empty()) {
        return Fail(Error::AlreadyExists(fmt::format(
                        "{} de/para: {} and {} already belong to different entities ({} and {}), which hold "
                        "different {} ids; an InternalId belongs to one entity only",
                        message, a.ToString(), b.ToString(), **ea, **eb, shared->front().Text(0)))
                        .WithSystem("store"));
      }
      const SqlValue move[] = {**ea, **eb};
      auto moved = conn_->Query("UPDATE links SET entity_id = ? WHERE entity_id = ?", move);
      if (!moved) return Fail(moved.error());
      const SqlValue gone[] = {**eb};
      auto dropped = conn_->Query("DELETE FROM entities WHERE id = ?", gone);
      if (!dropped) return Fail(dropped.error());
    }
    for (const auto* ref : {&a, &b}) {
      const SqlValue p[] = {info.natural_key, info.content_hash, info.route, Text(message),
                            ref->system, ref->internal_id};
      auto r = conn_->Query(
          "UPDATE links SET natural_key = ?, content_hash = ?, route = ? "
          "WHERE message = ? AND system = ? AND internal_id = ?",
          p);
      if (!r) return Fail(r.error());
    }
    return {};
  }
  int64_t entity;
  if (*ea || *eb) {
    entity = *ea ? **ea : **eb;
  } else {
    const SqlValue p[] = {Text(message), Millis(now)};
    auto rows =
        conn_->Query("INSERT INTO entities (message, created_at) VALUES (?, ?) RETURNING id", p);
    if (!rows) return Fail(rows.error());
    entity = rows->front().Int(0);
  }
  if (!*ea) PONTE_RETURN_IF_ERROR(InsertMemberLocked(message, a, entity, info, now));
  if (!*eb) PONTE_RETURN_IF_ERROR(InsertMemberLocked(message, b, entity, info, now));
  // The member that was already there (remembered from a listing, say) takes the link's info
  // too: its hash now describes the version both sides were linked at.
  if (*ea || *eb) {
    const SystemRef& existing = *ea ? a : b;
    const SqlValue p[] = {info.natural_key, info.content_hash, info.route, Text(message),
                          existing.system, existing.internal_id};
    auto r = conn_->Query(
        "UPDATE links SET natural_key = ?, content_hash = ?, route = ? "
        "WHERE message = ? AND system = ? AND internal_id = ?",
        p);
    if (!r) return Fail(r.error());
  }
  return {};
}

Status SqlStore::Link(std::string_view message, const SystemRef& a, const SystemRef& b,
                      const LinkInfo& info) {
  return InTransactionRetryingRaces([&]() -> Status {
    return LinkLocked(message, a, b, info, SystemClock::Get().Now());
  });
}

Status SqlStore::Remember(std::string_view message, const SystemRef& ref, const LinkInfo& info) {
  return InTransaction([&]() -> Status {
    auto e = EntityOfLocked(message, ref);
    if (!e) return Fail(e.error());
    if (*e) return {};
    const Instant now = SystemClock::Get().Now();
    const SqlValue p[] = {Text(message), Millis(now)};
    auto rows =
        conn_->Query("INSERT INTO entities (message, created_at) VALUES (?, ?) RETURNING id", p);
    if (!rows) return Fail(rows.error());
    return InsertMemberLocked(message, ref, rows->front().Int(0), info, now);
  });
}

Result<std::optional<std::string>> SqlStore::Lookup(std::string_view message,
                                                    const SystemRef& from,
                                                    std::string_view to_system) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(message), from.system, from.internal_id, Text(to_system)};
  auto rows = conn_->Query(
      "SELECT t.internal_id FROM links f JOIN links t ON t.entity_id = f.entity_id "
      "WHERE f.message = ? AND f.system = ? AND f.internal_id = ? AND t.system = ?",
      p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->front().Text(0));
}

Result<std::vector<LinkRow>> SqlStore::Entity(std::string_view message, const SystemRef& ref) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(message), ref.system, ref.internal_id};
  auto rows = conn_->Query(
      "SELECT " PONTE_LINK_COLUMNS " FROM links WHERE entity_id = (SELECT entity_id FROM links "
      "WHERE message = ? AND system = ? AND internal_id = ?) ORDER BY system",
      p);
  if (!rows) return Fail(rows.error());
  return ToLinkRows(*rows);
}

Result<std::vector<LinkRow>> SqlStore::FindByNaturalKey(std::string_view message,
                                                        std::string_view natural_key) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(message), Text(natural_key)};
  auto rows = conn_->Query(
      "SELECT " PONTE_LINK_COLUMNS " FROM links WHERE entity_id IN (SELECT entity_id FROM links "
      "WHERE message = ? AND natural_key = ?) ORDER BY entity_id, system",
      p);
  if (!rows) return Fail(rows.error());
  return ToLinkRows(*rows);
}

Status SqlStore::UpdateLinkInfo(std::string_view message, const SystemRef& ref,
                                const LinkInfo& info) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {info.natural_key, info.content_hash, info.route,
                        Text(message),    ref.system,        ref.internal_id};
  auto rows = conn_->Query(
      "UPDATE links SET natural_key = ?, content_hash = ?, route = ? "
      "WHERE message = ? AND system = ? AND internal_id = ? RETURNING entity_id",
      p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) {
    return Fail(Error::NotFound(fmt::format("{} {} is not linked", message, ref.ToString())));
  }
  return {};
}

Status SqlStore::SetAttributes(std::string_view message, const SystemRef& ref,
                               std::string_view attributes) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(attributes), Text(message), ref.system, ref.internal_id};
  auto rows = conn_->Query(
      "UPDATE links SET attributes = ? WHERE message = ? AND system = ? AND internal_id = ? "
      "RETURNING entity_id",
      p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) {
    return Fail(Error::NotFound(fmt::format("{} {} is not linked", message, ref.ToString())));
  }
  return {};
}

Result<std::vector<LinkRow>> SqlStore::ListLinks(const LinkFilter& filter) {
  std::lock_guard lock(mu_);
  std::string sql = "SELECT " PONTE_LINK_COLUMNS " FROM links WHERE 1 = 1";
  std::vector<SqlValue> p;
  if (!filter.message.empty()) {
    sql += " AND message = ?";
    p.push_back(filter.message);
  }
  if (!filter.system.empty()) {
    sql += " AND system = ?";
    p.push_back(filter.system);
  }
  sql += " ORDER BY message, entity_id, system";
  if (filter.limit > 0) {
    sql += fmt::format(" LIMIT {} OFFSET {}", filter.limit, filter.offset);
  }
  auto rows = conn_->Query(sql, p);
  if (!rows) return Fail(rows.error());
  return ToLinkRows(*rows);
}

Result<int64_t> SqlStore::CountLinks() {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query("SELECT COUNT(*) FROM links");
  if (!rows) return Fail(rows.error());
  return rows->front().Int(0);
}

Status SqlStore::ImportLinks(const std::vector<ImportPair>& pairs) {
  return InTransaction([&]() -> Status {
    const Instant now = SystemClock::Get().Now();
    for (size_t i = 0; i < pairs.size(); ++i) {
      const auto& pair = pairs[i];
      auto s = pair.b.system.empty() ? Status{} : LinkLocked(pair.message, pair.a, pair.b,
                                                             pair.info, now);
      if (s && pair.b.system.empty()) {
        auto e = EntityOfLocked(pair.message, pair.a);
        if (!e) {
          s = Fail(e.error());
        } else if (!*e) {
          const SqlValue p[] = {pair.message, Millis(now)};
          auto rows = conn_->Query(
              "INSERT INTO entities (message, created_at) VALUES (?, ?) RETURNING id", p);
          s = rows ? InsertMemberLocked(pair.message, pair.a, rows->front().Int(0), pair.info,
                                        now)
                   : Status(Fail(rows.error()));
        }
      }
      if (!s) {
        return Fail(Error(s.error()).WithRecord(fmt::format("import item {}", i + 1)));
      }
    }
    return {};
  });
}

Result<std::vector<IntegrityProblem>> SqlStore::CheckDePara() {
  std::lock_guard lock(mu_);
  std::vector<IntegrityProblem> problems;
  auto mismatched = conn_->Query(
      "SELECT message, entity_id FROM links WHERE natural_key <> '' GROUP BY message, entity_id "
      "HAVING COUNT(DISTINCT natural_key) > 1 ORDER BY entity_id");
  if (!mismatched) return Fail(mismatched.error());
  for (const auto& row : *mismatched) {
    problems.push_back({"natural_key_mismatch", row.Text(0),
                        fmt::format("entity {}: its members carry different CPF/CNPJ values",
                                    row.Text(1))});
  }
  auto shared = conn_->Query(
      "SELECT message, natural_key, COUNT(DISTINCT entity_id) FROM links WHERE natural_key <> '' "
      "GROUP BY message, natural_key HAVING COUNT(DISTINCT entity_id) > 1 ORDER BY natural_key");
  if (!shared) return Fail(shared.error());
  for (const auto& row : *shared) {
    problems.push_back({"natural_key_shared", row.Text(0),
                        fmt::format("CPF/CNPJ {} is linked as {} different entities",
                                    row.Text(1), row.Text(2))});
  }
  // A record a listing showed (route "index") is what ponte knows of a system, to match by
  // CPF/CNPJ: alone until a route carries it (never, for a contact before the cutoff). Only a
  // link meant to have a peer (a delivery's, an import's) is an orphan without one.
  auto alone = conn_->Query(
      "SELECT message, MIN(system) || ':' || MIN(internal_id) FROM links GROUP BY message, "
      "entity_id HAVING COUNT(*) = 1 AND MIN(route) <> 'index' ORDER BY 2");
  if (!alone) return Fail(alone.error());
  for (const auto& row : *alone) {
    problems.push_back({"entity_without_peer", row.Text(0),
                        fmt::format("{} is linked to no other system", row.Text(1))});
  }
  return problems;
}

}  // namespace ponte::detail
