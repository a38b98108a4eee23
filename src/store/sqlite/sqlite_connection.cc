#include "store/sqlite/sqlite_connection.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <map>

#include <fmt/format.h>

namespace ponte::detail {
namespace {

// A damaged store: nothing may be written on it, and no record is to blame; the message says
// what to do.
Error DamagedStore(const std::string& what) {
  return Error::DataLoss(what + "; the store is damaged: restore a backup (docs/deploy.md), or start a new store and "
                                "let ponte relink from the systems (ponte depara rebuild)")
      .WithSystem("store");
}


// How long a writer waits for another process's lock before reporting the store unavailable.
constexpr int kBusyTimeoutMs = 10'000;

class SqliteConnection final : public SqlConnection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    std::span<const SqlValue> params) override {
    auto stmt = Prepare(sql);
    if (!stmt) return Fail(stmt.error());
    sqlite3_stmt* s = *stmt;
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const auto& p = params[i];
      if (std::holds_alternative<std::monostate>(p)) {
        sqlite3_bind_null(s, idx);
      } else if (auto* n = std::get_if<int64_t>(&p)) {
        sqlite3_bind_int64(s, idx, *n);
      } else if (auto* d = std::get_if<double>(&p)) {
        sqlite3_bind_double(s, idx, *d);
      } else {
        const auto& text = std::get<std::string>(p);
        sqlite3_bind_text(s, idx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      }
    }
    std::vector<SqlRow> rows;
    while (true) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Error e = ErrorFrom(rc, sql);
        sqlite3_reset(s);
        return Fail(std::move(e));
      }
      SqlRow row;
      int n = sqlite3_column_count(s);
      row.columns.reserve(n);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(s, c) == SQLITE_NULL) {
          row.columns.emplace_back(std::nullopt);
        } else {
          auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
          row.columns.emplace_back(std::string(text, sqlite3_column_bytes(s, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(s);
    return rows;
  }

  Status ExecScript(std::string_view sql) override {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
      std::string text = message ? message : sqlite3_errstr(rc);
      sqlite3_free(message);
      const int primary = rc & 0xff;
      if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
        return Fail(DamagedStore("sqlite: " + text));
      }
      return Fail(Error::Internal(fmt::format("sqlite: {}", text)).WithSystem("store"));
    }
    return {};
  }

  Status Begin() override { return Simple("BEGIN IMMEDIATE"); }
  Status Commit() override { return Simple("COMMIT"); }
  Status Rollback() override { return Simple("ROLLBACK"); }

  bool IsUniqueViolation(const Error& e) const override {
    return e.code == ErrorCode::kAlreadyExists;
  }

  std::string Describe() const override { return "sqlite:" + path_; }

 private:
  Status Simple(const char* sql) {
    auto r = Query(sql, {});
    if (!r) return Fail(r.error());
    return {};
  }

  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = statements_.find(key); it != statements_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, key.c_str(), static_cast<int>(key.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) return Fail(ErrorFrom(rc, sql));
    statements_.emplace(std::move(key), stmt);
    return stmt;
  }

  Error ErrorFrom(int rc, std::string_view sql) const {
    const int primary = rc & 0xff;
    std::string text = fmt::format("sqlite: {} (in: {:.80})", sqlite3_errmsg(db_), sql);
    Error e;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
      e = Error::AlreadyExists(std::move(text));
    } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      e = Error::Unavailable(std::move(text));
    } else if (primary == SQLITE_CONSTRAINT) {
      e = Error::FailedPrecondition(std::move(text));
    } else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
      e = DamagedStore(text);
    } else {
      e = Error::Internal(std::move(text));
    }
    e.system = "store";
    return e;
  }

  sqlite3* db_;
  std::string path_;
  std::map<std::string, sqlite3_stmt*> statements_;
};

// Creates the file with mode 0600 before SQLite opens it, so it is never world-readable.
Status CreatePrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  if (fd < 0) {
    return Fail(Error::Unavailable(fmt::format("cannot create the store file {}: {}", path,
                                               std::strerror(errno)))
                    .WithSystem("store"));
  }
  ::close(fd);
  ::chmod(path.c_str(), 0600);
  return {};
}

// A file path as the path of a file: URI (RFC 3986 escapes for the characters that would end it).
std::string UriPath(const std::string& path) {
  std::string out;
  for (unsigned char c : path) {
    if (c == '%' || c == '?' || c == '#' || c < 0x20) {
      out += fmt::format("%{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// A read-only handle: mode=ro first; where SQLite cannot create the WAL's shared-memory file
// (read-only media, a directory ponte may not write), the file is opened as immutable, which is
// right there since nothing can write to it either.
int OpenReadOnly(const std::string& path, sqlite3** db) {
  const std::string uri = "file:" + UriPath(path);
  int rc = sqlite3_open_v2((uri + "?mode=ro").c_str(), db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_exec(*db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return rc;
  sqlite3_close_v2(*db);
  *db = nullptr;
  return sqlite3_open_v2((uri + "?immutable=1").c_str(), db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX, nullptr);
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path, bool read_only) {
  read_only = read_only && path != ":memory:";
  if (path != ":memory:" && !read_only) PONTE_RETURN_IF_ERROR(CreatePrivateFile(path));
  sqlite3* db = nullptr;
  int rc = read_only ? OpenReadOnly(path, &db)
                     : sqlite3_open_v2(path.c_str(), &db,
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string text = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Fail(Error::Unavailable(fmt::format("cannot open the SQLite store {}: {}", path, text))
                    .WithSystem("store"));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto conn = std::make_unique<SqliteConnection>(db, path);
  // WAL lets readers (the dashboard, `ponte depara`) work while a sync writes; NORMAL sync is
  // durable across process crashes, which is the failure ponte must survive.
  PONTE_RETURN_IF_ERROR(conn->ExecScript(
      read_only ? "PRAGMA foreign_keys=ON;"  // the handle is read-only (mode=ro or immutable)
                : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"));
  // Damage is found before anything is written: a damaged page would otherwise surface as
  // errors on records (dead letters) while the store itself is to blame.
  auto check = conn->Query("PRAGMA quick_check(1)", {});
  if (!check) return Fail(check.error());
  if (!check->empty() && check->front().Text(0) != "ok") {
    return Fail(DamagedStore(fmt::format("the SQLite store {} failed its check ({})", path, check->front().Text(0))));
  }
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace ponte::detail
