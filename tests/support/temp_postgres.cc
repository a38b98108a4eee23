#include "support/temp_postgres.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <fmt/format.h>

namespace ponte::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadUrl(const fs::path& dir) {
  std::ifstream in(dir / "url");
  std::string url;
  std::getline(in, url);
  return url;
}

// Stops a server this process started, at exit.
struct OwnServer {
  fs::path dir;
  ~OwnServer() {
    if (!dir.empty()) {
      // At exit there is no one left to tell that the stop failed; the directory goes anyway.
      (void)!std::system(fmt::format("{}/tests/pg_test_server stop {} >/dev/null 2>&1", PONTE_SOURCE_DIR, dir.string())
                             .c_str());
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }
};

Result<std::string> ServerUrl() {
  static std::mutex mu;
  static std::string url;
  static OwnServer own;
  std::lock_guard lock(mu);
  if (!url.empty()) return url;
  if (fs::exists(fs::path(PONTE_TEST_PG_DIR) / "url")) {
    url = ReadUrl(PONTE_TEST_PG_DIR);
    return url;
  }
  const char* source = PONTE_SOURCE_DIR;
  fs::path dir = fs::temp_directory_path() / fmt::format("ponte-pg-{}", ::getpid());
  int rc = std::system(
      fmt::format("{}/tests/pg_test_server start {}", source, dir.string()).c_str());
  if (rc != 0) return Fail(Error::Unavailable("could not start a test PostgreSQL server"));
  own.dir = dir;
  url = ReadUrl(dir);
  return url;
}

}  // namespace

Result<std::string> NewPostgresDatabase() {
  auto url = ServerUrl();
  if (!url) return url;
  static std::atomic<int> counter{0};
  std::string name = fmt::format("ponte_test_{}_{}", ::getpid(), counter++);
  PGconn* conn = PQconnectdb(url->c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return Fail(Error::Unavailable("test PostgreSQL unreachable: " + message));
  }
  // A schema per test is much cheaper than a database per test (no template copy).
  PGresult* res = PQexec(conn, fmt::format("CREATE SCHEMA {}", name).c_str());
  bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
  std::string message = PQerrorMessage(conn);
  PQclear(res);
  PQfinish(conn);
  if (!ok) return Fail(Error::Unavailable("CREATE SCHEMA failed: " + message));
  return fmt::format("{}?options=-csearch_path%3D{}", *url, name);
}

std::string NewSqlitePath() {
  static std::atomic<int> counter{0};
  fs::path dir = fs::temp_directory_path() / fmt::format("ponte-test-{}", ::getpid());
  fs::create_directories(dir);
  auto path = dir / fmt::format("store-{}.db", counter++);
  fs::remove(path);
  return path.string();
}

}  // namespace ponte::testing
