// The delivery journal: intents, attempts and their outcome (claims are in sql_store_claims.cc).

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/internal/holder_liveness.h"
#include "store/internal/sql_store.h"
#include "store/internal/sql_store_tx.h"
#include "store/internal/sql_store_util.h"

namespace ponte::detail {

Delivery ToDelivery(const SqlRow& r) {
  Delivery d;
  d.id = r.Int(0);
  d.intent.route = r.Text(1);
  d.intent.message = r.Text(2);
  d.intent.origin = {r.Text(3), r.Text(4)};
  d.intent.target_system = r.Text(5);
  d.intent.payload = r.Text(6);
  d.intent.content_hash = r.Text(7);
  d.state = ParseDeliveryState(r.Text(8)).value_or(DeliveryState::kPending);
  d.attempts = static_cast<int>(r.Int(9));
  d.last_error = r.Text(10);
  d.next_attempt_at = FromMillis(r.Int(11));
  d.claimed_by = r.Text(12);
  d.lease_until = FromMillis(r.Int(13));
  d.target_id = r.Text(14);
  d.created_at = FromMillis(r.Int(15));
  d.updated_at = FromMillis(r.Int(16));
  d.intent.natural_key = r.Text(17);
  d.settles_at = FromMillis(r.Int(18));
  return d;
}

Result<std::vector<Delivery>> SqlStore::SelectDeliveries(std::string_view where,
                                                         std::span<const SqlValue> params) {
  auto rows = conn_->Query(fmt::format("SELECT " PONTE_DELIVERY_COLUMNS " FROM deliveries {}",
                                       where),
                           params);
  if (!rows) return Fail(rows.error());
  std::vector<Delivery> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToDelivery(r));
  return out;
}

Result<std::optional<Delivery>> SqlStore::ClaimIntent(const DeliveryIntent& intent,
                                                      std::string_view worker, Instant now,
                                                      std::chrono::milliseconds lease,
                                                      std::chrono::milliseconds settle) {
  return InTransaction([&]() -> Result<std::optional<Delivery>> {
    const bool postgres = conn_->dialect() == Dialect::kPostgres;
    // lease 0: record only, for any worker's ClaimDue to take.
    const bool claim = lease.count() > 0;
    auto claimer = [&] { return claim ? SqlValue(Text(worker)) : SqlValue(); };
    auto lease_until = [&] { return claim ? SqlValue(Millis(now + lease)) : SqlValue(); };
    const SqlValue key[] = {intent.route, intent.origin.system, intent.origin.internal_id,
                            intent.target_system};
    // The row lock (PostgreSQL) makes a concurrent claimer of the same record wait here and
    // then see this transaction's lease.
    auto existing = conn_->Query(
        fmt::format("SELECT id, claimed_by, lease_until, attempts, next_attempt_at, settles_at FROM deliveries WHERE route = ? AND "
                    "origin_system = ? AND origin_id = ? AND target_system = ? AND state = 'pending'{}",
                    postgres ? " FOR UPDATE" : ""),
        key);
    if (!existing) return Fail(existing.error());
    if (!existing->empty()) {
      const SqlRow& row = existing->front();
      const bool claimed = !row.IsNull(1) && !row.IsNull(2);
      const bool dead_holder = claimed && row.Text(1) != worker &&
                               (FromMillis(row.Int(2)) < now || HolderIsGone(row.Text(1)));
      // Another worker is writing this record now. Its payload is left as it is: that worker
      // will store the hash of what it wrote, and a newer version is seen on the next read.
      if (claimed && row.Text(1) != worker && !dead_holder) return std::optional<Delivery>();
      const bool attempted = row.Int(3) > 0;
      if (attempted && (dead_holder || FromMillis(row.Int(5)) > now)) {
        // A write of an earlier attempt may still land: the delivery waits for its retry, which
        // looks for the record first. Taken from a worker that died mid-attempt, a write it had
        // in flight may land until `settle` from now.
        const int64_t due = dead_holder ? std::max(row.Int(4), Millis(now + settle)) : row.Int(4);
        const int64_t settles = dead_holder ? Millis(now + settle) : 0;
        const SqlValue p[] = {intent.payload, intent.content_hash, due, Millis(now), settles, settles, row.Int(0)};
        auto r = conn_->Query(
            "UPDATE deliveries SET payload = ?, content_hash = ?, next_attempt_at = ?, claimed_by = NULL, "
            "lease_until = NULL, updated_at = ?, settles_at = CASE WHEN ? > settles_at THEN ? ELSE settles_at END "
            "WHERE id = ?",
            p);
        if (!r) return Fail(r.error());
        return std::optional<Delivery>();
      }
      const SqlValue p[] = {intent.payload, intent.content_hash, claimer(), lease_until(), Millis(now), row.Int(0)};
      auto rows = conn_->Query(
          "UPDATE deliveries SET payload = ?, content_hash = ?, claimed_by = ?, lease_until = ?, "
          "updated_at = ? WHERE id = ? RETURNING " PONTE_DELIVERY_COLUMNS,
          p);
      if (!rows) return Fail(rows.error());
      return std::optional<Delivery>(ToDelivery(rows->front()));
    }
    const SqlValue p[] = {intent.route,         intent.message,      intent.origin.system,
                          intent.origin.internal_id, intent.target_system, intent.payload,
                          intent.content_hash,  Millis(now),         claimer(),
                          lease_until(),        Millis(now),         Millis(now), intent.natural_key};
    // A concurrent claimer may insert the same pending row first: then this one gets nothing.
    auto rows = conn_->Query(
        "INSERT INTO deliveries (route, message, origin_system, origin_id, target_system, "
        "payload, content_hash, state, next_attempt_at, claimed_by, lease_until, created_at, "
        "updated_at, natural_key) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (route, origin_system, origin_id, target_system) WHERE state = 'pending' "
        "DO NOTHING RETURNING " PONTE_DELIVERY_COLUMNS,
        p);
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<Delivery>();
    return std::optional<Delivery>(ToDelivery(rows->front()));
  });
}

