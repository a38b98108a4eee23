// The inbox: what systems push (webhooks, an ERP's BusinessMessages), kept before ponte answers
// the push and until it was offered to its routes. Offering is idempotent (the journal keeps one
// pending delivery per record and target), so a claim taken over from a dead worker is simply
// offered again.

#include <fmt/format.h>

#include "store/internal/holder_liveness.h"
#include "store/internal/sql_store.h"
#include "store/internal/sql_store_tx.h"
#include "store/internal/sql_store_util.h"

namespace ponte::detail {
namespace {

#define PONTE_INBOX_COLUMNS \
  "id, source, kind, entity_set, record_id, body, version, received_at, attempts, last_error, next_attempt_at"

InboxItem ToInboxItem(const SqlRow& r) {
  InboxItem item;
  item.id = r.Int(0);
  item.source = r.Text(1);
  item.kind = r.Text(2);
  item.entity_set = r.Text(3);
  item.record_id = r.Text(4);
  item.body = r.Text(5);
  item.version = r.Int(6);
  item.received_at = FromMillis(r.Int(7));
  item.attempts = static_cast<int>(r.Int(8));
  item.last_error = r.Text(9);
  item.next_attempt_at = FromMillis(r.Int(10));
  return item;
}

}  // namespace

Result<int64_t> SqlStore::AppendInbox(const InboxItem& item, Instant now) {
  return InTransaction([&]() -> Result<int64_t> {
    const SqlValue p[] = {item.source, item.kind, item.entity_set, item.record_id, item.body, Millis(now), Millis(now)};
    // A newer push of a record still waiting replaces it: its body is the record's latest word.
    auto rows = conn_->Query(
        "INSERT INTO inbox (source, kind, entity_set, record_id, body, version, received_at, next_attempt_at) "
        "VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (source, kind, entity_set, record_id) DO UPDATE SET "
        "body = excluded.body, version = inbox.version + 1, received_at = excluded.received_at, "
        "next_attempt_at = excluded.next_attempt_at, attempts = 0, last_error = '' RETURNING id",
        p);
    if (!rows) return Fail(rows.error());
    return rows->front().Int(0);
  });
}

Result<std::vector<InboxItem>> SqlStore::ClaimInbox(std::string_view worker, Instant now,
                                                    std::chrono::milliseconds lease, size_t limit) {
  return InTransaction([&]() -> Result<std::vector<InboxItem>> {
    const bool postgres = conn_->dialect() == Dialect::kPostgres;
    auto holders = conn_->Query("SELECT DISTINCT claimed_by FROM inbox WHERE claimed_by IS NOT NULL");
    if (!holders) return Fail(holders.error());
    for (const auto& h : *holders) {
      if (!HolderIsGone(h.Text(0))) continue;
      const SqlValue p[] = {h.Text(0)};
      auto freed = conn_->Query("UPDATE inbox SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?", p);
      if (!freed) return Fail(freed.error());
    }
    const SqlValue p[] = {Millis(now), Millis(now), static_cast<int64_t>(limit)};
    auto ids = conn_->Query(fmt::format("SELECT id FROM inbox WHERE next_attempt_at <= ? AND (lease_until IS NULL OR "
                                        "lease_until < ?) ORDER BY received_at, id LIMIT ?{}",
                                        postgres ? " FOR UPDATE SKIP LOCKED" : ""),
                            p);
    if (!ids) return Fail(ids.error());
    std::vector<InboxItem> claimed;
    for (const auto& row : *ids) {
      const SqlValue u[] = {Text(worker), Millis(now + lease), row.Int(0)};
      auto r = conn_->Query("UPDATE inbox SET claimed_by = ?, lease_until = ? WHERE id = ? RETURNING " PONTE_INBOX_COLUMNS,
                            u);
      if (!r) return Fail(r.error());
      claimed.push_back(ToInboxItem(r->front()));
    }
    return claimed;
  });
}

Status SqlStore::FinishInbox(const InboxItem& item) {
  return InTransaction([&]() -> Status {
    const SqlValue p[] = {item.id, item.version};
    auto removed = conn_->Query("DELETE FROM inbox WHERE id = ? AND version = ? RETURNING id", p);
    if (!removed) return Fail(removed.error());
    if (!removed->empty()) return {};
    // A newer push replaced it while it was offered: that one waits for the next claim.
    const SqlValue id[] = {item.id};
    auto freed = conn_->Query("UPDATE inbox SET claimed_by = NULL, lease_until = NULL WHERE id = ?", id);
    if (!freed) return Fail(freed.error());
    return {};
  });
}

Status SqlStore::RetryInbox(int64_t id, std::string_view error, Instant next_attempt_at) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {Text(error), Millis(next_attempt_at), id};
  auto r = conn_->Query(
      "UPDATE inbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_by = NULL, "
      "lease_until = NULL WHERE id = ?",
      p);
  if (!r) return Fail(r.error());
  return {};
}

Result<int64_t> SqlStore::CountInbox() {
  std::lock_guard lock(mu_);
  auto rows = conn_->Query("SELECT COUNT(*) FROM inbox");
  if (!rows) return Fail(rows.error());
  return rows->front().Int(0);
}

Result<std::vector<InboxItem>> SqlStore::ListInbox(size_t limit) {
  std::lock_guard lock(mu_);
  const SqlValue p[] = {static_cast<int64_t>(limit)};
  auto rows = conn_->Query("SELECT " PONTE_INBOX_COLUMNS " FROM inbox ORDER BY received_at, id LIMIT ?", p);
  if (!rows) return Fail(rows.error());
  std::vector<InboxItem> out;
  for (const auto& r : *rows) out.push_back(ToInboxItem(r));
  return out;
}

}  // namespace ponte::detail
