#pragma once
// SQLite behind SqlConnection: WAL journal, a busy timeout so concurrent writers wait instead of
// failing, foreign keys on, and a cache of prepared statements. The database file is created
// with mode 0600: it holds customer documents.

#include <memory>
#include <string>

#include "store/internal/sql_connection.h"

namespace ponte::detail {

// `path` is a file path or ":memory:".
Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path);

}  // namespace ponte::detail