Result<int64_t> SqlStore::RecordIntent(const DeliveryIntent& intent, Instant now) {
  return InTransaction([&]() -> Result<int64_t> {
    const SqlValue key[] = {intent.route, intent.origin.system, intent.origin.internal_id,
                            intent.target_system};
    auto existing = conn_->Query(
        "SELECT id FROM deliveries WHERE route = ? AND origin_system = ? AND origin_id = ? "
        "AND target_system = ? AND state = 'pending'",
        key);
    if (!existing) return Fail(existing.error());
    if (!existing->empty()) {
      const int64_t id = existing->front().Int(0);
      const SqlValue p[] = {intent.payload, intent.content_hash, Millis(now), id};
      auto r = conn_->Query(
          "UPDATE deliveries SET payload = ?, content_hash = ?, updated_at = ? WHERE id = ?", p);
      if (!r) return Fail(r.error());
      return id;
    }
    const SqlValue p[] = {intent.route,         intent.message,
                          intent.origin.system, intent.origin.internal_id,
                          intent.target_system, intent.payload,
                          intent.content_hash,  Millis(now),
                          Millis(now),          Millis(now), intent.natural_key};
    auto rows = conn_->Query(
        "INSERT INTO deliveries (route, message, origin_system, origin_id, target_system, "
        "payload, content_hash, state, next_attempt_at, created_at, updated_at, natural_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?) RETURNING id",
        p);
    if (!rows) return Fail(rows.error());
    return rows->front().Int(0);
  });
}

