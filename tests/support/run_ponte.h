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

// The crash test's first half: `ponte sync --once --config CONFIG` started `rounds` times and
// SIGKILLed after a random wait of first_ms plus up to spread_ms (seeded). Answers how many
// runs the signal actually cut short (the others had finished).
// The [[routes]] of the three-system hub in a ponte.toml: the four built-in routes, then
// customers between Ploomes and the ERP system `erp` both ways and between it and Milvus both
// ways (the customers from Ploomes after `cutoff`), as AddErpRoutes makes them.
std::string ThreeSystemRoutes(const std::string& cutoff);

int KillSyncAtRandomPoints(const std::string& config, int rounds, unsigned seed, int first_ms, int spread_ms);

}  // namespace ponte::testing
