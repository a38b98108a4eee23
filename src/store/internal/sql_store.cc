// Cursors, shared rate-limit buckets, maintenance, row mapping and the OpenStore factory.

#include "store/internal/sql_store.h"

#include <filesystem>

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/utf8.h"

#include "store/internal/holder_liveness.h"
#include "store/internal/migrations.h"
#include "store/internal/sql_store_tx.h"
#include "store/internal/sql_store_util.h"
#include "store/postgres/postgres_connection.h"
#include "store/sqlite/sqlite_connection.h"

namespace ponte {

std::string ThisWorkerName() { return detail::ThisProcessName(); }

Result<SystemRef> SystemRef::Parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Fail(Error::InvalidArgument(fmt::format(
        "'{}' is not SYSTEM:ID (for example ploomes:401234567 or milvus:30753)", text)));
  }
  return SystemRef{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

std::string_view DeliveryStateName(DeliveryState s) {
  switch (s) {
    case DeliveryState::kPending: return "pending";
    case DeliveryState::kDone: return "done";
    case DeliveryState::kDead: return "dead";
  }
  return "pending";
}

Result<DeliveryState> ParseDeliveryState(std::string_view s) {
  if (s == "pending") return DeliveryState::kPending;
  if (s == "done") return DeliveryState::kDone;
  if (s == "dead") return DeliveryState::kDead;
  return Fail(Error::InvalidArgument(
      fmt::format("unknown delivery state '{}' (pending, done or dead)", s)));
}

namespace detail {

std::vector<LinkRow> ToLinkRows(const std::vector<SqlRow>& rows) {
  std::vector<LinkRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    LinkRow l;
    l.entity_id = r.Int(0);
    l.message = r.Text(1);
    l.ref = {r.Text(2), r.Text(3)};
    l.info = {r.Text(4), r.Text(5), r.Text(6)};
    l.attributes = r.Text(7);
    l.linked_at = FromMillis(r.Int(8));
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::optional<Cursor>> SqlStore::GetCursor(std::string_view route) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(route)};
  auto rows =
      conn_->Query("SELECT route, value, boundary_ids, updated_at FROM cursors WHERE route = ?", p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<Cursor>();
  const auto& r = rows->front();
  Cursor c{r.Text(0), r.Text(1), {}, FromMillis(r.Int(3))};
  auto ids = nlohmann::json::parse(r.Text(2), nullptr, false);
  if (ids.is_array()) {
    for (const auto& id : ids) {
      if (id.is_string()) c.boundary_ids.push_back(id.get<std::string>());
    }
  }
  return std::optional<Cursor>(std::move(c));
}

Status SqlStore::SaveCursor(const Cursor& cursor, Instant now) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {cursor.route, cursor.value, nlohmann::json(cursor.boundary_ids).dump(),
                        Millis(now)};
  auto r = conn_->Query(
      "INSERT INTO cursors (route, value, boundary_ids, updated_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (route) DO UPDATE SET value = excluded.value, "
      "boundary_ids = excluded.boundary_ids, updated_at = excluded.updated_at",
      p);
  if (!r) return Fail(r.error());
  return {};
}

Result<std::chrono::milliseconds> SqlStore::TakeToken(std::string_view system,
                                                      std::string_view key_id, double capacity,
                                                      double refill_per_second, Instant now) {
  return InTransaction([&]() -> Result<std::chrono::milliseconds> {
    const SqlValue seed[] = {Text(system), Text(key_id), capacity, Millis(now)};
    auto inserted = conn_->Query(
        "INSERT INTO rate_buckets (system, key_id, tokens, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (system, key_id) DO NOTHING",
        seed);
    if (!inserted) return Fail(inserted.error());
    const bool postgres = conn_->dialect() == Dialect::kPostgres;
    const SqlValue key[] = {Text(system), Text(key_id)};
    auto rows = conn_->Query(
        fmt::format("SELECT tokens, updated_at FROM rate_buckets WHERE system = ? AND key_id = ?{}",
                    postgres ? " FOR UPDATE" : ""),
        key);
    if (!rows) return Fail(rows.error());
    double tokens = rows->front().Real(0);
    const int64_t last = rows->front().Int(1);
    const double elapsed_s = std::max<int64_t>(0, Millis(now) - last) / 1000.0;
    tokens = std::min(capacity, tokens + elapsed_s * refill_per_second);
    std::chrono::milliseconds wait{0};
    if (tokens >= 1.0) {
      tokens -= 1.0;
    } else {
      wait = std::chrono::milliseconds(
          static_cast<int64_t>((1.0 - tokens) / refill_per_second * 1000.0) + 1);
    }
    const SqlValue upd[] = {tokens, std::max(last, Millis(now)), Text(system), Text(key_id)};
    auto r = conn_->Query(
        "UPDATE rate_buckets SET tokens = ?, updated_at = ? WHERE system = ? AND key_id = ?", upd);
    if (!r) return Fail(r.error());
    return wait;
  });
}

Status SqlStore::DrainTokens(std::string_view system, std::string_view key_id, Instant now) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Millis(now), Text(system), Text(key_id)};
  auto r = conn_->Query("UPDATE rate_buckets SET tokens = 0, updated_at = ? WHERE system = ? AND key_id = ?", p);
  if (!r) return Fail(r.error());
  return {};
}