Status SqlStore::CompleteDelivery(int64_t delivery_id, const SystemRef& target,
                                  const LinkInfo& info, Instant now) {
  return InTransactionRetryingRaces([&]() -> Status {
    const SqlValue id[] = {delivery_id};
    auto found = SelectDeliveries("WHERE id = ?", id);
    if (!found) return Fail(found.error());
    if (found->empty()) {
      return Fail(Error::NotFound(fmt::format("delivery {} does not exist", delivery_id)));
    }
    const Delivery& d = found->front();
    if (d.state != DeliveryState::kPending) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "delivery {} is {}, not pending", delivery_id, DeliveryStateName(d.state))));
    }
    PONTE_RETURN_IF_ERROR(LinkLocked(d.intent.message, d.intent.origin, target, info, now));
    if (!d.intent.content_hash.empty()) {
      // The origin keeps the hash of the version that was read and delivered; the target keeps
      // the hash of what was written (info.content_hash). Each side's next read compares with
      // its own, so an unchanged record or ponte's own echo is not delivered again.
      const SqlValue h[] = {d.intent.content_hash, d.intent.message, d.intent.origin.system,
                            d.intent.origin.internal_id};
      auto updated = conn_->Query(
          "UPDATE links SET content_hash = ? WHERE message = ? AND system = ? AND internal_id = ?", h);
      if (!updated) return Fail(updated.error());
    }
    // The journaled message says which InternalIds it joined (ReturnContent.ListOfInternalId,
    // as the TOTVS InternalIdType: name, origin, destination), so a message read back from the
    // journal or the admin API tells it without the de/para.
    std::string payload = d.intent.payload;
    if (auto message = nlohmann::json::parse(payload, nullptr, false); message.is_object()) {
      message["ReturnContent"]["ListOfInternalId"] = nlohmann::json::array(
          {{{"name", d.intent.message}, {"origin", d.intent.origin.internal_id}, {"destination", target.internal_id}}});
      payload = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    const SqlValue p[] = {target.internal_id, Millis(now), payload, delivery_id};
    auto r = conn_->Query(
        "UPDATE deliveries SET state = 'done', target_id = ?, "
        "claimed_by = NULL, lease_until = NULL, last_error = '', updated_at = ?, payload = ? WHERE id = ?",
        p);
    if (!r) return Fail(r.error());
    // The record is delivered: its earlier dead letters on this route are resolved.
    const SqlValue dl[] = {Millis(now), delivery_id, d.intent.route, d.intent.origin.system,
                           d.intent.origin.internal_id};
    auto resolved = conn_->Query(
        "UPDATE dead_letters SET resolved_at = ?, resolved_by = ? WHERE route = ? AND origin_system = ? "
        "AND origin_id = ? AND replayed_at IS NULL AND resolved_at IS NULL",
        dl);
    if (!resolved) return Fail(resolved.error());
    return {};
  });
}

Status SqlStore::BeginAttempt(int64_t delivery_id, Instant now) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Millis(now), delivery_id};
  auto rows = conn_->Query(
      "UPDATE deliveries SET attempts = attempts + 1, updated_at = ? WHERE id = ? AND "
      "state = 'pending' RETURNING id",
      p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) {
    return Fail(Error::NotFound(fmt::format("no pending delivery {}", delivery_id)));
  }
  return {};
}

Status SqlStore::RetryDelivery(int64_t delivery_id, std::string_view error,
                               Instant next_attempt_at, Instant now, Instant settles_at) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(error), Millis(next_attempt_at), Millis(now), Millis(settles_at), Millis(settles_at), delivery_id};
  auto rows = conn_->Query(
      "UPDATE deliveries SET last_error = ?, next_attempt_at = ?, "
      "claimed_by = NULL, lease_until = NULL, updated_at = ?, "
      "settles_at = CASE WHEN ? > settles_at THEN ? ELSE settles_at END WHERE id = ? AND state = 'pending' "
      "RETURNING id",
      p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) {
    return Fail(Error::NotFound(fmt::format("no pending delivery {}", delivery_id)));
  }
  return {};
}

