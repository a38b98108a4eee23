// What was not delivered: the dead-letter queue (with replays, and letters a later delivery
// resolved) and the records a route skipped with their reasons.

#include <fmt/format.h>

#include "store/internal/sql_store.h"
#include "store/internal/sql_store_tx.h"
#include "store/internal/sql_store_util.h"

namespace ponte::detail {

namespace {

constexpr const char* kDeadLetterColumns =
    "id, delivery_id, route, origin_system, origin_id, reason, payload, created_at, replayed_at, resolved_at, "
    "resolved_by";

DeadLetter ToDeadLetter(const SqlRow& r) {
  DeadLetter d;
  d.id = r.Int(0);
  d.delivery_id = r.Int(1);
  d.route = r.Text(2);
  d.origin = {r.Text(3), r.Text(4)};
  d.reason = r.Text(5);
  d.payload = r.Text(6);
  d.created_at = FromMillis(r.Int(7));
  if (!r.IsNull(8)) d.replayed_at = FromMillis(r.Int(8));
  if (!r.IsNull(9)) d.resolved_at = FromMillis(r.Int(9));
  if (!r.IsNull(10)) d.resolved_by = r.Int(10);
  return d;
}

}  // namespace

Result<std::vector<DeadLetter>> SqlStore::ListDeadLetters(bool include_replayed) {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query(fmt::format("SELECT {} FROM dead_letters {} ORDER BY id",
                                       kDeadLetterColumns,
                                       include_replayed ? "" : "WHERE replayed_at IS NULL AND resolved_at IS NULL"));
  if (!rows) return Fail(rows.error());
  std::vector<DeadLetter> out;
  for (const auto& r : *rows) out.push_back(ToDeadLetter(r));
  return out;
}

Result<std::optional<DeadLetter>> SqlStore::GetDeadLetter(int64_t id) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {id};
  auto rows =
      conn_->Query(fmt::format("SELECT {} FROM dead_letters WHERE id = ?", kDeadLetterColumns), p);
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return std::optional<DeadLetter>();
  return std::optional<DeadLetter>(ToDeadLetter(rows->front()));
}

Status SqlStore::ReplayDeadLetter(int64_t id, Instant now) {
  return InTransaction([&]() -> Status {
    const SqlValue p[] = {Millis(now), id};
    auto rows = conn_->Query(
        "UPDATE dead_letters SET replayed_at = ? WHERE id = ? AND replayed_at IS NULL "
        "RETURNING delivery_id",
        p);
    if (!rows) return Fail(rows.error());
    if (rows->empty()) {
      return Fail(Error::NotFound(
          fmt::format("dead letter {} does not exist or was already replayed", id)));
    }
    const int64_t delivery_id = rows->front().Int(0);
    // A newer pending delivery of the same record already covers it: then there is nothing
    // to revive (reviving would make two pending deliveries of one record).
    const SqlValue k[] = {delivery_id};
    auto newer = conn_->Query(
        "SELECT COUNT(*) FROM deliveries p JOIN deliveries d ON p.route = d.route AND "
        "p.origin_system = d.origin_system AND p.origin_id = d.origin_id AND "
        "p.target_system = d.target_system WHERE d.id = ? AND p.state = 'pending'",
        k);
    if (!newer) return Fail(newer.error());
    if (newer->front().Int(0) > 0) return {};
    const SqlValue u[] = {Millis(now), Millis(now), delivery_id};
    auto r = conn_->Query(
        "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, "
        "claimed_by = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'dead'",
        u);
    if (!r) return Fail(r.error());
    return {};
  });
}

Status SqlStore::RecordSkip(const SkipRecord& skip) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {skip.route, skip.origin.system, skip.origin.internal_id, skip.reason,
                        Millis(skip.seen_at)};
  auto r = conn_->Query(
      "INSERT INTO skipped_records (route, origin_system, origin_id, reason, seen_at) "
      "VALUES (?, ?, ?, ?, ?) ON CONFLICT (route, origin_system, origin_id) DO UPDATE SET "
      "reason = excluded.reason, seen_at = excluded.seen_at",
      p);
  if (!r) return Fail(r.error());
  return {};
}

Status SqlStore::ClearSkip(std::string_view route, const SystemRef& origin) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(route), origin.system, origin.internal_id};
  auto r = conn_->Query(
      "DELETE FROM skipped_records WHERE route = ? AND origin_system = ? AND origin_id = ?", p);
  if (!r) return Fail(r.error());
  return {};
}

Result<std::vector<SkipRecord>> SqlStore::FindSkips(std::string_view internal_id) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(internal_id)};
  auto rows = conn_->Query(
      "SELECT route, origin_system, origin_id, reason, seen_at FROM skipped_records "
      "WHERE origin_id = ? ORDER BY route",
      p);
  if (!rows) return Fail(rows.error());
  std::vector<SkipRecord> out;
  for (const auto& r : *rows) {
    out.push_back({r.Text(0), {r.Text(1), r.Text(2)}, r.Text(3), FromMillis(r.Int(4))});
  }
  return out;
}

}  // namespace ponte::detail
