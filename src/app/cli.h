#pragma once
// The `ponte` command line. Each subsystem registers its subcommands here; main() only calls
// RunCli and turns its result into the exit code.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace CLI {
class App;
}

namespace ponte {

// Exit codes shared by every command (documented in `ponte --help`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitSomeFailed = 1;   // some records failed (or, for checks, were invalid)
inline constexpr int kExitUsage = 2;        // bad config or usage
inline constexpr int kExitUnreachable = 3;  // a system or the store is unreachable

class Store;

// Options every command shares.
struct GlobalOptions {
  std::string store_url;  // --store
};

inline constexpr const char* kDefaultConfigPath = "ponte.toml";

// The store every command uses, resolved one way: --store, then $PONTE_STORE, then the `store`
// of the configuration file (when it exists; a --config that does not exist is an error), then
// sqlite:ponte.db. Prints what is wrong and sets exit_code when the configuration cannot be read.
Result<std::string> ResolveStoreUrl(const GlobalOptions& g, const std::string& config_path, int& exit_code);

// --store, else $PONTE_STORE, else empty (the configuration decides).
std::string StoreOverride(const GlobalOptions& g);

// What a command does with the store: a reading command never creates one (a typo in a path
// would otherwise answer "nothing there" from a new empty file).
enum class StoreUse { kWrite, kRead };

// Opens the store ResolveStoreUrl names; on failure prints why and sets exit_code (3; 2 when a
// reading command names a SQLite file that does not exist).
Result<std::unique_ptr<Store>> OpenStoreOrReport(const GlobalOptions& g, const std::string& config_path,
                                                 int& exit_code, StoreUse use = StoreUse::kWrite);

// Prints the error of a failed result to stderr and sets exit_code; true when it succeeded.
template <typename T>
bool ReportIfError(const Result<T>& r, int& exit_code, int code = kExitSomeFailed) {
  if (r) return true;
  std::cerr << "ponte: " << r.error().ToString() << "\n";
  exit_code = r.error().code == ErrorCode::kUnavailable ? kExitUnreachable : code;
  return false;
}

// Commands a person runs and reads (sync --once, demo) print their own report: their log shows
// warnings and errors only, unless --log-level was given. Services (serve, sync --watch) log
// at info.
void QuietLogUnlessChosen();

// Commands whose positional values are data (documents, key parts) take them exactly as typed:
// CLI11 reads "[a,b]" as a list and "[]" as nothing, which is wrong for a value. Such a command
// calls AcceptValuesAsTyped when it is declared, and TakeValuesAsTyped in its callback with the
// first value (the one its single-string positional option received); the rest come back in
// order, after a `--` too. An unknown option before `--` is a usage error.
void AcceptValuesAsTyped(CLI::App& command);
Result<std::vector<std::string>> TakeValuesAsTyped(const CLI::App& command, std::string first);

// Parses argv and runs the chosen command; returns the process exit code.
int RunCli(int argc, char** argv);

// Registration hooks, one per file of commands.
void AddCoreCommands(CLI::App& app, int& exit_code);
void AddDemoCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddDeParaCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddSandboxCommand(CLI::App& app, int& exit_code);
void AddSyncCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddDlqCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddConfigCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddServeCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddWebhooksCommands(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddProbeCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddWorkersCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddCursorCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddInboxCommand(CLI::App& app, GlobalOptions& g, int& exit_code);
void AddInitCommand(CLI::App& app, int& exit_code);

}  // namespace ponte
