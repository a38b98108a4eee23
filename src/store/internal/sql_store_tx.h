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

}  // namespace ponte::detail
