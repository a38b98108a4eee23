// Runs the real `ponte` binary and checks its output and exit codes.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

// Values are values: CLI11 read "[a,b]" as a list and "[]" as nothing.
TEST(CliTest, BracketsInValuesAreKeptAsTyped) {
  auto doc = Ponte("doc check -- '[111.444.777-35]' '[]'");
  EXPECT_EQ(doc.exit_code, 1) << doc.out;
  EXPECT_NE(doc.out.find("[111.444.777-35]\t-\t-\tinvalid: "), std::string::npos) << doc.out;
  EXPECT_NE(doc.out.find("[]\t-\t-\tinvalid: "), std::string::npos) << doc.out;
  auto compose = Ponte("internalid compose -- '[01,02]' x");
  EXPECT_EQ(compose.exit_code, 0) << compose.out;
  EXPECT_EQ(compose.out, "[01,02]|x\n");
  auto unknown = Ponte("doc check 111.444.777-35 --frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("unknown option --frobnicate"), std::string::npos) << unknown.out;
}

TEST(CliTest, DocCheckKeepsOneValuePerLine) {
  // /bin/sh's printf: \n is a newline, \377 the byte 0xFF.
  auto out = Ponte(
      R"sh(doc check "$(printf '4076661\n9311')" "$(printf '123\37745')" 40766619311)sh");
  EXPECT_EQ(out.exit_code, 1) << out.out;
  EXPECT_NE(out.out.find("4076661\\n9311\t-\t-\tinvalid"), std::string::npos) << out.out;
  EXPECT_NE(out.out.find("123\\xFF45\t-\t-\tinvalid"), std::string::npos) << out.out;
  EXPECT_EQ(std::count(out.out.begin(), out.out.end(), '\n'), 3) << out.out;
}

TEST(CliTest, DocCheckReadsAFileOfDocumentsFromStdin) {
  // A spreadsheet's export: a BOM, CRLF, a blank line, a dropped leading zero.
  const auto path = std::filesystem::temp_directory_path() /
                    ("ponte_docs_" + std::to_string(getpid()) + ".csv");
  std::ofstream(path, std::ios::binary)
      << "\xEF\xBB\xBF" "111.444.777-35\r\n\r\n3470174601\r\n191\r\n";
  auto out = RunPonte("doc check - < " + path.string());
  std::filesystem::remove(path);
  EXPECT_EQ(out.exit_code, 1) << out.out;
  EXPECT_NE(out.out.find("111.444.777-35\t11144477735\tCPF\tvalid\n"), std::string::npos)
      << out.out;
  EXPECT_NE(out.out.find("3470174601\t03470174601\tCPF\tvalid\n"), std::string::npos);
  EXPECT_NE(out.out.find("191\t-\t-\tinvalid: "), std::string::npos);
  EXPECT_NE(out.out.find("3 documents checked: 2 valid, 1 invalid"), std::string::npos)
      << out.out;
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

// Secrets on error paths (found by a hostile test): a PostgreSQL password in any place of the
// store URL, a libpq "key=value" string taken for a SQLite path (a file named after the
// password), an API key pasted where a variable name belongs. None may be repeated.
TEST(CliTest, SecretsStayOutOfEveryErrorPath) {
  const auto dir = std::filesystem::temp_directory_path() / ("ponte-secrets-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  struct Case {
    std::string args;
    std::string secret;
    int exit_code;
  };
  const std::vector<Case> cases = {
      {"--store 'postgres://ponte:pw-in-userinfo-1@127.0.0.1:1/db' store check", "pw-in-userinfo-1", 3},
      {"--store 'postgres://ponte@127.0.0.1:1/db?password=pw-in-query-2' store check", "pw-in-query-2", 3},
      {"--store 'postgresql://127.0.0.1:1/db?user=u&password=pw-in-query-3' depara list", "pw-in-query-3", 3},
      {"--store 'host=127.0.0.1 port=1 password=pw-libpq-4' store check", "pw-libpq-4", 2},
      {"--store 'mysql://root:pw-mysql-5@db/x' store check", "pw-mysql-5", 2},
  };
  for (const auto& c : cases) {
    auto r = Ponte(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args << ": " << r.out;
    EXPECT_EQ(r.out.find(c.secret), std::string::npos) << c.args << " leaked: " << r.out;
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ADD_FAILURE() << "a store string became a file: " << entry.path().filename();
  }
  // A key pasted as the name of its variable is refused without being repeated.
  const std::string pasted = "8A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D";
  std::ofstream("ponte.toml") << "[systems.ploomes]\nkey_env = \"" << pasted << "\"\n";
  auto check = Ponte("config check");
  EXPECT_EQ(check.exit_code, 2) << check.out;
  EXPECT_NE(check.out.find("systems.ploomes.key_env"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find(pasted), std::string::npos) << check.out;
  std::ofstream("ponte.toml") << "[server]\nwebhook_key_env = \"s3cr3t-w3bh00k-value\"\n";
  auto hook = Ponte("config check");
  EXPECT_EQ(hook.exit_code, 2) << hook.out;
  EXPECT_EQ(hook.out.find("s3cr3t-w3bh00k-value"), std::string::npos) << hook.out;
  std::filesystem::current_path(cwd);
  std::filesystem::remove_all(dir);
}

// Values that break a guarantee are refused by config check, naming the key (before: accepted,
// and lease_seconds = 0 gave 127 duplicates, timeout_ms = 0 meant no timeout at all).
TEST(CliTest, ConfigRefusesValuesThatBreakGuarantees) {
  const std::string path = ponte::testing::NewSqlitePath() + ".toml";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"[delivery]\nlease_seconds = 0\n", "delivery.lease_seconds"},
      {"[delivery]\nretry_base_seconds = -1\n", "delivery.retry_base_seconds"},
      {"[systems.ploomes]\ntimeout_ms = 0\n", "systems.ploomes.timeout_ms"},
      {"[systems.milvus]\nburst = -1\n", "systems.milvus.burst"},
      {"[routes.tasks_ploomes_to_milvus]\ntags = \"ENTREGA\"\n", "routes.tasks_ploomes_to_milvus.tags"},
      {"store = \"mysql://x\"\n", "mysql"},
      {"[systems.ploomes]\nkey_file = \"/tmp\"\n", "systems.ploomes.key_file"},
  };
  for (const auto& [text, named] : cases) {
    std::ofstream(path) << text;
    auto r = Ponte("config check --config " + path);
    EXPECT_EQ(r.exit_code, 2) << text << r.out;
    EXPECT_NE(r.out.find(named), std::string::npos) << text << r.out;
  }
  auto dir = Ponte("config check --config /tmp");
  EXPECT_EQ(dir.exit_code, 2) << dir.out;
  std::remove(path.c_str());
}