Status SqlStore::PutFact(std::string_view key, std::string_view value, Instant now) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(key), Text(value), Millis(now)};
  auto r = conn_->Query(
      "INSERT INTO facts (key, value, updated_at) VALUES (?, ?, ?) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      p);
  if (!r) return Fail(r.error());
  return {};
}

Result<std::optional<std::string>> SqlStore::GetFact(std::string_view key) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(key)};
  auto rows = conn_->Query("SELECT value FROM facts WHERE key = ?", p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->front().Text(0));
}

Result<std::vector<std::pair<std::string, std::string>>> SqlStore::ListFacts(std::string_view prefix) {
  std::lock_guard lock(mu_);
  // substr instead of LIKE: the prefix may hold '%' or '_'. Lengths count characters.
  const auto chars = static_cast<int64_t>(Utf8Length(prefix));
  const SqlValue p[] = {chars, Text(prefix)};
  auto rows = conn_->Query("SELECT key, value FROM facts WHERE substr(key, 1, ?) = ? ORDER BY key", p);
  if (!rows) return Fail(rows.error());
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : *rows) out.emplace_back(r.Text(0), r.Text(1));
  return out;
}

Status SqlStore::Backup(const std::string& path) {
  std::lock_guard lock(mu_);
  if (conn_->dialect() != Dialect::kSqlite) {
    return Fail(Error::FailedPrecondition("a PostgreSQL store is backed up with pg_dump (docs/deploy.md)"));
  }
  if (std::filesystem::exists(path)) {
    return Fail(Error::AlreadyExists(fmt::format("{} exists; give a new file name", path)));
  }
  // VACUUM INTO writes a consistent, compacted copy from one read transaction.
  const SqlValue p[] = {path};
  auto r = conn_->Query("VACUUM INTO ?", p);
  if (!r) return Fail(r.error());
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return {};
}

Result<std::string> SqlStore::IntegrityCheck() {
  std::lock_guard lock(mu_);
  if (conn_->dialect() == Dialect::kSqlite) {
    auto rows = conn_->Query("PRAGMA integrity_check");
    if (!rows) return Fail(rows.error());
    std::string out;
    for (const auto& r : *rows) out += (out.empty() ? "" : "\n") + r.Text(0);
    return out;
  }
  // PostgreSQL checks its own pages; ponte checks the constraints it relies on still hold.
  auto rows = conn_->Query(
      "SELECT COUNT(*) FROM links l LEFT JOIN entities e ON e.id = l.entity_id WHERE e.id IS NULL");
  if (!rows) return Fail(rows.error());
  if (rows->front().Int(0) != 0) {
    return fmt::format("{} link(s) point to a missing entity", rows->front().Text(0));
  }
  return std::string("ok");
}

Result<int> SqlStore::SchemaVersion() {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows) return Fail(rows.error());
  return static_cast<int>(rows->front().Int(0));
}

}  // namespace detail

Result<std::unique_ptr<Store>> OpenStore(std::string_view url, StoreAccess access) {
  const bool read_only = access == StoreAccess::kReadOnly;
  Result<std::unique_ptr<detail::SqlConnection>> conn;
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    conn = detail::OpenPostgres(std::string(url));
    // The session itself refuses writes: a reading command cannot change the store by mistake.
    if (conn && read_only) {
      if (auto s = (*conn)->ExecScript("SET default_transaction_read_only = on"); !s) return Fail(s.error());
    }
  } else if (url.starts_with("sqlite:")) {
    conn = detail::OpenSqlite(std::string(url.substr(7)), read_only);
  } else if (url.find("://") != std::string_view::npos || url.empty()) {
    // Only the scheme is repeated: the rest may hold a password.
    const auto scheme = url.substr(0, std::min(url.find("://"), size_t{16}));
    return Fail(Error::InvalidArgument(fmt::format(
        "store '{}://...' is not a known kind: use sqlite:PATH or postgres://user@host/db", scheme)));
  } else if (url.find('=') != std::string_view::npos) {
    // A libpq "host=... password=..." string would otherwise become a SQLite file named after it.
    return Fail(Error::InvalidArgument(
        "the store looks like a libpq 'key=value' string: write it as postgres://user@host/db (the password "
        "in PGPASSWORD or ~/.pgpass), or give a SQLite file as sqlite:PATH"));
  } else {
    conn = detail::OpenSqlite(std::string(url), read_only);
  }
  if (!conn) return Fail(conn.error());
  PONTE_RETURN_IF_ERROR(read_only ? detail::CheckSchemaIsCurrent(**conn) : detail::ApplyMigrations(**conn));
  return std::unique_ptr<Store>(std::make_unique<detail::SqlStore>(std::move(*conn)));
}

}  // namespace ponte
