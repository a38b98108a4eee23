#pragma once
// The narrow SQL interface the store's logic is written against. Statements use '?'
// placeholders; the PostgreSQL connection rewrites them to $1, $2, ... Results come back as
// text (NULL as nullopt), which both back ends can give without type juggling.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.h"

namespace ponte::detail {

using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

struct SqlRow {
  std::vector<std::optional<std::string>> columns;

  bool IsNull(size_t i) const { return !columns.at(i).has_value(); }
  std::string Text(size_t i) const { return columns.at(i).value_or(""); }
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
};

enum class Dialect { kSqlite, kPostgres };

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement with parameters and returns its rows (none for DML without RETURNING).
  virtual Result<std::vector<SqlRow>> Query(std::string_view sql,
                                            std::span<const SqlValue> params = {}) = 0;
  // Runs a script of several statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  // Starts a write transaction (SQLite: BEGIN IMMEDIATE, so writers queue instead of failing).
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  // Whether the error means "a unique constraint was violated".
  virtual bool IsUniqueViolation(const Error& e) const = 0;
  virtual std::string Describe() const = 0;
};

}  // namespace ponte::detail
