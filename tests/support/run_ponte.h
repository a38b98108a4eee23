#pragma once
// Runs the built `ponte` binary as a user would, for the CLI tests.

#include <string>

namespace ponte::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout, and stderr too when merged
};

// Runs `ponte ARGS` through the shell (so ARGS may quote) and waits for it.
RunResult RunPonte(const std::string& args, bool merge_stderr = true);

}  // namespace ponte::testing
