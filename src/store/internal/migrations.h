#pragma once
// The store schema, as numbered migrations applied in order when a store is opened. The same
// statements serve both back ends; {{id}} and {{real}} stand for the dialect's auto-increment
// key and floating-point type. A migration, once released, is never edited: add a new one.

#include "store/internal/sql_connection.h"

namespace ponte::detail {

// Applies every migration newer than the database's version, each in its own transaction.
// Concurrent openers (several workers) are serialized: SQLite by its write lock, PostgreSQL by
// an advisory lock.
Status ApplyMigrations(SqlConnection& conn);

// For a read-only open: the schema must be the one this ponte writes (an older one needs a
// writing command to migrate it; a newer one, a newer ponte). FailedPrecondition says which.
Status CheckSchemaIsCurrent(SqlConnection& conn);

// The newest migration's number.
int LatestSchemaVersion();

}  // namespace ponte::detail
