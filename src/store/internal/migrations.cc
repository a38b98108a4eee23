#include "store/internal/migrations.h"

#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace ponte::detail {
namespace {

// Arbitrary constant: the PostgreSQL advisory lock that serializes migrations.
constexpr int64_t kMigrationLockKey = 0x706f6e7465;  // "ponte"

struct Migration {
  int version;
  const char* sql;
};

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, R"SQL(
CREATE TABLE entities (
  id {{id}},
  message TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
-- One row per InternalId. The primary key makes an InternalId belong to at most one entity per
-- message name; the unique (entity_id, system) keeps one id per system in an entity.
CREATE TABLE links (
  message TEXT NOT NULL,
  system TEXT NOT NULL,
  internal_id TEXT NOT NULL,
  entity_id BIGINT NOT NULL REFERENCES entities(id),
  natural_key TEXT NOT NULL DEFAULT '',
  content_hash TEXT NOT NULL DEFAULT '',
  route TEXT NOT NULL DEFAULT '',
  attributes TEXT NOT NULL DEFAULT '{}',
  linked_at BIGINT NOT NULL,
  PRIMARY KEY (message, system, internal_id),
  UNIQUE (entity_id, system)
);
CREATE INDEX links_by_natural_key ON links (message, natural_key);

CREATE TABLE deliveries (
  id {{id}},
  route TEXT NOT NULL,
  message TEXT NOT NULL,
  origin_system TEXT NOT NULL,
  origin_id TEXT NOT NULL,
  target_system TEXT NOT NULL,
  payload TEXT NOT NULL,
  content_hash TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  next_attempt_at BIGINT NOT NULL,
  claimed_by TEXT,
  lease_until BIGINT,
  target_id TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- Never two pending deliveries of one record to one target.
CREATE UNIQUE INDEX deliveries_one_pending
  ON deliveries (route, origin_system, origin_id, target_system) WHERE state = 'pending';
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_by_origin ON deliveries (origin_system, origin_id);

CREATE TABLE dead_letters (
  id {{id}},
  delivery_id BIGINT NOT NULL REFERENCES deliveries(id),
  route TEXT NOT NULL,
  origin_system TEXT NOT NULL,
  origin_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  replayed_at BIGINT
);

CREATE TABLE cursors (
  route TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  boundary_ids TEXT NOT NULL DEFAULT '[]',
  updated_at BIGINT NOT NULL
);

-- Token buckets shared by every worker on this store; key_id is a fingerprint of the API key.
CREATE TABLE rate_buckets (
  system TEXT NOT NULL,
  key_id TEXT NOT NULL,
  tokens {{real}} NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (system, key_id)
);
)SQL"},
      {2, R"SQL(
-- Records a route read and did not deliver, and why: `ponte sync --explain ID` reads them.
CREATE TABLE skipped_records (
  route TEXT NOT NULL,
  origin_system TEXT NOT NULL,
  origin_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (route, origin_system, origin_id)
);
CREATE INDEX skipped_by_id ON skipped_records (origin_id);
)SQL"},
      // Several workers: who polls which route, and which workers are alive.
      {3, R"SQL(
CREATE TABLE route_locks (
  route TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  acquired_at BIGINT NOT NULL,
  lease_until BIGINT NOT NULL
);
CREATE TABLE workers (
  name TEXT PRIMARY KEY,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL
);
CREATE INDEX deliveries_claimed ON deliveries (claimed_by) WHERE claimed_by IS NOT NULL;
)SQL"},
      // What ponte learned about the systems (probe findings) and about its own listings.
      {4, R"SQL(
CREATE TABLE facts (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
)SQL"},
      // A dead letter whose record was delivered later (a new version, a retry by another route
      // run) is resolved: it leaves the queue, and says by which delivery.
      {5, R"SQL(
ALTER TABLE dead_letters ADD COLUMN resolved_at BIGINT;
ALTER TABLE dead_letters ADD COLUMN resolved_by BIGINT;
)SQL"},
      // Exactly-once across crashes. A customer delivery keeps its CPF/CNPJ: while one write of a
      // customer to a system is in doubt, no other delivery of that customer there writes. And
      // what systems push (webhooks, an ERP's messages) is kept before ponte answers it.
      {6, R"SQL(
ALTER TABLE deliveries ADD COLUMN natural_key TEXT NOT NULL DEFAULT '';
-- Until when a write an attempt sent and lost sight of may still land (0: none in doubt).
ALTER TABLE deliveries ADD COLUMN settles_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX deliveries_in_doubt ON deliveries (target_system, natural_key)
  WHERE state = 'pending' AND attempts > 0;
CREATE TABLE inbox (
  id {{id}},
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  entity_set TEXT NOT NULL DEFAULT '',
  record_id TEXT NOT NULL,
  body TEXT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  received_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  next_attempt_at BIGINT NOT NULL,
  claimed_by TEXT,
  lease_until BIGINT
);
-- One waiting item per pushed record: a newer push of it replaces the older.
CREATE UNIQUE INDEX inbox_one_per_record ON inbox (source, kind, entity_set, record_id);
)SQL"},
  };
  return kMigrations;
}

std::string ForDialect(std::string sql, Dialect d) {
  auto replace = [&](std::string_view from, std::string_view to) {
    for (size_t pos; (pos = sql.find(from)) != std::string::npos;) sql.replace(pos, from.size(), to);
  };
  replace("{{id}}", d == Dialect::kSqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                          : "BIGSERIAL PRIMARY KEY");
  replace("{{real}}", d == Dialect::kSqlite ? "REAL" : "DOUBLE PRECISION");
  return sql;
}

Result<int> CurrentVersion(SqlConnection& conn) {
  auto rows = conn.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows) return Fail(rows.error());
  return static_cast<int>(rows->at(0).Int(0));
}

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