Status SqlStore::DeferDelivery(int64_t delivery_id, Instant next_attempt_at, Instant now, Instant settles_at) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Millis(next_attempt_at), Millis(now), Millis(settles_at), Millis(settles_at), delivery_id};
  auto rows = conn_->Query(
      "UPDATE deliveries SET next_attempt_at = ?, claimed_by = NULL, lease_until = NULL, updated_at = ?, "
      "settles_at = CASE WHEN ? > settles_at THEN ? ELSE settles_at END WHERE id = ? AND state = 'pending' "
      "RETURNING id",
      p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(Error::NotFound(fmt::format("no pending delivery {}", delivery_id)));
  return {};
}

Status SqlStore::KillDelivery(int64_t delivery_id, std::string_view reason, Instant now) {
  return InTransaction([&]() -> Status {
    const SqlValue p[] = {Text(reason), Millis(now), delivery_id};
    auto rows = conn_->Query(
        "UPDATE deliveries SET state = 'dead', last_error = ?, "
        "claimed_by = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'pending' "
        "RETURNING route, origin_system, origin_id, payload",
        p);
    if (!rows) return Fail(rows.error());
    if (rows->empty()) {
      return Fail(Error::NotFound(fmt::format("no pending delivery {}", delivery_id)));
    }
    const auto& d = rows->front();
    const SqlValue dl[] = {delivery_id, d.Text(0), d.Text(1), d.Text(2), Text(reason),
                           d.Text(3),   Millis(now)};
    auto r = conn_->Query(
        "INSERT INTO dead_letters (delivery_id, route, origin_system, origin_id, reason, payload, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        dl);
    if (!r) return Fail(r.error());
    return {};
  });
}

Status SqlStore::SetNaturalKey(int64_t delivery_id, std::string_view natural_key) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(natural_key), delivery_id};
  auto r = conn_->Query("UPDATE deliveries SET natural_key = ? WHERE id = ?", p);
  if (!r) return Fail(r.error());
  return {};
}

Result<PendingCount> SqlStore::CountPending(std::string_view route) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(route), Text(route)};
  auto rows = conn_->Query(
      "SELECT COUNT(*), MIN(next_attempt_at) FROM deliveries WHERE state = 'pending' AND (? = '' OR route = ?)", p);
  if (!rows) return Fail(rows.error());
  PendingCount out;
  out.deliveries = rows->front().Int(0);
  if (out.deliveries > 0 && !rows->front().IsNull(1)) out.next_due = FromMillis(rows->front().Int(1));
  return out;
}

Result<std::optional<Delivery>> SqlStore::GetDelivery(int64_t id) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {id};
  auto found = SelectDeliveries("WHERE id = ?", p);
  if (!found) return Fail(found.error());
  if (found->empty()) return std::optional<Delivery>();
  return std::optional<Delivery>(std::move(found->front()));
}

Result<std::vector<Delivery>> SqlStore::ListDeliveries(const DeliveryFilter& filter) {
  std::lock_guard lock(mu_);
  std::string where = "WHERE 1 = 1";
  std::vector<SqlValue> p;
  if (filter.state) {
    where += " AND state = ?";
    p.push_back(std::string(DeliveryStateName(*filter.state)));
  }
  if (!filter.route.empty()) {
    where += " AND route = ?";
    p.push_back(filter.route);
  }
  where += fmt::format(" ORDER BY updated_at DESC, id DESC LIMIT {}", filter.limit);
  return SelectDeliveries(where, p);
}

Result<int64_t> SqlStore::CountDeliveries(DeliveryState state) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {std::string(DeliveryStateName(state))};
  auto rows = conn_->Query("SELECT COUNT(*) FROM deliveries WHERE state = ?", p);
  if (!rows) return Fail(rows.error());
  return rows->front().Int(0);
}

Result<std::vector<Delivery>> SqlStore::FindDeliveries(std::string_view internal_id) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(internal_id), Text(internal_id)};
  return SelectDeliveries("WHERE origin_id = ? OR target_id = ? ORDER BY id", p);
}

}  // namespace ponte::detail
