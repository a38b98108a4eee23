#include "app/cli.h"

#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "app/config_loader.h"
#include "app/version.h"
#include "core/log.h"
#include "store/store.h"

namespace ponte {

namespace {
constexpr const char* kDefaultStore = "sqlite:ponte.db";
bool g_log_level_chosen = false;
}

void QuietLogUnlessChosen() {
  if (!g_log_level_chosen) log::Configure(log::Level::kWarn, log::CurrentFormat());
}

std::string StoreOverride(const GlobalOptions& g) {
  if (!g.store_url.empty()) return g.store_url;
  const char* env = std::getenv("PONTE_STORE");
  return env && *env ? env : "";
}

Result<std::string> ResolveStoreUrl(const GlobalOptions& g, const std::string& config_path, int& exit_code) {
  if (auto url = StoreOverride(g); !url.empty()) return url;
  std::error_code ec;
  if (!std::filesystem::exists(config_path, ec)) {
    if (config_path != kDefaultConfigPath) {
      // A configuration was named: opening some other store instead would hide the typo.
      exit_code = kExitUsage;
      std::cerr << fmt::format("ponte: {}: no such configuration file (give --store, or the right --config)\n",
                               config_path);
      return Fail(Error::InvalidArgument("no configuration file"));
    }
    return std::string(kDefaultStore);
  }
  auto config = LoadConfigFile(config_path);
  if (!config) {
    std::cerr << "ponte: " << config.error().ToString() << "\n";
    exit_code = kExitUsage;
    return Fail(config.error());
  }
  return config->store;
}

Result<std::unique_ptr<Store>> OpenStoreOrReport(const GlobalOptions& g, const std::string& config_path,
                                                 int& exit_code, StoreUse use) {
  auto url = ResolveStoreUrl(g, config_path, exit_code);
  if (!url) return Fail(url.error());
  if (use == StoreUse::kRead && url->starts_with("sqlite:")) {
    const std::string path = url->substr(7);
    std::error_code ec;
    if (path != ":memory:" && !std::filesystem::exists(path, ec)) {
      std::cerr << fmt::format("ponte: there is no store at {}: nothing to read (ponte sync creates it; if the store "
                               "is elsewhere, give --store, PONTE_STORE or `store` in the configuration)\n",
                               path);
      exit_code = kExitUsage;
      return Fail(Error::NotFound("no store"));
    }
  }
  auto store = OpenStore(*url, use == StoreUse::kRead ? StoreAccess::kReadOnly : StoreAccess::kReadWrite);
  if (!store) {
    std::cerr << "ponte: " << store.error().ToString() << "\n";
    const ErrorCode code = store.error().code;
    exit_code = code == ErrorCode::kInvalidArgument || code == ErrorCode::kFailedPrecondition
                    ? kExitUsage
                    : kExitUnreachable;  // damaged or unreachable: 3
  }
  return store;
}

void AcceptValuesAsTyped(CLI::App& command) {
  // Without fallthrough, values stay with the command instead of reaching the root parser.
  command.allow_extras();
  command.fallthrough(false);
}

Result<std::vector<std::string>> TakeValuesAsTyped(const CLI::App& command, std::string first) {
  std::vector<std::string> values{std::move(first)};
  bool after_mark = false;
  for (auto& extra : command.remaining()) {
    if (!after_mark && extra == "--") {
      after_mark = true;
    } else if (!after_mark && extra.size() > 1 && extra.front() == '-') {
      return Fail(Error::InvalidArgument(fmt::format(
          "unknown option {} (put `--` before values that start with '-')", extra)));
    } else {
      values.push_back(std::move(extra));
    }
  }
  return values;
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
                 "Store URL: sqlite:PATH or postgres://user@host/db. Every command resolves the store "
                 "the same way: --store, then $PONTE_STORE, then `store` in the configuration file, "
                 "then sqlite:ponte.db");
  // Logging is set while parsing, before any command runs; the options are accepted after the
  // command too (`ponte serve --log-format json`).
  app.fallthrough();
  app.add_option_function<std::string>(
         "--log-level",
         [](const std::string& name) {
           auto level = log::ParseLevel(name);
           if (!level) throw CLI::ValidationError("--log-level", level.error().message);
           log::Configure(*level, log::CurrentFormat());
           g_log_level_chosen = true;
         },
         "Log lines at this level and above: debug, info (default), warn, error, off")
      ->type_name("LEVEL");
  app.add_option_function<std::string>(
         "--log-format",
         [](const std::string& name) {
           auto format = log::ParseFormat(name);
           if (!format) throw CLI::ValidationError("--log-format", format.error().message);
           log::Configure(log::CurrentLevel(), *format);
         },
         "text (default) or json: one JSON object per line, for log shippers")
      ->type_name("FORMAT");
  AddCoreCommands(app, exit_code);
  AddDeParaCommands(app, global, exit_code);
  AddSandboxCommand(app, exit_code);
  AddSyncCommands(app, global, exit_code);
  AddConfigCommands(app, global, exit_code);
  AddDlqCommands(app, global, exit_code);
  AddServeCommands(app, global, exit_code);
  AddWebhooksCommands(app, global, exit_code);
  AddProbeCommand(app, global, exit_code);
  AddWorkersCommand(app, global, exit_code);
  AddCursorCommand(app, global, exit_code);
  AddInboxCommand(app, global, exit_code);
  AddInitCommand(app, exit_code);
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
