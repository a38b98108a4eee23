// `ponte init` as a newcomer runs it: from a script (flags), and at a terminal (its prompts,
// answered through a pseudo-terminal), against the sandbox; then the configuration it wrote is
// checked online and synced. And a configuration whose routes leave a system out needs no key
// for it.

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/run_ponte.h"
#include "support/sandbox_process.h"

namespace ponte {
namespace {

using namespace std::chrono_literals;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class InitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sandbox_.ok());
    dir_ = testing::NewTestDirectory("init");
    config_ = dir_ + "/ponte.toml";
    setenv("INIT_TEST_PLOOMES", "sandbox-ploomes-key", 1);
    setenv("INIT_TEST_ERP", "sandbox-totvs-password", 1);
    setenv("INIT_TEST_MILVUS", "sandbox-milvus-token", 1);
  }
  void TearDown() override {
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  // The flags that answer every question for the sandbox's systems.
  std::string Answers(const std::string& systems) const {
    const std::string b = sandbox_.base();
    return "init --non-interactive --config " + config_ + " --systems " + systems + " --url ploomes=" + b +
           "/ploomes --url milvus=" + b + "/milvus --url erp=" + b + "/totvs --user erp=ponte" +
           " --key-env ploomes=INIT_TEST_PLOOMES --key-env erp=INIT_TEST_ERP --key-env milvus=INIT_TEST_MILVUS" +
           " --store sqlite:" + dir_ + "/ponte.db";
  }

  testing::SandboxProcess sandbox_{{"--contacts", "12", "--tasks", "0", "--interactions", "0", "--milvus-clients", "5",
                                    "--totvs-customers", "4", "--seed", "29"}};
  std::string dir_, config_;
};

TEST_F(InitTest, FromFlagsItWritesAConfigThatChecksOnlineAndSyncs) {
  auto init = testing::RunPonte(Answers("ploomes,erp:totvs"));
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_NE(init.out.find("ploomes: online, the key is accepted"), std::string::npos) << init.out;
  EXPECT_NE(init.out.find("erp: online, the key is accepted"), std::string::npos) << init.out;
  EXPECT_NE(init.out.find("ponte probe --config"), std::string::npos) << "it says what to run next: " << init.out;
  const std::string text = Slurp(config_);
  EXPECT_EQ(text.find("sandbox-ploomes-key"), std::string::npos) << "a key was written into ponte.toml";
  EXPECT_NE(text.find("# "), std::string::npos) << "the file explains its keys";
  EXPECT_NE(text.find("name = \"customers_ploomes_to_erp\""), std::string::npos) << text;
  EXPECT_EQ(text.find("[systems.milvus]"), std::string::npos) << "a system not joined is not configured: " << text;

  // No Milvus key anywhere: no route uses Milvus, so none is asked for.
  unsetenv("PONTE_MILVUS_TOKEN");
  auto check = testing::RunPonte("config check --online --config " + config_);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  auto sync = testing::RunPonte("sync --once --config " + config_);
  EXPECT_EQ(sync.exit_code, 0) << sync.out;
  EXPECT_EQ(testing::Duplicates(sandbox_.Stats()), "");
  auto depara = testing::RunPonte("depara check --config " + config_);
  EXPECT_EQ(depara.exit_code, 0) << depara.out;
  EXPECT_EQ(testing::RunPonte("init --non-interactive --config " + config_).exit_code, 2)
      << "an existing configuration is not replaced without --force";
}

// Two companies' accounts joined by name, the default routes off: ponte asks no key of the
// default ploomes and milvus systems, which no route uses.
TEST_F(InitTest, ASystemNoEnabledRouteUsesNeedsNoKey) {
  unsetenv("PONTE_PLOOMES_KEY");
  unsetenv("PONTE_MILVUS_TOKEN");
  const std::string b = sandbox_.base();
  std::ofstream(config_) << "store = \"sqlite:" << dir_ << "/ponte.db\"\n"
                         << "[systems.ploomes_a]\nkind = \"ploomes\"\nbase_url = \"" << b
                         << "/ploomes\"\nkey_env = \"INIT_TEST_PLOOMES\"\n"
                         << "[systems.milvus_b]\nkind = \"milvus\"\nbase_url = \"" << b
                         << "/milvus\"\nkey_env = \"INIT_TEST_MILVUS\"\nquotas = { listings_per_minute = 0 }\n"
                         << "[[routes]]\nname = \"contacts_a_to_clients_b\"\nfrom = \"ploomes_a\"\nto = \"milvus_b\"\n";
  auto check = testing::RunPonte("config check --online --config " + config_);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("ploomes: ploomes https://api2.ploomes.com (not used by an enabled route)"), std::string::npos)
      << check.out;
  EXPECT_EQ(check.out.find("PONTE_PLOOMES_KEY"), std::string::npos) << check.out;
  auto sync = testing::RunPonte("sync --once --config " + config_);
  EXPECT_EQ(sync.exit_code, 0) << sync.out;
  EXPECT_NE(sync.out.find("contacts_a_to_clients_b"), std::string::npos) << sync.out;
  EXPECT_EQ(testing::Duplicates(sandbox_.Stats()), "");
}

