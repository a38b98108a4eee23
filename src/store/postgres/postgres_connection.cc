#include "store/postgres/postgres_connection.h"

#include <libpq-fe.h>

#include <fmt/format.h>

namespace ponte::detail {
namespace {

// SQLSTATE for unique_violation.
constexpr std::string_view kUniqueViolation = "23505";
// Classes 08 (connection exception) and 57 (operator intervention) mean "try again later".
bool IsConnectionState(std::string_view state) {
  return state.starts_with("08") || state.starts_with("57");
}

std::string ToPositional(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  bool in_string = false;
  for (char c : sql) {
    if (c == '\'') in_string = !in_string;
    if (c == '?' && !in_string) {
      out += fmt::format("${}", ++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresConnection final : public SqlConnection {
 public:
  PostgresConnection(PGconn* conn, std::string described)
      : conn_(conn), described_(std::move(described)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  Dialect dialect() const override { return Dialect::kPostgres; }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    std::span<const SqlValue> params) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      const auto& p = params[i];
      if (std::holds_alternative<std::monostate>(p)) continue;
      if (auto* n = std::get_if<int64_t>(&p)) {
        texts[i] = std::to_string(*n);
      } else if (auto* d = std::get_if<double>(&p)) {
        texts[i] = fmt::format("{}", *d);
      } else {
        texts[i] = std::get<std::string>(p);
      }
      values[i] = texts[i].c_str();
    }
    std::string positional = ToPositional(sql);
    PGresult* res = PQexecParams(conn_, positional.c_str(), static_cast<int>(params.size()),
                                 nullptr, values.data(), nullptr, nullptr, 0);
    auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      Error e = ErrorFrom(res, sql);
      PQclear(res);
      return Fail(std::move(e));
    }
    std::vector<SqlRow> rows;
    int nrows = PQntuples(res), ncols = PQnfields(res);
    rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
      SqlRow row;
      row.columns.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(res, r, c)) {
          row.columns.emplace_back(std::nullopt);
        } else {
          row.columns.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    PQclear(res);
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    PGresult* res = PQexec(conn_, std::string(sql).c_str());
    auto status = PQresultStatus(res);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      Error e = ErrorFrom(res, sql);
      PQclear(res);
      return Fail(std::move(e));
    }
    PQclear(res);
    return {};
  }

  Status Begin() override { return ExecScript("BEGIN"); }
  Status Commit() override { return ExecScript("COMMIT"); }
  Status Rollback() override { return ExecScript("ROLLBACK"); }

  bool IsUniqueViolation(const Error& e) const override {
    return e.code == ErrorCode::kAlreadyExists;
  }

  std::string Describe() const override { return described_; }

 private:
  Error ErrorFrom(PGresult* res, std::string_view sql) {
    const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string_view sqlstate = state ? state : "";
    std::string text = fmt::format("postgres: {} (in: {:.80})", PQerrorMessage(conn_), sql);
    if (PQstatus(conn_) == CONNECTION_BAD) {
      PQreset(conn_);  // the next call gets a fresh connection
      return Error::Unavailable(std::move(text)).WithSystem("store");
    }
    if (sqlstate == kUniqueViolation) return Error::AlreadyExists(std::move(text)).WithSystem("store");
    if (IsConnectionState(sqlstate)) return Error::Unavailable(std::move(text)).WithSystem("store");
    if (sqlstate.starts_with("23")) {
      return Error::FailedPrecondition(std::move(text)).WithSystem("store");
    }
    if (sqlstate == "40001" || sqlstate == "40P01") {  // serialization failure, deadlock
      return Error::Unavailable(std::move(text)).WithSystem("store");
    }
    return Error::Internal(std::move(text)).WithSystem("store");
  }

  PGconn* conn_;
  std::string described_;
};

}  // namespace

std::string RedactPostgresUrl(const std::string& url) {
  // Rebuilt from what libpq parses, so a password in any place (user:password@, ?password=,
  // a percent-encoded one) never comes back: only user, host, port and database do.
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error) PQfreemem(error);
  if (!options) return "postgres://(a URL libpq cannot parse)";
  std::string user, host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    const std::string_view k = o->keyword;
    if (k == "user") user = o->val;
    if (k == "host" || (k == "hostaddr" && host.empty())) host = o->val;
    if (k == "port") port = o->val;
    if (k == "dbname") dbname = o->val;
  }
  PQconninfoFree(options);
  return fmt::format("postgres://{}{}{}{}/{}", user, user.empty() ? "" : "@", host, port.empty() ? "" : ":" + port,
                     dbname);
}

Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string text = PQerrorMessage(conn);
    PQfinish(conn);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return Fail(Error::Unavailable(fmt::format("cannot connect to PostgreSQL at {}: {}",
                                               RedactPostgresUrl(url), text))
                    .WithSystem("store"));
  }
  auto c = std::make_unique<PostgresConnection>(conn, RedactPostgresUrl(url));
  // Quiet NOTICEs (e.g. "relation already exists, skipping") stay out of ponte's output.
  PONTE_RETURN_IF_ERROR(c->ExecScript("SET client_min_messages = WARNING"));
  return std::unique_ptr<SqlConnection>(std::move(c));
}

}  // namespace ponte::detail
