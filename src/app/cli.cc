#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/version.h"
#include "store/store.h"

namespace ponte {

namespace {
constexpr const char* kDefaultStore = "sqlite:ponte.db";
}

Result<std::unique_ptr<Store>> OpenStoreOrReport(const GlobalOptions& g, int& exit_code) {
  std::string url = g.store_url;
  if (url.empty()) {
    const char* env = std::getenv("PONTE_STORE");
    url = env && *env ? env : kDefaultStore;
  }
  auto store = OpenStore(url);
  if (!store) {
    std::cerr << "ponte: " << store.error().ToString() << "\n";
    exit_code = store.error().code == ErrorCode::kInvalidArgument ? kExitUsage : kExitUnreachable;
  }
  return store;
}

int RunCli(int argc, char** argv) {
  CLI::App app{
      "ponte keeps Ploomes (CRM) and Milvus (helpdesk) in sync on TOTVS' Mensagem Única model:\n"
      "canonical messages with InternalIds, and a de/para store that links them.\n\n"
      "Exit codes: 0 ok, 1 some records failed or were invalid, 2 config or usage error,\n"
      "3 a system or the store is unreachable.",
      "ponte"};
  app.set_version_flag("--version", std::string("ponte ") + kPonteVersion);
  app.require_subcommand(1);
  int exit_code = kExitOk;
  GlobalOptions global;
  app.add_option("--store", global.store_url,
                 "Store URL: sqlite:PATH (default sqlite:ponte.db) or postgres://user@host/db; "
                 "also $PONTE_STORE");
  AddCoreCommands(app, exit_code);
  AddDeParaCommands(app, global, exit_code);
  AddSandboxCommand(app, exit_code);
  AddSyncCommands(app, global, exit_code);
  AddServeCommands(app, global, exit_code);
  AddWebhooksCommands(app, global, exit_code);
  AddProbeCommand(app, global, exit_code);
  AddWorkersCommand(app, global, exit_code);
  AddDemoCommand(app, global, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

}  // namespace ponte
