// `ponte demo`: the README's first command. Starts the sandbox emulators in-process with a
// fresh temporary store, runs every route, runs them again, and prints a report per route with
// API calls per delivered record and the sandbox's own count of duplicates. The second pass
// must create nothing and duplicates must be 0; otherwise the demo fails. --systems adds the
// sandbox's TOTVS ERP as a third system, with its customer routes.

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/default_config.h"
#include "app/system_kinds.h"
#include "connectors/totvs/totvs_settings.h"
#include "app/report_printer.h"
#include "app/runtime.h"
#include "sandbox/sandbox.h"
#include "sync/engine.h"

namespace ponte {
namespace {

// The sandbox's clock runs this much faster in the demo, so its per-minute quotas (Ploomes'
// 120 requests a minute, Milvus' one listing a minute) are real but do not make the demo wait.
constexpr double kDemoTimeScale = 60;

struct DemoOptions {
  int contacts = 200;
  uint64_t seed = 1;
  bool json = false;
  std::string systems = "ploomes,milvus";
};

// The systems named in --systems: ploomes and milvus (the four routes run on them), and
// optionally totvs, the ERP joined to the hub.
Result<bool> WithErp(const std::string& systems) {
  bool ploomes = false, milvus = false, totvs = false;
  std::string rest = systems + ",";
  for (size_t comma; (comma = rest.find(',')) != std::string::npos; rest.erase(0, comma + 1)) {
    const std::string name = rest.substr(0, comma);
    if (name == "ploomes") ploomes = true;
    else if (name == "milvus") milvus = true;
    else if (name == "totvs") totvs = true;
    else if (!name.empty()) {
      return Fail(Error::InvalidArgument(fmt::format("--systems: unknown system '{}' (ploomes, milvus, totvs)", name)));
    }
  }
  if (!ploomes || !milvus) {
    return Fail(Error::InvalidArgument("--systems: the demo's hub always holds ploomes and milvus (e.g. ploomes,milvus,totvs)"));
  }
  return totvs;
}

void RunDemo(const DemoOptions& o, int& exit_code) {
  const auto erp = WithErp(o.systems);
  if (!erp) {
    std::cerr << "ponte demo: " << erp.error().message << "\n";
    exit_code = kExitUsage;
    return;
  }
  sandbox::SandboxOptions so;
  so.port = 0;
  so.seed = o.seed;
  so.contacts = o.contacts;
  so.tasks = o.contacts * 3 / 2;
  so.interactions = o.contacts;
  so.milvus_clients = o.contacts * 3 / 4;
  so.totvs_customers = o.contacts / 5;
  so.time_scale = kDemoTimeScale;
  QuietLogUnlessChosen();  // the demo prints its own report
  auto sb = sandbox::Sandbox::Start(so);
  if (!sb) {
    std::cerr << "ponte demo: " << sb.error().message << "\n";
    exit_code = kExitUnreachable;
    return;
  }
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("ponte-demo-{}", getpid());
  std::filesystem::create_directories(dir);
  Config config = DefaultConfig();
  config.store = "sqlite:" + (dir / "ponte.db").string();
  SystemConfig& ploomes = config.systems.at("ploomes");
  SystemConfig& milvus = config.systems.at("milvus");
  ploomes.base_url = (*sb)->ploomes_url();
  ploomes.requests_per_minute = 120 * kDemoTimeScale;  // the same quota, on the sandbox's clock
  milvus.base_url = (*sb)->milvus_url();
  // Milvus' one listing a minute, on the sandbox's clock: the demo plans around it as for real.
  milvus.quotas.listings_per_minute = so.milvus_listings_per_minute * kDemoTimeScale;
  config.delivery.retry_base_seconds = 1;
  std::map<std::string, std::string> keys = {{"ploomes", so.ploomes_key}, {"milvus", so.milvus_token}};
  if (*erp) {
    SystemConfig& totvs = config.systems["totvs"] = DefaultSystem("totvs");
    totvs.base_url = (*sb)->totvs_url();
    auto settings = std::make_shared<totvs::TotvsSettings>();
    settings->user = so.totvs_user;
    // The sandbox's ERP takes 2.007, whose Name holds the 80 characters of ponte's canonical
    // message; a Protheus on 2.000 (40) gets the longer names as dead letters saying so.
    settings->message_version = "2.007";
    totvs.settings = settings;
    AddErpRoutes(config, "totvs");
    keys["totvs"] = so.totvs_password;
  }
  auto rt = MakeRuntime(config, "", keys);
  if (!rt) {
    std::cerr << "ponte demo: " << rt.error().ToString() << "\n";
    exit_code = kExitUnreachable;
    return;
  }
  if (!o.json) {
    std::cout << fmt::format(
        "ponte demo: sandbox at {} with {} Ploomes contacts, {} tasks, {} interactions and {} Milvus "
        "clients{} (seed {}); store {}\n\n",
        (*sb)->base_url(), so.contacts, so.tasks, so.interactions, so.milvus_clients,
        *erp ? fmt::format(" and {} ERP customers", so.totvs_customers) : "", so.seed, (*rt)->config.store);
  }
  SyncEngine engine((*rt)->config, *(*rt)->store, (*rt)->Systems(), (*rt)->calls, SystemClock::Get());
  auto first = engine.RunAll();
  auto second = engine.RunAll();
  nlohmann::json stats = (*sb)->Stats();
  int second_writes = 0;
  for (const auto& r : second) second_writes += r.created + r.updated + r.linked;
  const int duplicates = stats["milvus"]["duplicate_documents"].get<int>() +
                         stats["milvus"]["duplicate_tickets"].get<int>() +
                         stats["ploomes"]["duplicate_documents"].get<int>() +
                         (*erp ? stats["totvs"]["duplicate_documents"].get<int>() : 0);
  if (o.json) {
    nlohmann::json j = {{"first_run", nlohmann::json::array()}, {"second_run", nlohmann::json::array()},
                        {"sandbox", stats}, {"duplicates", duplicates}};
    for (auto r : first) { r.records.clear(); j["first_run"].push_back(r.ToJson()); }
    for (auto r : second) { r.records.clear(); j["second_run"].push_back(r.ToJson()); }
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "== first run\n";
    PrintReports(std::cout, first);
    std::cout << "\n== second run (must create nothing)\n";
    PrintReports(std::cout, second);
    std::cout << fmt::format(
        "\nsandbox: {} Milvus clients, {} tickets, {} Ploomes contacts{}; duplicates: {}; "
        "API calls served: {}, 429s from quotas: {}\n",
        stats["milvus"]["clients"].get<int>(), stats["milvus"]["tickets"].get<int>(),
        stats["ploomes"]["contacts"].get<int>(),
        *erp ? fmt::format(", {} ERP customers", stats["totvs"]["customers"].get<int>()) : "", duplicates,
        stats["calls_total"].get<int64_t>(),
        stats["throttled"].value("ploomes", 0) + stats["throttled"].value("milvus", 0));
  }
  exit_code = ExitCodeFor(first);
  if (second_writes > 0 || duplicates > 0) {
    std::cerr << fmt::format("ponte demo: FAILED: the second run wrote {} record(s), {} duplicate(s)\n",
                             second_writes, duplicates);
    exit_code = kExitSomeFailed;
  } else if (!o.json) {
    std::cout << "ok: the second run wrote nothing and the sandbox holds no duplicates\n";
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace

void AddDemoCommand(CLI::App& app, GlobalOptions&, int& exit_code) {
  auto o = std::make_shared<DemoOptions>();
  auto* demo = app.add_subcommand(
      "demo",
      "Run every route against the built-in sandbox twice and report (no credentials needed)");
  demo->add_option("--contacts", o->contacts, "Ploomes contacts to generate (tasks, interactions and "
                                              "Milvus clients scale with it)")->capture_default_str();
  demo->add_option("--seed", o->seed, "Seed of the sandbox data")->capture_default_str();
  demo->add_flag("--json", o->json, "Print the reports as JSON");
  demo->add_option("--systems", o->systems,
                   "Systems of the hub, comma-separated: ploomes,milvus (the four routes) or ploomes,milvus,totvs "
                   "(a TOTVS ERP joined over Mensagem Única: customers to and from it, docs/hub.md)")
      ->capture_default_str();
  demo->callback([o, &exit_code] { RunDemo(*o, exit_code); });
}

}  // namespace ponte
