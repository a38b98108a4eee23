// Runs the real `ponte` binary and checks its output and exit codes.

#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "support/run_ponte.h"
#include "support/temp_postgres.h"

namespace {

using ponte::testing::RunPonte;

ponte::testing::RunResult Ponte(const std::string& args) { return RunPonte(args); }

TEST(CliTest, HelpAndVersion) {
  auto help = Ponte("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("internalid"), std::string::npos);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  auto version = Ponte("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("ponte 0."), std::string::npos);
}

TEST(CliTest, InternalIdComposeAndSplit) {
  auto compose = Ponte("internalid compose 50 10 123456 --layout Item");
  EXPECT_EQ(compose.exit_code, 0);
  EXPECT_EQ(compose.out, "50|10|123456\n");
  auto field = Ponte("internalid split '50|10|123456' --layout Item --field item");
  EXPECT_EQ(field.exit_code, 0);
  EXPECT_EQ(field.out, "123456\n");
  auto named = Ponte("internalid split '50|10|123456' --layout Item");
  EXPECT_EQ(named.out, "cod_empresa=50\ncod_filial=10\nitem=123456\n");
}

TEST(CliTest, InternalIdErrorsExplain) {
  auto bad = Ponte("internalid compose 50 '1|0' 3");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("separator"), std::string::npos);
  auto layout = Ponte("internalid split 1 --layout Nope");
  EXPECT_EQ(layout.exit_code, 2);
  EXPECT_NE(layout.out.find("known layouts"), std::string::npos);
  auto usage = Ponte("internalid frobnicate");
  EXPECT_EQ(usage.exit_code, 2);
}

TEST(CliTest, DocCheckPrintsOneLinePerValue) {
  auto ok = Ponte("doc check 123.456.789-09 12.345.678/0001-95 12.ABC.345/01DE-35");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("12345678909\tCPF\tvalid"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("12345678000195\tCNPJ\tvalid"), std::string::npos);
  EXPECT_NE(ok.out.find("12ABC34501DE35\tCNPJ\tvalid"), std::string::npos);
  auto bad = Ponte("doc check 123.456.789-09 123.456.789-00");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("invalid: '123.456.789-00' is not a valid CPF: check digits"),
            std::string::npos)
      << bad.out;
}

}  // namespace

// Found by fuzz/config_fuzz: `timeout_ms = 1e25` was converted to an integer (undefined
// behaviour). Numbers that are not whole, or do not fit the setting, are errors naming the key.
TEST(CliTest, ConfigNumbersMustBeWholeAndInRange) {
  const std::string path = ponte::testing::NewSqlitePath() + ".toml";
  for (const char* value : {"1e25", "3.5", "99999999999"}) {
    std::ofstream(path) << "[systems.milvus]\ntimeout_ms = " << value << "\n";
    auto r = Ponte("config check --config " + path);
    EXPECT_EQ(r.exit_code, 2) << value << ": " << r.out;
    EXPECT_NE(r.out.find("systems.milvus.timeout_ms"), std::string::npos) << value << ": " << r.out;
  }
  std::ofstream(path) << "[systems.milvus]\ntimeout_ms = 4000\n";
  // Valid, but no key is set: not a configuration ponte can run with.
  auto nokey = Ponte("config check --config " + path);
  EXPECT_EQ(nokey.exit_code, 2) << nokey.out;
  EXPECT_NE(nokey.out.find("PONTE_PLOOMES_KEY"), std::string::npos) << nokey.out;
  setenv("CLI_TEST_KEY", "k", 1);
  std::ofstream(path) << "[systems.milvus]\ntimeout_ms = 4000\nkey_env = \"CLI_TEST_KEY\"\n"
                      << "[systems.ploomes]\nkey_env = \"CLI_TEST_KEY\"\n";
  EXPECT_EQ(Ponte("config check --config " + path).exit_code, 0);
  unsetenv("CLI_TEST_KEY");
  std::remove(path.c_str());
}
