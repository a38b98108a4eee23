#pragma once
// The fixture of the store conformance suites: each test runs on SQLite (a temporary file) and
// on a real PostgreSQL server.

#include <gtest/gtest.h>

#include <unistd.h>

#include <memory>
#include <string>

#include "store/store.h"
#include "support/temp_postgres.h"

namespace ponte::store_test {

inline std::string HostName() {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  return host;
}

using std::chrono::milliseconds;

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = NewUrl();
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(*store);
  }

  std::string NewUrl() {
    if (GetParam() == "sqlite") return "sqlite:" + testing::NewSqlitePath();
    auto url = testing::NewPostgresDatabase();
    EXPECT_TRUE(url.has_value()) << url.error().ToString();
    return url.value_or("");
  }

  static Instant At(int64_t ms) { return Instant{milliseconds{ms}}; }

  DeliveryIntent Intent(std::string origin_id) {
    return {"customers_ploomes_to_milvus", "CustomerVendor", {"ploomes", std::move(origin_id)},
            "milvus", R"({"x":1})", "hash-1"};
  }

  std::string url_;
  std::unique_ptr<Store> store_;
};

inline const SystemRef kPloomes{"ploomes", "401234567"};
inline const SystemRef kMilvus{"milvus", "30753"};

}  // namespace ponte::store_test
