// `ponte depara ...` and `ponte store check` as a user runs them, on a temporary SQLite store.

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/run_ponte.h"
#include "support/temp_postgres.h"

namespace ponte {
namespace {

class DeParaCliTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = "--store sqlite:" + testing::NewSqlitePath(); }
  testing::RunResult Run(const std::string& args) { return testing::RunPonte(store_ + " " + args); }
  std::string Write(const std::string& name, const std::string& text) {
    auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::string store_;
};

std::string Bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Reading commands open the store read-only: its bytes stay as they were, and a store of an
// older schema is refused (with what to do) instead of being migrated by a command that reads.
TEST_F(DeParaCliTest, ReadingCommandsLeaveTheStoreAsItWas) {
  const std::string path = store_.substr(store_.find("sqlite:") + 7);
  ASSERT_EQ(Run("depara link CustomerVendor ploomes:401 milvus:30753").exit_code, 0);
  const std::string before = Bytes(path);
  ASSERT_FALSE(before.empty());
  for (const char* command : {"depara list", "depara get CustomerVendor ploomes 401", "depara export",
                              "depara check", "store check", "dlq list", "cursor show", "workers"}) {
    auto r = Run(command);
    EXPECT_EQ(r.exit_code, 0) << command << ": " << r.out;
    EXPECT_EQ(Bytes(path), before) << command << " changed the store";
  }
  // The store as an older ponte left it: its newest migration not applied.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)",
                         nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const std::string old = Bytes(path);
  auto refused = Run("depara list");
  EXPECT_EQ(refused.exit_code, 2) << refused.out;
  EXPECT_NE(refused.out.find("run `ponte sync` once"), std::string::npos) << refused.out;
  EXPECT_EQ(Bytes(path), old);
}

TEST_F(DeParaCliTest, LinkGetAndList) {
  auto link = Run("depara link CustomerVendor ploomes:401 milvus:30753 --natural-key 12.345.678/0001-95");
  ASSERT_EQ(link.exit_code, 0) << link.out;
  auto get = Run("depara get CustomerVendor ploomes 401 --to milvus");
  EXPECT_EQ(get.exit_code, 0);
  EXPECT_EQ(get.out, "30753\n");
  auto back = Run("depara get CustomerVendor milvus 30753 --to ploomes");
  EXPECT_EQ(back.out, "401\n");
  auto entity = Run("depara get CustomerVendor milvus 30753");
  EXPECT_NE(entity.out.find("ploomes:401\t12345678000195\tmanual"), std::string::npos) << entity.out;
  auto missing = Run("depara get CustomerVendor ploomes 999 --to milvus");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("has no milvus link"), std::string::npos);
  auto list = Run("depara list --json --system milvus");
  EXPECT_NE(list.out.find(R"("internal_id":"30753")"), std::string::npos) << list.out;
  auto conflict = Run("depara link CustomerVendor ploomes:401 milvus:1");
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_NE(conflict.out.find("ALREADY_EXISTS"), std::string::npos) << conflict.out;
}

TEST_F(DeParaCliTest, ExportThenImportElsewhere) {
  ASSERT_EQ(Run("depara link Ticket ploomes:7 milvus:857").exit_code, 0);
  ASSERT_EQ(Run("depara link CustomerVendor ploomes:1 milvus:2").exit_code, 0);
  auto exported = testing::RunPonte(store_ + " depara export --format jsonl", /*merge_stderr=*/false);
  ASSERT_EQ(exported.exit_code, 0);
  std::string file = Write("ponte-export.jsonl", exported.out);
  std::string other = "--store sqlite:" + testing::NewSqlitePath();
  auto imported = testing::RunPonte(other + " depara import " + file + " --format jsonl");
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_NE(imported.out.find("imported 2 record(s)"), std::string::npos);
  EXPECT_EQ(testing::RunPonte(other + " depara get Ticket milvus 857 --to ploomes").out, "7\n");
}

TEST_F(DeParaCliTest, BadImportNamesTheLineAndImportsNothing) {
  std::string file = Write("ponte-bad.csv",
                           "message,system_a,id_a,system_b,id_b,natural_key\n"
                           "CustomerVendor,ploomes,1,milvus,2,\n"
                           "CustomerVendor,ploomes,3,milvus,4,123.456.789-00\n");
  auto r = Run("depara import " + file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("line 3:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nothing was imported"), std::string::npos);
  // Nothing was imported, and no store was even created for it.
  auto get = Run("depara get CustomerVendor ploomes 1 --to milvus");
  EXPECT_EQ(get.exit_code, 2) << get.out;
  EXPECT_NE(get.out.find("there is no store"), std::string::npos) << get.out;
}

TEST_F(DeParaCliTest, MongoexportImportThenCheck) {
  std::string file = Write("ponte-sent.json",
                           R"({"_id":{"$oid":"1"},"cnpj_cpf":"12345678000195"})"
                           "\n"
                           R"({"_id":{"$oid":"2"},"cnpj_cpf":"123.456.789-09"})"
                           "\n");
  auto r = Run("depara import " + file + " --format mongoexport");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("imported 2 record(s)"), std::string::npos);
  auto check = Run("depara check");
  EXPECT_EQ(check.exit_code, 1);  // remembered ids have no peer yet
  EXPECT_NE(check.out.find("entity_without_peer"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("2 problem(s)"), std::string::npos) << check.out;
}

TEST_F(DeParaCliTest, StoreCheckAndUnreachableStore) {
  // A reading command on a store that does not exist says so, and creates nothing.
  auto none = Run("store check");
  EXPECT_EQ(none.exit_code, 2) << none.out;
  EXPECT_NE(none.out.find("there is no store at"), std::string::npos) << none.out;
  EXPECT_EQ(Run("depara list").exit_code, 2);
  ASSERT_EQ(Run("depara link CustomerVendor ploomes:1 milvus:2").exit_code, 0);
  auto ok = Run("store check");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("schema version 6, integrity: ok"), std::string::npos) << ok.out;
  auto down = testing::RunPonte(
      "--store 'postgres://u:topsecret@127.0.0.1:1/x?connect_timeout=2' store check");
  EXPECT_EQ(down.exit_code, 3);
  EXPECT_NE(down.out.find("cannot connect to PostgreSQL"), std::string::npos) << down.out;
  EXPECT_EQ(down.out.find("topsecret"), std::string::npos) << down.out;
  auto bad = testing::RunPonte("--store mysql://x store check");
  EXPECT_EQ(bad.exit_code, 2);
}

}  // namespace
}  // namespace ponte
