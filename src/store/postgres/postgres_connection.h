#pragma once
// PostgreSQL behind SqlConnection, with libpq. '?' placeholders become $1, $2, ...; parameters
// travel as text and the server infers their types from the statement.

#include <memory>
#include <string>

#include "store/internal/sql_connection.h"

namespace ponte::detail {

// `url` is a libpq connection URI (postgres://user@host:port/db?...).
Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& url);

// The URL with any password replaced by "***", for logs and errors.
std::string RedactPostgresUrl(const std::string& url);

}  // namespace ponte::detail
