#include "support/run_ponte.h"

#include <sys/wait.h>

#include <signal.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <thread>

#include "support/child_process.h"

namespace ponte::testing {

RunResult RunPonte(const std::string& args, bool merge_stderr) {
  std::string cmd = std::string(PONTE_BINARY) + " " + args + (merge_stderr ? " 2>&1" : "");
  FILE* pipe = popen(cmd.c_str(), "r");
  RunResult r;
  if (!pipe) return r;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) r.out.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ThreeSystemRoutes(const std::string& cutoff) {
  std::string toml;
  for (const char* route : {"customers_ploomes_to_milvus", "customers_milvus_to_ploomes", "tasks_ploomes_to_milvus",
                            "interactions_ploomes_to_milvus"}) {
    toml += std::string("[[routes]]\nname = \"") + route + "\"\n";
  }
  for (const auto& [from, to] : {std::pair{"ploomes", "erp"}, {"erp", "ploomes"}, {"erp", "milvus"}, {"milvus", "erp"}}) {
    toml += std::string("[[routes]]\nname = \"customers_") + from + "_to_" + to + "\"\nfrom = \"" + from +
            "\"\nto = \"" + to + "\"\n" + (std::string(from) == "ploomes" ? "cutoff = \"" + cutoff + "\"\n" : "");
  }
  return toml;
}

int KillSyncAtRandomPoints(const std::string& config, int rounds, unsigned seed, int first_ms, int spread_ms) {
  std::mt19937 rng(seed);
  int killed = 0;
  for (int round = 0; round < rounds; ++round) {
    ChildProcess sync({PONTE_BINARY, "sync", "--once", "--config", config});
    std::this_thread::sleep_for(std::chrono::milliseconds(first_ms + rng() % spread_ms));
    sync.Signal(SIGKILL);
    if (sync.Wait() == 128 + SIGKILL) ++killed;
  }
  return killed;
}

}  // namespace ponte::testing
