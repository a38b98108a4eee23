// Claims and leases on the delivery journal: who may deliver what now, and what a worker that
// died leaves behind (its claims freed, and a write it may have had in flight settled first).

#include <fmt/format.h>

#include "store/internal/holder_liveness.h"
#include "store/internal/sql_store.h"
#include "store/internal/sql_store_tx.h"
#include "store/internal/sql_store_util.h"

namespace ponte::detail {

Result<std::vector<Delivery>> SqlStore::ClaimDue(std::string_view worker, Instant now,
                                                 std::chrono::milliseconds lease, size_t limit,
                                                 std::string_view route, std::chrono::milliseconds settle) {
  return InTransaction([&]() -> Result<std::vector<Delivery>> {
    // PostgreSQL: concurrent workers skip each other's locked rows instead of waiting, so each
    // claim is disjoint. SQLite: BEGIN IMMEDIATE already makes this transaction the only writer.
    const bool postgres = conn_->dialect() == Dialect::kPostgres;
    PONTE_RETURN_IF_ERROR(TakeOverDeadClaims(now, settle));
    const SqlValue p[] = {Millis(now), Millis(now), Text(route), Text(route),
                          static_cast<int64_t>(limit)};
    auto ids = conn_->Query(
        fmt::format("SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? "
                    "AND (lease_until IS NULL OR lease_until < ?) AND (? = '' OR route = ?) "
                    "ORDER BY next_attempt_at, id LIMIT ?{}",
                    postgres ? " FOR UPDATE SKIP LOCKED" : ""),
        p);
    if (!ids) return Fail(ids.error());
    std::vector<Delivery> claimed;
    for (const auto& row : *ids) {
      const SqlValue u[] = {Text(worker), Millis(now + lease), row.Int(0)};
      auto r = conn_->Query(
          "UPDATE deliveries SET claimed_by = ?, lease_until = ? WHERE id = ? RETURNING " PONTE_DELIVERY_COLUMNS,
          u);
      if (!r) return Fail(r.error());
      claimed.push_back(ToDelivery(r->front()));
    }
    return claimed;
  });
}

Result<std::vector<Delivery>> SqlStore::WritesInDoubt(std::string_view target_system, std::string_view natural_key,
                                                      Instant now, std::chrono::milliseconds settle) {
  return InTransaction([&]() -> Result<std::vector<Delivery>> {
    PONTE_RETURN_IF_ERROR(TakeOverDeadClaims(now, settle));
    const SqlValue p[] = {Text(target_system), Text(natural_key)};
    return SelectDeliveries(
        "WHERE target_system = ? AND natural_key = ? AND state = 'pending' AND attempts > 0 ORDER BY id", p);
  });
}

// A worker that died (killed on this host, or silent past its lease) left claims that would
// block its records; they are freed now, so a restarted ponte delivers them. A delivery whose
// attempt began may have had its write in flight when the worker died: it becomes due only
// `settle` from now, when such a write has landed and a lookup finds it. Runs inside the
// caller's transaction.
Status SqlStore::TakeOverDeadClaims(Instant now, std::chrono::milliseconds settle) {
  const SqlValue at[] = {Millis(now)};
  auto holders = conn_->Query(
      "SELECT DISTINCT claimed_by, CASE WHEN lease_until < ? THEN 1 ELSE 0 END FROM deliveries "
      "WHERE claimed_by IS NOT NULL AND state = 'pending'",
      at);
  if (!holders) return Fail(holders.error());
  const int64_t settled = Millis(now + settle);
  for (const auto& h : *holders) {
    const bool expired = h.Int(1) != 0;
    if (!expired && !HolderIsGone(h.Text(0))) continue;
    const SqlValue p[] = {settled, settled, settled, settled, Text(h.Text(0)), Millis(now), int64_t{expired ? 1 : 0}};
    auto r = conn_->Query(
        "UPDATE deliveries SET claimed_by = NULL, lease_until = NULL, next_attempt_at = CASE WHEN attempts > 0 AND "
        "next_attempt_at < ? THEN ? ELSE next_attempt_at END, settles_at = CASE WHEN attempts > 0 AND "
        "settles_at < ? THEN ? ELSE settles_at END WHERE claimed_by = ? AND state = 'pending' AND "
        "(lease_until < ? OR ? = 0)",
        p);
    if (!r) return Fail(r.error());
  }
  return {};
}

Status SqlStore::ReleaseClaims(std::string_view worker) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(worker)};
  auto r = conn_->Query(
      "UPDATE deliveries SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ? AND "
      "state = 'pending'",
      p);
  if (!r) return Fail(r.error());
  return {};
}

Status SqlStore::RenewClaims(const std::vector<int64_t>& ids, std::string_view worker, Instant until) {
  std::lock_guard lock(mu_);
  for (int64_t id : ids) {
    const SqlValue p[] = {Millis(until), id, Text(worker)};
    auto r = conn_->Query(
        "UPDATE deliveries SET lease_until = ? WHERE id = ? AND claimed_by = ? AND state = 'pending'", p);
    if (!r) return Fail(r.error());
  }
  return {};
}

}  // namespace ponte::detail
