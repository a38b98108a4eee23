#include "support/run_ponte.h"

#include <sys/wait.h>

#include <signal.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <random>
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
