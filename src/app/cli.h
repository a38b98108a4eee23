#pragma once
// The `ponte` command line. Each subsystem registers its subcommands here; main() only calls
// RunCli and turns its result into the exit code.

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ponte {

// Exit codes shared by every command (documented in `ponte --help`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitSomeFailed = 1;   // some records failed (or, for checks, were invalid)
inline constexpr int kExitUsage = 2;        // bad config or usage
inline constexpr int kExitUnreachable = 3;  // a system or the store is unreachable

// Parses argv and runs the chosen command; returns the process exit code.
int RunCli(int argc, char** argv);

// Registration hooks, one per file of commands.
void AddCoreCommands(CLI::App& app, int& exit_code);
void AddDemoCommand(CLI::App& app, int& exit_code);

}  // namespace ponte
