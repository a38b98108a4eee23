// Several workers on one store: route polling locks, heartbeats, and who holds what.

#include <fmt/format.h>

#include "store/internal/holder_liveness.h"
#include "store/internal/sql_store.h"
#include "store/internal/sql_store_tx.h"
#include "store/internal/sql_store_util.h"

namespace ponte::detail {
namespace {

// Advisory lock keys are (namespace, hashtext(route)); pg_locks shows them as classid/objid.
constexpr int kRouteLockNamespace = 7177;

}  // namespace

// Records `worker` as the route's holder until `now + lease`. Inside the caller's transaction.
Status SqlStore::NoteRouteHolderLocked(std::string_view route, std::string_view worker, Instant now,
                                       std::chrono::milliseconds lease) {
  const SqlValue p[] = {Text(route), Text(worker), Millis(now), Millis(now + lease)};
  auto r = conn_->Query(
      "INSERT INTO route_locks (route, holder, acquired_at, lease_until) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (route) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, "
      "lease_until = excluded.lease_until",
      p);
  if (!r) return Fail(r.error());
  return {};
}

Result<bool> SqlStore::TryLockRoute(std::string_view route, std::string_view worker, Instant now,
                                    std::chrono::milliseconds lease) {
  if (conn_->dialect() == Dialect::kPostgres) {
    {
      std::lock_guard lock(mu_);
      const SqlValue p[] = {Text(route)};
      auto got = conn_->Query(fmt::format("SELECT CASE WHEN pg_try_advisory_lock({}, hashtext(?)) THEN 1 ELSE 0 END",
                                          kRouteLockNamespace),
                              p);
      if (!got) return Fail(got.error());
      if (got->front().Int(0) == 0) return false;
    }
    // The row only tells `ponte workers` who holds it; the advisory lock is the truth.
    auto noted = InTransaction([&] { return NoteRouteHolderLocked(route, worker, now, lease); });
    if (!noted) return Fail(noted.error());
    return true;
  }
  return InTransaction([&]() -> Result<bool> {
    const SqlValue key[] = {Text(route)};
    auto rows = conn_->Query("SELECT holder, lease_until FROM route_locks WHERE route = ?", key);
    if (!rows) return Fail(rows.error());
    if (!rows->empty()) {
      const std::string holder = rows->front().Text(0);
      const bool free = holder == worker || FromMillis(rows->front().Int(1)) < now || HolderIsGone(holder);
      if (!free) return false;
    }
    PONTE_RETURN_IF_ERROR(NoteRouteHolderLocked(route, worker, now, lease));
    return true;
  });
}

Status SqlStore::UnlockRoute(std::string_view route, std::string_view worker) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(route), Text(worker)};
  auto r = conn_->Query("DELETE FROM route_locks WHERE route = ? AND holder = ?", p);
  if (!r) return Fail(r.error());
  if (conn_->dialect() == Dialect::kPostgres) {
    const SqlValue k[] = {Text(route)};
    auto u = conn_->Query(fmt::format("SELECT CASE WHEN pg_advisory_unlock({}, hashtext(?)) THEN 1 ELSE 0 END",
                                      kRouteLockNamespace),
                          k);
    if (!u) return Fail(u.error());
  }
  return {};
}

Status SqlStore::Heartbeat(std::string_view worker, Instant now) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(worker), Millis(now), Millis(now)};
  auto r = conn_->Query(
      "INSERT INTO workers (name, started_at, heartbeat_at) VALUES (?, ?, ?) "
      "ON CONFLICT (name) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
      p);
  if (!r) return Fail(r.error());
  return {};
}

Status SqlStore::RemoveWorker(std::string_view worker) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(worker)};
  auto r = conn_->Query("DELETE FROM workers WHERE name = ?", p);
  if (!r) return Fail(r.error());
  return {};
}

Result<std::vector<WorkerInfo>> SqlStore::ListWorkers(Instant now, std::chrono::milliseconds window) {
  std::lock_guard lock(mu_);
  const SqlValue since[] = {Millis(now - window)};
  auto rows = conn_->Query("SELECT name, started_at, heartbeat_at FROM workers WHERE heartbeat_at >= ? ORDER BY name",
                           since);
  if (!rows) return Fail(rows.error());
  // Routes held now: a live advisory lock (PostgreSQL) or an unexpired lease (SQLite).
  const bool postgres = conn_->dialect() == Dialect::kPostgres;
  const SqlValue at[] = {Millis(now)};
  auto locks = postgres
                   ? conn_->Query(fmt::format("SELECT r.route, r.holder FROM route_locks r WHERE EXISTS (SELECT 1 FROM "
                                              "pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND "
                                              "l.classid = {} AND l.objid = hashtext(r.route)::oid AND l.objsubid = 2)",
                                              kRouteLockNamespace))
                   : conn_->Query("SELECT route, holder FROM route_locks WHERE lease_until >= ?", at);
  if (!locks) return Fail(locks.error());
  std::vector<WorkerInfo> out;
  for (const auto& r : *rows) {
    WorkerInfo w{r.Text(0), FromMillis(r.Int(1)), FromMillis(r.Int(2)), {}, 0};
    for (const auto& l : *locks) {
      if (l.Text(1) == w.name) w.routes.push_back(l.Text(0));
    }
    const SqlValue q[] = {Text(w.name), Millis(now)};
    auto claimed = conn_->Query(
        "SELECT COUNT(*) FROM deliveries WHERE claimed_by = ? AND state = 'pending' AND lease_until >= ?", q);
    if (!claimed) return Fail(claimed.error());
    w.claimed = claimed->front().Int(0);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace ponte::detail