TEST_F(InitTest, ARefusedKeyWritesNothingAndSaysWhichSystem) {
  setenv("INIT_TEST_ERP", "not-the-password", 1);
  auto init = testing::RunPonte(Answers("ploomes,erp:totvs"));
  EXPECT_EQ(init.exit_code, 2) << init.out;
  EXPECT_NE(init.out.find("erp:"), std::string::npos) << init.out;
  EXPECT_EQ(init.out.find("not-the-password"), std::string::npos) << "the refused key was echoed";
  EXPECT_FALSE(std::filesystem::exists(config_)) << "a configuration with a refused key was written";
  // Without any key to check, from a script: the error says where the key goes.
  unsetenv("INIT_TEST_ERP");
  auto missing = testing::RunPonte(Answers("ploomes,erp:totvs"));
  EXPECT_EQ(missing.exit_code, 2) << missing.out;
  EXPECT_NE(missing.out.find("INIT_TEST_ERP"), std::string::npos) << missing.out;
}

TEST_F(InitTest, WithSystemdItWritesTheUnitsEnvironmentFile) {
  unsetenv("INIT_TEST_PLOOMES");
  // A key typed at a prompt is the only kind --systemd has to place; from a script it is in a
  // file, which the configuration names and the environment file leaves out.
  std::ofstream(dir_ + "/ploomes.secret") << "sandbox-ploomes-key\n";
  auto init = testing::RunPonte(Answers("ploomes,erp:totvs") + " --key-file ploomes=" + dir_ + "/ploomes.secret" +
                                " --systemd --env-file " + dir_ + "/ponte.env");
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_NE(Slurp(config_).find("key_file = \"" + dir_ + "/ploomes.secret\""), std::string::npos) << Slurp(config_);
  struct stat st{};
  ASSERT_EQ(stat((dir_ + "/ponte.env").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the environment file is readable by others";
  EXPECT_NE(init.out.find("systemctl enable --now ponte"), std::string::npos) << init.out;
}

// A terminal, as a person answers ponte init's questions.
class Terminal {
 public:
  explicit Terminal(const std::vector<std::string>& argv) {
    pid_ = forkpty(&fd_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Terminal() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  // Reads until `text` shows (true) or 20 s pass.
  bool WaitFor(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (screen_.find(text, seen_) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline || !ReadSome()) return false;
    }
    seen_ = screen_.find(text, seen_) + text.size();
    return true;
  }
  void Type(const std::string& line) { (void)!write(fd_, (line + "\n").data(), line.size() + 1); }
  int Exit() {
    while (ReadSome()) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& screen() const { return screen_; }

 private:
  bool ReadSome() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 500) < 0) return false;
    if (!(p.revents & (POLLIN | POLLHUP))) return true;
    char buf[4096];
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    screen_.append(buf, static_cast<size_t>(n));
    return true;
  }
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string screen_;
  size_t seen_ = 0;
};

TEST_F(InitTest, AtATerminalItAsksEachQuestionAndHidesTheKey) {
  const std::string b = sandbox_.base();
  unsetenv("PONTE_PLOOMES_KEY");
  unsetenv("PONTE_MILVUS_TOKEN");
  Terminal t({PONTE_BINARY, "init", "--config", config_, "--store", "sqlite:" + dir_ + "/ponte.db"});
  ASSERT_TRUE(t.WaitFor("Systems to join")) << t.screen();
  t.Type("ploomes,milvus");
  ASSERT_TRUE(t.WaitFor("Routes to run")) << t.screen();
  EXPECT_NE(t.screen().find("tasks_ploomes_to_milvus"), std::string::npos) << "the routes are listed: " << t.screen();
  t.Type("1,2");
  ASSERT_TRUE(t.WaitFor("API address [https://api2.ploomes.com]")) << t.screen();
  t.Type(b + "/ploomes");
  ASSERT_TRUE(t.WaitFor("key (not shown")) << t.screen();
  t.Type("sandbox-ploomes-key");
  ASSERT_TRUE(t.WaitFor("API address")) << t.screen();
  t.Type(b + "/milvus");
  ASSERT_TRUE(t.WaitFor("key (not shown")) << t.screen();
  t.Type("sandbox-milvus-token");
  ASSERT_TRUE(t.WaitFor("Wrote")) << t.screen();
  EXPECT_EQ(t.Exit(), 0) << t.screen();
  EXPECT_EQ(t.screen().find("sandbox-ploomes-key"), std::string::npos) << "the key was echoed: " << t.screen();
  EXPECT_NE(t.screen().find("milvus: online, the key is accepted"), std::string::npos) << t.screen();

  // The typed keys went to chmod-600 files the configuration names, and it checks online.
  struct stat st{};
  ASSERT_EQ(stat((dir_ + "/ploomes.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string text = Slurp(config_);
  EXPECT_EQ(text.find("sandbox-ploomes-key"), std::string::npos);
  EXPECT_NE(text.find("name = \"customers_milvus_to_ploomes\""), std::string::npos) << text;
  EXPECT_EQ(text.find("tasks_ploomes_to_milvus"), std::string::npos) << "a route not chosen was written: " << text;
  auto check = testing::RunPonte("config check --online --config " + config_);
  EXPECT_EQ(check.exit_code, 0) << check.out;
}

TEST_F(InitTest, NotAtATerminalItAsksForFlagsInsteadOfWaiting) {
  auto r = testing::RunPonte("init --config " + config_ + " < /dev/null");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--non-interactive"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ponte
