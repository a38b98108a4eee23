#pragma once
// SqlStore::InTransaction, shared by the files that implement SqlStore.

#include "store/internal/sql_store.h"

namespace ponte::detail {

template <typename F>
auto SqlStore::InTransaction(F&& body) -> decltype(body()) {
  std::lock_guard lock(mu_);
  if (auto begun = conn_->Begin(); !begun) return Fail(begun.error());
  auto result = body();
  if (result) {
    if (auto committed = conn_->Commit(); !committed) {
      (void)conn_->Rollback();
      return Fail(committed.error());
    }
  } else {
    (void)conn_->Rollback();
  }
  return result;
}

// For writes that insert links: two processes may insert the same member at the same moment
// (PostgreSQL, READ COMMITTED: neither saw the other's row). The loser's unique violation is
// not a conflict of ids: run it once more, and it finds the committed rows and joins them.
template <typename F>
auto SqlStore::InTransactionRetryingRaces(F&& body) -> decltype(body()) {
  auto result = InTransaction(body);
  if (!result && result.error().code == ErrorCode::kAlreadyExists) result = InTransaction(body);
  return result;
}

}  // namespace ponte::detail
