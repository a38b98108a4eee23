#include "support/run_ponte.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

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

}  // namespace ponte::testing
