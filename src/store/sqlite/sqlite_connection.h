#pragma once
// SQLite behind SqlConnection: WAL journal, a busy timeout so concurrent writers wait instead of
// failing, foreign keys on, and a cache of prepared statements. The database file is created
// with mode 0600: it holds customer documents.

#include <memory>
#include <string>

#include "store/internal/sql_connection.h"

namespace ponte::detail {

// `path` is a file path or ":memory:".
// Opens (and, unless read_only, creates with mode 0600) a SQLite store and checks it for damage.
// Read-only, it never writes: on media where SQLite cannot even keep its shared-memory file it
// opens the file as immutable.
Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path, bool read_only = false);

}  // namespace ponte::detail