Status CheckSchemaIsCurrent(SqlConnection& conn) {
  // A reader may arrive while a writer migrates a new store (workers starting, `ponte workers`
  // run at once). PostgreSQL: wait for the migration's lock, shared. SQLite, whose migrations
  // are one transaction each: give a writer between two of them a moment.
  const bool postgres = conn.dialect() == Dialect::kPostgres;
  if (postgres) {
    PONTE_RETURN_IF_ERROR(conn.ExecScript(fmt::format("SELECT pg_advisory_lock_shared({})", kMigrationLockKey)));
  }
  auto version = CurrentVersion(conn);
  if (postgres) {
    (void)conn.ExecScript(fmt::format("SELECT pg_advisory_unlock_shared({})", kMigrationLockKey));
  }
  for (int wait = 0; !postgres && version && *version < LatestSchemaVersion() && wait < 20; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    version = CurrentVersion(conn);
  }
  if (!version) {
    return Fail(Error::FailedPrecondition(
        "the store holds no ponte schema (not a ponte store, or never used): nothing to read"));
  }
  if (*version < LatestSchemaVersion()) {
    return Fail(Error::FailedPrecondition(fmt::format(
        "the store has schema version {}, and this ponte reads {}: run `ponte sync` once (any command that "
        "writes upgrades it); reading commands never change the store",
        *version, LatestSchemaVersion())));
  }
  if (*version > LatestSchemaVersion()) {
    return Fail(Error::FailedPrecondition(fmt::format(
        "the store has schema version {}, newer than this ponte knows ({}): use the ponte that wrote it",
        *version, LatestSchemaVersion())));
  }
  return {};
}

Status ApplyMigrations(SqlConnection& conn) {
  // Several workers starting at once on an empty database: one migrates, the others wait. The
  // lock comes first, because even CREATE TABLE IF NOT EXISTS fails when two sessions race it.
  const bool postgres = conn.dialect() == Dialect::kPostgres;
  if (postgres) {
    PONTE_RETURN_IF_ERROR(conn.ExecScript(fmt::format("SELECT pg_advisory_lock({})", kMigrationLockKey)));
  }
  Status result = conn.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "applied_at BIGINT NOT NULL)");
  for (const auto& m : Migrations()) {
    if (!result) break;
    if (auto begun = conn.Begin(); !begun) {
      result = begun;
      break;
    }
    auto current = CurrentVersion(conn);
    Status step;
    if (!current) {
      step = Fail(current.error());
    } else if (*current < m.version) {
      step = conn.ExecScript(ForDialect(m.sql, conn.dialect()));
      if (step) {
        const SqlValue params[] = {int64_t{m.version},
                                   int64_t{std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count()}};
        auto r = conn.Query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                            params);
        if (!r) step = Fail(r.error());
      }
    }
    if (step) {
      step = conn.Commit();
    } else {
      (void)conn.Rollback();
    }
    if (!step) {
      result = Fail(Error(step.error()).WithRecord(fmt::format("migration {}", m.version)));
      break;
    }
  }
  if (postgres) {
    (void)conn.ExecScript(fmt::format("SELECT pg_advisory_unlock({})", kMigrationLockKey));
  }
  return result;
}

}  // namespace ponte::detail
