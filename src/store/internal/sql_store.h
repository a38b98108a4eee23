#pragma once
// Store's logic, written once in portable SQL over a SqlConnection. SQLite and PostgreSQL differ
// only in the connection and in a few clauses chosen by dialect (row locks for claims).

#include <memory>
#include <mutex>

#include "store/internal/sql_connection.h"
#include "store/store.h"

namespace ponte::detail {

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlConnection> conn) : conn_(std::move(conn)) {}

  Status Link(std::string_view message, const SystemRef& a, const SystemRef& b,
              const LinkInfo& info) override;
  Result<std::optional<std::string>> Lookup(std::string_view message, const SystemRef& from,
                                            std::string_view to_system) override;
  Result<std::vector<LinkRow>> Entity(std::string_view message, const SystemRef& ref) override;
  Result<std::vector<LinkRow>> FindByNaturalKey(std::string_view message,
                                                std::string_view natural_key) override;
  Status UpdateLinkInfo(std::string_view message, const SystemRef& ref,
                        const LinkInfo& info) override;
  Status SetAttributes(std::string_view message, const SystemRef& ref,
                       std::string_view attributes) override;
  Result<std::vector<LinkRow>> ListLinks(const LinkFilter& filter) override;
  Result<int64_t> CountLinks() override;
  Status ImportLinks(const std::vector<ImportPair>& pairs) override;
  Status Remember(std::string_view message, const SystemRef& ref, const LinkInfo& info) override;
  Result<std::vector<IntegrityProblem>> CheckDePara() override;

  Result<int64_t> RecordIntent(const DeliveryIntent& intent, Instant now) override;
  Result<std::optional<Delivery>> ClaimIntent(const DeliveryIntent& intent, std::string_view worker,
                                              Instant now, std::chrono::milliseconds lease,
                                              std::chrono::milliseconds settle) override;
  Status CompleteDelivery(int64_t delivery_id, const SystemRef& target, const LinkInfo& info,
                          Instant now) override;
  Status BeginAttempt(int64_t delivery_id, Instant now) override;
  Status RetryDelivery(int64_t delivery_id, std::string_view error, Instant next_attempt_at,
                       Instant now, Instant settles_at) override;
  Status DeferDelivery(int64_t delivery_id, Instant next_attempt_at, Instant now, Instant settles_at) override;
  Status KillDelivery(int64_t delivery_id, std::string_view reason, Instant now) override;
  Result<std::vector<Delivery>> ClaimDue(std::string_view worker, Instant now,
                                         std::chrono::milliseconds lease, size_t limit,
                                         std::string_view route, std::chrono::milliseconds settle) override;
  Result<std::vector<Delivery>> WritesInDoubt(std::string_view target_system, std::string_view natural_key,
                                              Instant now, std::chrono::milliseconds settle) override;
  Result<PendingCount> CountPending(std::string_view route) override;
  Status SetNaturalKey(int64_t delivery_id, std::string_view natural_key) override;
  Status ReleaseClaims(std::string_view worker) override;
  Status RenewClaims(const std::vector<int64_t>& ids, std::string_view worker, Instant until) override;
  Result<std::optional<Delivery>> GetDelivery(int64_t id) override;
  Result<std::vector<Delivery>> ListDeliveries(const DeliveryFilter& filter) override;
  Result<int64_t> CountDeliveries(DeliveryState state) override;

  Result<int64_t> AppendInbox(const InboxItem& item, Instant now) override;
  Result<std::vector<InboxItem>> ClaimInbox(std::string_view worker, Instant now, std::chrono::milliseconds lease,
                                            size_t limit) override;
  Status FinishInbox(const InboxItem& item) override;
  Status RetryInbox(int64_t id, std::string_view error, Instant next_attempt_at) override;
  Result<int64_t> CountInbox() override;
  Result<std::vector<InboxItem>> ListInbox(size_t limit) override;

  Result<std::vector<DeadLetter>> ListDeadLetters(bool include_replayed) override;
  Result<std::optional<DeadLetter>> GetDeadLetter(int64_t id) override;
  Status ReplayDeadLetter(int64_t id, Instant now) override;

  Status RecordSkip(const SkipRecord& skip) override;
  Status ClearSkip(std::string_view route, const SystemRef& origin) override;
  Result<std::vector<SkipRecord>> FindSkips(std::string_view internal_id) override;
  Result<std::vector<Delivery>> FindDeliveries(std::string_view internal_id) override;

  Result<std::optional<Cursor>> GetCursor(std::string_view route) override;
  Status SaveCursor(const Cursor& cursor, Instant now) override;

  Result<std::chrono::milliseconds> TakeToken(std::string_view system, std::string_view key_id,
                                              double capacity, double refill_per_second,
                                              Instant now) override;
  Status DrainTokens(std::string_view system, std::string_view key_id, Instant now) override;

  Result<bool> TryLockRoute(std::string_view route, std::string_view worker, Instant now,
                            std::chrono::milliseconds lease) override;
  Status UnlockRoute(std::string_view route, std::string_view worker) override;
  Status Heartbeat(std::string_view worker, Instant now) override;
  Status RemoveWorker(std::string_view worker) override;
  Result<std::vector<WorkerInfo>> ListWorkers(Instant now, std::chrono::milliseconds window) override;

  Status PutFact(std::string_view key, std::string_view value, Instant now) override;
  Result<std::optional<std::string>> GetFact(std::string_view key) override;
  Result<std::vector<std::pair<std::string, std::string>>> ListFacts(std::string_view prefix) override;

  Result<std::string> IntegrityCheck() override;
  Status Backup(const std::string& path) override;
  Result<int> SchemaVersion() override;
  std::string Describe() const override { return conn_->Describe(); }

 private:
  // Runs `body` inside one write transaction; commits on success, rolls back on error.
  template <typename F>
  auto InTransaction(F&& body) -> decltype(body());
  template <typename F>
  auto InTransactionRetryingRaces(F&& body) -> decltype(body());

  // The *Locked helpers assume the caller holds mu_ inside a transaction.
  Result<std::optional<int64_t>> EntityOfLocked(std::string_view message, const SystemRef& ref);
  Status LinkLocked(std::string_view message, const SystemRef& a, const SystemRef& b,
                    const LinkInfo& info, Instant now);
  Status InsertMemberLocked(std::string_view message, const SystemRef& ref, int64_t entity,
                            const LinkInfo& info, Instant now);
  // Frees the claims of workers that died (gone from this host, or their lease ran out); a
  // delivery among them whose attempt began becomes due `settle` from now.
  Status TakeOverDeadClaims(Instant now, std::chrono::milliseconds settle);
  Status NoteRouteHolderLocked(std::string_view route, std::string_view worker, Instant now,
                               std::chrono::milliseconds lease);
  Result<std::vector<Delivery>> SelectDeliveries(std::string_view where,
                                                 std::span<const SqlValue> params);

  std::mutex mu_;
  std::unique_ptr<SqlConnection> conn_;
};

}  // namespace ponte::detail
